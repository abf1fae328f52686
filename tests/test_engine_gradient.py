"""Batches that vary few parameters (held CPTs filled once) and the CPT gradient used by one-way functions."""

import dataclasses

import numpy as np
import pytest
from conftest import DATA

import argmap
from argmap.inference.engine import Engine

MAPS = [DATA / "maps" / "sens_mix", None]          # a small test map and the bundled report map


@pytest.fixture(scope="module", params=MAPS, ids=["sens_mix", "bundled"])
def model(request):
    return argmap.Model.load(request.param)


def _query(model):
    c = model.conditions(None, None)
    return model.map.target, dict(c.given), dict(c.set)


def test_a_batch_varying_few_parameters_equals_row_by_row(model):
    net = model.network
    target, given, set_ = _query(model)
    rng = np.random.default_rng(3)
    theta = np.tile(net.theta0, (40, 1))
    for k in rng.choice(len(net.params), size=3, replace=False):     # these vary; every other CPT is held
        p = net.params[k]
        if p.kind in ("probability", "simplex") or p.field == "base":
            theta[:, k] = rng.uniform(0.05, 0.95, size=40)
        else:
            theta[:, k] = rng.uniform(0.2, 5.0, size=40)
    theta[:, [k for k, p in enumerate(net.params) if p.kind == "simplex"]] = net.theta0[
        [k for k, p in enumerate(net.params) if p.kind == "simplex"]]   # keep categorical rows normalised
    fresh = Engine(net)
    batch = fresh.query(target, given, set_, theta)
    assert fresh._varying(fresh.plan(target, given, set_), theta) is not None    # the split path ran
    rows = np.array([Engine(net).query(target, given, set_, t) for t in theta])
    np.testing.assert_allclose(batch, rows, rtol=0, atol=1e-13)
    ev = fresh.joint_evidence(given, set_, theta)
    np.testing.assert_allclose(ev, [Engine(net).joint_evidence(given, set_, t) for t in theta], rtol=1e-13)


def test_cpt_gradient_is_the_multilinear_coefficient(model):
    net = model.network
    target, given, set_ = _query(model)
    evidence = {**given, target: net.states[target][-1]}
    z = float(model.engine.joint_evidence(evidence, set_))
    grad = model.engine.cpt_gradient(evidence, set_)
    cpts = net.cpts(net.theta0[None, :])
    assert grad
    for v, g in grad.items():
        assert g.shape == cpts[v][0].shape
        # P(evidence) is linear in each CPT with the others held: Σ cpt · ∂/∂cpt = P(evidence)
        assert float(np.sum(g * cpts[v][0])) == pytest.approx(z, rel=1e-12, abs=1e-15)
    # and a perturbed CPT moves P(evidence) by exactly the gradient (linearity), checked on one claim
    v = max(grad, key=lambda u: cpts[u][0].size)
    bump = np.random.default_rng(1).uniform(-0.01, 0.01, size=cpts[v][0].shape)
    patched = dict(net.builders)
    patched[v] = lambda th, c=cpts[v][0] + bump: np.repeat(c[None], th.shape[0], axis=0)
    other = Engine(dataclasses.replace(net, builders=patched, specs=None))
    moved = float(other.joint_evidence(evidence, set_))
    assert moved - z == pytest.approx(float(np.sum(grad[v] * bump)), rel=1e-9, abs=1e-15)


def test_lone_claims_skip_elimination_and_keep_marginals_and_gradient(tmp_path):
    """A claim that no other factor reads and whose parents are all fixed or absent is a component by
    itself: the marginal plan eliminates nothing for it (50,000 independent claims used to take 50,000
    steps), its marginal is its table normalised, and the CPT gradient still covers it."""
    from mapkit import write_map

    folder = write_map(tmp_path / "m", [
        {"id": "a", "title": "Alone", "credence": 0.3},
        {"id": "b", "title": "Observed parent", "credence": 0.6, "supports": [{"claim": "c", "ratio": 3}]},
        {"id": "c", "title": "Child of an observed claim", "base": 0.4},
        {"id": "d", "title": "Root", "credence": 0.2, "supports": [{"claim": "e", "ratio": 2}]},
        {"id": "e", "title": "Joined", "base": 0.5},
        {"id": "f", "title": "Three states", "states": ["low", "mid", "high"],
         "credence": {"low": 0.2, "mid": 0.5, "high": 0.3}},
    ], "e")
    model = argmap.Model.load(folder, cache=False)
    net, engine = model.network, model.engine
    given = {"b": "true"}
    plan = engine.marginal_plan(tuple(net.variables), given, {})
    assert {plan.factors[i].var for i in plan.lone} == {"a", "c", "f"}
    assert not {"a", "c", "f"} & {v for s in plan.steps for sc in s.in_scopes for v in sc}
    marg = engine.marginals(given)
    for v in net.variables:                     # a query's plan has no shortcut: the same numbers
        np.testing.assert_allclose(marg[v], Engine(net).query(v, given), rtol=0, atol=1e-15)
    evidence = {**given, "e": "true"}
    z = float(engine.joint_evidence(evidence))
    grad = engine.cpt_gradient(evidence)
    cpts = net.cpts(net.theta0[None, :])
    assert {"a", "c", "f"} <= grad.keys()
    for v, g in grad.items():
        assert g.shape == cpts[v][0].shape
        assert float(np.sum(g * cpts[v][0])) == pytest.approx(z, rel=1e-12, abs=1e-15)


def test_lone_claims_normalised_together_give_each_table_normalised_alone(tmp_path):
    """Many lone claims of one shape are normalised as one stacked array: every marginal has the bits of
    its own table divided by its own sum, for one parameter vector and for a batch."""
    from mapkit import write_map

    rng = np.random.default_rng(7)
    claims = [{"id": f"b{i}", "title": "Binary", "credence": round(float(rng.uniform(0.01, 0.99)), 3)}
              for i in range(40)]
    for i in range(5):
        p = rng.dirichlet(np.ones(3)).round(4)
        p[2] = round(1 - p[0] - p[1], 4)
        claims.append({"id": f"t{i}", "title": "Three states", "states": ["low", "mid", "high"],
                       "credence": {"low": float(p[0]), "mid": float(p[1]), "high": float(p[2])}})
    nine = [f"s{k}" for k in range(9)]
    claims.append({"id": "n", "title": "Nine states", "states": nine, "credence": {s: 1 / 9 for s in nine},
                   "supports": []})
    model = argmap.Model.load(write_map(tmp_path / "m", claims, "b0"), cache=False)
    net, engine = model.network, model.engine
    names = tuple(net.variables)
    plan = engine.marginal_plan(names, {}, {})
    assert {plan.factors[i].var for i in plan.lone} == set(names)
    batch = net.theta0[None, :] * rng.uniform(0.9, 1.0, size=(3, net.theta0.size))
    for theta in (net.theta0[None, :], batch):
        tables = engine._forward(plan, theta, keep=True)
        got = engine._run_marginals(plan, names, theta)
        for i in plan.lone:
            t = tables[i]
            assert got[plan.factors[i].var].tobytes() == (t / t.sum(axis=0)).T.tobytes()
