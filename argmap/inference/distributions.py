"""Distributions over a network's parameters, for tornado ranges, Monte Carlo and Sobol.

Every uncertain number in a map becomes one **factor**:

- a probability with a 90% ``range`` → a beta whose 5% and 95% quantiles are the range's ends;
  a probability with a ``beta`` → that beta;
- an odds ratio (or a modulator scale) with a ``range`` → a log-normal with those quantiles
  (a scale range starting at 0 → uniform over it);
- a categorical root with ``concentration: c`` → a Dirichlet with parameters ``c × point`` (the
  point is its mean). It is one factor driving several θ columns, sampled by normalising independent
  gammas, so a unit-cube sample maps to it through the gammas' inverse CDFs.

A parameter without a range or distribution stays at its point value. scipy is imported lazily.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .network import Network

__all__ = ["Factor", "fit_beta", "fit_lognormal", "uncertain_factors", "unit_to_theta", "sample_theta",
           "param_interval", "MASS"]

MASS = 0.9
"""Probability mass of a stated range (a 90% interval)."""
_Z95 = 1.6448536269514722     # standard normal 95% quantile
_EDGE = 1e-4                  # a probability range touching 0 or 1 is fitted as if it ended this close
_UCLIP = 1e-12


@dataclass(frozen=True)
class Factor:
    """One independent source of uncertainty.

    ``family`` is ``beta`` (args a, b; ``fitted`` when fitted to a 90% range), ``lognormal`` (mu, sigma
    of the log), ``uniform`` (lo, hi) or
    ``dirichlet`` (one alpha per column in ``columns``). ``columns`` are the θ indices it sets;
    ``dims`` is how many unit-cube coordinates it consumes.
    """

    name: str
    family: str
    spec: tuple[float, ...]
    """The args, or for a beta fitted to a stated range (``fitted``), that range."""
    columns: tuple[int, ...]
    fitted: bool = False

    @property
    def args(self) -> tuple[float, ...]:
        """The distribution's parameters. A fitted beta is fitted on first use (:func:`fit_beta`, cached):
        a tornado over stated ranges never needs the fit, nor the scipy.optimize it imports."""
        return fit_beta(*self.spec) if self.fitted else self.spec

    @property
    def dims(self) -> int:
        return len(self.columns) if self.family == "dirichlet" else 1

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Map unit-cube coordinates ``u`` (shape (B, dims)) to column values (shape (B, len(columns)))."""
        from scipy import special

        u = np.clip(np.asarray(u, dtype=float), _UCLIP, 1.0 - _UCLIP)
        if self.family == "beta":
            return _on_unique(lambda x: special.betaincinv(*self.args, x), u)
        if self.family == "lognormal":
            mu, sigma = self.args
            return np.exp(mu + sigma * special.ndtri(u))
        if self.family == "uniform":
            lo, hi = self.args
            return lo + (hi - lo) * u
        alpha = np.asarray(self.args)
        g = np.zeros(u.shape)
        for k in np.flatnonzero(alpha > 0):
            g[:, k] = _on_unique(lambda x, a=alpha[k]: special.gammaincinv(a, x), u[:, k])
        return g / g.sum(axis=1, keepdims=True)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws of the column values (shape (n, len(columns))), by numpy's direct samplers."""
        if self.family == "beta":
            return rng.beta(self.args[0], self.args[1], size=(n, 1))
        if self.family == "lognormal":
            return rng.lognormal(self.args[0], self.args[1], size=(n, 1))
        if self.family == "uniform":
            return rng.uniform(self.args[0], self.args[1], size=(n, 1))
        alpha = np.asarray(self.args)
        g = np.zeros((n, alpha.size))
        pos = alpha > 0
        g[:, pos] = rng.standard_gamma(alpha[pos], size=(n, int(pos.sum())))
        return g / g.sum(axis=1, keepdims=True)

    def interval(self, mass: float = MASS) -> list[tuple[float, float]]:
        """The central ``mass`` interval of each column's marginal distribution."""
        from scipy import special

        lo_q, hi_q = (1 - mass) / 2, (1 + mass) / 2
        if self.family == "dirichlet":
            alpha = np.asarray(self.args)
            total = alpha.sum()
            return [(0.0, 0.0) if a <= 0 else _pair(special.betaincinv(a, total - a, np.array([lo_q, hi_q])))
                    for a in alpha]
        u = np.array([[lo_q], [hi_q]])
        lo, hi = self.ppf(u)[:, 0]
        return [(float(lo), float(hi))]


def _on_unique(fn, u: np.ndarray) -> np.ndarray:
    """``fn(u)`` computed once per distinct value (Saltelli designs repeat each column's values)."""
    vals, inv = np.unique(u, return_inverse=True)
    return fn(vals)[inv].reshape(u.shape)


@lru_cache(maxsize=4096)
def fit_beta(lo: float, hi: float, mass: float = MASS) -> tuple[float, float]:
    """Beta (a, b) whose central ``mass`` interval is [lo, hi].

    >>> a, b = fit_beta(0.1, 0.5)
    >>> from scipy.special import betaincinv
    >>> [round(float(x), 6) for x in betaincinv(a, b, [0.05, 0.95])]
    [0.1, 0.5]
    """
    from scipy import optimize, special

    lo, hi = min(max(lo, _EDGE), 1 - 2 * _EDGE), max(min(hi, 1 - _EDGE), 2 * _EDGE)
    if hi <= lo:
        hi = min(lo + _EDGE, 1 - _EDGE / 2)
    q = np.array([(1 - mass) / 2, (1 + mass) / 2])
    target = np.log([lo / (1 - lo), hi / (1 - hi)])
    # start: moments of a logit-normal matching the interval
    m = (lo + hi) / 2
    sd = max((hi - lo) / (2 * _Z95), 1e-6)
    k = max(m * (1 - m) / sd ** 2 - 1, 0.1)
    x0 = np.log([max(m * k, 1e-3), max((1 - m) * k, 1e-3)])

    def resid(x):
        a, b = np.exp(x)
        v = np.clip(special.betaincinv(a, b, q), 1e-300, 1 - 1e-16)
        return np.log(v / (1 - v)) - target

    sol = optimize.least_squares(resid, x0, xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=2000)
    a, b = np.exp(sol.x)
    return float(a), float(b)


def fit_lognormal(lo: float, hi: float, mass: float = MASS) -> tuple[float, float]:
    """(mu, sigma) of a log-normal whose central ``mass`` interval is [lo, hi] (0 < lo ≤ hi).

    >>> mu, sigma = fit_lognormal(0.5, 2.0)
    >>> round(mu, 12), round(sigma, 6)
    (0.0, 0.421404)
    """
    from statistics import NormalDist

    z = NormalDist().inv_cdf((1 + mass) / 2)
    return (math.log(lo) + math.log(hi)) / 2, (math.log(hi) - math.log(lo)) / (2 * z)


def _scalar_factor(net: Network, i: int) -> Factor | None:
    p = net.params[i]
    q = p.quantity
    if p.kind == "simplex":
        return None
    if q.beta is not None and p.kind == "probability":
        return Factor(p.name, "beta", tuple(map(float, q.beta)), (i,))
    if q.range is None or q.range[0] == q.range[1]:
        return None
    lo, hi = q.range
    if p.kind == "probability":
        return Factor(p.name, "beta", (lo, hi), (i,), fitted=True)
    if lo > 0:
        return Factor(p.name, "lognormal", fit_lognormal(lo, hi), (i,))
    return Factor(p.name, "uniform", (float(lo), float(hi)), (i,))


def uncertain_factors(net: Network, concentration: dict[str, float] | None = None) -> tuple[Factor, ...]:
    """The independent uncertain factors of a network, in θ order.

    ``concentration`` maps a categorical root claim to its Dirichlet concentration (from the map's
    ``concentration:``); categorical roots without one stay at their point.
    """
    concentration = concentration or {}
    out: list[Factor] = []
    seen_groups: set[tuple[int, ...]] = set()
    for i, p in enumerate(net.params):
        if p.kind == "simplex":
            c = concentration.get(p.claim)
            if p.field != "credence" or c is None or p.group in seen_groups:
                continue
            seen_groups.add(p.group)
            alpha = tuple(float(c * net.theta0[j]) for j in p.group)
            out.append(Factor(f"credence:{p.claim}", "dirichlet", alpha, p.group))
            continue
        f = _scalar_factor(net, i)
        if f is not None:
            out.append(f)
    return tuple(out)


def unit_to_theta(net: Network, factors: tuple[Factor, ...], u: np.ndarray) -> np.ndarray:
    """Map unit-cube samples ``u`` (shape (B, Σ dims)) to a θ batch (B, P); other columns stay at θ0."""
    u = np.atleast_2d(np.asarray(u, dtype=float))
    theta = np.tile(net.theta0, (u.shape[0], 1))
    k = 0
    for f in factors:
        theta[:, list(f.columns)] = f.ppf(u[:, k:k + f.dims]).reshape(u.shape[0], len(f.columns))
        k += f.dims
    return theta


def sample_theta(net: Network, n: int, seed: int | None = 0, factors: tuple[Factor, ...] | None = None,
                 concentration: dict[str, float] | None = None) -> np.ndarray:
    """Draw ``n`` parameter vectors (shape (n, P)) from all uncertain factors at once, reproducibly."""
    if factors is None:
        factors = uncertain_factors(net, concentration)
    rng = np.random.default_rng(seed)
    theta = np.tile(net.theta0, (n, 1))
    for f in factors:
        theta[:, list(f.columns)] = f.sample(rng, n)
    return theta


def _pair(values) -> tuple[float, float]:
    lo, hi = values
    return float(lo), float(hi)


def param_interval(net: Network, factors: tuple[Factor, ...], mass: float = MASS) -> dict[int, tuple[float, float]]:
    """θ index → (low, high): the stated range if any, else the central ``mass`` interval of its factor."""
    out: dict[int, tuple[float, float]] = {}
    for f in factors:
        stated = [net.params[col].quantity.range if mass == MASS else None for col in f.columns]
        ivs = f.interval(mass) if any(r is None for r in stated) else stated
        for col, r, iv in zip(f.columns, stated, ivs, strict=True):
            out[col] = _pair(r if r is not None else iv)
    return out
