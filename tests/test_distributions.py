"""Distributions over parameters: interval fits, factor families, seeded sampling, unit-cube mapping."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DATA
from scipy import stats

from argmap import Model
from argmap.inference.distributions import (
    fit_beta,
    fit_lognormal,
    param_interval,
    sample_theta,
    uncertain_factors,
    unit_to_theta,
)

MIX = DATA / "maps" / "sens_mix"


@pytest.fixture(scope="module")
def mix():
    return Model.load(MIX)


def _conc(model):
    return {c.id: c.concentration for c in model.map.claims.values() if c.concentration}


@pytest.mark.parametrize("lo,hi", [(0.1, 0.5), (0.01, 0.15), (0.6, 0.95), (0.3, 0.85), (0.45, 0.46)])
def test_fit_beta_puts_the_interval_at_the_5_and_95_percent_quantiles(lo, hi):
    a, b = fit_beta(lo, hi)
    assert stats.beta.ppf([0.05, 0.95], a, b) == pytest.approx([lo, hi], rel=1e-6)


def test_fit_beta_survives_intervals_touching_0_or_1():
    for lo, hi in [(0.0, 0.3), (0.9, 1.0)]:
        a, b = fit_beta(lo, hi)
        q = stats.beta.ppf([0.05, 0.95], a, b)
        assert a > 0 and b > 0 and lo <= q[0] < q[1] <= hi + 1e-12


def test_fit_beta_solves_what_least_squares_solved_without_scipy_optimize():
    """The Newton fit finds the least-squares fit's (a, b) (both solve the two quantile equations exactly) on
    ranges narrow, wide, lopsided and touching 0 or 1, and needs no scipy.optimize."""
    import subprocess
    import sys

    from scipy import optimize, special

    from argmap.inference.distributions import _EDGE, _fit_beta

    def reference(lo, hi):
        lo, hi = min(max(lo, _EDGE), 1 - 2 * _EDGE), max(min(hi, 1 - _EDGE), 2 * _EDGE)
        target = np.log([lo / (1 - lo), hi / (1 - hi)])

        def resid(x):
            v = np.clip(special.betaincinv(*np.exp(x), [0.05, 0.95]), 1e-300, 1 - 1e-16)
            return np.log(v / (1 - v)) - target
        m = (lo + hi) / 2
        k = max(m * (1 - m) / max((hi - lo) / 3.29, 1e-6) ** 2 - 1, 0.1)
        sol = optimize.least_squares(resid, np.log([max(m * k, 1e-3), max((1 - m) * k, 1e-3)]),
                                     xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=2000)
        return np.exp(sol.x)

    ranges = [(0.0, 0.1), (0.9, 1.0), (0.001, 0.002), (0.3, 0.31), (0.05, 0.95), (0.2, 0.9999)]
    ranges += [(float(lo), float(hi)) for lo in np.linspace(0, 0.9, 7) for hi in np.linspace(lo + 0.02, 1.0, 5)]
    for lo, hi in ranges:
        assert _fit_beta(lo, hi, 0.9) == pytest.approx(reference(lo, hi), rel=1e-9), (lo, hi)
    code = ("import sys; from argmap.inference.distributions import fit_beta; fit_beta(0.1, 0.5); "
            "print('scipy.optimize' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_fit_lognormal_quantiles():
    mu, sigma = fit_lognormal(1.5, 6.0)
    assert stats.lognorm.ppf([0.05, 0.95], sigma, scale=np.exp(mu)) == pytest.approx([1.5, 6.0], rel=1e-12)


def test_each_uncertain_number_becomes_one_factor_of_the_right_family(mix):
    net = mix.network
    factors = {f.name: f for f in uncertain_factors(net, _conc(mix))}
    assert factors["credence:arg"].family == "beta"
    assert factors["credence:crit"].family == "beta" and factors["credence:crit"].args == (2.0, 6.0)
    assert factors["ratio:arg -> goal"].family == "lognormal"
    assert factors["scale:arg -> goal@slack=medium"].family == "lognormal"
    dirichlet = factors["credence:slack"]
    assert dirichlet.family == "dirichlet" and dirichlet.dims == 3
    assert dirichlet.args == pytest.approx((12 * 0.3, 12 * 0.45, 12 * 0.25))
    # point-only numbers stay fixed
    assert "ratio:arg2 -> goal" not in factors and "table:conclusion[kind_of_model=y]" not in factors
    assert "credence:slack" not in {f.name for f in uncertain_factors(net)}     # no concentration: fixed


def test_sampling_is_seeded_and_keeps_point_numbers_fixed(mix):
    net = mix.network
    f = uncertain_factors(net, _conc(mix))
    a = sample_theta(net, 4000, seed=7, factors=f)
    assert np.array_equal(a, sample_theta(net, 4000, seed=7, factors=f))
    assert not np.array_equal(a, sample_theta(net, 4000, seed=8, factors=f))
    varied = {c for fac in f for c in fac.columns}
    fixed = [i for i in range(len(net.params)) if i not in varied]
    assert np.array_equal(a[:, fixed], np.tile(net.theta0[fixed], (4000, 1)))
    slack = list(next(x for x in f if x.name == "credence:slack").columns)
    assert np.allclose(a[:, slack].sum(axis=1), 1.0)
    assert a[:, slack].mean(axis=0) == pytest.approx([0.3, 0.45, 0.25], abs=0.01)
    crit = net.param_index("credence:crit")
    assert a[:, crit].mean() == pytest.approx(0.25, abs=0.01)


def test_unit_cube_maps_through_inverse_cdfs(mix):
    net = mix.network
    f = uncertain_factors(net, _conc(mix))
    dims = sum(x.dims for x in f)
    th = unit_to_theta(net, f, np.full((1, dims), 0.5))[0]
    a, b = fit_beta(0.3, 0.85)
    assert th[net.param_index("credence:arg")] == pytest.approx(stats.beta.median(a, b), rel=1e-9)
    assert th[net.param_index("ratio:arg -> goal")] == pytest.approx(3.0, rel=1e-12)   # sqrt(1.5 * 6)
    u = np.random.default_rng(0).random((20000, dims))
    slack = list(next(x for x in f if x.name == "credence:slack").columns)
    draws = unit_to_theta(net, f, u)[:, slack]
    assert np.allclose(draws.sum(axis=1), 1.0)
    assert draws.mean(axis=0) == pytest.approx([0.3, 0.45, 0.25], abs=0.01)


def test_intervals_are_the_stated_range_or_the_distribution_5_95(mix):
    net = mix.network
    iv = param_interval(net, uncertain_factors(net, _conc(mix)))
    assert iv[net.param_index("credence:aware")] == (0.6, 0.95)
    assert iv[net.param_index("credence:crit")] == pytest.approx(tuple(stats.beta.ppf([0.05, 0.95], 2, 6)))
    low = net.param_index("credence:slack=low")
    assert iv[low] == pytest.approx(tuple(stats.beta.ppf([0.05, 0.95], 3.6, 8.4)))
