"""argmap's Saltelli design and Sobol estimators are SALib's, number for number (they replace SALib's
per-cell loop and its pandas import)."""

import warnings

import numpy as np
import pytest

from argmap.sensitivity.sobol import saltelli_design, saltelli_indices, scrambled_sobol


@pytest.mark.parametrize("groups, n, seed", [
    (["a", "b", "c"], 8, 0),
    (["a", "a", "b", "c", "c", "c"], 64, 3),      # grouped factors (Dirichlet roots)
    (["b", "a", "b", "a"], 16, 7),                # groups interleaved, first appearance sets the order
    ([f"f{k}" for k in range(24)], 512, 0),       # the default report's size
])
def test_design_equals_salib(groups, n, seed):
    from SALib.sample import sobol as salib

    problem = {"num_vars": len(groups), "names": [f"{g}#{k}" for k, g in enumerate(groups)],
               "bounds": [[0.0, 1.0]] * len(groups), "groups": groups}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = salib.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    got = saltelli_design(groups, n, seed)
    assert got.shape == expected.shape == (n * (len(dict.fromkeys(groups)) + 2), len(groups))
    assert np.array_equal(got, expected)


@pytest.mark.parametrize("groups, n, seed", [
    (["a", "b", "c"], 64, 1),
    (["a", "a", "b", "c", "c", "c"], 128, 4),
    ([f"f{k}" for k in range(24)], 512, 1),
])
def test_indices_equal_salib(groups, n, seed):
    from SALib.analyze import sobol as salib

    names = list(dict.fromkeys(groups))
    problem = {"num_vars": len(groups), "names": [f"{g}#{k}" for k, g in enumerate(groups)],
               "bounds": [[0.0, 1.0]] * len(groups), "groups": groups}
    x = saltelli_design(groups, n, seed)
    weights = np.linspace(2.0, 0.1, len(groups))
    y = np.sin(x @ weights) + x[:, 0] * x[:, -1]                 # uneven shares and an interaction
    expected = salib.analyze(problem, y, calc_second_order=False, num_resamples=100, conf_level=0.9,
                             print_to_console=False, seed=seed)
    got = saltelli_indices(y, len(names), 100, 0.9, seed)
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-12, atol=1e-14)
    assert np.all(got["ST"] > 0) and np.all(got["S1_conf"] > 0)


@pytest.mark.parametrize("dim, n, seed", [(1, 8, 0), (2, 16, 3), (6, 64, 1), (48, 512, 0), (10, 1, 2)])
def test_scrambled_sobol_equals_scipy(dim, n, seed):
    from scipy.stats import qmc

    assert np.array_equal(scrambled_sobol(dim, n, seed), qmc.Sobol(d=dim, scramble=True, seed=seed).random(n))
