"""``argmap sensitivity`` as a user runs it, and the charts it draws."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from conftest import DATA

from argmap import Model
from argmap.analysis.sensitivity import tornado
from argmap.commands.cli import main
from argmap.render.charts import histogram_chart, tornado_chart

MIX = str(DATA / "maps" / "sens_mix")
FAST = ["--samples", "400", "--sobol-samples", "32"]


def test_json_has_every_analysis_and_is_reproducible(capsys):
    assert main(["sensitivity", MIX, *FAST, "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert captured.err == ""
    assert set(out) >= {"target", "given", "probability", "cruxes", "tornado", "one_way", "thresholds",
                        "monte_carlo", "sobol", "bounds"}
    assert out["given"] == {"evidence": "true"} and out["bounds"] == [0.1, 0.5]
    assert len(out["one_way"]) == 30 and out["monte_carlo"]["samples"] == 400
    assert out["sobol"]["indices"] and out["cruxes"][0]["claim"] == "kind_of_model"
    assert "share_of_monte_carlo_variance" in out["sobol"]
    assert main(["sensitivity", MIX, *FAST, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    out.pop("seconds"), again.pop("seconds")
    assert out == again


def test_text_report_cites_sections_and_puts_cruxes_first(capsys):
    assert main(["sensitivity", MIX, *FAST, "--threshold", "0.3,0.45", "--top", "3",
                 "--scenario", "none", "--given", "aware=true"]) == 0
    text = capsys.readouterr().out
    assert text.index("Which finding would move") < text.index("tornado") < text.index("Monte Carlo")
    assert "§1.2" in text and "from 0.485 down to 0.3 or 0.45" in text
    assert "P(conclusion=true | aware=true)" in text


def test_out_writes_markdown_json_and_charts(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["sensitivity", MIX, *FAST, "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert names == {"report.md", "sensitivity.json", "tornado.png", "tornado.svg", "histogram.png", "histogram.svg"}
    md = (out / "report.md").read_text()
    assert "![Tornado chart" in md and "(tornado.png)" in md and "## Which finding would move us most" in md
    for name in ("tornado.png", "histogram.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("tornado.svg", "histogram.svg"):
        assert ET.parse(out / name).getroot().tag.endswith("svg")
    json.loads((out / "sensitivity.json").read_text())


def test_the_help_states_the_sobol_default(capsys):
    from argmap.analysis.sensitivity.sobol import DEFAULT_TOP

    with pytest.raises(SystemExit):
        main(["sensitivity", "--help"])
    assert f"default {DEFAULT_TOP})" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("argv,needle", [
    (["--target", "nope"], "not a claim"),
    (["--given", "conclusion=true"], "fixed by the conditions"),
    (["--sobol-factors", "many"], "--sobol-factors"),
])
def test_bad_requests_exit_1_with_a_message(capsys, argv, needle):
    assert main(["sensitivity", MIX, *FAST, *argv]) == 1
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_bad_threshold_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["sensitivity", MIX, "--threshold", "0.1"])
    assert exc.value.code == 2


def test_charts_render_to_bytes_deterministically():
    model = Model.load(MIX)
    rows = tornado(model)
    base = model.probability()
    svg = tornado_chart(rows, base, "svg")
    assert svg == tornado_chart(rows, base, "svg")
    text = svg.decode()
    assert "§2.2" in text and "s value 0." in text and "P(target)" in text
    png = histogram_chart([0.2, 0.3, 0.25, 0.4], "png", baseline=0.27, quantiles={"5%": 0.2, "95%": 0.4})
    assert png[:4] == b"\x89PNG"
    with pytest.raises(ValueError):
        tornado_chart(rows, base, "gif")


def test_unwritable_out_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["sensitivity", MIX, "--samples", "10", "--sobol-samples", "0", "--out", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {blocker}/" in err and f"{blocker} is a file, not a folder" in err and "Traceback" not in err


def test_a_named_group_is_reported_learned_together(capsys):
    assert main(["sensitivity", MIX, *FAST, "--group", "pair=slack,aware"]) == 0
    text = capsys.readouterr().out
    assert "pair: slack × aware" in text and "learned together" in text
    assert main(["sensitivity", MIX, *FAST, "--json", "--group", "pair=slack,aware"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["crux_groups"][0]["name"] == "pair" and out["crux_groups"][0]["expected_shift"] > 0


def test_a_malformed_group_is_a_clear_error(capsys):
    code = main(["sensitivity", MIX, *FAST, "--group", "lonely=slack"])
    assert code != 0 and "two claims or more" in capsys.readouterr().err


def test_threshold_heading_says_which_way_and_reversed_bounds_are_refused(tiny_map, capsys):
    """m2: the heading names P's value and the direction to each bound; '0.5,0.1' is an error, not silent."""
    from argmap import Model

    p = Model.load(tiny_map).probability(scenario=None)
    lo, hi = (0.5, 0.9) if p < 0.5 else (0.01, 0.05)
    assert main(["sensitivity", str(tiny_map), "--scenario", "none", "--threshold", f"{lo},{hi}",
                 "--samples", "200", "--sobol-samples", "64"]) == 0
    out = capsys.readouterr().out
    way = "up" if lo > p else "down"
    assert f"from {p:.3f} {way} to {lo:g} or {hi:g}" in out
    with pytest.raises(SystemExit):
        main(["sensitivity", str(tiny_map), "--threshold", "0.5,0.1"])
    assert "give the lower bound first" in capsys.readouterr().err


def _tight_reference(fig, fmt: str) -> bytes:
    """What ``savefig(bbox_inches="tight")`` writes for a chart figure at the dpi charts use (the old path)."""
    import io

    from argmap.render import charts

    width = fig.get_tightbbox(fig.canvas.get_renderer()).width + 0.2
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=min(charts.DPI, charts.MAX_WIDTH_PX / width), bbox_inches="tight",
                metadata=charts._METADATA[fmt])
    return buf.getvalue()


def _reference_fit(fig) -> None:
    """charts._fit_width as it was: each size measured with the canvas's own (new) renderer."""
    from argmap.render import charts

    for _ in range(3):
        extra = fig.get_tightbbox(fig.canvas.get_renderer()).width - charts.MAX_WIDTH_IN
        if extra <= 0.01:
            return
        fig.set_size_inches(max(3.0, fig.get_figwidth() - extra), fig.get_figheight())


def test_charts_are_laid_out_once_and_equal_matplotlibs_tight_output(monkeypatch):
    """Charts measure their tight box without matplotlib's extra drawing pass, and narrow a wide chart with one
    measuring renderer: the size is the one fresh renderers give, and the bytes exactly what
    ``savefig(bbox_inches="tight")`` writes, for the tornado (narrowed here) and the spread chart."""
    import numpy as np

    from argmap.render import charts

    model = Model.load(MIX)
    rows = [dict(r, title=r["title"] + " and a much longer title that wraps over several lines of the chart")
            for r in tornado(model)]
    base = model.probability()
    rng = np.random.default_rng(3)
    spread_rows = [{"label": f"scale {k}", "values": rng.beta(2 + k, 5, 500), "q05": 0.1, "median": 0.3, "q95": 0.6,
                    "correlated": bool(k % 2), "percentile": 40.0 + k} for k in range(3)]
    figures = {
        "tornado": lambda: charts._tornado_figure(rows, base, 15, "P(target)", None, "ctx"),
        "spread": lambda: charts._spread_figure(spread_rows, 0.35, "stated", "P(target)", None),
    }
    fitted = charts._fit_width

    def reference(make):
        monkeypatch.setattr(charts, "_fit_width", _reference_fit)
        try:
            return make()
        finally:
            monkeypatch.setattr(charts, "_fit_width", fitted)

    for name, make in figures.items():
        assert (make().get_size_inches() == reference(make).get_size_inches()).all(), name
        for fmt in ("svg", "png"):
            assert charts._render(make(), [fmt])[fmt] == _tight_reference(reference(make), fmt), (name, fmt)
        both = charts._render(make(), ["svg", "png"])          # one figure saved twice: each as if alone
        assert both == {fmt: _tight_reference(reference(make), fmt) for fmt in ("svg", "png")}, name
    assert figures["tornado"]().get_figwidth() < charts.WIDTH_IN      # narrowed: measured at a second size


def test_a_saved_chart_measures_its_text_once_per_format(monkeypatch):
    """The renderer that draws a chart takes the text extents the tight box was measured with (same class, same
    dpi), so every text is measured once per format, not again while drawing; renderers of another dpi or
    class never share them, and the figure is left as it was (the bytes: the test above)."""
    import io
    from collections import Counter

    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import RendererSVG

    from argmap.render import charts

    model = Model.load(MIX)
    fig = charts._tornado_figure(tornado(model), model.probability(), 15, "P(target)", None, "ctx")
    measured: Counter = Counter()
    for cls in (RendererAgg, RendererSVG):
        def counted(self, s, prop, ismath, _orig=cls.get_text_width_height_descent):
            measured[type(self).__name__, id(self), s] += 1
            return _orig(self, s, prop, ismath)
        monkeypatch.setattr(cls, "get_text_width_height_descent", counted)
    charts._render(fig, ["svg", "png"])
    renderers = Counter((kind, rid) for kind, rid, _ in measured)
    assert sorted(kind for kind, _ in renderers) == ["RendererAgg", "RendererSVG"]    # one per format measures
    assert set(measured.values()) == {1}                                             # each text once
    assert "draw" not in vars(fig)
    agg = RendererAgg(10, 10, 100.0)
    assert charts._measures_as(agg) == charts._measures_as(RendererAgg(20, 30, 100.0)) == (RendererAgg, 100.0)
    assert charts._measures_as(RendererAgg(10, 10, 72.0)) != charts._measures_as(agg)
    svg = MixedModeRenderer(fig, 1.0, 1.0, 72, RendererSVG(72, 72, io.StringIO()))
    assert charts._measures_as(svg) == (RendererSVG, None) != charts._measures_as(agg)
    # at another figure dpi than the one measured at (an SVG's rasterized parts), the drawer measures itself
    from matplotlib import text
    from matplotlib.font_manager import FontProperties

    drawer = RendererAgg(20, 30, 100.0)
    with charts._metrics_of(fig, agg, 100.0):
        fig.draw(drawer)
    measured.clear()
    extents = text._get_text_metrics_function  # type: ignore[attr-defined]
    extents(drawer)("abc", FontProperties(), False, 100.0)
    extents(drawer)("abc", FontProperties(), False, 50.0)
    assert sorted((rid == id(drawer), s) for _, rid, s in measured) == [(False, "abc"), (True, "abc")]


def test_charts_prepared_without_docstrings_draw_the_same_and_keep_the_signatures(tmp_path):
    """``prepare(docstrings=False)`` (the export's) imports matplotlib without its artists' property tables in
    their ``set`` docstrings, in a fresh process: ``set``'s signatures are complete, ``kwdoc`` is restored for
    what is imported later, and a chart's bytes are those of a process that imported matplotlib as usual."""
    import subprocess
    import sys

    script = """
import hashlib, inspect, sys
from argmap.render import charts
charts.prepare(docstrings=sys.argv[1] == "1")
import matplotlib.artist, matplotlib.lines
rows = [dict(title="A claim with a long title", sections=["2"], low=0.1, high=0.9, p_low=0.2, p_high=0.6)]
out = charts.tornado_charts(rows, 0.4, ("svg", "png"), context="ctx")
print(matplotlib.artist.kwdoc.__name__, "linewidth" in inspect.signature(matplotlib.lines.Line2D.set).parameters,
      "antialiased" in (matplotlib.lines.Line2D.set.__doc__ or ""), hashlib.sha256(out["svg"] + out["png"]).hexdigest())
"""
    runs = [subprocess.run([sys.executable, "-c", script, flag], capture_output=True, text=True, check=True,
                           cwd=tmp_path).stdout.split() for flag in ("1", "0")]
    assert runs[0][:3] == ["kwdoc", "True", "True"]
    assert runs[1][:3] == ["kwdoc", "True", "False"]       # the table left out, the signature kept
    assert runs[0][3] == runs[1][3]
