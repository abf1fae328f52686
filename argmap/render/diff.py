"""The diff view: a map after overlays, each node coloured by how far its probability moved.

:func:`diff_dot` takes both maps and both sets of marginals as plain data (it computes nothing),
so ``argmap compare`` and ``argmap export`` can hand it whatever they already computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..base.formatting import fmt_p
from ..base.marginals import Marginals, Move, claim_moves
from ..maps.models import ArgumentMap
from . import style
from .dot import NodeLook, assemble, binary_p, claim_tooltip, layout_view, part_title, sections_text
from .views import ViewEdge, ViewNode

__all__ = ["diff_dot", "edited_claims"]


def edited_claims(new_map: ArgumentMap) -> dict[str, list[str]]:
    """claim or relation key → the overlays' change descriptions (``field: old → new by author``)."""
    out: dict[str, list[str]] = {}
    for ch in new_map.changes:
        who = ch.author or ch.overlay
        out.setdefault(ch.target, []).append(f"{ch.field}: {ch.old} → {ch.new} ({who}: {ch.reason})")
    return out


Moves = Mapping[str, Move]


def _shift(moves: Moves, cid: str) -> float | None:
    """The change in P(true) of a true/false claim both maps have; None otherwise."""
    m = moves.get(cid)
    return None if m is None or m.before is None or m.categorical else m.shift


def _state_moves(base: Marginals, new: Marginals, cid: str) -> list[str]:
    before, after = base.get(cid) or {}, new.get(cid) or {}
    return [f"{s} {style.label_p(before.get(s, 0.0))}→{style.label_p(p)}" for s, p in after.items()]


def _move_text(before: float, after: float, precise: bool = False) -> str:
    """``0.49 → 0.43 (−0.06)``; ``0.55 unchanged`` when the change rounds to zero; three decimals for the
    target (``precise``), as in the title and the alt text.

    >>> _move_text(0.55, 0.5500001), _move_text(0.255, 0.214, precise=True), _move_text(0.237, 0.243)
    ('0.55 unchanged', '0.255 → 0.214 (−0.041)', '0.237 → 0.243 (+0.006)')
    """
    d = after - before
    fmt = fmt_p if precise else style.label_p
    if abs(d) < 0.0005:
        return f"{fmt(after)} unchanged"
    if fmt(before) == fmt(after):         # never "0.24 → 0.24 (+0.01)": show the digit that moved
        fmt, precise = fmt_p, True
    return f"{fmt(before)} → {fmt(after)} ({style.fmt_delta(d, 3 if precise else None)})"


def _claim_look(base_map: ArgumentMap, new_map: ArgumentMap, cid: str, base: Marginals, new: Marginals,
                moves: Moves, edits: Mapping[str, list[str]], observed: Mapping[str, str],
                intervened: Mapping[str, str], target: str | None = None,
                span: float = style.DIFF_SPAN) -> NodeLook:
    claim = new_map.claims[cid]
    sec = sections_text(claim)
    is_new = cid not in base_map.claims
    attrs: dict[str, str] = {}
    badge = None
    if is_new:
        badge = "NEW"
        attrs.update(style=style.node_attrs(claim.kind)["style"] + ",dashed", penwidth="3", color="#000000")
    elif cid in edits:
        badge = "EDITED"
        attrs.update(penwidth="3", color="#000000")
    m = moves.get(cid)
    if cid in observed or cid in intervened:
        lines = [f"{observed.get(cid, intervened.get(cid))} ({'given' if cid in observed else 'set'})"]
        fill = style.fill_for_delta(0.0)
    elif is_new:
        lines = [style.label_p(m.after) if m is not None and not m.categorical
                 else "; ".join(_state_moves({}, new, cid))]
        fill = "#ffffff"
    elif m is not None and m.before is not None and not m.categorical:
        lines = [_move_text(m.before, m.after, precise=cid == target)]
        fill = style.fill_for_delta(m.shift, span)
    else:
        states = _state_moves(base, new, cid)
        lines = [" · ".join(states[i:i + 2]) for i in range(0, len(states), 2)]
        fill = style.fill_for_delta(None)
    if sec:
        lines.append(sec)
    return NodeLook(fill, tuple(lines), attrs, badge)


def _part_fill_shift(n: ViewNode, moves: Moves) -> float | None:
    """The move a collapsed part is coloured by: its one output's, when it has exactly one."""
    return _shift(moves, n.heads[0]) if len(n.heads) == 1 else None


def _part_look(new_map: ArgumentMap, n: ViewNode, moves: Moves, edits: Mapping[str, list[str]],
               base_map: ArgumentMap, span: float = style.DIFF_SPAN) -> NodeLook:
    moved = [(abs(d), d, m) for m in n.members if (d := _shift(moves, m)) is not None]
    touched = sum(1 for m in n.members if m in edits or m not in base_map.claims)
    lines = [f"{len(n.members)} claims" + (f", {touched} changed by the overlay" if touched else "")]
    fill_d = _part_fill_shift(n, moves)
    if fill_d is not None and (head := moves.get(n.heads[0])) is not None:
        lines.insert(0, f"{new_map.claims[head.claim].label}: {_move_text(head.before or 0.0, head.after)}")
    for m in n.members:
        if m not in base_map.claims:
            lines.append(f"NEW: {new_map.claims[m].label}")
        elif m in edits:
            lines.append(f"EDITED: {new_map.claims[m].label}")
    if moved:
        _, d, m = max(moved, key=lambda t: (t[0], t[2]))
        if abs(d) >= 0.005:
            lines.append(f"largest move: {new_map.claims[m].label} {style.fmt_delta(d)}")
    attrs = {"penwidth": "3", "color": "#000000"} if touched else {}
    return NodeLook(style.fill_for_delta(fill_d, span), tuple(lines), attrs)


def diff_dot(base_map: ArgumentMap, new_map: ArgumentMap, base_marginals: Marginals, new_marginals: Marginals,
             target: str | None = None, *, observed: Mapping[str, str] | None = None,
             intervened: Mapping[str, str] | None = None, focus: str | None = None, depth: int | None = None,
             collapse: Iterable[str] = (), collapse_all: bool = False, keep: Iterable[str] = (),
             only: Iterable[str] | None = None, title: str | None = None,
             rankdir: str | None = None, legend: bool | str = True, large: bool | None = None,
             stagger: int | None = None) -> str:
    """DOT for ``new_map`` with each claim coloured by its change from ``base_map``.

    Fill runs from blue (probability fell) through white to red (rose), saturating at the smallest
    scale of :data:`argmap.render.style.DIFF_SPANS` that holds the moves the overlays cause among the
    drawn claims (the claims they edit or add are marked, and may saturate); the legend gives it. Claims
    the overlays added are marked NEW (dashed outline), claims they edited EDITED (thick outline), and
    new relations are drawn bold and labelled. The title gives the target's before → after. ``only``:
    draw just these claims (with the target); ``large``: the post overview's type (default: with
    ``collapse_all``); ``stagger``: see :func:`argmap.render.dot.assemble`.
    """
    target = target or new_map.target
    observed, intervened = dict(observed or {}), dict(intervened or {})
    view, rankdir = layout_view(new_map, target, observed, intervened, focus, depth, collapse, collapse_all,
                                keep, rankdir, only)
    edits = edited_claims(new_map)
    moves = {m.claim: m for m in claim_moves(base_marginals, new_marginals)}
    caused = [d for n in view.nodes
              if (d := _shift(moves, n.claim) if n.claim else _part_fill_shift(n, moves)) is not None
              and not (n.claim and (n.claim in edits or n.claim not in base_map.claims))]
    span = style.diff_span(caused or [d for n in view.nodes if n.claim and (d := _shift(moves, n.claim)) is not None])
    looks, tips = {}, {}
    for n in view.nodes:
        if n.claim:
            looks[n.id] = _claim_look(base_map, new_map, n.claim, base_marginals, new_marginals, moves, edits,
                                      observed, intervened, target, span)
            before = binary_p(base_marginals, n.claim)
            extra = [f"before the overlays: P(true) = {before:.4f}"] if before is not None else []
            tips[n.id] = claim_tooltip(new_map.claims[n.claim], new_marginals.get(n.claim),
                                       extra + [f"changed: {e}" for e in edits.get(n.claim, [])])
        else:
            looks[n.id] = _part_look(new_map, n, moves, edits, base_map, span)
            tips[n.id] = "\n".join([part_title(new_map, n)] + [
                f"  {new_map.claims[m].title}: " + (f"{style.fmt_delta(d)}" if (d := _shift(
                    moves, m)) is not None else "new" if m not in base_map.claims else "")
                for m in n.members])
    base_keys = {(r.source, r.target, r.type) for r in base_map.relations}

    def edge_look(e: ViewEdge) -> dict:
        fresh = [r for r in e.relations if (r.source, r.target, r.type) not in base_keys]
        changed = [r for r in e.relations if r.key in edits]
        if fresh:
            return {"label": "new", "penwidth": "3.5", "fontcolor": "#000000"}
        if changed:
            return {"label": "edited", "fontcolor": "#000000"}
        return {}

    tb, tn = binary_p(base_marginals, target), binary_p(new_marginals, target)
    head = new_map.claims[target].title if target in new_map.claims else target
    subtitle = []
    if tb is not None and tn is not None:
        subtitle.append(f"P({head}): {_move_text(tb, tn, precise=True)}")
    if new_map.overlays:
        subtitle.append("Overlays: " + ", ".join(new_map.overlays))
    scale = [(style.fmt_delta(x, 3 if span < 0.1 else 2) + ("+" if x == span else ""),
              style.fill_for_delta(x, span)) for x in (-span, -span / 2, 0.0, span / 2, span)]
    scale[0] = ("≤" + scale[0][0], scale[0][1])
    scale[2] = ("0", style.fill_for_delta(0.0))
    notes = ["NEW (dashed outline): added by an overlay · EDITED (thick outline): a credence or strength "
             "the overlay changed · bold edge labelled 'new': an added relation"]
    title = title or f"What the overlays change: {new_map.title or new_map.name}"
    return assemble(new_map, view, looks, title=title,
                    subtitle=subtitle, scale=scale, scale_name="change in P", notes=notes,
                    rankdir=rankdir, legend=legend, tooltips=tips, edge_looks=edge_look,
                    large=collapse_all if large is None else large, stagger=stagger)
