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
from browser import launch, require_or_skip
from randmaps import write_random_map

from argmap import Model
from argmap.base.errors import ImpossibleEvidenceError
from argmap.commands.cli import main
from argmap.inference.engine import Engine
from argmap.inference.netjson import network_json
from argmap.maps.bundled import arguments_dir, bundled_map_path
from argmap.views import explorer
from argmap.views.explorer import MAX_COMBINATIONS, offered_overlays, overlay_combinations

TOL = 1e-12
ASSETS = Path(__file__).resolve().parents[1] / "argmap" / "views" / "assets"
DATA = Path(__file__).resolve().parent / "data"


# ------------------------------------------------------------------------------------ without a browser

def test_bundled_page_offers_every_overlay_combination_builds_on_allows():
    offering = explorer.offering(None, [])
    offered = offering.overlays
    names = [o.name for o in offered]
    bundled = {f.stem for sub in ("critiques", "viewpoints") for f in (arguments_dir() / sub).glob("*.yaml")}
    assert set(names) | set(offering.dropped) == bundled and not set(names) & set(offering.dropped)
    for i, o in enumerate(offered):           # each comes after what it builds on
        assert all(names.index(b) < i for b in o.builds_on if b in names)
    combos = overlay_combinations(offered)
    assert all(all(offered[j].name in {offered[k].name for k in c} for i in c for j in range(len(offered))
                   if offered[j].name in offered[i].builds_on) for c in combos)
    assert len(combos) <= MAX_COMBINATIONS and len(set(combos)) == len(combos)


def _add_critiques(copy: Path, n: int, builds_on: str | None = None) -> list[str]:
    """``n`` new critiques in the bundled copy, written by ``argmap new critique`` as a contributor would."""
    names = []
    for i in range(n):
        name = f"contributed-{builds_on or 'free'}-{i}"
        argv = ["new", "critique", name, "--against", "counting_argument", "--author", "T. Ester"]
        assert main(argv + (["--with", builds_on] if builds_on else [])) == 0
        names.append(name)
    return names


def test_offering_keeps_the_users_overlays_and_drops_bundled_ones_by_the_documented_rule(bundled_copy, tmp_path,
                                                                                          monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _add_critiques(bundled_copy, 2)
    _add_critiques(bundled_copy, 1, builds_on="pope-2023")
    mine = tmp_path / "mine.yaml"
    assert main(["new", "critique", "mine", "--against", "counting_argument", "-o", str(tmp_path)]) == 0
    got = explorer.offering(None, [str(mine)])
    offered = got.overlays
    assert offered[0].name == "mine" and offered[0].on and not any(o.on for o in offered[1:])
    assert got.dropped and len(overlay_combinations(offered)) <= MAX_COMBINATIONS
    by_name = {o.name: o for o in explorer.offering(None, [str(mine)], "none").overlays}
    assert list(by_name) == ["mine"]
    # the rule: an overlay that builds on another is left out before any that builds on none, and each
    # left-out one (with what it builds on) would not fit
    everything = explorer._read_offered([(f.stem, f, False) for sub in ("critiques", "viewpoints")
                                         for f in sorted((bundled_copy / sub).glob("*.yaml"))])
    specs = {o.name: o for o in everything}
    if any(o.builds_on for o in offered):
        assert all(specs[d].builds_on for d in got.dropped)
    for d in got.dropped:
        deps = [specs[b] for b in specs[d].builds_on if b in specs]
        trial = offered + [specs[d]] + [o for o in deps if o not in offered]
        assert len(overlay_combinations(explorer._page_order(trial))) > MAX_COMBINATIONS
    note = got.note()
    assert note and all(d in note for d in got.dropped) and "--offer" in note
    # the command line says the same, and the page offers what the helper chose
    out = tmp_path / "page.html"
    assert main(["explore", "--with", str(mine), "-o", str(out)]) == 0
    assert note in capsys.readouterr().err
    assert [o["name"] for o in _page_data(out)["overlays"]] == [o.name for o in offered]


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


def test_an_offer_that_does_not_fit_says_how_to_choose(bundled_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    many = ",".join(_add_critiques(bundled_copy, 7))          # 2^7 = 128 combinations
    for cmd in ("explore", "export"):
        assert main([cmd, "--offer", many, "-o", str(tmp_path / cmd)]) == 1
        err = capsys.readouterr().err
        assert f"more than {MAX_COMBINATIONS} combinations" in err and "--offer" in err and "Traceback" not in err
        assert not (tmp_path / cmd).exists()


def test_page_is_one_self_contained_file(bundled_page):
    html = bundled_page.read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) <= 1_500_000
    # no element loads anything: no src or href attributes, no @import or url() in the styles
    assert not re.search(r"""<(script|link|img|iframe)[^>]*\s(src|href)\s*=""", html, re.I)
    assert "@import" not in html and "url(" not in html.split("<script", 1)[0]
    assert "default-src 'none'" in html


def test_page_data_ships_the_networks_argmap_run_compiles(bundled_page):
    data = _page_data(bundled_page)
    pope = next(c for c in data["combos"] if c["overlays"] == ["pope-2023"])
    model = _load(["pope-2023"])
    assert _unpack(pope["net"], data) == json.loads(json.dumps(network_json(model.network)))
    assert abs(data["start"]["probability"] - Model.load().probability()) <= TOL


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


def _unpack(net: dict, data: dict) -> dict:
    """A shipped network with its shared cell formulas mapped back to its own parameter indices."""
    local = {data["pnames"].index(n): i for i, n in enumerate(net["params"])}

    def k(g: int) -> int:
        return -1 if g < 0 else local[g]

    cells = [{"copy": [[pos, k(x)] for pos, x in c["copy"]], "direct": [[t, f, k(x)] for t, f, x in c["direct"]],
              "composed": [[t, f, k(b), [[k(x) for x in term] for term in terms], [k(x) for x in leaks],
                            [[k(x) for x in r] for r in routes]]
                           for t, f, b, terms, leaks, routes in c["composed"]]}
             for c in (data["shared"][i] for i in net["cells"])]
    return {**net, "cells": cells}


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


def _cases(model: Model, rng: np.random.Generator, n: int) -> list[dict]:
    net = model.network
    engine = Engine(net)
    spec = network_json(net, engine)
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
# each network is compiled once and evaluated for all its cases
_EVAL = """text => {
  const input = JSON.parse(text);
  const nets = input.nets.map(n => ({spec: n, compiled: ArgmapEval.compile(n)}));
  return JSON.stringify(input.cases.map(c => {
    const net = nets[c.net];
    const r = net.compiled.marginals(c.theta, c.given, c.set);
    if (!r.marginals) return null;
    const out = {};
    net.spec.variables.forEach((v, i) => { out[v] = Array.from(r.marginals[i]); });
    return out;
  }));
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
    return json.loads(page.evaluate(_EVAL, json.dumps({"nets": nets, "cases": rows})))


def test_evaluator_equals_the_engine_on_the_bundled_map_every_overlay_and_random_maps(browser, tmp_path):
    rng = np.random.default_rng(16)
    cases = []
    offered = offered_overlays(None, [])
    for combo in overlay_combinations(offered):
        cases += _cases(Model.load(None, [offered[i].path for i in combo]), rng, 2)
    n_bundled = len(cases)
    routes = DATA / "maps" / "routes"
    for model in (Model.load(routes), Model.load(routes, [DATA / "maps" / "routes_overlays" / "more-routes.yaml"])):
        cases += _cases(model, rng, 4)                # routes, and a route and an argument into a table
    with_routes = 0
    for i in range(120):
        folder = write_random_map(tmp_path / f"m{i}", rng)
        model = Model.load(folder)
        with_routes += any(p.name.startswith("route:") for p in model.network.params)
        cases += _cases(model, rng, 2)
    assert with_routes >= 20
    pg = browser.new_page()
    pg.set_content("<!DOCTYPE html><script>" + (ASSETS / "evaluator.js").read_text() + "</script>")
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
    page.evaluate("c => Explore.apply(Object.assign(Explore.state(), {given: {[c]: 'true'}}))",
                  next(c for c in model.network.variables if model.map.claims[c].binary and c != model.map.target
                       and c not in model.conditions().given))
    yaml_text = page.evaluate("Explore.settingsYaml()")
    page_marg = _page_marginals(page)
    groups = page.evaluate("st => Object.keys(st.edits)", page.evaluate("Explore.state()"))
    assert simplex.name in groups and len(groups) > 10
    monkeypatch.chdir(tmp_path)
    Path("explore-settings.yaml").write_text(yaml_text)
    command = shlex.split(yaml_text.splitlines()[2].lstrip("# "))
    assert command[:2] == ["argmap", "run"]
    withs = [command[i + 1] for i, w in enumerate(command) if w == "--with"]
    check = ["check"] + [x for w in withs for x in ("--with", w)]
    assert main(check) == 0, capsys.readouterr()
    capsys.readouterr()
    assert main(command[1:] + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for v, dist in out["marginals"].items():
        assert np.allclose(page_marg[v], list(dist.values()), rtol=0, atol=TOL), v
    assert abs(_p(page) - out["probability"]) <= TOL


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
