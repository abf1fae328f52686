"""The explorer page (argmap explore): exact in a real browser, offline, and round-tripping its settings.

Browser tests run the system Chromium through Playwright (see tests/browser.py) and skip, saying why,
only when no Chromium is installed; CI installs it (.ci/run).
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
import yaml
from browser import launch, require_or_skip
from randmaps import random_observations, write_random_map

from argmap import Model
from argmap.base.errors import ImpossibleEvidenceError
from argmap.commands.cli import main
from argmap.inference.engine import Engine
from argmap.inference.netjson import network_json
from argmap.maps.bundled import arguments_dir, bundled_map_path
from argmap.maps.loader import load_stages
from argmap.maps.mapjson import map_json
from argmap.views import explorer
from argmap.views.explorer import explorer_data, offered_overlays, overlay_combinations

TOL = 1e-12
ASSETS = Path(__file__).resolve().parents[1] / "argmap" / "views" / "assets"
DATA = Path(__file__).resolve().parent / "data"


# ------------------------------------------------------------------------------------ without a browser

def test_bundled_page_offers_every_bundled_overlay_each_after_what_it_builds_on():
    offered = explorer.offering(None, []).overlays
    names = [o.name for o in offered]
    bundled = {f.stem for sub in ("critiques", "viewpoints") for f in (arguments_dir() / sub).glob("*.yaml")}
    assert set(names) == bundled and len(names) == len(bundled)
    for i, o in enumerate(offered):           # each comes after what it builds on
        assert all(names.index(b) < i for b in o.builds_on if b in names)


def _add_critiques(copy: Path, n: int, builds_on: str | None = None) -> list[str]:
    """``n`` new critiques in the bundled copy, written by ``argmap new critique`` as a contributor would."""
    names = []
    for i in range(n):
        name = f"contributed-{builds_on or 'free'}-{i}"
        argv = ["new", "critique", name, "--against", "counting_argument", "--author", "T. Ester"]
        assert main(argv + (["--with", builds_on] if builds_on else [])) == 0
        names.append(name)
    return names


def test_offering_keeps_the_users_overlays_first_and_offers_every_contributed_critique(bundled_copy, tmp_path,
                                                                                       monkeypatch, capsys):
    """Nine contributed critiques (one building on pope-2023) beside the bundled ones and the user's own: the
    page offers all of them (it compiles any combination itself), the user's first and switched on."""
    monkeypatch.chdir(tmp_path)
    added = _add_critiques(bundled_copy, 8) + _add_critiques(bundled_copy, 1, builds_on="pope-2023")
    mine = tmp_path / "mine.yaml"
    assert main(["new", "critique", "mine", "--against", "counting_argument", "-o", str(tmp_path)]) == 0
    offered = explorer.offering(None, [str(mine)]).overlays
    assert offered[0].name == "mine" and offered[0].on and not any(o.on for o in offered[1:])
    assert set(added) <= {o.name for o in offered} and len(offered) >= 16       # 2^16 combinations
    assert [o.name for o in explorer.offering(None, [str(mine)], "none").overlays] == ["mine"]
    out = tmp_path / "page.html"
    assert main(["explore", "--with", str(mine), "-o", str(out)]) == 0
    page = _page_data(out)
    assert [o["name"] for o in page["overlays"]] == [o.name for o in offered]
    assert all("edits" in o for o in page["overlays"])


def test_explore_and_export_offer_the_same_whether_the_bundled_map_is_named_or_implied(tmp_path, capsys):
    implied = explorer.offering(None, ["pope-2023"])
    for named in (bundled_map_path(), bundled_map_path() / "map.yaml", Path(os.path.relpath(bundled_map_path()))):
        assert explorer.offering(named, ["pope-2023"]) == implied
    assert [o.name for o in explorer.offering(None, [], "pope-2023,carlsmith-2024").overlays] == \
        ["pope-2023", "carlsmith-2024"]
    for cmd in (["explore", "-o", str(tmp_path / "p.html")], ["export", "-o", str(tmp_path / "b")]):
        assert main([*cmd, str(bundled_map_path()), "--with", "pope-2023", "--offer", "carlsmith-2024"]) == 0
    pages = [_page_data(tmp_path / "p.html"), _page_data(tmp_path / "b" / "explore.html")]
    assert [[o["name"] for o in d["overlays"]] for d in pages] == [["pope-2023", "carlsmith-2024"]] * 2


def test_an_offer_of_many_overlays_makes_a_page(bundled_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    many = ",".join(_add_critiques(bundled_copy, 7))          # 2^7 = 128 combinations: no limit now
    for cmd in ("explore", "export"):
        assert main([cmd, "--offer", many, "-o", str(tmp_path / cmd)]) == 0
    assert len(_page_data(tmp_path / "explore")["overlays"]) == 7


def test_bundled_page_offers_every_bundled_overlay_as_edits_in_builds_on_order():
    data = explorer_data()
    names = [o["name"] for o in data["overlays"]]
    assert {"pope-2023", "carlsmith-reply-2023", "incentivized-episode-2023", "carlsmith-2024"} <= set(names)
    assert names.index("pope-2023") < names.index("carlsmith-reply-2023")
    assert all(o["edits"] and "error" not in o for o in data["overlays"])
    assert data["base"] == json.loads(json.dumps(map_json(Model.load().map)))
    assert "combos" not in data          # no network per combination: the page compiles the map itself


def test_any_number_of_overlays_is_offered(tmp_path):
    """Nine overlays (the bundled ones and three of the reader's) make one page: no combination limit."""
    mine = []
    for i in range(3):
        f = tmp_path / f"mine{i}.yaml"
        f.write_text(f"overlay: mine{i}\nauthor: a reader\nchange:\n  - claim: situational_awareness\n"
                     f"    credence: 0.{i + 2}\n    reason: test\n")
        mine.append(str(f))
    data = explorer_data(None, mine, offer="all")
    assert len(data["overlays"]) >= 9 and data["start"]["overlays"] == [f"mine{i}" for i in range(3)]
    assert abs(data["start"]["probability"] - Model.load(None, mine).probability()) <= TOL


def test_page_is_one_self_contained_file(bundled_page):
    html = bundled_page.read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) <= 1_500_000
    # no element loads anything: no src or href attributes, no @import or url() in the styles
    assert not re.search(r"""<(script|link|img|iframe)[^>]*\s(src|href)\s*=""", html, re.I)
    assert "@import" not in html and "url(" not in html.split("<script", 1)[0]
    assert "default-src 'none'" in html


def test_page_starts_at_argmap_run(bundled_page):
    data = _page_data(bundled_page)
    assert abs(data["start"]["probability"] - Model.load().probability()) <= TOL


def test_page_interval_takes_the_maps_correlation_or_correlation_as_run_does(tmp_path):
    """The page's interval draws with the map's stated rank correlation, or --correlation, as run --spread."""
    out = tmp_path / "explore.html"
    assert main(["explore", "--offer", "none", "--correlation", "0.5", "-o", str(out)]) == 0
    assert _page_data(out)["correlation"]["value"] == 0.5 and _page_data(out)["correlation"]["source"] == "given"
    stated = explorer_data(offer="none")["correlation"]
    assert stated["value"] == 0.2 and stated["source"] == "map" and stated["rationale"]


# ------------------------------------------------------------------------------------ browser fixtures

@pytest.fixture(scope="module")
def bundled_page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("explore") / "explore.html"
    assert main(["explore", "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def browser():
    require_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


@pytest.fixture
def page(browser, bundled_page):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    requests: list[str] = []
    errors: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(bundled_page.as_uri())
    pg.wait_for_selector("body[data-ready=true]", timeout=20000)
    pg.requests = requests
    yield pg
    assert not errors, errors
    ctx.close()


def _load(names: list[str]) -> Model:
    return Model.load(None, names)


def _page_data(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    found = re.search(r'<script id="argmap-data"[^>]*>([^<]*)</script>', html)
    assert found is not None
    return json.loads(gzip.decompress(base64.b64decode(found.group(1))))


# ------------------------------------------------------------------------------------ exactness

def _random_theta(net, rng: np.random.Generator) -> np.ndarray:
    th = net.theta0.copy()
    done: set[int] = set()
    for i, p in enumerate(net.params):
        if i in done:
            continue
        if p.kind == "simplex":
            g = list(p.group)
            th[g] = rng.dirichlet(np.ones(len(g)))
            done.update(g)
        elif p.kind == "probability":
            r = rng.random()
            th[i] = 0.0 if r < 0.03 else 1.0 if r < 0.06 else rng.uniform(0, 1)
        elif p.kind == "ratio":
            th[i] = float(np.exp(rng.normal(0, 1.5)))
        elif p.kind == "scale":
            th[i] = rng.uniform(0, 2)
    return th


def _random_conditions(net, rng: np.random.Generator, most: int = 3, unsettable=()) -> tuple[dict, dict]:
    vs = list(net.variables)
    rng.shuffle(vs)
    given: dict[str, str] = {}
    set_: dict[str, str] = {}
    for v in vs[: int(rng.integers(0, min(most, len(vs)) + 1))]:
        state = net.states[v][int(rng.integers(len(net.states[v])))]
        (given if rng.random() < 0.5 or v in unsettable else set_)[v] = state
    return given, set_


def _cases(model: Model, rng: np.random.Generator, n: int, source: dict) -> list[dict]:
    """``n`` random (θ, conditions) for ``model`` with the engine's marginals; ``source`` is what the page
    compiles the network from: the map's JSON and the overlays' edits."""
    net = model.network
    engine = Engine(net)
    spec = {"python": network_json(net, engine), **source}
    cases = []
    for k in range(n):
        theta = net.theta0.copy() if k == 0 else _random_theta(net, rng)
        start = model.conditions()
        given, set_ = (start.evidence, start.set) if k == 0 else _random_conditions(net, rng)
        try:
            m = engine.marginals(given, set_, theta)
            expected = {v: list(map(float, a)) for v, a in m.items()}
        except ImpossibleEvidenceError:
            expected = None
        cases.append({"net": spec, "theta": theta.tolist(), "given": given, "set": set_, "expected": expected})
    return cases


# networks and cases travel as JSON text (Playwright's own serialisation of large objects is slow);
# each network is compiled in the page from its map and overlay edits (compile.js), once, and evaluated
# for all its cases; the compiled networks come back to be compared with Python's
_EVAL = """text => {
  const input = JSON.parse(text);
  const nets = input.nets.map(n => {
    const map = ArgmapCompile.copy(n.map), problems = [];
    n.edits.forEach(e => ArgmapCompile.applyEdits(map, e, problems));
    const spec = ArgmapCompile.compile(map);
    delete spec.meta;
    return {spec: spec, problems: problems.concat(ArgmapCompile.check(map)), compiled: ArgmapEval.compile(spec)};
  });
  return JSON.stringify({nets: nets.map(n => ({spec: n.spec, problems: n.problems})), cases: input.cases.map(c => {
    const net = nets[c.net];
    const r = net.compiled.marginals(c.theta, c.given, c.set);
    if (!r.marginals) return null;
    const out = {};
    net.spec.variables.forEach((v, i) => { out[v] = Array.from(r.marginals[i]); });
    return out;
  })});
}"""


def _evaluate_in_browser(page, cases: list[dict]) -> list:
    nets: list[dict] = []
    ids: dict[int, int] = {}
    rows = []
    for c in cases:
        key = id(c["net"])
        if key not in ids:
            ids[key] = len(nets)
            nets.append(c["net"])
        rows.append({"net": ids[key], "theta": c["theta"], "given": c["given"], "set": c["set"]})
    out = json.loads(page.evaluate(_EVAL, json.dumps({"nets": [{"map": n["map"], "edits": n["edits"]} for n in nets],
                                                       "cases": rows})))
    for want, got in zip(nets, out["nets"], strict=True):
        assert got["problems"] == []
        assert got["spec"] == json.loads(json.dumps(want["python"]))     # same variables, θ, cells and plan
    return out["cases"]


def test_page_compiler_and_evaluator_equal_the_engine_on_the_bundled_map_every_overlay_and_random_maps(
        browser, tmp_path):
    """The page compiles the map plus the switched-on overlays' edits into exactly the network and plan
    Python compiles (every combination of the bundled overlays; random maps using every construct, with
    random observations applied as an overlay's edits), and its marginals equal the engine's to 1e-12."""
    from argmap.maps.mapjson import map_edits

    rng = np.random.default_rng(16)
    cases = []
    data = explorer_data()
    offered = offered_overlays(None, [])
    start = load_stages(None)
    for combo in overlay_combinations(offered):
        model = Model(load_stages(overlays=[offered[i].path for i in combo], start=start)[-1].map)
        cases += _cases(model, rng, 2, {"map": data["base"], "edits": [data["overlays"][i]["edits"] for i in combo]})
    n_bundled = len(cases)
    routes = load_stages(DATA / "maps" / "routes")
    more = load_stages(overlays=[DATA / "maps" / "routes_overlays" / "more-routes.yaml"], start=routes)
    for stages in (routes, more):                     # routes, and a route and an argument into a table
        cases += _cases(Model(stages[-1].map), rng, 4,
                        {"map": map_json(routes[0].map), "edits": [map_edits(routes[0].map, stages[-1].map)]})
    with_routes = 0
    for i in range(120):
        folder = write_random_map(tmp_path / f"m{i}", rng)
        stages = load_stages(folder)
        if i % 3 == 0:
            overlay = tmp_path / f"obs{i}.yaml"
            overlay.write_text(yaml.safe_dump({"overlay": "obs", "author": "Oracle", "observe": random_observations(
                rng, {c: cl.states for c, cl in stages[-1].map.claims.items()})}))
            stages = load_stages(overlays=[overlay], start=stages)
        source = {"map": map_json(stages[0].map), "edits": [map_edits(stages[0].map, stages[-1].map)]}
        model = Model(stages[-1].map)
        cases += _cases(model, rng, 2, source)
        with_routes += any(p.name.startswith("route:") for p in model.network.params)
    assert with_routes >= 20
    pg = browser.new_page()
    pg.set_content("<!DOCTYPE html><script>" + (ASSETS / "compile.js").read_text() +
                   (ASSETS / "evaluator.js").read_text() + "</script>")
    got = _evaluate_in_browser(pg, cases)
    pg.close()
    assert n_bundled >= 2 * len(overlay_combinations(offered)) and len(cases) - n_bundled >= 200
    checked = 0
    for case, marg in zip(cases, got, strict=True):
        if case["expected"] is None:
            assert marg is None
            continue
        assert marg is not None
        for v, want in case["expected"].items():
            assert np.allclose(marg[v], want, rtol=0, atol=TOL), (v, marg[v], want)
            checked += 1
    assert checked > 2000


# ------------------------------------------------------------------------------------ the page

def _p(page) -> float:
    return float(page.get_attribute("#headline-value", "data-p"))


def _page_marginals(page) -> dict:
    return page.evaluate("Explore.marginals()")


def test_page_opens_offline_at_argmap_run_and_every_combination_is_exact(page):
    assert abs(_p(page) - Model.load().probability()) <= TOL
    offered = offered_overlays(None, [])
    rng = np.random.default_rng(3)
    for combo in overlay_combinations(offered):
        names = [offered[i].name for i in combo]
        model = Model.load(None, [offered[i].path for i in combo])
        page.evaluate("on => Explore.apply({on: on})", names)
        assert abs(_p(page) - model.probability()) <= TOL
        given, set_ = _random_conditions(model.network, rng, 2, model.map.observations)
        page.evaluate("([on, g, s]) => Explore.apply({on: on, given: g, set: s})", [names, given, set_])
        try:
            want = model.marginals(given=given, set=set_)
        except ImpossibleEvidenceError:
            assert page.evaluate("Explore.marginals()") is None
            continue
        got = _page_marginals(page)
        for v, dist in want.items():
            assert np.allclose(got[v], list(dist.values()), rtol=0, atol=TOL), v
    external = [u for u in page.requests if not u.startswith(("file:", "data:", "blob:"))]
    assert external == [] and page.requests == [page.url.split("#")[0]]


def test_headline_interval_is_argmap_run_spreads_with_the_maps_correlation(page, capsys):
    """The page's 90% interval is drawn on the model of `argmap run --spread`: the map's uncertain numbers
    jointly, leaning toward the conclusion with the map's stated rank correlation (bundled: 0.2, said on
    the page), with the independent interval beside it. Tolerance: each of the page's quantiles (1,000
    draws) must sit, on the CLI's own draws (10,000), at its level within 4 standard errors of an
    empirical quantile's level, sqrt(q(1-q)(1/1000 + 1/10000)): 0.05 +- 0.029 and 0.95 +- 0.029. The old
    page's independent interval would put its 5% quantile at the correlated draws' 18th percentile."""
    _interval_is_the_clis(page, capsys, [])
    assert "\u03c1 = 0.2 (the map's stated correlation" in page.text_content("#headline-spread")


def test_headline_interval_with_one_shared_lean_per_part_is_the_clis(browser, tmp_path, capsys):
    """explore --shared-factor part: the page's interval draws one shared lean per part of the map, as
    run --spread --shared-factor part does (same tolerance)."""
    out = tmp_path / "explore.html"
    assert main(["explore", "--offer", "none", "--shared-factor", "part", "-o", str(out)]) == 0
    pg = browser.new_page()
    pg.goto(out.as_uri())
    pg.wait_for_selector("body[data-ready=true]", timeout=20000)
    _interval_is_the_clis(pg, capsys, ["--shared-factor", "part"])
    assert "one shared lean per part of the map" in pg.text_content("#headline-spread")
    pg.close()


def _interval_is_the_clis(page, capsys, args: list[str]) -> None:
    from argmap.analysis.sensitivity.spread import spread

    page.wait_for_selector("#headline-spread[data-lo]", timeout=120000)
    got = {k: float(page.get_attribute("#headline-spread", f"data-{k}"))
           for k in ("lo", "hi", "ind-lo", "ind-hi", "rho", "median")}
    assert main(["run", "--spread", "--json", *args]) == 0
    cli = json.loads(capsys.readouterr().out)["spread"]
    sp = spread(Model.load(), shared_factor=args[-1] if args else "map")    # the CLI's draws, with their values
    assert (sp.correlated.q05, sp.independent.q95) == (cli["correlated"]["q05"], cli["independent"]["q95"])
    assert got["rho"] == cli["correlation"]["value"] == 0.2
    assert f"{len(_factors())} uncertain numbers" in page.text_content("#headline-spread")
    for values, lo, hi in ((sp.correlated_values, got["lo"], got["hi"]),
                           (sp.independent_values, got["ind-lo"], got["ind-hi"])):
        for q, level in ((lo, 0.05), (hi, 0.95)):
            at = float(np.mean(values < q))
            assert abs(at - level) < 4 * np.sqrt(level * (1 - level) * (1 / 1000 + 1 / len(values))), (q, level, at)
    # the median, and the stated 25% placed as the CLI places it (the correlated reading is named first)
    at = float(np.mean(sp.correlated_values < got["median"]))
    assert abs(at - 0.5) < 4 * np.sqrt(0.25 * (1 / 1000 + 1 / len(sp.correlated_values))), at
    text = page.text_content("#headline-spread")
    placed = re.findall(r"Joe Carlsmith's 0\.25 at the ([0-9.]+)th percentile, P\(draw ≥ 0\.25\) = ([0-9.]+)", text)
    assert len(placed) == 2, text
    want = cli["correlated"]["percentile"] / 100
    assert abs(float(placed[0][0]) / 100 - want) < 4 * np.sqrt(want * (1 - want) * (1 / 1000 + 1 / 10000))
    assert abs(float(placed[0][0]) / 100 + float(placed[0][1]) - 1) < 1e-9      # below and at-or-above: all draws


def _factors():
    from argmap.analysis.sensitivity.spread import hedge_factors

    return hedge_factors(Model.load())


def test_page_quantile_functions_equal_scipys(browser):
    """The page draws each number through the same quantile tables as Python (logit of a beta's quantile,
    log of a gamma's, over normal scores), computed in JavaScript: equal to scipy's within 1e-5 from
    z = -6 to 6 (beyond, a draw has odds of 1 in 10^9, and Python's clip of Phi(z) at 1 - 1e-12 is itself
    rounded by 1e-4 relative) for every beta the bundled map fits and the Dirichlets' gammas."""
    from scipy import special

    fs = _factors()
    betas = sorted({f.args for f in fs if f.family == "beta"})
    gammas = sorted({a for f in fs if f.family == "dirichlet" for a in f.args} | {0.3, 1.0})
    z = np.linspace(-6, 6, 41)
    pg = browser.new_page()
    pg.set_content("<!DOCTYPE html><script>" + (ASSETS / "spread.js").read_text() + "</script>")
    got_b, got_g = pg.evaluate("""([betas, gammas, z]) => [
        betas.map(([a, b]) => z.map(x => ArgmapSpread.betaLogit(a, b, x))),
        gammas.map(a => z.map(x => Math.log(ArgmapSpread.gammaQuantile(a,
            Math.min(1 - 1e-12, Math.max(1e-12, ArgmapSpread.Phi(x)))))))]""",
                               [betas, gammas, z.tolist()])
    pg.close()
    u = np.clip(special.ndtr(z), 1e-12, 1 - 1e-12)
    assert len(betas) > 20
    for (a, b), row in zip(betas, got_b, strict=True):
        x = np.clip(special.betaincinv(a, b, u), 1e-300, 1 - 1e-16)
        assert np.allclose(row, np.log(x) - np.log1p(-x), rtol=0, atol=1e-5), (a, b)
    for a, row in zip(gammas, got_g, strict=True):
        assert np.allclose(row, np.log(special.gammaincinv(a, u)), rtol=0, atol=1e-5), a


def test_toggling_an_overlay_in_the_page_gives_argmap_run_with_it(page, capsys):
    page.check("input[data-name='pope-2023']")
    assert main(["run", "--with", "pope-2023", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert abs(_p(page) - out["probability"]) <= TOL
    page.uncheck("input[data-name='pope-2023']")
    assert abs(_p(page) - Model.load().probability()) <= TOL


def test_clicking_a_claim_observes_or_sets_it(page):
    model = Model.load()
    claim = next(c for c in model.network.variables
                 if c != model.map.target and model.map.claims[c].binary and c not in model.conditions().given
                 and page.locator(f"#diagram g.node[data-id='{c}']").count())
    page.click(f"#diagram g.node[data-id='{claim}']")
    page.click("#dlg-actions button:text-is('true') >> nth=0")          # Observe: true
    assert abs(_p(page) - model.probability(given={claim: "true"})) <= TOL
    page.focus(f"#diagram g.node[data-id='{claim}']")                   # the keyboard works too
    page.keyboard.press("Enter")
    page.click("#dlg-actions button:text-is('false') >> nth=1")         # Set: false
    assert abs(_p(page) - model.probability(set={claim: "false"})) <= TOL
    assert page.locator("#conditions li", has_text="set (intervention)").count() == 1


def test_settings_download_round_trips_through_check_and_run(page, tmp_path, monkeypatch, capsys):
    page.check("input[data-name='carlsmith-reply-2023']")         # also switches on pope-2023, which it builds on
    assert page.is_checked("input[data-name='pope-2023']")
    page.evaluate("document.querySelectorAll('details.part').forEach(d => d.open = true)")
    # type into a number box, move a slider by keyboard, and edit a categorical credence (kept normalised)
    boxes = page.locator(".param input[type=number]")
    boxes.nth(0).fill("0.123")
    boxes.nth(0).dispatch_event("change")
    ranges = page.locator(".param input[type=range]")
    ranges.nth(5).focus()
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    rng = np.random.default_rng(7)
    state = page.evaluate("Explore.state()")
    model = _load(["pope-2023", "carlsmith-reply-2023"])
    edits = dict(state["edits"])
    for k, p in enumerate(model.network.params):
        if k % 5 or p.field == "scale" or p.kind == "simplex":
            continue
        if p.kind == "ratio":
            rel = next(r for r in model.map.relations if r.key == p.relation)
            edits[p.name] = float(rng.uniform(1, 4) if rel.type == "supports" else rng.uniform(0.2, 1))
        else:
            edits[p.name] = float(rng.uniform(0, 1))
    simplex = next(p for p in model.network.params if p.kind == "simplex")
    state["edits"] = edits
    page.evaluate("st => Explore.apply(st)", state)
    ctl = page.locator(f".param input[type=number][data-param='{simplex.name}']")
    ctl.fill("0.6")
    ctl.dispatch_event("change")
    scale = next(p for p in model.network.params if p.kind == "scale")    # a modulator's scale moves too
    ctl = page.locator(f".param input[type=number][data-param='{scale.name}']")
    ctl.fill("0.4")
    ctl.dispatch_event("change")
    assert scale.name in page.evaluate("Explore.state()")["edits"]
    page.evaluate("c => Explore.apply(Object.assign(Explore.state(), {given: {[c]: 'true'}}))",
                  next(c for c in model.network.variables if model.map.claims[c].binary and c != model.map.target
                       and c not in model.conditions().given))
    groups = page.evaluate("st => Object.keys(st.edits)", page.evaluate("Explore.state()"))
    assert simplex.name in groups and len(groups) > 10
    _download_checks_and_runs_as_the_page(page, tmp_path, monkeypatch, capsys)


def _download_checks_and_runs_as_the_page(page, folder: Path, monkeypatch, capsys, tol: float = TOL) -> str:
    """Save the page's overlay where its own first lines say, check it, and run the command they give:
    every marginal equals the page's. Returns the overlay's text."""
    yaml_text = page.evaluate("Explore.settingsYaml()")
    page_marg = _page_marginals(page)
    monkeypatch.chdir(folder)
    command = shlex.split(yaml_text.splitlines()[2].lstrip("# "))
    assert command[:2] == ["argmap", "run"]
    saved = re.search(r"Save as (\S+);", yaml_text)
    assert saved is not None
    Path(saved.group(1)).write_text(yaml_text)
    withs = [command[i + 1] for i, w in enumerate(command) if w == "--with"]
    where = [] if command[2].startswith("--") else [command[2]]
    check = ["check", *where] + [x for w in withs for x in ("--with", w)]
    assert main(check) == 0, (capsys.readouterr(), yaml_text)
    capsys.readouterr()
    assert main(command[1:] + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["marginals"]) == set(page_marg)
    for v, dist in out["marginals"].items():
        assert np.allclose(page_marg[v], list(dist.values()), rtol=0, atol=tol), v
    assert abs(_p(page) - out["probability"]) <= tol
    return yaml_text


def test_a_critique_written_in_the_page_downloads_as_an_overlay_argmap_runs_to_the_same_numbers(
        page, tmp_path, monkeypatch, capsys):
    """A reader adds a claim through the form (its credence and strength by word), removes a relation,
    moves a number, and names themselves: the page recomputes, and the downloaded overlay checks and runs
    to the page's numbers, carrying the reader's name, source and reasons."""
    p0 = _p(page)
    page.fill("#cr-name", "A. Reader")
    page.fill("#cr-source", "https://example.org/my-post")
    page.fill("#cr-reason", "my reading of section 4")
    page.fill("#cr-title", "Training data rarely rewards long horizons")
    page.select_option("#cr-type", "opposes")
    target = page.eval_on_selector("#cr-target", "s => Array.from(s.options).map(o => o.value)")[0]
    page.select_option("#cr-target", target)
    page.select_option("#cr-cword", "quite likely")
    page.select_option("#cr-sword", "strong")
    page.fill("#cr-why", "short feedback loops")
    before = _p(page)
    page.click("#cr-add")
    assert page.text_content("#cr-msg") == ""
    after = _p(page)
    assert after != before and page.locator("#cr-list li").count() == 1
    # clicking the target shows the chain from the reader's claim to it, with the change at each link
    chain = page.evaluate("Explore.chain('scheming')")
    mine = page.evaluate("Explore.state().critique.claims[0].id")
    assert chain[0] == {"id": mine, "why": "your claim"} and chain[1]["id"] == target and chain[-1]["id"] == "scheming"
    page.click("#diagram g.node[data-id='scheming']")
    assert page.locator("#dlg-chain li").count() == len(chain)
    last = page.locator("#dlg-chain li").last.text_content()
    assert last.startswith(f"The model is a schemer: {p0:.2f} \u2192 {after:.2f}")
    page.click("#dlg-close")
    page.check("input[data-name='pope-2023']")
    page.evaluate("document.querySelectorAll('details.part').forEach(d => d.open = true)")
    page.locator(".param button.remove").nth(3).click()
    assert page.locator("#cr-list li", has_text="removed:").count() == 1
    box = page.locator(".param input[type=number]").nth(1)
    box.fill("0.2")
    box.dispatch_event("change")
    text = _download_checks_and_runs_as_the_page(page, tmp_path, monkeypatch, capsys)
    spec = yaml.safe_load(text)
    assert spec["author"] == "A. Reader" and spec["source"] == "https://example.org/my-post"
    assert spec["builds_on"] == ["pope-2023"] and len(spec["add"]) == 1 and len(spec["remove"]) == 1
    added = spec["add"][0]
    assert added["credence"] == 0.65 and added["provenance"]["band"] == "quite likely"
    relation = added["opposes"][0]
    assert relation["claim"] == target and relation["provenance"]["rationale"] == "short feedback loops"
    assert spec["remove"][0]["reason"] == "my reading of section 4"
    page.click("#reset")
    assert _p(page) == p0 and page.locator("#cr-list li").count() == 0


def _random_edit(page, rng: np.random.Generator, step: int) -> None:
    """One random reader's edit: add a claim bearing on an eligible claim, remove a relation, move a number,
    or observe or set a claim."""
    kind = rng.choice(["add", "remove", "number", "number", "condition"])
    cur = page.evaluate("({params: Explore.current().net.params, states: Explore.current().map.claims, "
                        "observations: Object.keys(Explore.current().map.observations)})")
    params = [p for p in cur["params"] if not p.get("fixed")]
    if kind == "add":
        typ = str(rng.choice(["supports", "opposes", "undercuts", "route"]))
        targets = page.evaluate("t => Explore.targets(t)", typ)
        if targets:
            msg = page.evaluate("a => Explore.addClaim(a)", {
                "title": f"Reader claim {step}", "type": typ, "target": str(rng.choice(targets)),
                "p": float(rng.choice([rng.uniform(0, 1), 0.0, 1.0], p=[0.8, 0.1, 0.1])),
                "strength": float(np.exp(rng.uniform(0, 3))), "rp": float(rng.uniform(0, 1)),
                "reason": f"reason {step}"})
            assert msg is None, msg
        return
    if kind == "remove":
        rels = sorted({p["relation"] for p in params if p.get("relation") and p["field"] in ("ratio", "leak", "p")})
        if rels:
            page.evaluate("k => Explore.removeRelation(k)", str(rng.choice(rels)))
        return
    if kind == "number" and params:
        p = params[int(rng.integers(len(params)))]
        if p["field"] == "ratio":
            x = float(np.exp(rng.uniform(0, 2.5)))
            v = x if p["type"] == "supports" else 1 / x
        else:
            v = float(rng.uniform(0, 1))
        page.evaluate("document.querySelectorAll('details.part').forEach(d => d.open = true)")
        box = page.locator(f".param input[type=number][data-param='{p['name']}']")
        box.fill(repr(round(v, 6)))
        box.dispatch_event("change")
        return
    claims = [c for c in cur["states"] if c not in cur["observations"]]
    c = str(rng.choice(claims))
    st = page.evaluate("Explore.state()")
    st["given" if rng.random() < 0.5 else "set"][c] = str(rng.choice(cur["states"][c]["states"]))
    page.evaluate("st => Explore.apply(st)", st)


def test_random_in_page_edit_sequences_on_random_maps_download_and_run_to_the_page(
        browser, tmp_path, monkeypatch, capsys):
    """Random maps (every construct), each opened as its own page: a random sequence of a reader's edits
    (claims added, relations removed, numbers moved, claims observed or set), then the downloaded overlay
    checks and `argmap run` with it equals every marginal the page shows. Edits the page refuses (e.g.
    a removal leaving a claim with nothing bearing on it) are taken back, as a reader would."""
    rng = np.random.default_rng(26)
    runs = 0
    for i in range(5):
        folder = write_random_map(tmp_path / f"m{i}", rng, n_min=4, n_max=8)
        out = tmp_path / f"m{i}.html"
        assert main(["explore", str(folder), "-o", str(out)]) == 0
        pg = browser.new_page()
        pg.goto(out.as_uri())
        pg.wait_for_selector("body[data-ready=true]", timeout=20000)
        for step in range(8):
            before = pg.evaluate("Explore.state()")
            _random_edit(pg, rng, step)
            if pg.evaluate("Explore.problems()") or pg.evaluate("Explore.marginals()") is None:
                pg.evaluate("st => Explore.apply(st)", before)
        if pg.evaluate("Explore.marginals()") is None:
            pg.close()
            continue
        _download_checks_and_runs_as_the_page(pg, tmp_path, monkeypatch, capsys)
        runs += 1
        pg.close()
    assert runs >= 4


# the page's network (compiled from the last one: compile.js build, its pieces and plan lent, or the plan
# folded: a reader's new claims eliminated first) against the same map compiled from nothing: the same
# network numbered as Python writes it (the same plan too unless folded), and the same marginals
_FRESH = """() => {
  const cur = Explore.current(), full = ArgmapCompile.compile(cur.map), mine = ArgmapCompile.absolute(cur.net.net);
  const th = Float64Array.from(cur.net.net.theta);
  const a = cur.net.marginals(th, cur.cond.given, cur.cond.set).marginals;
  const b = ArgmapEval.compile(full).marginals(Float64Array.from(full.theta), cur.cond.given, cur.cond.set).marginals;
  let diff = 0;
  if ((a === null) !== (b === null)) diff = Infinity;
  else if (a) a.forEach((m, i) => m.forEach((x, k) => { diff = Math.max(diff, Math.abs(x - b[i][k])); }));
  const plan = n => JSON.stringify([n.factors, n.steps, n.final]);
  const rest = n => JSON.stringify(Object.assign({}, n, {factors: null, steps: null, final: null}));
  return {same: rest(mine) === rest(full), samePlan: plan(mine) === plan(full), diff: diff,
          reused: cur.net.net.reused, n: cur.net.net.variables.length};
}"""


def test_each_edit_compiles_only_what_it_touches_and_equals_a_compile_from_nothing(browser, bundled_page, tmp_path):
    """After every edit of random sequences (claims added, relations removed, numbers moved, claims observed
    or set, overlays switched, edits taken back), the page's network, built from the last one with the
    pieces of untouched claims lent, is exactly the network compiled from nothing (cells, θ, parameters)
    and gives the same marginals to 1e-12; its plan is the same too, unless it was folded (a reader's new
    claims eliminated first, the last plan after them); most claims' pieces are lent."""
    rng = np.random.default_rng(2627)
    pages = [bundled_page]
    for i in range(3):
        folder = write_random_map(tmp_path / f"m{i}", rng, n_min=5, n_max=9)
        out = tmp_path / f"m{i}.html"
        assert main(["explore", str(folder), "-o", str(out)]) == 0
        pages.append(out)
    checked = lent = built = 0
    plans: dict = {None: 0, "same": 0, "folded": 0}
    for path in pages:
        pg = browser.new_page()
        pg.goto(path.as_uri())
        pg.wait_for_selector("body[data-ready=true]", timeout=20000)
        overlays = pg.evaluate("Array.from(document.querySelectorAll('#overlays input[type=checkbox]')).length")
        history = [pg.evaluate("Explore.state()")]
        for i in list(range(overlays)) + list(reversed(range(overlays))):     # every overlay on, then off
            pg.locator("#overlays input[type=checkbox]").nth(i).click()
            got = pg.evaluate(_FRESH)
            assert got["same"] and got["samePlan"] and got["diff"] <= TOL, (path, i, got)
            history.append(pg.evaluate("Explore.state()"))
        for step in range(14):
            before = pg.evaluate("Explore.state()")
            r = rng.random()
            if overlays and r < 0.3:
                pg.locator("#overlays input[type=checkbox]").nth(int(rng.integers(overlays))).click()
            elif r < 0.4:                              # back to an earlier state (a taken-back edit)
                pg.evaluate("st => Explore.apply(st)", history[int(rng.integers(len(history)))])
            else:
                _random_edit(pg, rng, step)
            if pg.evaluate("Explore.problems()") or pg.evaluate("Explore.marginals()") is None:
                pg.evaluate("st => Explore.apply(st)", before)
            got = pg.evaluate(_FRESH)
            assert got["same"], (path, step)
            assert got["diff"] <= TOL, (path, step, got["diff"])
            assert got["samePlan"] or got["reused"]["folded"], (path, step, got["reused"])
            plans[got["reused"]["plan"]] += 1
            checked += 1
            built += got["n"]
            lent += got["reused"]["pieces"]
            history.append(pg.evaluate("Explore.state()"))
        pg.close()
    assert checked == 14 * len(pages)
    assert lent > built / 2, (lent, built)
    assert plans["folded"] >= 3 and plans["same"] >= 3 and plans[None] >= 3, plans


def test_guided_mode_asks_the_cruxes_in_the_order_argmap_sensitivity_ranks_them(page, capsys):
    assert main(["sensitivity", "--json", "--samples", "100", "--sobol-samples", "8", "--sobol-factors", "2"]) == 0
    rows = json.loads(capsys.readouterr().out)["cruxes"]
    ranked = [r["claim"] for r in sorted((r for r in rows if r["rank"] is not None), key=lambda r: r["rank"])]
    page.click("#guide-open")
    asked = []
    while page.evaluate("Explore.nextCrux()"):
        asked.append(page.evaluate("Explore.nextCrux()"))
        assert page.text_content("#guide-q").startswith(f"Question {len(asked)} of ")
        page.click("#guide-skip")
    assert len(asked) == 10 and asked == ranked[:10]


def test_stating_a_view_gives_a_figure_a_chart_an_overlay_and_a_link(page, browser, tmp_path, monkeypatch, capsys):
    """Three answers (in words, as a number, and a categorical one when the ranking has one): each moves the
    running P(target) to exactly what the page computes; the chart sets the reader's figure beside the map's,
    the stated one and every offered viewpoint; the overlay runs to the page's numbers; the link reopens it."""
    page.click("#guide-open")
    page.select_option("#guide-word", "unlikely")
    page.click("#guide-answer")
    first = page.evaluate("Explore.state().answers")[0]
    assert first["q"] == [0.85, 0.15]
    assert page.text_content("#guide-run").startswith(f"Your P(scheming) so far: {_p(page):.3f}")
    marg = _page_marginals(page)
    assert abs(marg[first["claim"]][1] - 0.15) <= 1e-12        # the answer brings the claim to the reader's figure
    page.fill("#guide-p", "0.6")
    page.click("#guide-answer")
    page.click("#guide-skip")
    assert page.evaluate("x => Explore.answer(x)", 0.3) is None
    page.click("#guide-stop")
    labels = page.eval_on_selector_all("#guide-chart svg text.row-label", "ts => ts.map(t => t.textContent)")
    offered = [o.name for o in offered_overlays(None, [])]
    assert labels[:2] == ["your figure", "this map computes"] and any("states" in x for x in labels)
    assert set(offered) <= set(labels)
    text = _download_checks_and_runs_as_the_page(page, tmp_path, monkeypatch, capsys)
    assert len(yaml.safe_load(text)["observe"]) == 3
    link = page.evaluate("location.href.split('#')[0] + Explore.encodeState()")
    other = browser.new_page()
    other.goto(link)
    other.wait_for_selector("body[data-ready=true]")
    assert _p(other) == _p(page) and len(other.evaluate("Explore.state().answers")) == 3
    other.close()


def test_share_link_restores_the_settings(page, browser, bundled_page):
    page.check("input[data-name='incentivized-episode-2023']")
    page.select_option("#scenario", "")
    page.evaluate("Explore.apply(Object.assign(Explore.state(), {edits: {[Explore.current().net.params.find("
                  "p => !p.fixed).name]: 0.42}}))")
    link = page.evaluate("location.href.split('#')[0] + Explore.encodeState()")
    p0 = _p(page)
    other = browser.new_page()
    other.goto(link)
    other.wait_for_selector("body[data-ready=true]")
    assert _p(other) == p0
    assert other.is_checked("input[data-name='incentivized-episode-2023']")
    other.click("#reset")
    assert abs(_p(other) - Model.load().probability()) <= TOL
    other.close()


_SHOWN = """() => Array.from(document.querySelectorAll('#diagram g.node, #diagram g.edge')).map(g => ({
  absent: g.classList.contains('absent'), visible: getComputedStyle(g).visibility === 'visible',
  painted: Array.from(g.querySelectorAll('polygon, path, ellipse, text'))
    .some(s => getComputedStyle(s).visibility === 'visible')}))"""


_FOLD = """() => {
  const base = Explore.current().map, prev = ArgmapCompile.build(base, null);
  const every = ArgmapCompile.allParents(base);
  const u = Explore.targets('supports').find(c => c !== 'scheming' && every[c].length);
  const s = Object.keys(base.claims).find(c => !every[c].length && every[u].indexOf(c) < 0 && c !== u);
  const prov = {holder: 'T', basis: 'illustrative', source: 'test'}, when = ["true"];
  const mine = [["claim", "zz_reader", {title: "Z", kind: "argument", states: ["false", "true"], sections: [],
                                        prov: prov, credence: [0.3, 0.7]}, "new"],
                ["rel", "zz_reader -> " + u, {type: "opposes", source: "zz_reader", target: u, when: when,
                                              ratio: 0.4, prov: prov}, "new"]];
  const between = ["rel", s + " -> " + u, {type: "supports", source: s, target: u, when: when, ratio: 3, prov: prov},
                   "new"];
  const out = [];
  for (const edits of [mine, mine.concat([between])]) {
    const m = ArgmapCompile.shallow(base), problems = [];
    ArgmapCompile.applyEdits(m, edits, problems);
    problems.push(...ArgmapCompile.check(m));
    const lent = ArgmapCompile.build(m, prev), full = ArgmapCompile.compile(m);
    const cond = ArgmapCompile.conditions(m, null, {}, {});
    const a = ArgmapEval.compile(lent).marginals(Float64Array.from(lent.theta), cond.given, cond.set).marginals;
    const b = ArgmapEval.compile(full).marginals(Float64Array.from(full.theta), cond.given, cond.set).marginals;
    let diff = 0;
    a.forEach((x, i) => x.forEach((y, k) => { diff = Math.max(diff, Math.abs(y - b[i][k])); }));
    out.push({problems: problems, plan: lent.reused.plan, diff: diff, n: lent.variables.length});
  }
  return out;
}"""


def test_a_plan_is_folded_only_when_the_edit_adds_root_claims_alone(page):
    """A reader's new claim bearing on one claim keeps the last plan (the new claim eliminated first, into
    its target's table); a new relation between claims the map had makes a new plan. Both give the
    marginals of a compile from nothing."""
    alone, with_relation = page.evaluate(_FOLD)
    assert alone["problems"] == [] and with_relation["problems"] == []
    assert alone["plan"] == "folded" and with_relation["plan"] is None
    assert alone["diff"] <= TOL and with_relation["diff"] <= TOL


def test_a_switched_off_overlays_claims_are_not_drawn(page):
    """The diagrams are laid out with every overlay on; the claims and relations of an overlay that is
    switched off are not drawn at all (no faint ghost in the overview), and are drawn when it is on."""
    off = page.evaluate(_SHOWN)
    absent = [g for g in off if g["absent"]]
    assert absent, "the bundled overview has no claim of an overlay that is off"
    assert not any(g["painted"] for g in absent)
    assert all(g["painted"] for g in off if not g["absent"])
    for box in page.locator("#overlays input[type=checkbox]").all():
        if not box.is_checked():
            box.click()
    on = page.evaluate(_SHOWN)
    assert len(on) == len(off) and sum(g["absent"] for g in on) < len(absent)
    assert all(g["painted"] for g in on if not g["absent"])


def test_diagram_screenshot_is_not_blank_and_the_page_fits_a_phone(page):
    from PIL import Image

    img = Image.open(io.BytesIO(page.locator("#diagram").screenshot())).convert("RGB")
    px = np.asarray(img).reshape(-1, 3).astype(int)
    inked = (px.min(axis=1) < 235).mean()
    assert inked > 0.05, f"only {inked:.1%} of the diagram is drawn"
    colours = {tuple(c) for c in px[::7]}
    assert len(colours) > 50
    target_fill = page.evaluate(
        "getComputedStyle(document.querySelector(`#diagram g.node[data-id='scheming'] polygon:not([fill=none]),"
        " #diagram g.node[data-id='scheming'] path:not([fill=none])`)).fill")
    assert target_fill.startswith("rgb")
    for width in (800, 375):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    unlabelled = page.evaluate("""Array.from(document.querySelectorAll('input, select, button')).filter(e =>
        !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')
        && !e.textContent.trim()).map(e => e.outerHTML)""")
    assert unlabelled == []


def test_committed_export_bundles_include_the_page():
    exports = Path(__file__).resolve().parents[1] / "exports"
    for name, overlays in (("scheming", []), ("scheming+pope-2023", ["pope-2023"])):
        data = _page_data(exports / name / "explore.html")
        assert data["start"]["overlays"] == overlays
        assert abs(data["start"]["probability"] - Model.load(None, overlays).probability()) <= TOL, (
            f"exports/{name}/explore.html is stale: regenerate the bundle (exports/README.md)")


def test_claim_links_keep_http_https_and_doi_in_the_page(browser, tmp_path):
    """A claim's url: follows the diagrams' link rule (base/textsafe.safe_link) in the page too: http and
    https as written, doi: as https://doi.org/..., a link in the claim's dialog; no link, no line."""
    import shutil

    folder = tmp_path / "routes"
    shutil.copytree(DATA / "maps" / "routes", folder)
    text = (folder / "claims.yaml").read_text()
    text = text.replace("    title: Story A\n", "    title: Story A\n    url: doi:10.48550/arXiv.2311.08379\n")
    text = text.replace("    title: Story B\n", "    title: Story B\n    url: http://example.org/b\n")
    (folder / "claims.yaml").write_text(text)
    out = tmp_path / "explore.html"
    assert main(["explore", str(folder), "-o", str(out)]) == 0
    pg = browser.new_page()
    pg.goto(out.as_uri())
    pg.wait_for_selector("body[data-ready=true]", timeout=20000)
    for claim, want in (("story_a", "https://doi.org/10.48550/arXiv.2311.08379"), ("story_b", "http://example.org/b"),
                        ("goal", None)):
        pg.click(f"#diagram g.node[data-id='{claim}']")
        if want is None:
            assert pg.is_hidden("#dlg-link")
        else:
            assert pg.get_attribute("#dlg-link a", "href") == want
            assert pg.get_attribute("#dlg-link a", "rel") == "noopener noreferrer"
        pg.click("#dlg-close")
    pg.close()


def test_readers_claims_are_drawn_in_the_diagram_with_their_relation(page):
    """A claim the reader adds is drawn in the diagram (no network: the page draws it), marked as the
    reader's (orange dashed outline, "yours"), beside the claim it bears on or the collapsed part holding
    that claim, in free space, with its relation's edge in the diagrams' colour for the type; its number
    is the page's marginal; taking it back removes it."""
    from argmap.render.style import RELATION_STYLES

    data = page.evaluate("Explore.current().map.claims")
    target = next(c for c in page.evaluate("Explore.targets('undercuts')") if data[c].get("part"))
    for claim in ({"title": "Training games are rare in practice", "type": "undercuts", "target": target, "p": 0.6,
                   "strength": 2},
                  {"title": "Another way to play the training game", "type": "route", "target": "training_gamer",
                   "p": 0.4, "rp": 0.3}):
        assert page.evaluate("a => Explore.addClaim(a)", claim) is None
    mine = page.evaluate("Explore.state().critique.claims.map(a => a.id)")
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('#diagram g.reader-node')).map(g => {
        const id = g.getAttribute('data-id'), r = g.querySelector('rect').getBBox();
        const edge = document.querySelector(`#diagram path.reader-edge[data-id^="${id}->"]`);
        const boxes = Array.from(document.querySelectorAll('#diagram g.node:not(.absent)')).map(n => n.getBBox());
        const rect = g.querySelector('rect');
        return {id, value: g.querySelector('text[data-role=value]').textContent, stroke: rect.getAttribute('stroke'),
                dash: rect.getAttribute('stroke-dasharray'), edge: edge && edge.getAttribute('stroke'),
                overlaps: boxes.filter(b => b.x < r.x + r.width && r.x < b.x + b.width &&
                                            b.y < r.y + r.height && r.y < b.y + b.height).length};
      })""")
    marg = _page_marginals(page)
    assert [d["id"] for d in drawn] == mine
    for d, type_ in zip(drawn, ("undercuts", "route"), strict=True):
        assert d["value"] == f"{marg[d['id']][1]:.2f} \u00b7 yours" and d["stroke"] == "#d35400" and d["dash"] != "none"
        assert d["edge"] == RELATION_STYLES[type_]["color"] and d["overlaps"] == 0
    # the undercut bears on a claim inside a collapsed part: its edge goes to the part; expanded, to the claim
    assert page.get_attribute(f"#diagram path.reader-edge[data-id='{mine[0]}->{target}']", "d")
    page.select_option("#view", f"part:{data[target]['part']}")
    assert page.locator(f"#diagram g.reader-node[data-id='{mine[0]}']").count() == 1
    page.click("#cr-list li:first-child button")
    assert page.locator("#diagram g.reader-node").count() == 1
    assert page.evaluate("document.querySelectorAll('#diagram g.reader-node')[0].getAttribute('data-id')") == mine[1]
