"""Figures that drop into a post as they are: text inside every shape, post-sized PNGs, a compact
legend, consistent numbers, the sensitivity view ranked like ``argmap sensitivity``, readable charts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from svgshapes import SVG, overflowing_text, svg_size

from argmap.api import Model
from argmap.commands.cli import main

pytest.importorskip("pygraphviz")

from argmap.render import PNG_MAX_WIDTH, render_dot, render_png  # noqa: E402
from argmap.render.raster import MIN_TEXT_PX  # noqa: E402
from argmap.views.diagrams import model_diff_dot, model_dot  # noqa: E402


@pytest.fixture(scope="module")
def bundled():
    return Model.load()


@pytest.fixture(scope="module")
def pope():
    return Model.load_with_base(None, ["pope-2023"])


def _views(bundled, pope, tiny_map):
    base, new = pope
    return {
        "tiny": model_dot(Model.load(tiny_map)),
        "overview": model_dot(bundled, collapse_all=True),
        "arguments": model_dot(bundled, focus="speed_argument", depth=2),
        "sensitivity": model_dot(bundled, view="sensitivity", collapse_all=True),
        "diff overview": model_diff_dot(base, new, collapse_all=True),
        "diff focus": model_diff_dot(base, new, focus="counting_argument", depth=1),
    }


def test_every_text_lies_inside_its_node_shape(bundled, pope, tiny_map):
    for name, source in _views(bundled, pope, tiny_map).items():
        svg = render_dot(source, "svg")
        assert overflowing_text(svg) == [], f"{name}: text outside its node"


def test_the_checker_sees_an_overflow():
    """The check can fail: a label forced wider than its fixed-size box is reported."""
    source = 'digraph { n [shape=box, fixedsize=true, width=0.5, label="a label far too wide for its box"] }'
    assert overflowing_text(render_dot(source, "svg")) != []


def test_pngs_are_post_sized_with_legible_text(bundled, pope):
    base, new = pope
    for source in (model_dot(bundled, collapse_all=True), model_diff_dot(base, new, collapse_all=True)):
        _, fit = render_png(source)
        assert fit.width_px <= PNG_MAX_WIDTH
        assert fit.min_text_px >= MIN_TEXT_PX and fit.advice() is None
    _, fit = render_png(model_dot(bundled))                   # every claim of the bundled map: too much for a post
    assert fit.width_px <= PNG_MAX_WIDTH and "--collapse" in (fit.advice() or "")


def test_render_says_when_a_png_is_too_dense(tmp_path, capsys):
    assert main(["render", "-o", str(tmp_path / "full.png")]) == 0
    err = capsys.readouterr().err
    assert "too small for a post" in err and "--focus" in err and "SVG" in err
    from PIL import Image

    assert Image.open(tmp_path / "full.png").size[0] <= PNG_MAX_WIDTH


def _legend_share(svg: bytes) -> float:
    """How much of the image's height the title and key take (texts outside nodes, edges and clusters)."""
    root = ET.fromstring(svg)
    inner = {id(t) for g in root.iter(f"{SVG}g") if g.get("class") in ("node", "edge", "cluster")
             for t in g.iter(f"{SVG}text")}
    ys = [float(t.get("y", "0")) for t in root.iter(f"{SVG}text") if id(t) not in inner]
    _, height = svg_size(svg)            # Graphviz draws upwards from y = 0: the top edge is at -height
    return (max(ys) + height) / height


def test_the_legend_is_a_compact_strip(bundled):
    svg = render_dot(model_dot(bundled, collapse_all=True), "svg")
    assert _legend_share(svg) < 0.25
    key = render_dot(model_dot(bundled, collapse_all=True, legend="key"), "svg").decode()
    main_only = render_dot(model_dot(bundled, collapse_all=True, legend="separate"), "svg").decode()
    assert "Shapes" in key and "Shapes" not in main_only and "Scheming" in main_only


def _node_texts(svg: bytes) -> dict[str, list[str]]:
    root = ET.fromstring(svg)
    return {g.findtext(f"{SVG}title") or "": ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
            for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def test_diff_numbers_agree_and_unchanged_claims_say_so(pope):
    base, new = pope
    svg = render_dot(model_diff_dot(base, new, collapse_all=True), "svg")
    text = svg.decode()
    assert "0.000)" not in text and "−0.000" not in text
    target = new.map.target
    before, after = base.probability(), new.probability()
    pair = f"{before:.3f} → {after:.3f}"
    assert pair in " ".join(_node_texts(svg)[target])        # the node ...
    assert f"{pair} (" in text.split("<g id=\"node1\"")[0]     # ... and the title say the same
    assert "unchanged" in text


def test_no_label_is_cut(bundled, pope):
    base, new = pope
    for source in (model_dot(bundled, collapse_all=True), model_diff_dot(base, new, collapse_all=True)):
        texts = [t for lines in _node_texts(render_dot(source, "svg")).values() for t in lines]
        assert not [t for t in texts if "…" in t]


def test_titles_use_claim_titles(bundled):
    svg = render_dot(model_dot(bundled, collapse_all=True), "svg").decode()
    given = bundled.conditions().given
    assert given and not any(f"{c}={s}" in svg for c, s in given.items())
    assert all(bundled.map.claims[c].title.split()[0] in svg for c in given)


def test_short_labels_stand_in_for_long_titles(tmp_path, tiny_map):
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(tiny_map, folder)
    path = folder / "claims.yaml"
    path.write_text(path.read_text().replace(
        "title: An argument for the conclusion",
        "title: An argument for the conclusion that is far too long to fit on a node of a diagram in four lines\n"
        "    short: The argument"))
    texts = _node_texts(render_dot(model_dot(Model.load(folder), collapse_all=True), "svg"))["argument"]
    assert "The argument" in texts and not any("far too long" in t for t in texts)


def test_sensitivity_outlines_follow_the_crux_ranking(bundled):
    from argmap.analysis.sensitivity import cruxes

    rows = cruxes(bundled)
    upstream = [r["claim"] for r in rows if not r["downstream"] and r["expected_shift"] >= 0.005]
    downstream = {r["claim"] for r in rows if r["downstream"]}
    svg = render_dot(model_dot(bundled, view="sensitivity"), "svg")
    root = ET.fromstring(svg)
    width = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            shape = next((s for s in g.iter() if s.get("stroke") == "#d35400"), None)
            if shape is not None:
                width[g.findtext(f"{SVG}title") or ""] = float(shape.get("stroke-width", "0"))
    assert downstream and not downstream & set(width)
    assert set(width) == set(upstream)
    assert width[upstream[0]] == max(width.values())
    assert all(width[a] >= width[b] - 1e-9 for a, b in zip(upstream, upstream[1:], strict=False))


def test_tornado_is_readable_at_750_px_with_one_title(bundled, tmp_path):
    from argmap.analysis.sensitivity import tornado
    from argmap.render.charts import TITLE, tornado_chart

    rows = tornado(bundled)
    data = tornado_chart(rows, bundled.probability(), "svg", target_label="P(x)")
    assert isinstance(data, bytes)
    svg = data.decode()
    found = re.search(r'width="([0-9.]+)pt"', svg)
    assert found
    width_pt = float(found.group(1))
    sizes = [float(x) for x in re.findall(r"font-size: ([0-9.]+)px", svg)]
    assert sizes and min(sizes) * 750 / width_pt >= 10
    assert TITLE.format(target="P(x)").split(":")[0] in svg
    png = tornado_chart(rows, bundled.probability(), "png", target_label="P(x)")
    assert isinstance(png, bytes)
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(png)).size[0] <= PNG_MAX_WIDTH
