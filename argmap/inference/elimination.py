"""Elimination orders for variable elimination: greedy min-fill on the interaction graph.

The interaction graph joins two variables that share a factor. Eliminating a variable joins all its
neighbours; min-fill picks, at each step, the variable that adds the fewest new edges (ties: fewest
neighbours, then name, so orders are deterministic). Scores are updated incrementally with a lazy
heap, so a sparse 10,000-claim map is ordered in well under a second.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

__all__ = ["min_fill_order"]


def _fill(adj: dict[str, set[str]], v: str) -> int:
    """Edges missing among v's neighbours (each counted from both ends, then halved)."""
    nbrs = adj[v]
    if len(nbrs) < 2:
        return 0
    k = len(nbrs) - 1
    return sum(k - len(adj[a] & nbrs) for a in nbrs) // 2


def min_fill_order(scopes: Iterable[Iterable[str]], eliminate: Iterable[str]) -> list[str]:
    """Order ``eliminate`` by greedy min-fill over the graph induced by factor ``scopes``.

    >>> min_fill_order([("a", "b"), ("b", "c"), ("c", "d")], ["a", "b", "c"])
    ['a', 'b', 'c']
    """
    adj: dict[str, set[str]] = {}
    for scope in scopes:
        scope = list(scope)
        for v in scope:
            adj.setdefault(v, set()).update(u for u in scope if u != v)
    todo = set(eliminate)
    for v in todo:
        adj.setdefault(v, set())
    heap = [(_fill(adj, v), len(adj[v]), v) for v in todo]
    heapq.heapify(heap)
    current = {v: (f, d) for f, d, v in heap}
    order: list[str] = []
    while heap:
        f, d, v = heapq.heappop(heap)
        if v not in todo or current.get(v) != (f, d):
            continue
        order.append(v)
        todo.discard(v)
        nbrs = adj.pop(v)
        for a in nbrs:
            adj[a].discard(v)
            if f:
                adj[a].update(nbrs)
                adj[a].discard(a)
        # only v's neighbours lost an edge; if v added fill edges, their neighbours' fill changes too
        touched = set(nbrs)
        if f:
            for a in nbrs:
                touched.update(adj[a])
        for u in touched:
            if u in todo:
                score = (_fill(adj, u), len(adj[u]))
                if current.get(u) != score:
                    current[u] = score
                    heapq.heappush(heap, (score[0], score[1], u))
    return order
