"""The public Python API: an explicit, exact ``__all__``, and notebook-style use."""

from __future__ import annotations

import types

import numpy as np
import pytest

import argmap
from argmap import Model


def test_all_is_exactly_the_public_names():
    # dir(), not vars(): the public names are imported on first use (PEP 562)
    public = {n for n in dir(argmap) if not n.startswith("_") and not isinstance(getattr(argmap, n), types.ModuleType)}
    assert set(argmap.__all__) == public | {"__version__"}
    for name in argmap.__all__:
        assert hasattr(argmap, name)


def test_notebook_use(tiny_map):
    m = Model.load(tiny_map)
    assert m.probability() == pytest.approx(0.165)
    assert m.probability(given={"aware": True}) == pytest.approx(0.165 / 0.8)
    assert m.distribution("conclusion") == pytest.approx({"false": 0.835, "true": 0.165})
    result = m.run()
    assert result.to_dict()["probability"] == pytest.approx(0.165)
    assert "tiny" in repr(m)


def test_batched_probability_matches_single(tiny_map):
    m = Model.load(tiny_map)
    theta = np.repeat(m.network.theta0[None, :], 3, axis=0)
    i = m.network.param_index("credence:aware")
    theta[:, i] = [0.0, 0.5, 1.0]
    got = m.probability(theta=theta)
    assert got.shape == (3,)
    np.testing.assert_allclose(got, [0.0, 0.165 / 0.8 * 0.5, 0.165 / 0.8], atol=1e-15)


def test_inputs_are_not_mutated(tiny_map):
    m = Model.load(tiny_map)
    before = m.network.theta0.copy()
    m.probability(set={"goals": "false"})
    np.testing.assert_array_equal(before, m.network.theta0)
