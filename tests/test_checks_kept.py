"""A map's parents, computed relations and claim order are worked out once per map, and are each map's own."""

from __future__ import annotations

import dataclasses

from argmap.inference.network import compile_map
from argmap.maps import checks
from argmap.maps.loader import load_map


def test_kept_results_equal_fresh_ones_and_belong_to_their_map():
    amap = load_map(None, ["pope-2023"])
    assert checks.all_parents(amap) == checks._all_parents(amap)
    assert checks.computed_relations(amap) == checks._computed_relations(amap)
    order = checks.claim_order(amap)
    fresh = checks.topological_order(checks._all_parents(amap))
    assert order is not None and fresh is not None and order == tuple(fresh)
    leaf = order[-1]
    other = dataclasses.replace(amap, claims={k: v for k, v in amap.claims.items() if k != leaf},
                                relations=tuple(r for r in amap.relations if leaf not in (r.source, r.target)))
    assert leaf not in checks.all_parents(other) and leaf not in (checks.claim_order(other) or ())
    assert leaf in checks.all_parents(amap) and leaf in (checks.claim_order(amap) or ())   # amap's own again
    assert checks.computed_relations(other) == checks._computed_relations(other)


def test_compiling_a_checked_map_does_not_work_out_its_parents_again(monkeypatch):
    calls: list = []
    real = checks._all_parents

    def counted(m):
        calls.append(m)
        return real(m)
    monkeypatch.setattr(checks, "_all_parents", counted)
    amap = load_map()
    assert len(calls) == 1
    compile_map(amap)
    assert len(calls) == 1
