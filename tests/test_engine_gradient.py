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
