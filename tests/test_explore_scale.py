"""``--scale`` on the map itself (issue 23): the explorer page compiles the map in the browser, so a map
re-read on another verbal scale (argmap.inference.words.reread_map) must give, compiled anywhere, what
``argmap run --scale`` gives."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

import numpy as np
import pytest
from browser import launch, require_or_skip

from argmap import Model
from argmap.base.scales import MAP_SCALE
from argmap.commands.cli import main
from argmap.inference.network import compile_map
from argmap.inference.words import reread_map, reread_network
from argmap.maps.mapjson import map_json

TOL = 1e-9


@pytest.fixture(scope="module")
def model() -> Model:
    return Model.load()


@pytest.mark.parametrize("scale", ["icd203", "ipcc-ar5", "survey"])
def test_the_map_re_read_compiles_to_the_re_read_network(model, scale):
    """One re-reading rule: the map re-read and compiled again is the network re-read, number for number
    (value and range), and the scaled Model carries both."""
    amap, report = reread_map(model.map, scale)
    net, same_report = reread_network(model.map, model.network, scale)
    assert report == same_report and any(r.new is not None and r.new != r.old for r in report)
    compiled = compile_map(amap)
    assert [p.name for p in compiled.params] == [p.name for p in net.params]
    assert np.array_equal(compiled.theta0, net.theta0)
    assert [p.quantity.range for p in compiled.params] == [p.quantity.range for p in net.params]
    scaled = model.on_scale(scale)
    assert scaled.map.scale == scale and map_json(scaled.map) == map_json(amap)
    assert Model(amap).probability() == pytest.approx(scaled.probability(), abs=1e-12)
    assert model.map.scale == MAP_SCALE and reread_map(model.map, MAP_SCALE)[0] is model.map   # the input untouched


def test_re_reading_the_map_on_its_own_scale_is_a_no_op(model, tmp_path):
    assert reread_map(model.map, MAP_SCALE) == (model.map, ())
    plain, own = tmp_path / "plain.html", tmp_path / "own.html"
    assert main(["explore", "-o", str(plain), "--offer", "none"]) == 0
    assert main(["explore", "-o", str(own), "--offer", "none", "--scale", MAP_SCALE]) == 0
    assert plain.read_bytes() == own.read_bytes()
    assert _page_data(own)["scale_arg"] is None


def _page_data(path: Path) -> dict:
    found = re.search(r'<script id="argmap-data"[^>]*>([^<]*)</script>', path.read_text(encoding="utf-8"))
    assert found is not None
    return json.loads(gzip.decompress(base64.b64decode(found.group(1))))


def test_explore_scale_page_equals_run_scale_in_the_browser(tmp_path, capsys):
    require_or_skip()
    from playwright.sync_api import sync_playwright

    out = tmp_path / "icd203.html"
    assert main(["explore", "-o", str(out), "--scale", "icd203", "--offer", "pope-2023"]) == 0
    data = _page_data(out)
    assert data["scale"] == data["scale_arg"] == "icd203"      # the page's reproduce commands need --scale
    runs = {}
    for extra in ([], ["--with", "pope-2023"]):
        assert main(["run", "--scale", "icd203", "--json", *extra]) == 0
        runs[bool(extra)] = json.loads(capsys.readouterr().out)
    assert abs(runs[False]["probability"] - Model.load().probability()) > 0.05     # the scale moves it
    assert abs(data["start"]["probability"] - runs[False]["probability"]) <= TOL
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(out.as_uri())
            page.wait_for_selector("body[data-ready=true]", timeout=20000)
            for on, want in ((False, runs[False]), (True, runs[True])):
                page.evaluate("on => Explore.apply({on: on})", ["pope-2023"] if on else [])
                assert abs(float(page.get_attribute("#headline-value", "data-p")) - want["probability"]) <= TOL
                got = page.evaluate("Explore.marginals()")
                for claim, dist in want["marginals"].items():
                    assert np.allclose(got[claim], list(dist.values()), rtol=0, atol=TOL), claim
            assert not errors, errors
        finally:
            browser.close()


def test_export_page_is_on_the_exports_scale(tmp_path, capsys):
    """``export --scale`` writes the page on that scale (a map whose one word moves under ICD 203)."""
    import shutil

    src = Path(__file__).resolve().parent / "data" / "maps" / "tiny"
    folder = tmp_path / "worded"
    shutil.copytree(src, folder)
    claims = folder / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(
        "    kind: argument\n    credence: 0.5\n",
        "    kind: argument\n    credence: 0.15\n    provenance: {holder: T. Ester, basis: illustrative, "
        "qualifier: 'not likely', band: unlikely}\n"), encoding="utf-8")
    runs = []
    for scale in (MAP_SCALE, "icd203"):
        assert main(["run", str(folder), "--scale", scale, "--json"]) == 0
        runs.append(json.loads(capsys.readouterr().out)["probability"])
    assert abs(runs[0] - runs[1]) > 0.01
    out = tmp_path / "bundle"
    assert main(["export", str(folder), "--scale", "icd203", "--samples", "0", "--out", str(out)]) == 0
    data = _page_data(out / "explore.html")
    assert data["scale"] == "icd203" and abs(data["start"]["probability"] - runs[1]) <= TOL


def test_explore_scale_offers_that_scales_words_and_the_downloaded_overlay_runs_to_the_page(
        tmp_path, monkeypatch, capsys):
    """Under ``explore --scale icd203`` the page's word pickers offer ICD 203's terms (not the map's own
    words); a term picked sets the middle of its band, and the downloaded overlay writes it as the reader's
    qualifier (a ``band:`` is a map word, which ``run --scale`` would re-read), with ``--scale`` in its
    command: ``argmap run --scale icd203 --with`` it equals every marginal of the page to 1e-9."""
    require_or_skip()
    import yaml
    from playwright.sync_api import sync_playwright
    from test_explore import _download_checks_and_runs_as_the_page

    from argmap.base.scales import get_scale

    out = tmp_path / "icd203.html"
    assert main(["explore", "-o", str(out), "--scale", "icd203", "--offer", "none"]) == 0
    terms = get_scale("icd203").terms
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            page.goto(out.as_uri())
            page.wait_for_selector("body[data-ready=true]", timeout=20000)
            offered = page.eval_on_selector("#cr-cword", "s => Array.from(s.options).map(o => o.value).filter(Boolean)")
            assert offered == list(terms)
            page.fill("#cr-title", "Training rarely rewards long horizons")
            page.select_option("#cr-type", "opposes")
            target = page.eval_on_selector("#cr-target", "s => Array.from(s.options).map(o => o.value)")[0]
            page.select_option("#cr-target", target)
            page.select_option("#cr-cword", "likely / probable")
            assert float(page.input_value("#cr-p")) == pytest.approx(sum(terms["likely / probable"].band) / 2)
            page.select_option("#cr-sword", "strong")
            page.click("#cr-add")
            assert page.text_content("#cr-msg") == ""
            route = page.evaluate("""() => Explore.addClaim({title: 'Another way in', type: 'route',
                target: Explore.targets('route')[0], p: 0.9, rp: 0.675, reason: ''})""")
            assert route is None
            text = _download_checks_and_runs_as_the_page(page, tmp_path, monkeypatch, capsys, tol=TOL)
        finally:
            browser.close()
    assert "--scale icd203" in text.splitlines()[2]
    first, second = yaml.safe_load(text)["add"]
    assert first["provenance"]["qualifier"] == "likely / probable (icd203)" and "band" not in first["provenance"]
    assert first["opposes"][0]["provenance"]["band"] == "strong"          # strength words are the map's
    assert second["route"][0]["provenance"]["qualifier"] == "likely / probable (icd203)"
    assert second["provenance"]["qualifier"] == "very likely / highly probable (icd203)"
