"""Linear and log-odds pooling of viewpoints' claim marginals, and ranked disagreements."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import DATA

from argmap import Model
from argmap.analysis.pooling import linear_pool, log_pool, pool
from argmap.base.errors import QueryError


def _logit(p):
    return math.log(p / (1 - p))


def _expit(z):
    return 1 / (1 + math.exp(-z))


def test_linear_pool_hand_computed():
    assert linear_pool([[0.8, 0.2], [0.4, 0.6]], [1, 3]).tolist() == pytest.approx([0.5, 0.5], abs=1e-15)
    three = linear_pool([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], [3, 1])
    assert three.tolist() == pytest.approx([0.3, 0.3, 0.4], abs=1e-15)


def test_log_pool_is_weighted_mean_log_odds_for_binary_claims():
    # weights 1/4, 3/4 on P(true) 0.2 and 0.6: pooled log-odds = 0.25 logit(0.2) + 0.75 logit(0.6)
    p = log_pool([[0.8, 0.2], [0.4, 0.6]], [1, 3])
    z = 0.25 * math.log(0.25) + 0.75 * math.log(1.5)
    assert p[1] == pytest.approx(_expit(z), abs=1e-15)
    assert p[1] == pytest.approx(0.25 ** 0.25 * 1.5 ** 0.75 / (1 + 0.25 ** 0.25 * 1.5 ** 0.75), abs=1e-15)


def test_log_pool_categorical_hand_computed():
    # equal weights: p(s) ∝ sqrt(p1(s) p2(s)) = sqrt(.08), sqrt(.09), sqrt(.05)
    p = log_pool([[0.2, 0.3, 0.5], [0.4, 0.3, 0.1]])
    raw = np.sqrt([0.08, 0.09, 0.05])
    assert p.tolist() == pytest.approx((raw / raw.sum()).tolist(), abs=1e-15)


def test_log_pool_respects_certainties_and_refuses_contradictions():
    assert log_pool([[0.0, 1.0], [0.5, 0.5]]).tolist() == [0.0, 1.0]
    assert log_pool([[0.0, 1.0], [1.0, 0.0]], [1, 0]).tolist() == [0.0, 1.0]   # zero weight: ignored
    with pytest.raises(QueryError, match="rule out every state"):
        log_pool([[0.0, 1.0], [1.0, 0.0]])


@pytest.mark.parametrize("weights", [[1, -1], [0, 0], [1], [float("nan"), 1]])
def test_bad_weights_are_refused(weights):
    with pytest.raises(QueryError, match="weights"):
        linear_pool([[0.5, 0.5], [0.2, 0.8]], weights)


def test_pool_of_two_viewpoints_on_the_tiny_map(tiny_map):
    base = Model.load(tiny_map)
    doubt = Model.load(tiny_map, [DATA / "compare" / "doubt.yaml"])
    res = pool({"base": base, "doubt": doubt}, weights=[3, 1])
    pb, pd = base.probability(), doubt.probability()
    assert res.target_credences == pytest.approx({"base": pb, "doubt": pd}, abs=1e-15)
    assert res.linear == pytest.approx(0.75 * pb + 0.25 * pd, abs=1e-15)
    assert res.logodds == pytest.approx(_expit(0.75 * _logit(pb) + 0.25 * _logit(pd)), abs=1e-14)
    assert res.weights == (0.75, 0.25)
    # claims both hold are pooled; the critique's own claim is not (only one viewpoint has it)
    assert "doubt" not in res.linear_marginals and res.linear_marginals["goals"]["true"] == pytest.approx(0.45)
    # disagreement: only 'goals' differs among the target's ancestors (0.5 vs 0.3)
    assert [d.claim for d in res.disagreements] == ["goals"]
    d = res.disagreements[0]
    assert d.spread == pytest.approx(0.2, abs=1e-15)
    # by hand in the base: P(c | goals) = 0.8 * (0.5 * 0.5 + 0.5 * 0.25) = 0.3; P(c | not goals) = 0.1 * that
    imp_base = 0.3 - 0.03
    imp_doubt = (doubt.probability(given={"goals": "true"}) - doubt.probability(given={"goals": "false"}))
    assert d.importance == pytest.approx(0.75 * imp_base + 0.25 * imp_doubt, abs=1e-14)
    assert d.score == pytest.approx(d.spread * d.importance, abs=1e-15)


def test_disagreement_ignores_claims_fixed_by_conditions_and_downstream_claims(tiny_map):
    base = Model.load(tiny_map)
    doubt = Model.load(tiny_map, [DATA / "compare" / "doubt.yaml"])
    res = pool({"base": base, "doubt": doubt}, given={"goals": "true"}, target="goals")
    assert res.disagreements == ()
    assert res.linear == 1.0


def test_pool_needs_the_target_in_every_viewpoint(tiny_map):
    with pytest.raises(QueryError):
        pool({"base": Model.load(tiny_map), "doubt": Model.load(tiny_map, [DATA / "compare" / "doubt.yaml"])},
             target="doubt")
