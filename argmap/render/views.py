"""Which nodes and edges a diagram shows: the whole map, a focus neighbourhood, collapsed parts.

A :class:`View` is computed from the map's structure alone (no numbers), so every view of a map is
deterministic: nodes follow the map's lexicographic topological order and edges are sorted.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from ..base.errors import QueryError, did_you_mean
from ..base.records import dataclass
from ..maps.checks import topological_order
from ..maps.models import ArgumentMap, Relation

__all__ = ["ViewNode", "ViewEdge", "View", "make_view", "downstream_beside", "claim_edges", "effective_parts",
           "PART_PREFIX", "OVERVIEW_ABOVE"]

PART_PREFIX = "Part_"
"""DOT ids of collapsed parts start with this (claim ids are lower-case, so never collide)."""

OVERVIEW_ABOVE = 30
"""A map with more claims than this is shown by default as its overview (each part collapsed to one box):
in the post bundle and in a notebook."""


@dataclass(frozen=True)
class ViewNode:
    """A drawn node: one claim, or a collapsed part standing for its ``members``."""

    id: str
    claim: str | None = None
    part: str | None = None
    members: tuple[str, ...] = ()
    heads: tuple[str, ...] = ()
    """For a collapsed part: the members with an edge leaving the part (its outputs)."""


@dataclass(frozen=True)
class ViewEdge:
    """A drawn edge of one ``type`` between two drawn nodes, standing for one or more relations."""

    source: str
    target: str
    type: str
    relations: tuple[Relation, ...] = ()


@dataclass(frozen=True)
class View:
    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    clusters: tuple[tuple[str, tuple[str, ...]], ...]
    """(part id, ids of expanded claim nodes in it), in the map's part order."""
    beside: tuple[str, ...] = ()
    """Collapsed parts drawn on the target's rank, beside it: parts downstream of the target only
    (:func:`downstream_beside`)."""


def claim_edges(amap: ArgumentMap) -> list[tuple[str, str, str, Relation | None]]:
    """Every drawable edge between claims: relations, modulator links and table parents.

    Each entry is ``(source, target, type, relation)``; ``type`` is a relation type, ``modulates``
    (a claim scaling a relation's strength) or ``depends`` (a table parent with no declared relation).
    """
    out: list[tuple[str, str, str, Relation | None]] = []
    declared = set()
    for r in amap.relations:
        out.append((r.source, r.target, r.type, r))
        declared.add((r.source, r.target))
        for m, _ in r.modulators:
            out.append((m, r.target, "modulates", r))
            declared.add((m, r.target))
    for cid, claim in amap.claims.items():
        if claim.table is not None:
            for g in claim.table.given:
                if (g, cid) not in declared:
                    out.append((g, cid, "depends", None))
    return out


def _order(amap: ArgumentMap) -> list[str]:
    """Claims parents first, the smallest id first among those ready (networkx's lexicographical topological
    sort, without importing networkx); a cyclic map, which cannot compile but can still be drawn: sorted."""
    parents: dict[str, list[str]] = {c: [] for c in amap.claims}
    for s, t, _, _ in claim_edges(amap):
        if s in parents and t in parents:
            parents[t].append(s)
    order = topological_order({c: tuple(ps) for c, ps in parents.items()})
    return order if order is not None else sorted(amap.claims)


def _find_cycle(pairs: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The cycle ``networkx.find_cycle(networkx.DiGraph(pairs))`` finds (the same edges in the same order:
    the same depth-first search over nodes and edges in first-seen order, without importing networkx); None
    if there is none."""
    succ: dict[str, dict[str, None]] = {}
    for s, t in pairs:
        succ.setdefault(s, {})[t] = None
        succ.setdefault(t, {})
    explored: set[str] = set()
    for start in succ:
        if start in explored:
            continue
        edges: list[tuple[str, str]] = []
        seen, active = {start}, {start}
        previous: str | None = None
        for tail, head in _edge_dfs(succ, start):
            if head in explored:
                continue
            if previous is not None and tail != previous:        # backtracked: pop to the edge ending at tail
                while True:
                    if not edges:
                        active = {tail}
                        break
                    active.remove(edges.pop()[1])
                    if edges and edges[-1][1] == tail:
                        break
            edges.append((tail, head))
            if head in active:
                first = next(i for i, (t, _) in enumerate(edges) if t == head)
                return edges[first:]
            seen.add(head)
            active.add(head)
            previous = head
        explored |= seen
    return None


def _edge_dfs(succ: dict[str, dict[str, None]], start: str) -> Iterator[tuple[str, str]]:
    """networkx's ``edge_dfs`` of a directed graph from one node: each edge once, in depth-first order."""
    stack, out, visited = [start], {}, set()
    while stack:
        node = stack[-1]
        if node not in visited:
            out[node] = iter(succ[node])
            visited.add(node)
        head = next(out[node], None)
        if head is None:
            stack.pop()
        else:
            stack.append(head)
            yield node, head


def _neighbourhood(amap: ArgumentMap, focus: str, depth: int) -> set[str]:
    if focus not in amap.claims:
        hint = did_you_mean(focus, amap.claims)
        raise QueryError(f"cannot focus on '{focus}': not a claim in this map" + (f"; {hint}" if hint else ""))
    if depth < 0:
        raise QueryError(f"--depth must be 0 or more, not {depth}")
    adj: dict[str, set[str]] = {c: set() for c in amap.claims}
    for s, t, _, _ in claim_edges(amap):
        if s in adj and t in adj:
            adj[s].add(t)
            adj[t].add(s)
    seen = {focus: 0}
    queue = deque([focus])
    while queue:
        v = queue.popleft()
        if seen[v] == depth:
            continue
        for u in sorted(adj[v]):
            if u not in seen:
                seen[u] = seen[v] + 1
                queue.append(u)
    return set(seen)


def effective_parts(amap: ArgumentMap) -> dict[str, str | None]:
    """Each claim's part; a claim with none (e.g. added by an overlay) joins the part of the first
    claim it bears on, so collapsing and clustering keep it next to what it argues about."""
    out = {cid: c.part for cid, c in amap.claims.items()}
    targets: dict[str, list[str]] = {}
    for r in amap.relations:
        targets.setdefault(r.source, []).append(r.target)
    for cid in amap.claims:
        seen, cur = {cid}, cid
        while out[cid] is None and targets.get(cur):
            cur = targets[cur][0]
            if cur in seen or cur not in amap.claims:
                break
            seen.add(cur)
            out[cid] = amap.claims[cur].part
    return out


_TRIES = 8
"""How many claims on a loop between collapsed parts :func:`_placed` tries before expanding the first."""


def _placed(order: list[str], shown: set[str], part_of: dict[str, str | None], collapse: set[str],
            keep: set[str], edges: list[tuple[str, str, str, Relation | None]]) -> dict[str, str]:
    """Each shown claim's drawn node: its collapsed part's, or its own.

    Collapsing can join claims of an acyclic map into a loop between parts (part A feeds part B, which
    feeds another member of A). A loop would read as circular reasoning the map does not contain, so
    while the drawn graph has one, one collapsed claim on it is drawn on its own: the first (in the map's
    order, among the first few) whose expansion leaves no loop, else the first on the loop. Each round
    expands one claim, so this ends.
    """
    rank = {c: i for i, c in enumerate(order)}

    def drawn(expanded: set[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
        where = {c: PART_PREFIX + part_of[c] if part_of[c] in collapse and c not in expanded else c  # type: ignore[operator]
                 for c in order if c in shown}
        return where, [(where[s], where[t]) for s, t, _, _ in edges
                       if s in where and t in where and where[s] != where[t]]

    expanded = set(keep)
    while True:
        where, pairs = drawn(expanded)
        cycle = _find_cycle(pairs)
        if cycle is None:
            return where
        loop = {n for e in cycle for n in e}
        candidates = sorted({c for s, t, _, _ in edges if s in where and t in where
                             and where[s] in loop and where[t] in loop and where[s] != where[t]
                             for c in (s, t) if where[c] != c}, key=rank.__getitem__)
        if not candidates:                 # the map itself is cyclic: it cannot compile, draw it as it is
            return where
        tried = candidates[:_TRIES]        # each try redraws the graph: bounded, for maps with many parts
        expanded.add(next((c for c in tried if _find_cycle(drawn(expanded | {c})[1]) is None),
                          candidates[0]))


def make_view(amap: ArgumentMap, *, focus: str | None = None, depth: int | None = None,
              collapse: Iterable[str] = (), keep: Iterable[str] = (), hide: Iterable[str] = (),
              clusters: bool = True) -> View:
    """Select and group what to draw.

    Parameters
    ----------
    focus, depth
        Keep only claims within ``depth`` relations (either direction) of ``focus`` (depth default 2).
    collapse
        Part ids to draw as one node each (edges inside a part vanish; edges across it merge). Where two
        collapsed parts would feed each other (a loop the map does not have), a member on the loop is
        drawn on its own, so every view is acyclic like its map.
    keep
        Claims never hidden inside a collapsed part (e.g. the target, so the headline stays visible).
    hide
        Claims not drawn at all (e.g. observed claims in a post overview, named in its subtitle).
    clusters
        Group expanded claims in a box per part (off: a flatter, narrower layout).
    """
    collapse = tuple(dict.fromkeys(collapse))
    for part in collapse:
        if part not in amap.parts and part not in {c.part for c in amap.claims.values()}:
            hint = did_you_mean(part, amap.parts)
            raise QueryError(f"cannot collapse '{part}': not a part of this map"
                             + (f"; {hint}" if hint else f" (parts: {', '.join(amap.parts) or 'none'})"))
    order = _order(amap)
    part_of = effective_parts(amap)
    shown = _neighbourhood(amap, focus, 2 if depth is None else depth) if focus else set(order)
    shown -= set(hide) - set(keep)
    keep = set(keep) | ({focus} if focus else set())
    all_edges = claim_edges(amap)
    where = _placed(order, shown, part_of, set(collapse), keep, all_edges)
    merged: dict[tuple[str, str, str], list[Relation]] = {}
    for s, t, kind, rel in all_edges:
        if s not in where or t not in where or where[s] == where[t]:
            continue
        rels = merged.setdefault((where[s], where[t], kind), [])
        if rel is not None and rel not in rels:
            rels.append(rel)
    rank = {node: i for i, node in enumerate(dict.fromkeys(where[c] for c in order if c in where))}
    edges = tuple(ViewEdge(s, t, k, tuple(r)) for (s, t, k), r in
                  sorted(merged.items(), key=lambda kv: (rank[kv[0][0]], rank[kv[0][1]], kv[0][2])))
    nodes = []
    for node in rank:
        if node.startswith(PART_PREFIX):
            part = node[len(PART_PREFIX):]
            members = tuple(c for c in order if where.get(c) == node)
            heads = tuple(c for c in members if any(s == c and where.get(t, node) != node
                                                     for s, t, _, _ in all_edges))
            nodes.append(ViewNode(node, part=part, members=members, heads=heads))
        else:
            nodes.append(ViewNode(node, claim=node, part=part_of[node]))
    part_order = list(amap.parts) + sorted({n.part for n in nodes if n.part and n.part not in amap.parts})
    groups = tuple((p, tuple(n.id for n in nodes if n.claim and n.part == p)) for p in part_order)
    return View(tuple(nodes), edges, tuple((p, ids) for p, ids in groups if ids) if clusters else ())


def downstream_beside(amap: ArgumentMap, view: View, target: str) -> View:
    """``view`` with each collapsed part that is downstream of ``target`` only (no member bears on the
    target, some member depends on it) drawn beside the target: it keeps only its edge from the target,
    so it no longer reads as the map's final output nor draws long edges across the overview (every
    relation stays in the full map)."""
    from ..maps.reach import chain_to, claim_graph, reachable

    feeds = set(chain_to(amap, list(amap.claims), target))          # every claim with a path to the target
    below = reachable(claim_graph(amap), [target]) - {target}
    sinks = {n.id for n in view.nodes if not n.claim and n.members and not set(n.members) & feeds
             and set(n.members) & below}
    if target not in {n.id for n in view.nodes} or not sinks:
        return view
    edges = tuple(e for e in view.edges if e.target not in sinks or e.source == target)
    return View(view.nodes, edges, view.clusters, tuple(n.id for n in view.nodes if n.id in sinks))

