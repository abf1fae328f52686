"""Figures that drop into a post as they are: text inside every shape, post-sized PNGs, a compact
legend, consistent numbers, the sensitivity view ranked like ``argmap sensitivity``, readable charts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

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
    from argmap.views.bundle import lead_claims

    base, new = pope
    _, fit = render_png(model_dot(bundled, collapse_all=True))
    assert fit.width_px <= PNG_MAX_WIDTH and fit.min_text_px >= MIN_TEXT_PX and fit.advice() is None
    # the lead figure of a critique: one of the views the bundle tries is legible
    fits = [render_png(model_diff_dot(base, new, only=only, large=True, rankdir="TB", stagger=st))[1]
            for only in lead_claims(base, new, new.map.target, new.conditions()) for st in (3, 2)]
    assert all(f.width_px <= PNG_MAX_WIDTH for f in fits) and any(f.ok for f in fits)
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


# ------------------------------------------------------------------- the post bundle's figures (issue 25)

def _node_centres(svg: bytes) -> dict[str, tuple[float, float]]:
    """Each node's centre, from its drawn shape's points."""
    from svgshapes import _polygon

    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        pts = [pt for poly in g.iter(f"{SVG}polygon") for pt in _polygon(poly.get("points", ""))]
        pts += [pt for path in g.iter(f"{SVG}path") for pt in _polygon(path.get("d", ""))]
        if pts:
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            out[g.findtext(f"{SVG}title") or ""] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return out


def _downstream_only_parts(model) -> set[str]:
    """Parts none of whose claims bears on the target, computed from the relations with networkx."""
    import networkx as nx

    from argmap.render.views import PART_PREFIX, claim_edges

    g = nx.DiGraph()
    g.add_nodes_from(model.map.claims)
    g.add_edges_from((s, t) for s, t, _, _ in claim_edges(model.map))
    feeds = nx.ancestors(g, model.map.target) | {model.map.target}
    parts: dict[str, set[str]] = {}
    for cid, c in model.map.claims.items():
        if c.part:
            parts.setdefault(c.part, set()).add(cid)
    return {PART_PREFIX + p for p, members in parts.items() if not members & feeds}


@pytest.mark.parametrize("overlays", [[], ["pope-2023"]])
def test_overview_ends_at_the_conclusion_with_what_follows_from_it_beside_it(overlays):
    model = Model.load(None, overlays)
    svg = render_dot(model_dot(model, collapse_all=True), "svg")
    centres = _node_centres(svg)
    target = centres[model.map.target]
    beside = _downstream_only_parts(model) & set(centres)
    assert beside, "the bundled map has a part that only follows from the conclusion"
    others = {k: v for k, v in centres.items() if k not in beside and k != model.map.target}
    assert all(y < target[1] for _, y in others.values()), "something is drawn below the conclusion"
    assert all(abs(centres[p][1] - target[1]) < 1.0 for p in beside)


@pytest.mark.parametrize("overlays", [[], ["pope-2023"]])
def test_overview_long_edges_cross_at_most_two_others(overlays):
    from svgshapes import edge_crossings, edge_length, edge_paths

    svg = render_dot(model_dot(Model.load(None, overlays), collapse_all=True), "svg")
    _, height = svg_size(svg)
    paths, crossings = edge_paths(svg), edge_crossings(svg)
    long = {e for e, p in paths.items() if edge_length(p) > 0.4 * height}
    assert {e: crossings[e] for e in long if crossings[e] > 2} == {}


def test_the_crossing_count_sees_crossings():
    from svgshapes import edge_crossings

    source = ("digraph { rankdir=TB; a -> d; a -> e; b -> d; b -> f; c -> e; c -> f; "
              "{rank=same; a; b; c} {rank=same; f; e; d} }")
    assert max(edge_crossings(render_dot(source, "svg")).values()) >= 1


@pytest.fixture(scope="module")
def critique_bundle(tmp_path_factory):
    """The bundle of a reader's critique (the critique guide's worked example) on the bundled map."""
    from argmap.views.bundle import write_bundle

    out = tmp_path_factory.mktemp("bundle") / "b"
    critique = str(Path(__file__).resolve().parents[1] / "docs" / "examples" / "hubinger-2022.yaml")
    bundle = write_bundle(None, out, [critique])
    return out, bundle, Model.load_with_base(None, [critique])


def test_the_lead_figure_draws_the_critiques_claims_on_a_scale_fitted_to_its_moves(critique_bundle):
    from argmap.base.marginals import claim_moves
    from argmap.maps.reach import touched_claims
    from argmap.render.style import DIFF_SPAN, diff_span, fmt_delta
    from argmap.views.bundle import lead_claims

    out, bundle, (base, new) = critique_bundle
    svg = (out / "diff.svg").read_bytes()
    drawn = set(_node_centres(svg))
    fixed = set(new.conditions().given) | set(new.conditions().set)
    acted = set(touched_claims(base.map, new.map)) - fixed
    assert acted and acted <= drawn                           # each claim it acts on is drawn ...
    assert not [n for n in drawn if n.startswith("Part_")]     # ... none folded into a part
    assert drawn - {new.map.target} <= lead_claims(base, new, new.map.target, new.conditions())[bundle.lead_shows]
    # the colour scale: the smallest that holds the moves the critique causes among the drawn claims
    moves = {m.claim: m.shift for m in claim_moves(base.marginals(), new.marginals())
             if m.before is not None and not m.categorical}
    edited = {ch.target for ch in new.map.changes} | (set(new.map.claims) - set(base.map.claims))
    caused = [abs(moves[c]) for c in drawn if c in moves and c not in edited]
    span = diff_span(caused)
    assert max(caused) <= span < DIFF_SPAN
    assert any(f"{fmt_delta(span, d)}+" in svg.decode() for d in (2, 3))    # the legend gives the scale's end
    summary = (out / "summary.md").read_text()
    assert summary.index("](diff.png)") < summary.index("](map.png)")     # the lead figure comes first


def test_every_bundle_figure_is_legible_in_an_800px_column(critique_bundle):
    from argmap.render.raster import POST_COLUMN_PX, post_fit

    out, _, _ = critique_bundle
    for name in ("map.svg", "diff.svg"):
        fit = post_fit((out / name).read_bytes())
        assert fit.ok, (name, fit)
    svg = (out / "tornado.svg").read_text()
    found = re.search(r'width="([0-9.]+)pt"', svg)
    assert found
    sizes = [float(x) for x in re.findall(r"font-size: ([0-9.]+)px", svg)]
    assert min(sizes) * POST_COLUMN_PX / float(found.group(1)) >= MIN_TEXT_PX


def test_legibility_is_measured_in_a_post_column():
    """m4: a 1600-px PNG is shown at 800 px, so its text counts at half its own size."""
    from argmap.render.raster import post_fit

    svg = b'<svg width="1152pt" height="100pt"><text font-size="14">x</text></svg>'
    fit = post_fit(svg)
    assert fit.width_px <= PNG_MAX_WIDTH and abs(fit.min_text_px - 14 * 800 / 1152) < 1e-9
    assert not fit.ok and "800 px" in (fit.advice() or "")


def test_charts_name_their_overlay_and_scenario(critique_bundle):
    out, _, (_, new) = critique_bundle
    svg = (out / "tornado.svg").read_text()
    scenario = new.conditions().scenario
    assert f"map with {', '.join(new.map.overlays)}" in svg
    assert (f"scenario '{scenario}'" if scenario else "no scenario") in svg


def test_the_shift_and_its_chain_are_in_the_summary(critique_bundle):
    out, bundle, _ = critique_bundle
    summary = (out / "summary.md").read_text()
    assert "% of joint draws" in summary and f"{bundle.base_probability:.3f} [" in summary
    assert "**Carried by**" in summary and " ⇒ " in summary
