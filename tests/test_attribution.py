"""Shapley attribution of an overlay stack's change in P(target) to its edits."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from conftest import DATA

from argmap import Model
from argmap.analysis.attribution import _bits, _edits, _stages, _theta_game, attribute, shapley_exact, shapley_sampled
from argmap.base.errors import ArgmapError, QueryError, ValidationError

CMP = DATA / "compare"
MAP = CMP / "map"
TWO_MAP = CMP / "twomap"


def _brute_shapley(v, n):
    """Shapley values by averaging marginal contributions over every ordering (the definition)."""
    out = np.zeros(n)
    orders = list(itertools.permutations(range(n)))
    for order in orders:
        mask = 0
        for i in order:
            out[i] += v[mask | (1 << i)] - v[mask]
            mask |= 1 << i
    return out / len(orders)


def test_shapley_exact_matches_the_definition_on_random_games():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 4, 5):
        v = rng.normal(size=1 << n)
        phi = shapley_exact(v, n)
        assert np.allclose(phi, _brute_shapley(v, n), atol=1e-13)
        assert math.isclose(phi.sum(), v[-1] - v[0], abs_tol=1e-12)


def test_two_edits_hand_computed():
    # P(c) = p * r/(3 + r) + (1 - p) * 1/4 (base 1/4, so base odds 1/3; a's ratio r multiplies them).
    def p_c(p, r):
        return p * r / (3 + r) + (1 - p) * 0.25

    v0, va, vr, v1 = p_c(0.5, 3), p_c(0.8, 3), p_c(0.5, 9), p_c(0.8, 9)
    assert (v0, va, vr, v1) == pytest.approx((0.375, 0.45, 0.5, 0.65), abs=1e-15)
    phi_a = 0.5 * ((va - v0) + (v1 - vr))         # 0.1125
    phi_r = 0.5 * ((vr - v0) + (v1 - va))         # 0.1625
    res = attribute(TWO_MAP, [CMP / "two.yaml"])
    assert res.method == "exact" and res.evaluation == "theta"
    assert [e.target for e in res.edits] == ["a", "a -> c"]
    assert res.values == pytest.approx((phi_a, phi_r), abs=1e-12)
    assert res.values == pytest.approx((0.1125, 0.1625), abs=1e-12)
    assert res.base_probability == pytest.approx(0.375, abs=1e-12)
    assert res.probability == pytest.approx(0.65, abs=1e-12)
    assert abs(sum(res.values) - res.total) < 1e-12


@pytest.mark.parametrize("overlays", [["mix.yaml"], ["mix.yaml", "stack2.yaml"], ["leakless.yaml"]])
def test_values_sum_to_the_whole_change(overlays):
    files = [CMP / o for o in overlays]
    res = attribute(MAP, files)
    plain = Model.load(MAP).probability()
    full = Model.load(MAP, files).probability()
    assert res.base_probability == pytest.approx(plain, abs=1e-15)
    assert res.probability == pytest.approx(full, abs=1e-15)
    assert abs(math.fsum(res.values) - (full - plain)) < 1e-12


def test_sum_holds_under_conditions_and_a_scenario():
    files = [CMP / "mix.yaml", CMP / "stack2.yaml"]
    for kw in ({"scenario": "a_holds"}, {"given": {"g": "true"}}, {"set": {"c": "false"}, "target": "g"},
               {"given": {"c": "true"}, "target": "b"}):
        res = attribute(MAP, files, **kw)
        assert res.base_probability == pytest.approx(Model.load(MAP).probability(**kw), abs=1e-12)
        assert res.probability == pytest.approx(Model.load(MAP, files).probability(**kw), abs=1e-12)
        assert abs(sum(res.values) - res.total) < 1e-12


def test_conditioning_on_a_claim_only_the_overlay_has_is_a_clear_error():
    with pytest.raises(QueryError, match="'x' is not a claim"):
        attribute(MAP, [CMP / "mix.yaml"], given={"x": "true"})


def test_theta_embedding_equals_reapplying_subsets():
    """Neutral settings (ratio 1, leak 1) are exactly the absence of an added claim or relation."""
    files = [CMP / "mix.yaml"]
    maps, specs, docs = _stages(MAP, files)
    edits = _edits(maps, specs, docs)
    full = Model(maps[-1])
    to_theta, used = _theta_game(maps, specs, edits, full)
    n = len(edits)
    rows = _bits(np.arange(1 << n), n)
    by_theta = full.probability(theta=to_theta(rows))
    from argmap.analysis.attribution import _subset_map
    for row, p in zip(rows, by_theta, strict=False):
        keep = {j for j in range(n) if row[j]}
        assert p == pytest.approx(Model(_subset_map(maps[0], specs, edits, keep)).probability(), abs=1e-12)
    # the empty coalition is the map loaded without the overlay
    assert by_theta[0] == pytest.approx(Model.load(MAP).probability(), abs=1e-14)


def test_routes_attribute_by_theta_exactly_as_by_reapplying():
    """A route's neutral p is 0: its absence. An added route, a changed p and an argument into a table."""
    routes = DATA / "maps" / "routes"
    files = [DATA / "maps" / "routes_overlays" / "more-routes.yaml"]
    a = attribute(routes, files, method="theta")
    b = attribute(routes, files, method="reapply", max_exact=20)
    assert a.evaluation == "theta" and len(a.values) == 5
    assert a.values == pytest.approx(b.values, abs=1e-12)
    assert sum(a.values) == pytest.approx(Model.load(routes, files).probability() - Model.load(routes).probability(),
                                          abs=1e-12)


def test_theta_and_reapply_give_the_same_values_across_a_stack():
    files = [CMP / "mix.yaml", CMP / "stack2.yaml"]
    a = attribute(MAP, files, method="theta")
    b = attribute(MAP, files, method="reapply", max_exact=20)
    assert a.evaluation == "theta" and b.evaluation == "reapply"
    assert a.values == pytest.approx(b.values, abs=1e-12)


def test_edits_carry_author_source_reason_and_position():
    res = attribute(MAP, [CMP / "mix.yaml", CMP / "stack2.yaml"])
    by = {(e.overlay, e.kind, e.target): e for e in res.edits}
    leak = by[("mix", "change", "b -> c")]
    assert leak.author == "Bo Other" and leak.source == "test fixture"
    assert leak.reason == "c can hold without b" and leak.summary == "leak 0.2 → 0.4"
    assert leak.origin.path is not None and leak.origin.path.name == "mix.yaml" and leak.origin.line == 31
    reply = by[("stack2", "change", "x -> c")]
    assert reply.author == "Cy Reply" and reply.summary == "ratio 0.3333 → 0.8"
    assert by[("mix", "add", "x")].reason == "x makes c less likely"
    assert by[("mix", "relate", "a -> t")].kind == "relate"


def test_an_edit_on_a_claim_that_does_not_matter_gets_zero():
    # the report-style scenario conditions on a: changing a's credence cannot move P(t | a)
    res = attribute(MAP, [CMP / "mix.yaml"], scenario="a_holds")
    a_edit = next(v for e, v in zip(res.edits, res.values, strict=False) if e.target == "a" and e.kind == "change")
    assert abs(a_edit) < 1e-15


def test_leakless_requirement_falls_back_to_reapplying():
    res = attribute(MAP, [CMP / "leakless.yaml"])
    assert res.evaluation == "reapply" and "no leak" in res.notes[0]
    with pytest.raises(ArgmapError, match="one parameter vector"):
        attribute(MAP, [CMP / "leakless.yaml"], method="theta")


def test_sampled_estimate_adds_up_and_brackets_the_exact_values():
    files = [CMP / "mix.yaml", CMP / "stack2.yaml"]
    exact = attribute(MAP, files)
    est = attribute(MAP, files, max_exact=3, permutations=2000, seed=7)
    assert est.method == "sampled" and est.stderr is not None and est.permutations == 2000
    assert abs(sum(est.values) - est.total) < 1e-12
    for v, e, se in zip(est.values, exact.values, est.stderr, strict=False):
        assert abs(v - e) <= 5 * se + 1e-12
    again = attribute(MAP, files, max_exact=3, permutations=2000, seed=7)
    assert again.values == est.values


def test_shapley_sampled_on_an_additive_game_is_exact():
    w = np.array([0.3, -0.1, 0.05, 0.2])
    est, se = shapley_sampled(lambda rows: rows.astype(float) @ w, 4, permutations=50, seed=1)
    assert est == pytest.approx(w, abs=1e-15) and se == pytest.approx(0, abs=1e-15)


def test_bundled_critiques_attribute_and_add_up():
    try:
        res = attribute(None, ["arguments/critiques/pope-2023.yaml", "arguments/critiques/carlsmith-reply-2023.yaml"])
    except (ValidationError, FileNotFoundError) as err:   # the bundled map is still being written
        pytest.skip(f"bundled overlays do not load yet: {err}")
    assert res.evaluation == "theta"
    assert abs(sum(res.values) - res.total) < 1e-12
    assert {e.overlay for e in res.edits} == {"pope-2023", "carlsmith-reply-2023"}


def test_to_dict_is_complete():
    d = attribute(TWO_MAP, [CMP / "two.yaml"]).to_dict()
    assert d["change"] == pytest.approx(0.275, abs=1e-12)
    row = d["edits"][1]
    assert row["shapley"] == pytest.approx(0.1625, abs=1e-12)
    assert row["author"] == "Hand Computed" and row["reason"] and row["at"].endswith("two.yaml:9")


def test_sampling_also_works_when_reapplying():
    exact = attribute(MAP, [CMP / "leakless.yaml"])
    est = attribute(MAP, [CMP / "leakless.yaml"], max_exact=1, permutations=10)
    assert est.evaluation == "reapply" and est.method == "sampled"
    # with two edits, a permutation and its reverse are the only two orders: the estimate is exact
    assert est.values == pytest.approx(exact.values, abs=1e-12)
    assert abs(sum(est.values) - est.total) < 1e-12


def test_exact_limit_is_bounded():
    with pytest.raises(ArgmapError, match="over a million"):
        attribute(TWO_MAP, [CMP / "two.yaml"], max_exact=21)


def test_an_added_modulator_counts_and_both_evaluations_agree():
    """An added claim that only scales other relations (a modulator) has no relations of its own: its share
    lies in the relations it scales, each its own edit; both evaluations agree."""
    files = [CMP / "modulated.yaml"]
    a = attribute(MAP, files)
    b = attribute(MAP, files, method="reapply")
    assert a.evaluation == "theta" and a.values == pytest.approx(b.values, abs=1e-12)
    value = {(e.kind, e.target): v for e, v in zip(a.edits, a.values, strict=True)}
    assert value[("add", "tight")] == 0.0 and value[("add", "pressure")] == 0.0
    assert abs(value[("add-relation", "pressure -> c")]) > 1e-3 and abs(value[("relate", "b -> t")]) > 1e-3
    assert abs(sum(a.values) - a.total) < 1e-12
