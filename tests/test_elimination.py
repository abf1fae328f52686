"""Greedy min-fill keeps each claim's fill up to date as the graph changes; the order must be the one a
recount of every score at every step gives (same ties: fill, then neighbours, then name)."""

from __future__ import annotations

import random

import pytest

from argmap.inference.elimination import min_fill_order


def _recounted(scopes, eliminate) -> list[str]:
    """Min-fill with every score recounted from the graph at every step (slow, plainly right)."""
    adj: dict[str, set[str]] = {}
    for scope in scopes:
        for v in scope:
            adj.setdefault(v, set()).update(u for u in scope if u != v)
    todo = set(eliminate)
    for v in todo:
        adj.setdefault(v, set())
    order = []
    while todo:
        def score(v: str) -> tuple:
            nbrs = sorted(adj[v])
            missing = sum(1 for i, a in enumerate(nbrs) for b in nbrs[i + 1:] if b not in adj[a])
            return (missing, len(nbrs), v)
        v = min(todo, key=score)
        order.append(v)
        todo.discard(v)
        nbrs = adj.pop(v)
        for a in nbrs:
            adj[a].discard(v)
            adj[a] |= nbrs - {a}
    return order


@pytest.mark.parametrize("seed", range(6))
def test_min_fill_order_equals_a_recount_at_every_step(seed):
    rng = random.Random(seed)
    for _ in range(150):
        n = rng.randint(1, 30)
        names = [f"v{i}" for i in range(n)]
        scopes = [tuple(rng.sample(names, rng.randint(1, min(5, n)))) for _ in range(rng.randint(0, 2 * n))]
        eliminate = rng.sample(names, rng.randint(0, n))        # the others stay (targets, kept claims)
        assert min_fill_order(scopes, eliminate) == _recounted(scopes, eliminate)
