"""DOT building: golden files, escaping of hostile text, the visual encoding and the views."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mapkit import write_map

from argmap import Model, QueryError
from argmap.render import diff_dot, make_view, map_dot, style
from argmap.render.text import attr_text, html_text, wrap
from argmap.render.views import PART_PREFIX
from argmap.views.diagrams import model_diff_dot, model_dot

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
SMALL = DATA / "maps" / "render_small"
HOSTILE = DATA / "maps" / "hostile"
TINY = DATA / "maps" / "tiny"
CRITIQUE = DATA / "overlays" / "render-critique.yaml"
UPDATE = os.environ.get("ARGMAP_UPDATE_GOLDEN") == "1"

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
EFFECTS = {"premise": 0.2, "pro": 0.1, "con": 0.05, "objection": 0.02, "regime": 0.01}


def _cases():
    small = Model.load(SMALL)
    with_critique = Model.load(SMALL, [CRITIQUE])
    return {
        "tiny": lambda: model_dot(Model.load(TINY)),
        "small": lambda: model_dot(small),
        "small_collapsed": lambda: model_dot(small, collapse=["debate"]),
        "small_overview": lambda: model_dot(small, collapse_all=True),
        "small_focus": lambda: model_dot(small, focus="pro", depth=1),
        "small_sensitivity": lambda: map_dot(small.map, small.marginals(), effects=EFFECTS),
        "small_diff": lambda: model_diff_dot(small, with_critique),
        "hostile": lambda: model_dot(Model.load(HOSTILE)),
    }


CASES = _cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_dot(name):
    dot = CASES[name]()
    path = GOLDEN / f"{name}.dot"
    if UPDATE:
        path.write_text(dot, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; create it with ARGMAP_UPDATE_GOLDEN=1"
    assert dot == path.read_text(encoding="utf-8"), "DOT changed; rerun with ARGMAP_UPDATE_GOLDEN=1 if intended"


@pytest.mark.parametrize("name", sorted(CASES))
def test_dot_is_deterministic(name):
    assert CASES[name]() == CASES[name]()


def _parse(dot: str):
    import pygraphviz

    return pygraphviz.AGraph(string=dot)


def test_hostile_titles_survive_as_text():
    model = Model.load(HOSTILE)
    g = _parse(model_dot(model))
    assert sorted(g.nodes()) == sorted(model.map.claims)          # DOT keywords as ids stay nodes
    node = g.get_node("node")
    assert "&lt;b&gt;title&lt;/b&gt;" in node.attr["label"]         # entity-escaped, not markup
    assert "malicious" in node.attr["tooltip"] and "malicious" not in set(node.attr.keys())

    from argmap.render import render_dot
    svg = ET.fromstring(render_dot(model_dot(model), "svg"))
    tips = [a.get(XLINK + "title") or "" for a in svg.iter(SVG + "a")]
    texts = [t.text for t in svg.iter(SVG + "text")]
    for cid in ("node", "edge", "graph", "strict"):            # backslashes (as look-alikes), quotes, <, &, newlines
        title = model.map.claims[cid].title.replace("\\", "\u29f5")
        assert any(t.startswith(title + "\n\n") for t in tips), title
    assert "A \"quoted\" <b>title</b>" in texts                  # the label shows the text, not markup
    assert "<<TABLE>>" in texts and "' ; digraph { x }" in texts
    assert "& an ampersand\u29f5" in texts                     # Graphviz reads no backslash as an escape
    assert "\u29f5\u29f5" in " ".join(tips)                          # a run of backslashes, shown as look-alikes


def test_escaping_helpers():
    assert html_text('<a href="x">&</a>\nnext') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt; next"
    assert attr_text('end\\') == "end\u29f5"
    assert attr_text('q"\n') == 'q\\"\\n'
    assert attr_text("a\x00b\x1bc") == "a\u29f5x00b\u29f5x1bc"     # shown as escapes (textsafe.visible), no backslash
    assert all(len(line) <= 24 for line in wrap("word " * 30))
    assert wrap("a training-game-independent story", 20) == ["a", "training-game-independent", "story"]
    assert max(map(len, wrap("x" * 500, 20, 99))) == 40
    assert len(wrap("word " * 30, 24, 3)) == 3 and wrap("word " * 30, 24, 3)[-1].endswith("…")


def test_renderer_shows_the_numbers_it_is_given():
    model = Model.load(SMALL)
    marg = {c: ({"false": 0.877, "true": 0.123} if len(s) == 2 else dict.fromkeys(s, 1 / len(s)))
            for c, s in model.network.states.items()}
    dot = map_dot(model.map, marg, target="outcome")
    assert "P = 0.123" in dot and "0.12 · §1.1" in dot
    assert style.fill_for_probability(0.123) in dot


def test_fill_scale_is_monotone_in_lightness_and_text_contrasts():
    lum = [style._luminance(style.fill_for_probability(i / 50)) for i in range(51)]
    assert all(a < b for a, b in zip(lum, lum[1:], strict=False))                # readable in greyscale
    for i in range(51):
        fill = style.fill_for_probability(i / 50)
        text = style.text_colour(fill)
        lf, lt = style._luminance(fill), style._luminance(text)
        assert (max(lf, lt) + 0.05) / (min(lf, lt) + 0.05) >= 4.5    # WCAG AA for normal text


def test_diverging_scale_signs():
    def rgb(h):
        return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))
    up, down = rgb(style.fill_for_delta(0.2)), rgb(style.fill_for_delta(-0.2))
    assert up[0] > up[2] and down[2] > down[0]
    assert style.fill_for_delta(1.0) == style.fill_for_delta(style.DIFF_SPAN)


def test_shapes_and_edge_styles_follow_kind_and_relation():
    g = _parse(model_dot(Model.load(SMALL)))
    assert g.get_node("pro").attr["shape"] == "cds"
    assert "diagonals" in g.get_node("objection").attr["style"]
    assert g.get_node("observation").attr["shape"] == "note"
    assert g.get_node("outcome").attr["peripheries"] == "2"
    assert g.get_node("premise").attr["shape"] == "box"
    e = {(u, v): g.get_edge(u, v).attr for u, v in g.edges()}
    assert e[("premise", "outcome")]["style"] == "solid"
    assert e[("pro", "outcome")]["color"] == style.RELATION_STYLES["supports"]["color"]
    assert e[("con", "outcome")]["style"] == "dashed"
    assert e[("objection", "pro")]["arrowhead"] == "tee" and e[("objection", "pro")]["style"] == "dotted"
    assert e[("regime", "outcome")]["arrowhead"] == "odiamond"           # the modulator
    assert e[("outcome", "observation")]["arrowhead"] == "empty"        # a table parent
    # width grows with |log ratio|: pro (×4) draws thicker than con (×1/2)
    assert float(e[("pro", "outcome")]["penwidth"]) > float(e[("con", "outcome")]["penwidth"])


def test_routes_draw_blue_with_a_double_head_and_the_legend_says_so():
    model = Model.load(DATA / "maps" / "routes")
    source = model_dot(model)
    g = _parse(source)
    e = {(u, v): g.get_edge(u, v).attr for u, v in g.edges()}
    route = style.RELATION_STYLES["route"]
    assert e[("story_a", "goal")]["color"] == route["color"] and e[("story_a", "goal")]["arrowhead"] == "normalnormal"
    # width grows with p: story A (0.6) draws thicker than story B (0.3)
    assert float(e[("story_a", "goal")]["penwidth"]) > float(e[("story_b", "goal")]["penwidth"])
    assert "alone brings it about with p 0.6" in e[("story_a", "goal")]["tooltip"]
    assert "a route: suffices alone" in source


def test_nodes_show_title_probability_and_section():
    model = Model.load(SMALL)
    g = _parse(model_dot(model))
    label = g.get_node("premise").attr["label"]
    p = model.marginals()["premise"]["true"]
    assert "A premise" in label and f"{p:.2f}" in label and "§1.1" in label
    assert "true (given)" in g.get_node("observation").attr["label"]
    tip = g.get_node("premise").attr["tooltip"]
    assert "Something the outcome needs." in tip and "A made-up number." in tip and "Tester" in tip
    assert "low 0.38" in g.get_node("regime").attr["label"]
    clusters = {s.name: sorted(s.nodes()) for s in g.subgraphs()}
    assert sorted(clusters.values()) == [["con", "objection", "pro"], ["observation", "outcome", "premise", "regime"]]


def test_focus_keeps_the_neighbourhood():
    amap = Model.load(SMALL).map
    assert [n.id for n in make_view(amap, focus="pro", depth=0).nodes] == ["pro"]
    assert {n.id for n in make_view(amap, focus="pro", depth=1).nodes} == {"pro", "objection", "outcome"}
    assert len(make_view(amap, focus="pro", depth=9).nodes) == len(amap.claims)
    with pytest.raises(QueryError, match="did you mean 'pro'"):
        make_view(amap, focus="proo")


def test_collapse_merges_a_part_into_one_node():
    amap = Model.load(SMALL).map
    view = make_view(amap, collapse=["debate"])
    part = PART_PREFIX + "debate"
    ids = [n.id for n in view.nodes]
    assert part in ids and not {"pro", "con", "objection"} & set(ids)
    node = next(n for n in view.nodes if n.id == part)
    assert set(node.members) == {"pro", "con", "objection"} and set(node.heads) == {"pro", "con"}
    kinds = {(e.source, e.target, e.type) for e in view.edges}
    assert (part, "outcome", "supports") in kinds and (part, "outcome", "opposes") in kinds
    assert not any(e.source == e.target for e in view.edges)
    with pytest.raises(QueryError, match="not a part"):
        make_view(amap, collapse=["nope"])


def _acyclic(view) -> bool:
    import networkx as nx
    return nx.is_directed_acyclic_graph(nx.DiGraph([(e.source, e.target) for e in view.edges]))


def test_collapsed_parts_never_draw_a_loop_the_map_does_not_have(tmp_path):
    # part A feeds part B, which feeds another member of A: collapsing both would draw A <-> B
    claims = [{"id": "a1", "title": "A one", "credence": 0.4, "part": "A", "supports": [{"claim": "b1", "ratio": 3}]},
              {"id": "b1", "title": "B one", "base": 0.3, "part": "B", "supports": [{"claim": "a2", "ratio": 2}]},
              {"id": "a2", "title": "A two", "base": 0.2, "part": "A", "supports": [{"claim": "t", "ratio": 2}]},
              {"id": "t", "title": "Target", "base": 0.1, "part": "T"}]
    amap = Model.load(write_map(tmp_path / "loop", claims, "t", parts={"A": "A", "B": "B", "T": "T"})).map
    view = make_view(amap, collapse=["A", "B"])
    assert _acyclic(view)
    ids = {n.id for n in view.nodes}
    assert ids == {"a1", PART_PREFIX + "A", PART_PREFIX + "B", "t"}      # a1 drawn on its own breaks the loop
    drawn = {(e.source, e.target) for e in view.edges}
    assert drawn == {("a1", PART_PREFIX + "B"), (PART_PREFIX + "B", PART_PREFIX + "A"), (PART_PREFIX + "A", "t")}
    # the bundled map: its overview, and every part collapsed, stay acyclic
    bundled = Model.load(Path(__file__).parents[1] / "arguments" / "scheming").map
    own = bundled.claims[bundled.target].part
    for parts in ([p for p in bundled.parts if p != own], list(bundled.parts)):
        assert _acyclic(make_view(bundled, collapse=parts, keep=(bundled.target,)))


def test_overview_collapses_all_but_the_target_part_and_hides_observations():
    model = Model.load(SMALL)
    g = _parse(model_dot(model, collapse_all=True))
    assert set(g.nodes()) == {"premise", "regime", "outcome", PART_PREFIX + "debate"}
    assert g.graph_attr["rankdir"] == "TB"
    assert "An observation" in g.graph_attr["label"]           # the observed claim, named by its title


def test_sensitivity_view_scales_outlines_by_effect():
    model = Model.load(SMALL)
    g = _parse(map_dot(model.map, model.marginals(), effects=EFFECTS))
    width = {c: float(g.get_node(c).attr["penwidth"]) for c in EFFECTS}
    assert width["premise"] > width["pro"] > width["con"] > width["objection"]
    assert "crux: shift 0.20" in g.get_node("premise").attr["label"]


def test_diff_view_marks_new_and_edited_claims():
    base, new = Model.load(SMALL), Model.load(SMALL, [CRITIQUE])
    bm, nm = base.marginals(), new.marginals()
    dot = diff_dot(base.map, new.map, bm, nm, "outcome")
    g = _parse(dot)
    assert "NEW" in g.get_node("new_doubt").attr["label"]
    assert "dashed" in g.get_node("new_doubt").attr["style"]
    assert "EDITED" in g.get_node("premise").attr["label"]
    before, after = bm["outcome"]["true"], nm["outcome"]["true"]
    assert f"{before:.3f} → {after:.3f}" in g.graph_attr["label"]
    moved = nm["premise"]["true"] - bm["premise"]["true"]
    assert g.get_node("premise").attr["fillcolor"] == style.fill_for_delta(moved)
    assert g.get_edge("new_doubt", "outcome").attr["label"] == "new"
    assert "The premise is weaker" in g.get_node("premise").attr["tooltip"]


def test_diff_with_nothing_changed_is_white():
    m = Model.load(SMALL)
    marg = m.marginals()
    g = _parse(diff_dot(m.map, m.map, marg, marg, "outcome"))
    fills = {g.get_node(c).attr["fillcolor"] for c in ("premise", "pro", "con", "objection")}
    assert fills == {style.fill_for_delta(0.0)}


def test_analysis_results_display_as_diagrams(tmp_path):
    from argmap.views.diagrams import diagram, diff_diagram

    small = Model.load(SMALL)
    d = diagram(small, view="sensitivity")
    assert "crux" in d.source and d._repr_svg_().lstrip().startswith("<?xml")
    out = d.save(tmp_path / "s.png")
    assert out.read_bytes()[:4] == b"\x89PNG"
    dd = diff_diagram(small, Model.load(SMALL, [CRITIQUE]))
    assert "NEW" in dd.source and "</svg>" in dd._repr_svg_()


def test_a_model_displays_as_its_diagram_in_a_notebook():
    model = Model.load(TINY)
    svg = model._repr_svg_()
    assert svg is not None
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert re.search(r"The conclusion", svg)


def test_public_names_are_exactly_the_documented_ones():
    import argmap.render as render

    assert sorted(render.__all__) == sorted(n for n in vars(render) if not n.startswith("_") and n in {
        "map_dot", "diff_dot", "make_view", "View", "render_dot", "engine_name", "RenderError", "FORMATS", "PNG_DPI",
        "PNG_MAX_WIDTH", "render_png", "PostFit"})
    assert all(getattr(render, n) is not None for n in render.__all__)


def test_views_find_networkx_s_cycle_and_order_without_it():
    """A view's loop search and claim order are networkx's (``find_cycle`` of the drawn graph: the same edges
    in the same order; the lexicographical topological sort), checked against networkx on random graphs
    with duplicate edges, self-loops and nodes reached twice."""
    import random

    import networkx as nx

    from argmap.maps.checks import topological_order
    from argmap.render.views import _find_cycle

    rng = random.Random(7)
    cyclic = 0
    for _ in range(3000):
        nodes = [f"n{k}" for k in range(rng.randint(1, 9))]
        pairs = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.randint(0, 16))]
        g = nx.DiGraph(pairs)
        try:
            expected = nx.find_cycle(g)
        except nx.NetworkXNoCycle:
            expected = None
        assert _find_cycle(pairs) == expected, pairs
        cyclic += expected is not None
        parents: dict[str, list[str]] = {n: [] for n in nodes}
        for s, t in pairs:
            parents[t].append(s)
        h = nx.DiGraph()
        h.add_nodes_from(nodes)
        h.add_edges_from(pairs)
        want = list(nx.lexicographical_topological_sort(h)) if nx.is_directed_acyclic_graph(h) else None
        assert topological_order({n: tuple(ps) for n, ps in parents.items()}) == want
    assert 300 < cyclic < 2700


def test_drawing_the_bundled_map_imports_no_networkx():
    """The bundled map's overview collapses parts into loops that views break; neither that nor the claim
    order imports networkx (its import is ~0.1 s of `argmap export`)."""
    import subprocess
    import sys

    probe = ("import sys\nfrom argmap import Model\nfrom argmap.render import views\n"
             "from argmap.views.diagrams import model_dot\nm = Model.load(cache=False)\nbroken = []\n"
             "find = views._find_cycle\nviews._find_cycle = lambda p: broken.append(1) or find(p)\n"
             "model_dot(m, target=m.map.target, collapse_all=True)\n"
             "print(any(find(p) for p in [[('a', 'b'), ('b', 'a')]]), len(broken) > 1, 'networkx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out[-3:] == ["True", "True", "False"]
