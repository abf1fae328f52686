"""What an overlay touches, and the claims through which that reaches a target (structure only, no numbers).

Used by the post bundle's lead diagram (the critique's claims and the chain to the conclusion) and by
``compare``'s report of the chain that carried a shift.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import ArgumentMap

__all__ = ["touched_claims", "chain_to", "claim_graph", "reachable"]


def claim_graph(amap: ArgumentMap) -> dict[str, set[str]]:
    """claim → the claims it bears on directly (relations, modulators, table parents)."""
    out: dict[str, set[str]] = {c: set() for c in amap.claims}
    for r in amap.relations:
        out.setdefault(r.source, set()).add(r.target)
        for m, _ in r.modulators:
            out.setdefault(m, set()).add(r.target)
    for cid, c in amap.claims.items():
        for g in (c.table.given if c.table is not None else ()):
            out.setdefault(g, set()).add(cid)
    return out


def touched_claims(base: ArgumentMap, new: ArgumentMap) -> list[str]:
    """The claims of ``new`` that its overlays (relative to ``base``) edit, add, or aim a new or edited
    relation at, in ``new``'s claim order: where a critique acts."""
    rels = {r.key: r for r in new.relations}
    hit: set[str] = set()
    for ch in new.changes:
        if ch.target in new.claims:
            hit.add(ch.target)
        elif ch.target in rels:
            hit.add(rels[ch.target].target)
    base_keys = {(r.source, r.target, r.type) for r in base.relations}
    for r in new.relations:
        if (r.source, r.target, r.type) not in base_keys:
            hit.update((r.source, r.target))
    hit.update(c for c in new.claims if c not in base.claims)
    return [c for c in new.claims if c in hit]


def reachable(graph: dict[str, set[str]], start: Iterable[str]) -> set[str]:
    """``start`` and every node reachable from it in ``graph`` (node → successors)."""
    seen = set(start)
    todo = list(seen)
    while todo:
        for n in graph.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def chain_to(amap: ArgumentMap, sources: Iterable[str], target: str) -> list[str]:
    """The claims on some directed path from one of ``sources`` to ``target`` (both ends included), in
    the map's claim order: the routes by which a change at ``sources`` can move ``target``."""
    down = claim_graph(amap)
    up: dict[str, set[str]] = {}
    for s, ts in down.items():
        for t in ts:
            up.setdefault(t, set()).add(s)
    on = reachable(down, [s for s in sources if s in amap.claims]) & reachable(up, [target])
    return [c for c in amap.claims if c in on]
