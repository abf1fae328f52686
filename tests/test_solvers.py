"""The small solvers that replace scipy.optimize on the sensitivity path give scipy's answers."""

import math

import numpy as np
import pytest

from argmap.distributions import fit_beta
from argmap.sensitivity.thresholds import _brentq


def test_brentq_port_finds_scipys_roots_bit_for_bit():
    from scipy.optimize import brentq

    rng = np.random.default_rng(0)
    roots = 0
    for _ in range(300):
        c = rng.normal(size=4)

        def f(x, c=c):
            return math.tanh(c[0] * x + c[1]) + c[2] * x ** 3 - 0.3 * c[3]
        xs = np.linspace(-3, 3, 13)
        g = [f(x) for x in xs]
        for a, b, ga, gb in zip(xs, xs[1:], g, g[1:]):
            if ga * gb < 0:
                roots += 1
                assert _brentq(f, a, b, 1e-15, 1e-14, 200) == brentq(f, a, b, xtol=1e-15, rtol=1e-14, maxiter=200)
    assert roots > 100


def test_brentq_port_refuses_an_unbracketed_interval():
    with pytest.raises(ValueError):
        _brentq(lambda x: x * x + 1, -1.0, 1.0, 1e-15, 1e-14, 200)


@pytest.mark.parametrize("lo, hi", [(0.1, 0.5), (0.01, 0.15), (0.6, 0.95), (0.45, 0.46), (0.0, 0.3), (0.9, 1.0),
                                    (0.0, 1.0), (0.001, 0.002), (0.2, 0.99), (0.3, 0.3)])
def test_fit_beta_agrees_with_scipy_least_squares(lo, hi):
    from scipy import optimize, special

    fit_beta.cache_clear()
    a, b = fit_beta(lo, hi)
    # scipy's least squares on the same residual, from the same start (what fit_beta did before)
    edge = 1e-4
    lo_, hi_ = min(max(lo, edge), 1 - 2 * edge), max(min(hi, 1 - edge), 2 * edge)
    if hi_ <= lo_:
        hi_ = min(lo_ + edge, 1 - edge / 2)
    q = np.array([0.05, 0.95])
    target = np.log([lo_ / (1 - lo_), hi_ / (1 - hi_)])

    def resid(x):
        v = np.clip(special.betaincinv(*np.exp(x), q), 1e-300, 1 - 1e-16)
        return np.log(v / (1 - v)) - target
    m, sd = (lo_ + hi_) / 2, max((hi_ - lo_) / (2 * 1.6448536269514722), 1e-6)
    k = max(m * (1 - m) / sd ** 2 - 1, 0.1)
    x0 = np.log([max(m * k, 1e-3), max((1 - m) * k, 1e-3)])
    ref = np.exp(optimize.least_squares(resid, x0, xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=2000).x)
    assert (a, b) == pytest.approx(tuple(ref), rel=1e-12)
