"""Map-wide checks that need every claim and relation at once.

Cycles, which claims need a credence or a base, relations that tables override, kinds that a
relation may join, fan-in limits and scenario references. Each problem is a
:class:`~argmap.base.errors.Diagnostic` pointing at the claim or relation that causes it.
"""

from __future__ import annotations

import heapq
import math
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..base.errors import Diagnostic, did_you_mean
from ..base.scales import SCALES
from .models import INFLUENCES, ArgumentMap, Origin, Relation, Stated

if TYPE_CHECKING:  # networkx is imported only where a graph is built (start-up time of `argmap run`)
    import networkx as nx

__all__ = ["check_map", "map_warnings", "overrides", "parents_of", "all_parents", "drawn_only", "computed_relations",
           "dependency_graph",
           "topological_order", "claim_order", "MAX_PARENTS",
           "MAX_TABLE_CELLS"]

MAX_PARENTS = 20
MAX_TABLE_CELLS = 1 << 22


def _d(origin: Origin, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(message, origin.path, origin.line, origin.column, hint)


def drawn_only(amap: ArgumentMap, r: Relation) -> bool:
    """Whether ``r`` is drawn but not computed with: a relation without a strength, or any relation from a
    parent its target's explicit table lists (the table already says how the target depends on it).
    Every other relation into a table claim composes with the table's rows (docs/format.md)."""
    if r.decorative:
        return True
    target = amap.claims.get(r.target)
    return target is not None and target.table is not None and r.source in target.table.given


_KEPT: dict[str, tuple[weakref.ref, Any]] = {}


def _per_map(name: str, amap: ArgumentMap, make: Callable[[ArgumentMap], Any]) -> Any:
    """``make(amap)``, kept for the last map it was asked of: checking a map and then compiling it ask for
    its parents, relations and order twice (a map is a value: nothing changes it once made)."""
    kept = _KEPT.get(name)
    if kept is not None and kept[0]() is amap:
        return kept[1]
    value = make(amap)
    _KEPT[name] = (weakref.ref(amap), value)
    return value


def computed_relations(amap: ArgumentMap) -> dict[str, list[Relation]]:
    """The relations each claim's distribution is computed with (not :func:`drawn_only`), by target
    (shared by every caller for this map: read it, never change it)."""
    return _per_map("computed", amap, _computed_relations)


def _computed_relations(amap: ArgumentMap) -> dict[str, list[Relation]]:
    out: dict[str, list[Relation]] = {}
    for r in amap.relations:
        if r.target in amap.claims and not drawn_only(amap, r):
            out.setdefault(r.target, []).append(r)
    return out


def parents_of(amap: ArgumentMap, claim_id: str) -> tuple[str, ...]:
    """The claims whose states the claim's conditional distribution depends on, in a stable order: its
    table's parents (if it has one), then the sources and modulators of the relations it is computed with."""
    return all_parents(amap)[claim_id] if claim_id in amap.claims else ()


def all_parents(amap: ArgumentMap) -> dict[str, tuple[str, ...]]:
    """:func:`parents_of` for every claim at once, in one pass over the relations (linear time; shared
    by every caller for this map: read it, never change it)."""
    return _per_map("parents", amap, _all_parents)


def claim_order(amap: ArgumentMap) -> tuple[str, ...] | None:
    """:func:`topological_order` of the map's claims (None if there is a cycle)."""
    def order(m: ArgumentMap) -> tuple[str, ...] | None:
        found = topological_order(all_parents(m))
        return None if found is None else tuple(found)
    return _per_map("order", amap, order)


def _all_parents(amap: ArgumentMap) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {cid: list(c.table.given) if c.table is not None else []
                                   for cid, c in amap.claims.items()}
    for r in amap.relations:
        if r.target not in found or drawn_only(amap, r):
            continue
        out = found[r.target]
        for p in (r.source, *(m for m, _ in r.modulators)):
            if p not in out:
                out.append(p)
    return {cid: tuple(ps) for cid, ps in found.items()}


def dependency_graph(amap: ArgumentMap, parents: dict[str, tuple[str, ...]] | None = None) -> nx.DiGraph:
    """A DAG (when valid) with an edge parent -> child for every computational dependency."""
    import networkx as nx

    parents = all_parents(amap) if parents is None else parents
    g = nx.DiGraph()
    g.add_nodes_from(amap.claims)
    for cid in amap.claims:
        for p in parents[cid]:
            if p in amap.claims:
                g.add_edge(p, cid)
    return g


def check_map(amap: ArgumentMap) -> list[Diagnostic]:
    """Return every map-wide problem (an empty list for a valid map)."""
    diags: list[Diagnostic] = []
    every = all_parents(amap)
    diags += _check_relations(amap)
    diags += _check_claims(amap, every)
    if not diags:
        diags += _check_cycles(amap, every)
    diags += _check_header(amap)
    return diags


def _check_relations(amap: ArgumentMap) -> list[Diagnostic]:
    diags = []
    seen: dict[tuple[str, str], Relation] = {}
    for r in amap.relations:
        src, dst = amap.claims.get(r.source), amap.claims.get(r.target)
        if src is None or dst is None:
            continue
        pair = (r.source, r.target)
        if pair in seen:
            diags.append(_d(r.origin, f"relation {r.key} is declared twice (also at {seen[pair].origin})",
                            "keep one relation per pair of claims; combine their strengths"))
            continue
        seen[pair] = r
        if r.type == "undercuts" and dst.kind not in ("argument", "critique"):
            diags.append(_d(r.origin, f"'{r.source}' undercuts '{r.target}', which is a {dst.kind}",
                            "undercuts targets an argument or a critique; use opposes to bear on a claim"))
        if dst.table is not None and r.source in dst.table.given:
            if r.ratio is not None or r.leak is not None or r.p is not None or r.modulators:
                diags.append(_d(r.origin, f"relation {r.key} gives a strength, but '{r.target}' has an explicit "
                                          f"table over '{r.source}', which already says how it depends on it",
                                "remove the strength (the relation is then only drawn), or take "
                                f"'{r.source}' out of the table"))
            continue
        if r.type == "route" and r.p is None:
            diags.append(_d(r.origin, f"route {r.key} has no p",
                            f"give p: the chance that '{r.source}' alone brings '{r.target}' about"
                            + ("" if dst.table is None else
                               f" (a route without p is drawn only from a parent '{r.target}''s table lists)")))
        elif r.type not in ("requires", "route") and r.ratio is None:
            diags.append(_d(r.origin, f"{r.type} relation {r.key} has no strength",
                            "give ratio: (an odds ratio) or weight: (its log)"
                            + ("" if dst.table is None else
                               f"; a relation without one is drawn only from a parent '{r.target}''s table lists")))
        if not dst.binary:
            what = "routes" if r.type == "route" else "relations"
            diags.append(_d(r.origin, f"'{r.target}' has states {list(dst.states)}; {what} into a categorical "
                                      "claim cannot be composed",
                            "give it an explicit table over its parents (routes and ratios act on a binary "
                            "claim's P(true))"))
    return diags


def _check_claims(amap: ArgumentMap, every: dict[str, tuple[str, ...]]) -> list[Diagnostic]:
    diags = []
    computed = computed_relations(amap)
    influenced = {t for t, rs in computed.items() if any(r.type in INFLUENCES for r in rs)}
    routed = {t for t, rs in computed.items() if any(r.type == "route" for r in rs)}
    for cid, c in amap.claims.items():
        parents = [p for p in every[cid] if p in amap.claims]
        if c.table is not None and c.credence is not None:
            diags.append(_d(c.origin, f"'{cid}' has both a credence and a table", "keep one of them"))
        elif c.table is not None and c.base is not None:
            diags.append(_d(c.origin, f"'{cid}' has both a base and a table",
                            "the table's rows are its bases: keep one of them"))
        elif parents and c.credence is not None and not c.binary:
            diags.append(_d(c.origin, f"'{cid}' has states {list(c.states)} and depends on {parents}",
                            "a categorical claim with parents needs an explicit table"))
        elif parents and c.credence is not None and c.base is not None:
            diags.append(_d(c.origin, f"'{cid}' has both a credence and a base", "keep one: they mean the same here"))
        elif not parents and c.table is None and c.credence is None:
            diags.append(_d(c.origin, f"'{cid}' is a root claim with no credence",
                            "give it credence: (its probability), or relate it to other claims"))
        if cid in routed and c.table is None and c.base is None and c.credence is None and c.binary:
            diags.append(_d(c.origin, f"routes lead to '{cid}' but it has no base",
                            "give base: the chance it holds when none of its routes does (0 if nothing else "
                            "brings it about; usually a `remote` word)"))
        elif cid in influenced and c.table is None and c.base is None and c.credence is None and c.binary:
            if any(r.type == "requires" for r in computed.get(cid, ())):
                diags.append(_d(c.origin, f"arguments bear on '{cid}' but it has no base: it holds for certain "
                                          "whenever its requirements do, and no ratio moves a certainty",
                                "give it base: its probability when its requirements hold and no argument "
                                "bears on it (below 1), or let the argument bear on one of its requirements"))
            else:
                diags.append(_d(c.origin, f"arguments bear on '{cid}' but it has no base",
                                "give base: its probability when none of the arguments bearing on it holds"))
        if c.base is not None and not parents:
            # an overlay that gave it the base is where to fix it
            where = next((ch.origin for ch in reversed(amap.changes) if ch.target == cid and ch.field == "base"),
                         c.origin)
            diags.append(_d(where, f"'{cid}' has a base but nothing bears on it", "use credence: for a root claim"))
        if len(parents) > MAX_PARENTS:
            diags.append(_d(c.origin, f"'{cid}' depends on {len(parents)} claims; the engine supports at most "
                                      f"{MAX_PARENTS}", "group related parents under an intermediate claim"))
            continue
        cells = len(c.states) * math.prod(len(amap.claims[p].states) for p in parents)
        if cells > MAX_TABLE_CELLS:
            diags.append(_d(c.origin, f"'{cid}' needs a table of {cells:,} entries (limit {MAX_TABLE_CELLS:,})",
                            "group related parents under an intermediate claim"))
    return diags


def topological_order(parents: dict[str, tuple[str, ...]]) -> list[str] | None:
    """Claims ordered parents first, the smallest id first among those ready (deterministic); None
    if there is a cycle. Linear time, and no networkx import on the path of every command."""
    children: dict[str, list[str]] = {v: [] for v in parents}
    waiting = {}
    for v, ps in parents.items():
        inside = [p for p in ps if p in parents]
        waiting[v] = len(inside)
        for p in inside:
            children[p].append(v)
    ready = [v for v, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        v = heapq.heappop(ready)
        order.append(v)
        for c in children[v]:
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(ready, c)
    return order if len(order) == len(parents) else None


def _check_cycles(amap: ArgumentMap, every: dict[str, tuple[str, ...]]) -> list[Diagnostic]:
    if (claim_order(amap) if every is all_parents(amap) else topological_order(every)) is not None:
        return []
    import networkx as nx

    g = dependency_graph(amap, every)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return []
    path = " -> ".join([u for u, _ in cycle] + [cycle[0][0]])
    on = [r for u, v in cycle for r in amap.relations if r.source == u and r.target == v]
    # point at what closed it: a relation an overlay added, else the last one on the cycle
    rel = next((r for r in on if r.added_by), on[-1] if on else None)
    origin = rel.origin if rel else amap.claims[cycle[-1][1]].origin
    return [_d(origin, f"the map has a cycle: {path}",
               "a claim cannot depend on itself; remove or reverse one of these relations")]


def _check_header(amap: ArgumentMap) -> list[Diagnostic]:
    diags = []
    ids = list(amap.claims)
    if amap.target not in amap.claims:
        diags.append(_d(amap.header.get("target", Origin()), f"target '{amap.target}' is not a claim in this map",
                        did_you_mean(amap.target, ids)))
    for sc in amap.scenarios.values():
        for what, pairs in (("given", sc.given), ("set", sc.set)):
            for cid, state in pairs:
                if cid not in amap.claims:
                    diags.append(_d(sc.origin, f"scenario '{sc.name}' {what} names unknown claim '{cid}'",
                                    did_you_mean(cid, ids)))
                elif state not in amap.claims[cid].states:
                    diags.append(_d(sc.origin, f"scenario '{sc.name}': '{cid}' has no state '{state}'",
                                    f"its states: {list(amap.claims[cid].states)}"))
    for st in amap.stated:
        where = amap.header.get("stated", Origin())
        if st.claim not in amap.claims:
            diags.append(_d(where, f"stated result names unknown claim '{st.claim}'", did_you_mean(st.claim, ids)))
        if st.scenario and st.scenario not in amap.scenarios:
            diags.append(_d(where, f"stated result names unknown scenario '{st.scenario}'",
                            did_you_mean(st.scenario, amap.scenarios)))
        diags += [_d(where, f"stated result for '{st.claim}': {msg}", hint)
                  for msg, hint in stated_given_problems(amap, st)]
    for name, members in amap.crux_groups.items():
        for cid in members:
            if cid not in amap.claims:
                diags.append(_d(amap.header.get("crux_groups", Origin()),
                                f"crux group '{name}' names unknown claim '{cid}'", did_you_mean(cid, ids)))
    if amap.default_scenario and amap.default_scenario not in amap.scenarios:
        diags.append(_d(amap.header.get("default_scenario", Origin()),
                        f"default_scenario '{amap.default_scenario}' is not a scenario",
                        did_you_mean(amap.default_scenario, amap.scenarios)))
    if amap.scale not in SCALES:
        diags.append(_d(amap.header.get("scale", Origin()), f"scale '{amap.scale}' is not a known verbal scale",
                        did_you_mean(amap.scale, SCALES) or f"one of: {', '.join(SCALES)}"))
    return diags


def _w(origin: Origin, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(message, origin.path, origin.line, origin.column, hint, severity="warning")


def overrides(amap: ArgumentMap) -> list[tuple[str, str, str, str]]:
    """Every number a later overlay overrides: (target, field, earlier overlay, later overlay)."""
    return [(c.target, c.field, c.overrides, c.overlay) for c in amap.changes if c.overrides]


def map_warnings(amap: ArgumentMap) -> list[Diagnostic]:
    """What is valid but probably not meant: evidence entered as an argument, an argument that moves nothing,
    overrides, double counting."""
    out = []
    for target, rels in computed_relations(amap).items():
        claim = amap.claims[target]
        certain = _certain_bases(claim, [r.p for r in rels if r.type == "route"])
        for r in rels:
            if r.type in INFLUENCES and certain:
                out.append(_w(r.origin, f"{r.key} cannot move '{target}': its {certain} every row, and no ratio "
                              "moves a certainty", f"give '{target}' a base (or rows) strictly between 0 and 1, "
                              "or let the argument bear on one of its parents"))
    for r in amap.relations:
        src = amap.claims.get(r.source)
        if src is not None and src.kind == "evidence" and r.type != "requires" and r.source not in amap.observations:
            out.append(_w(r.origin, f"evidence '{r.source}' enters '{r.target}' as a parent: its ratio multiplies "
                          f"the odds of '{r.target}' like an argument's and does not update by Bayes' rule",
                          "state a result as an observation (observe: with a factor or likelihoods); "
                          "see docs/format.md, 'ratio is not a Bayes factor'"))
    for c in amap.changes:
        if c.overrides:
            out.append(_w(c.origin, f"overlay '{c.overlay}' overrides the {c.field} of '{c.target}' set by "
                          f"overlay '{c.overrides}'", "the later overlay wins; reorder --with to change that"))
    linked = {c for r in amap.relations for c in (r.source, r.target, *(m for m, _ in r.modulators))}
    linked |= {c for cid, claim in amap.claims.items() if claim.table is not None for c in (cid, *claim.table.given)}
    for cid, claim in amap.claims.items():
        if claim.added_by and cid not in linked and cid not in amap.observations and cid != amap.target:
            out.append(_w(claim.origin, f"overlay '{claim.added_by}' adds '{cid}' with no relation: it bears on "
                          "nothing, so it changes no number", "give it supports:, opposes:, undercuts: or route: "
                          "(or relate it under relate:), or leave it out"))
    out += _double_counting(amap)
    return out


def _certain_bases(claim, routes: list) -> str | None:
    """How a claim is certain in every row before its arguments (its base, or every row of its table, a
    point 0 or 1, and no route that can lift a 0), or None when some row can move."""
    def fixed(q) -> bool:
        return q is not None and q.value in (0.0, 1.0) and q.range is None and q.beta is None
    if claim.table is not None:
        values, what = [dist[1] for _, dist in claim.table.rows], "table is 0 or 1 in"
    else:
        base = claim.base if claim.base is not None else claim.credence[1] if claim.credence is not None else None
        values, what = [base], f"base is {base.value:g} in" if base is not None else ""
    if not values or not all(fixed(q) for q in values):
        return None
    if any(q.value == 0.0 for q in values) and not all(fixed(p) for p in routes):
        return None
    return what


def _double_counting(amap: ArgumentMap) -> list[Diagnostic]:
    """Two overlays adding evidence or arguments that bear on one claim and cite the same source or section."""
    seen: dict[tuple[str, str], tuple[str, str, Origin]] = {}
    out = []
    bearings = [(r.source, r.target, r.added_by or amap.claims[r.source].added_by, r.origin)
                for r in amap.relations if r.type != "requires" and r.source in amap.claims]
    bearings += [(o.id, cid, o.added_by, o.origin) for o in amap.observations.values() for cid in o.claims]
    for src, target, overlay, origin in bearings:
        if overlay is None:
            continue
        claim = amap.claims[src]
        cites = [f"source '{s}'" for s in (claim.provenance.source,) if s] + [f"section {s}" for s in claim.sections]
        for cite in cites:
            first = seen.setdefault((target, cite), (overlay, src, origin))
            if first[0] != overlay:
                out.append(_w(origin, f"'{src}' ({overlay}) and '{first[1]}' ({first[0]}) both bear on '{target}' "
                              f"citing {cite}: the same evidence may be counted twice",
                              "let both overlays share one evidence claim (builds_on the first); see "
                              "docs/critique-guide.md, 'Counting evidence once'"))
                break
    return out


def stated_given_problems(amap: ArgumentMap, st: Stated) -> list[tuple[str, str | None]]:
    """What is wrong with a stated result's ``given:`` conditions: (message, hint) pairs."""
    out: list[tuple[str, str | None]] = []
    for cid, state in st.given:
        if cid not in amap.claims:
            out.append((f"given names unknown claim '{cid}'", did_you_mean(cid, amap.claims)))
        elif state not in amap.claims[cid].states:
            out.append((f"given: '{cid}' has no state '{state}'", f"its states: {list(amap.claims[cid].states)}"))
        elif cid == st.claim:
            out.append((f"given conditions on '{cid}' itself", "drop it from given:"))
    return out

