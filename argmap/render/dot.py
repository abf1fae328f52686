"""Build DOT for an argument map from its structure plus plain dicts of numbers.

The renderer never computes probabilities: callers pass ``marginals`` (claim → state → P) and,
for the sensitivity view, ``effects`` (claim → size of its effect on the target). See
:mod:`argmap.views.diagrams` for the functions that get those numbers from a model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import field

from ..base.formatting import fmt_p
from ..base.marginals import Marginals, p_true
from ..base.records import dataclass
from ..base.textsafe import safe_link
from ..maps.models import ArgumentMap, Claim
from . import style
from .text import Html, dot_attrs, dot_value, html_label, html_lines, html_text, label_lines, wrap_all
from .views import View, ViewEdge, ViewNode, downstream_beside, make_view

__all__ = ["map_dot", "NodeLook", "assemble", "claim_tooltip", "binary_p", "sections_text",
           "collapse_parts", "conditions_words", "LEGEND_MODES"]


@dataclass(frozen=True)
class NodeLook:
    """How one node looks: fill colour, extra label lines, and extra DOT attributes."""

    fill: str
    lines: tuple[str, ...] = ()
    attrs: dict[str, str] = field(default_factory=dict)
    badge: str | None = None
    """A short bold tag shown before the title (e.g. NEW)."""


def binary_p(marginals: Marginals, claim: str) -> float | None:
    """P(true) of a true/false claim, or None for a categorical or missing one."""
    dist = marginals.get(claim)
    if not dist or set(dist) != {"false", "true"}:
        return None
    return float(dist["true"])


def part_title(amap: ArgumentMap, n: ViewNode) -> str:
    """The title of the part a collapsed node stands for (its id when the map gives no title)."""
    part = n.part or ""
    return amap.parts.get(part, part)


def sections_text(claim: Claim, limit: int = 2) -> str:
    """``§2.2, 2.2.2`` (at most ``limit`` sections, then how many more: ``§1.1, 2 +1``)."""
    secs = list(claim.sections)
    if not secs:
        return ""
    more = len(secs) - limit
    return "§" + ", ".join(secs[:limit]) + (f" +{more}" if more > 0 else "")


def _dist_lines(dist: Mapping[str, float], per_line: int = 2) -> list[str]:
    items = [f"{s} {style.label_p(p)}" for s, p in dist.items()]
    return [" · ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]


def claim_tooltip(claim: Claim, dist: Mapping[str, float] | None, extra: Iterable[str] = ()) -> str:
    """Full text for a node's tooltip: title, text, probabilities, section, provenance, overlay."""
    lines = [claim.title]
    if claim.text:
        lines += ["", claim.text]
    lines.append("")
    if dist:
        if set(dist) == {"false", "true"}:
            lines.append(f"P(true) = {dist['true']:.4f}")
        else:
            lines.append("P: " + ", ".join(f"{s} {p:.4f}" for s, p in dist.items()))
    lines.append(f"kind: {claim.kind}; id: {claim.id}")
    if claim.sections:
        lines.append("report section " + ", ".join(claim.sections))
    prov = claim.provenance
    who = ", ".join(x for x in (prov.holder, prov.basis, prov.source) if x)
    if who:
        lines.append(f"credence: {who}")
    if prov.rationale:
        lines.append(f"why: {prov.rationale}")
    if claim.added_by:
        lines.append(f"added by overlay {claim.added_by}")
    lines += list(extra)
    return "\n".join(lines)


def _edge_tooltip(amap: ArgumentMap, e: ViewEdge, names: Mapping[str, str]) -> str:
    head = f"{names.get(e.source, e.source)} → {names.get(e.target, e.target)}: {e.type}"
    lines = [head]
    for r in e.relations:
        bits = [f"{r.source} → {r.target}" if len(e.relations) > 1 or e.type == "modulates" else ""]
        if e.type == "modulates":
            scales = [sc for m, sc in r.modulators if m == e.source] or [sc for _, sc in r.modulators]
            bits.append(f"scales the weight of {r.type} "
                        + "; ".join(", ".join(f"{s} ×{q.value:g}" for s, q in sc) for sc in scales))
        elif r.ratio is not None:
            rng = f" (90%: {style.fmt_ratio(r.ratio.range[0])} to {style.fmt_ratio(r.ratio.range[1])})" \
                if r.ratio.range else ""
            bits.append(f"odds {style.fmt_ratio(r.ratio.value)}{rng}")
        elif r.type == "requires":
            bits.append(f"leak {r.leak.value:g}" if r.leak is not None else "strict")
        elif r.p is not None:
            rng = f" (90%: {r.p.range[0]:g} to {r.p.range[1]:g})" if r.p.range else ""
            bits.append(f"alone brings it about with p {r.p.value:g}{rng}")
        if r.provenance.rationale:
            bits.append(r.provenance.rationale)
        if r.added_by:
            bits.append(f"added by {r.added_by}")
        lines.append("; ".join(b for b in bits if b))
    return "\n".join(lines)


def _edge_weight(e: ViewEdge) -> float | None:
    """Pen weight: |log ratio| for arguments; for a route 2p (a sure route as wide as a strong argument)."""
    ratios = [style.strength(r.ratio.value) for r in e.relations if r.ratio is not None]
    ratios += [2 * r.p.value for r in e.relations if r.p is not None]
    if e.type in ("modulates", "depends") or not ratios:
        return None
    return max(ratios)


def collapse_parts(amap: ArgumentMap, target: str | None, collapse: Iterable[str] = (),
                   collapse_all: bool = False) -> tuple[str, ...]:
    """The parts to collapse: those named, or with ``collapse_all`` every part but the target's."""
    if not collapse_all:
        return tuple(collapse)
    keep = amap.claims[target].part if target in amap.claims else None
    parts = list(amap.parts) + sorted({c.part for c in amap.claims.values() if c.part and c.part not in amap.parts})
    return tuple(p for p in parts if p != keep)


def _node_label(title_lines: list[str], lines: Iterable[str], badge: str | None, large: bool = False) -> Html:
    head = html_lines(title_lines)
    if badge:
        head = f"{html_text(badge)}<BR/>" + head
    body = html_lines([part for ln in lines if ln for part in wrap_all(ln, 24 if large else 30)])
    tail = f'<BR/><FONT POINT-SIZE="{15 if large else 12}">{body}</FONT>' if body else ""
    return html_label(f"<B>{head}</B>{tail}")


def conditions_words(amap: ArgumentMap, given: Mapping[str, str], intervened: Mapping[str, str]) -> str:
    """Conditions in claim titles: ``Title`` (true), ``not Title`` (false), ``Title = state``, ``set: ...``.

    >>> from argmap.maps.models import ArgumentMap, Claim
    >>> amap = ArgumentMap(name="m", target="a", claims={"a": Claim("a", "Aware")}, relations=())
    >>> conditions_words(amap, {"a": "false"}, {})
    'not Aware'
    """
    def one(cid: str, state: str) -> str:
        claim = amap.claims.get(cid)
        name = claim.label if claim else cid
        if claim is not None and claim.binary:
            return name if state == "true" else f"not {name}"
        return f"{name} = {state}"

    words = [one(c, s) for c, s in given.items()] + [f"set: {one(c, s)}" for c, s in intervened.items()]
    return "; ".join(words)


LEGEND_MODES = ("strip", "separate", "none")
"""strip: title, subtitle and a compact key on top; separate: the key goes to its own image
(:func:`legend_dot`); none: no title and no key."""


def _legend_mode(legend: bool | str) -> str:
    mode = "strip" if legend is True else "none" if legend is False else str(legend)
    if mode not in LEGEND_MODES:
        raise ValueError(f"legend must be one of {', '.join(LEGEND_MODES)}, not {legend!r}")
    return mode


def _swatch(fill: str) -> str:
    """A colour swatch as text (a table of cells would stretch to the legend's width)."""
    if min(int(fill[i:i + 2], 16) for i in (1, 3, 5)) >= 0xe8:      # near-white: draw an outline
        return '<FONT COLOR="#888888">\u25a1</FONT>'
    return f'<FONT COLOR="{fill}">\u25a0</FONT>'


def _flow(items: list[tuple[str, int]], width: int, sep: str = " · ") -> list[str]:
    """Join (markup, visible length) items into lines of at most about ``width`` visible characters."""
    lines: list[str] = []
    cur, n = "", 0
    for markup, size in items:
        if cur and n + len(sep) + size > width:
            lines.append(cur)
            cur, n = "", 0
        cur, n = (cur + sep + markup, n + len(sep) + size) if cur else (markup, size)
    if cur:
        lines.append(cur)
    return lines


def _key_rows(scale: list[tuple[str, str]], scale_name: str, kinds: list[str], edge_types: list[str],
              notes: Iterable[str], k: float, width: int) -> list[str]:
    """The key as a few lines of text: colour scale and shapes, then edges, then notes."""
    items: list[tuple[str, int]] = []
    if scale:
        swatches = " ".join(f"{_swatch(fill)}&#160;{html_text(text)}" for text, fill in scale)
        items.append((f"<B>{html_text(scale_name)}</B> {swatches}",
                      len(scale_name) + sum(len(t) + 3 for t, _ in scale)))
    for i, kind in enumerate(kinds):
        word = style.KIND_WORDS[kind]
        items.append(((("<B>Shapes</B> " if i == 0 else "") + html_text(word)), len(word) + (7 if i == 0 else 0)))
    edges: list[tuple[str, int]] = []
    for i, t in enumerate(edge_types):
        word = style.RELATION_WORDS[t]
        edges.append(((("<B>Edges</B> " if i == 0 else "") + f'<FONT COLOR="{style.RELATION_STYLES[t]["color"]}">'
                       f"{html_text(word)}</FONT>"), len(word) + (6 if i == 0 else 0)))
    if edges:
        edges.append((html_text("thicker = stronger"), 18))
    notes_items = [(html_text(part), len(part)) for ln in notes for part in wrap_all(ln, width)]
    lines = _flow(items + edges + notes_items, width)
    return [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{round(12 * k)}">{line}</FONT></TD></TR>' for line in lines]


def _legend_html(title: str, subtitle: Iterable[str], scale: list[tuple[str, str]], scale_name: str,
                 kinds: list[str], edge_types: list[str], notes: Iterable[str], large: bool = False,
                 key: bool = True, head: bool = True) -> Html:
    k = 1.4 if large else 1.0
    width = 84 if large else 110
    rows = []
    if head:
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{round(20 * k)}"><B>{html_text(title)}</B></FONT>'
                    '</TD></TR>')
        for line in (part for ln in subtitle for part in wrap_all(ln, width)):
            rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{round(13 * k)}">{html_text(line)}</FONT></TD></TR>')
    if key:
        rows += _key_rows(scale, scale_name, kinds, edge_types, notes, k, int(width * 1.2))
    return html_label('<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="1">' + "".join(rows) + "</TABLE>")


def assemble(amap: ArgumentMap, view: View, looks: Mapping[str, NodeLook], *, title: str,
             subtitle: Iterable[str] = (), scale: Sequence[tuple[str, str]] = (), scale_name: str = "",
             notes: Iterable[str] = (), rankdir: str = "LR", legend: bool | str = True,
             tooltips: Mapping[str, str] | None = None, edge_looks: Callable[[ViewEdge], dict] | None = None,
             large: bool = False, stagger: int | None = None) -> str:
    """Lay out ``view`` as DOT: clusters per part, a node per entry of ``looks``, a legend on top.

    ``legend``: one of :data:`LEGEND_MODES` (True means "strip", False "none"), or "key" for a DOT
    holding only the key (the image written beside the diagram with ``--legend separate``).

    ``large`` (used by the post overview) sets bigger type on narrower lines, so the diagram stays
    readable when a post shrinks it to about 800 pixels wide. ``stagger``: at most this many of the
    nodes nothing points into share the top rank; the others are pushed down by invisible edges, so
    a diagram of many separate inputs grows taller rather than wider.
    """
    import graphviz

    # every attribute value and name below goes through the one DOT escaping rule (render/text.py)
    g = graphviz.Digraph(name=dot_value(amap.name or "argmap"))
    g.attr("graph", **dot_attrs(rankdir=rankdir, fontname=style.FONT, labelloc="t", labeljust="l", newrank="true",
                                nodesep="0.15" if large else "0.22", ranksep="0.45", pad="0.25", bgcolor="white",
                                outputorder="edgesfirst", tooltip=title))
    g.attr("node", **dot_attrs(fontname=style.FONT, fontsize="19" if large else "14", margin="0.16,0.08",
                               penwidth="1.2", color="#333333"))
    g.attr("edge", **dot_attrs(fontname=style.FONT, fontsize="15" if large else "11", arrowsize="0.8"))
    names: dict[str, str] = {}
    by_id = {n.id: n for n in view.nodes}
    for n in view.nodes:
        names[n.id] = amap.claims[n.claim].title if n.claim else part_title(amap, n)
    kinds = sorted({amap.claims[n.claim].kind if n.claim else "part" for n in view.nodes},
                   key=list(style.KIND_SHAPES).index)
    edge_types = sorted({e.type for e in view.edges}, key=list(style.RELATION_STYLES).index)
    if view.beside:
        notes = [*notes, "Beside the conclusion: what follows from it (its other inputs are drawn in the full map)"]
    mode = _legend_mode(legend) if legend != "key" else "key"
    if mode == "key":
        key = graphviz.Digraph(name="legend")
        key.attr("graph", **dot_attrs(fontname=style.FONT, labelloc="t", labeljust="l", pad="0.15", bgcolor="white",
                                      label=_legend_html(title, subtitle, list(scale), scale_name, kinds, edge_types,
                                                         notes, large, head=False)))
        return key.source
    if mode != "none":
        g.attr("graph", **dot_attrs(label=_legend_html(title, subtitle, list(scale), scale_name, kinds, edge_types,
                                                       notes, large, key=mode == "strip")))

    def add_node(graph, n: ViewNode) -> None:
        look = looks[n.id]
        kind = amap.claims[n.claim].kind if n.claim else "part"
        attrs = style.node_attrs(kind)
        short = amap.claims[n.claim].short if n.claim else None
        title_lines = label_lines(names[n.id], short, 17 if large else 24, 4 if large else 3)
        attrs.update(fillcolor=look.fill, fontcolor=style.text_colour(look.fill),
                     label=_node_label(title_lines, look.lines, look.badge, large),
                     tooltip=(tooltips or {}).get(n.id, names[n.id]))
        link = safe_link(amap.claims[n.claim].url) if n.claim else None
        if link:                        # http, https or doi: only (the loader refuses anything else)
            attrs["URL"] = link
        attrs.update(look.attrs)
        graph.node(dot_value(n.id), **dot_attrs(attrs))

    clustered = set()
    for i, (part, ids) in enumerate(view.clusters):
        with g.subgraph(name=f"cluster_{i:02d}") as c:
            c.attr(**dot_attrs(label=html_label(f"<B>{html_text(amap.parts.get(part, part))}</B>"),
                               style="rounded,filled", fillcolor="#f4f4f4", color="#b0b0b0", fontsize="15",
                               labeljust="l", tooltip=amap.parts.get(part, part)))
            for nid in ids:
                add_node(c, by_id[nid])
                clustered.add(nid)
    for n in view.nodes:
        if n.id not in clustered:
            add_node(g, n)
    if view.beside:
        target = next(e.source for e in view.edges if e.target in view.beside) if any(
            e.target in view.beside for e in view.edges) else None
        with g.subgraph(name="beside_target") as same:
            same.attr(rank="same")
            for nid in ([target] if target else []) + list(view.beside):
                same.node(dot_value(nid))
    if stagger:
        fed = {e.target for e in view.edges}
        roots = [n.id for n in view.nodes if n.id not in fed]
        for a, b in zip(roots, roots[stagger:], strict=False):
            g.edge(dot_value(a), dot_value(b), style="invis")
    for e in view.edges:
        attrs = style.edge_attrs(e.type, _edge_weight(e))
        attrs["tooltip"] = _edge_tooltip(amap, e, names)
        if edge_looks:
            attrs.update(edge_looks(e))
        g.edge(dot_value(e.source), dot_value(e.target), **dot_attrs(attrs))
    return g.source


def _subtitle(amap: ArgumentMap, target: str, marginals: Marginals, observed: Mapping[str, str],
              intervened: Mapping[str, str], scenario: str | None) -> list[str]:
    lines = []
    if target in marginals:
        head = amap.claims[target].title if target in amap.claims else target
        lines.append(f"P({head}) = {fmt_p(p_true(marginals[target]))}")
    conds = conditions_words(amap, observed, intervened)      # claim titles, not ids: a title is read
    if scenario:
        lines.append(f"Scenario '{scenario}'" + (f": {conds}" if conds else ""))
    elif conds:
        lines.append("Given: " + conds)
    if amap.overlays:
        lines.append("With " + ", ".join(amap.overlays))
    return lines


def _scale_cells() -> list[tuple[str, str]]:
    return [(f"{x / 10:.1f}", style.fill_for_probability(x / 10)) for x in range(0, 11, 2)]


def _claim_look(amap: ArgumentMap, cid: str, target: str, marginals: Marginals, observed: Mapping[str, str],
                intervened: Mapping[str, str], effect: float | None, emax: float) -> NodeLook:
    claim = amap.claims[cid]
    dist = marginals.get(cid)
    p = binary_p(marginals, cid)
    lines = []
    if cid in observed or cid in intervened:
        how = "given" if cid in observed else "set"
        lines.append(f"{observed.get(cid, intervened.get(cid))} ({how})")
    elif p is not None:
        lines.append(f"P = {fmt_p(p)}" if cid == target else style.label_p(p))
    elif dist:
        lines += _dist_lines(dist)
    sec = sections_text(claim)
    if sec:
        lines[-1:] = [f"{lines[-1]} · {sec}" if lines else sec]
    attrs: dict[str, str] = {}
    if effect is not None and effect >= 0.005:
        lines.append(f"crux: shift {effect:.2f}")
        attrs.update(penwidth=f"{1.0 + 7.0 * (effect / emax if emax > 0 else 0.0):.2f}", color="#d35400")
    return NodeLook(style.fill_for_probability(p if dist else None), tuple(lines), attrs)


def _part_look(amap: ArgumentMap, n: ViewNode, marginals: Marginals, effects, emax: float) -> NodeLook:
    lines = [f"{len(n.members)} claims"]
    p = None
    if len(n.heads) == 1:
        head = amap.claims[n.heads[0]]
        p = binary_p(marginals, head.id)
        if p is not None:
            lines = [f"{head.label}: {style.label_p(p)}"] + lines if head.title.lower()[:12] not in \
                part_title(amap, n).lower() else [f"P = {style.label_p(p)}"] + lines
    attrs: dict[str, str] = {}
    if effects is not None:
        eff = max((effects.get(m, 0.0) for m in n.members), default=0.0)
        if eff >= 0.005:
            lines.append(f"largest crux shift {eff:.2f}")
            attrs.update(penwidth=f"{1.0 + 7.0 * (eff / emax if emax > 0 else 0.0):.2f}", color="#d35400")
    return NodeLook(style.fill_for_probability(p), tuple(lines), attrs)


def _part_tooltip(amap: ArgumentMap, n: ViewNode, marginals: Marginals) -> str:
    lines = [part_title(amap, n), f"{len(n.members)} claims (collapsed):"]
    for m in n.members:
        p = binary_p(marginals, m)
        lines.append(f"  {amap.claims[m].title}" + (f": {fmt_p(p)}" if p is not None else ""))
    return "\n".join(lines)


def layout_view(amap: ArgumentMap, target: str, observed, intervened, focus, depth, collapse, collapse_all,
                keep, rankdir, only: Iterable[str] | None = None):
    """The view (nodes, edges, clusters) and direction shared by the plain and the diff diagrams
    (``only``: draw just these claims and the target)."""
    parts = collapse_parts(amap, target, collapse, collapse_all)
    hide = set(observed) | set(intervened) if collapse_all else set()
    if only is not None:
        hide |= set(amap.claims) - set(only) - {target}
    view = make_view(amap, focus=focus, depth=depth, collapse=parts, keep=(target, *keep),
                     hide=hide, clusters=not collapse_all and only is None)
    if collapse_all:
        view = downstream_beside(amap, view, target)
    return view, rankdir or ("TB" if collapse_all else "LR")


def map_dot(amap: ArgumentMap, marginals: Marginals, *, target: str | None = None,
            observed: Mapping[str, str] | None = None, intervened: Mapping[str, str] | None = None,
            effects: Mapping[str, float] | None = None, focus: str | None = None, depth: int | None = None,
            collapse: Iterable[str] = (), collapse_all: bool = False, keep: Iterable[str] = (),
            title: str | None = None, subtitle: Iterable[str] | None = None, scenario: str | None = None,
            rankdir: str | None = None, legend: bool | str = True, stagger: int | None = None,
            only: Iterable[str] | None = None, notes: Iterable[str] = ()) -> str:
    """DOT source for the plain or sensitivity view of ``amap``.

    Parameters
    ----------
    marginals
        claim → state → probability (e.g. :meth:`argmap.Model.marginals`); claims missing from it
        are drawn grey with no number.
    observed, intervened
        claim → state, marked on their nodes ("given" / "set").
    subtitle, scenario
        Lines under the title; by default P(target), the conditions (under the name ``scenario`` when
        they come from one) and the map's overlays.
    effects
        The sensitivity view: claim → size of its effect on the target (≥ 0); outline width grows
        with it and the label shows it.
    focus, depth, collapse, collapse_all
        See :func:`argmap.render.views.make_view` and :func:`collapse_parts`. The overview made by
        ``collapse_all`` also leaves out observed and set claims (its subtitle names them) and the
        box around the target's part, and runs top to bottom, so it stays narrow enough for a post.
    rankdir
        Graphviz direction; default ``LR`` (left to right), ``TB`` for the ``collapse_all`` overview.
    stagger
        See :func:`assemble`.
    only, notes
        Draw just these claims (and the target); extra lines for the key.

    Examples
    --------
    >>> from argmap import Model
    >>> m = Model.load("tests/data/maps/tiny")          # doctest: +SKIP
    >>> print(map_dot(m.map, m.marginals())[:7])        # doctest: +SKIP
    digraph
    """
    target = target or amap.target
    observed, intervened = dict(observed or {}), dict(intervened or {})
    view, rankdir = layout_view(amap, target, observed, intervened, focus, depth, collapse, collapse_all,
                                keep, rankdir, only)
    emax = max((float(v) for v in (effects or {}).values()), default=0.0)
    looks, tips = {}, {}
    for n in view.nodes:
        if n.claim:
            eff = None if effects is None else float(effects.get(n.claim, 0.0))
            looks[n.id] = _claim_look(amap, n.claim, target, marginals, observed, intervened, eff, emax)
            if n.claim == focus:
                looks[n.id].attrs.setdefault("penwidth", "3.5")
            tips[n.id] = claim_tooltip(amap.claims[n.claim], marginals.get(n.claim))
        else:
            looks[n.id] = _part_look(amap, n, marginals, effects, emax)
            tips[n.id] = _part_tooltip(amap, n, marginals)
    if subtitle is None:
        subtitle = _subtitle(amap, target, marginals, observed, intervened, scenario)
    notes = list(notes)
    if any(look.fill == style.fill_for_probability(None) for look in looks.values()):
        notes.append("grey fill: several states (listed) or no single output")
    if effects is not None:
        head = amap.claims[target].label if target in amap.claims else target
        notes.append(f"Orange outline width: how far learning the claim would move P({head}) on average (the "
                     "crux ranking of argmap sensitivity; claims downstream of it are not cruxes)")
    if focus:
        d = 2 if depth is None else depth
        notes.append(f"Showing claims within {d} link{'s' if d != 1 else ''} of '{focus}' (thick outline)")
    return assemble(amap, view, looks, title=title or amap.title or amap.name, subtitle=subtitle,
                    scale=_scale_cells(), scale_name="P(true)", notes=notes, rankdir=rankdir,
                    legend=legend, tooltips=tips, large=collapse_all, stagger=stagger)
