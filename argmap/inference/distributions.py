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

Words read as distributions (:mod:`argmap.inference.words`) add two families: ``empirical`` (a survey's
responses, sampled by linear interpolation of their quantiles) and ``loguniform`` (a strength word's band).

**Correlated hedges** (:func:`copula_units`): one author's numbers lean together. A Gaussian copula with one
shared factor Z gives factor i the latent normal ``s_i·√r·Z + √(1-r)·ε_i``, where ``s_i`` = +1 if raising
the number raises the conclusion, -1 if it lowers it (0: independent, e.g. a Dirichlet's coordinates), so
the shared lean is toward or away from the conclusion. ``r = 2 sin(πρ/6)`` is chosen so that any two
loaded factors have Spearman rank correlation ±ρ, the stated ``correlation``. Each latent normal becomes a
uniform by Φ and a value by the factor's quantile function, so every marginal is exactly as stated.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..base.records import dataclass
from .network import Network

__all__ = ["Factor", "fit_beta", "fit_lognormal", "uncertain_factors", "unit_to_theta", "sample_theta",
           "param_interval", "interval_factors", "learn_intervals", "MASS", "latent_correlation", "copula_units",
           "normal_to_theta"]

MASS = 0.9
"""Probability mass of a stated range (a 90% interval)."""
_Z95 = 1.6448536269514722     # standard normal 95% quantile
_EDGE = 1e-4                  # a probability range touching 0 or 1 is fitted as if it ended this close
_UCLIP = 1e-12


@dataclass(frozen=True)
class Factor:
    """One independent source of uncertainty.

    ``family`` is ``beta`` (args a, b; ``fitted`` when fitted to a 90% range), ``lognormal`` (mu, sigma
    of the log), ``uniform`` (lo, hi), ``loguniform`` (lo, hi), ``empirical`` (sorted values) or
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
        if self.family == "loguniform":
            lo, hi = np.log(self.args)
            return np.exp(lo + (hi - lo) * u)
        if self.family == "empirical":
            values = np.asarray(self.args)
            return np.interp(u, np.linspace(0.0, 1.0, values.size), values)
        alpha = np.asarray(self.args)
        g = np.zeros(u.shape)
        for k in np.flatnonzero(alpha > 0):
            g[:, k] = _on_unique(lambda x, a=alpha[k]: special.gammaincinv(a, x), u[:, k])
        return g / g.sum(axis=1, keepdims=True)

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        """Like :meth:`ppf` of Φ(z), for standard-normal scores ``z`` (shape (B, dims)): exact for the
        log-normal, by a tabulated quantile function for a beta or a Dirichlet's gammas (see
        :func:`_normal_table`), so a copula draw costs no inverse incomplete beta per value."""
        z = np.asarray(z, dtype=float)
        if self.family == "lognormal":
            mu, sigma = self.args
            return np.exp(mu + sigma * z)
        if self.family == "beta":
            grid, p = _normal_table("beta", self.args)
            return np.interp(z, grid, p)
        if self.family == "dirichlet":
            g = np.zeros(z.shape)
            for k, a in enumerate(self.args):
                if a > 0:
                    g[:, k] = np.exp(np.interp(z[:, k], _table_z(), _gamma_table(float(a))))
            return g / g.sum(axis=1, keepdims=True)
        from scipy import special

        return self.ppf(special.ndtr(z))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws of the column values (shape (n, len(columns))), by numpy's direct samplers."""
        if self.family == "beta":
            return rng.beta(self.args[0], self.args[1], size=(n, 1))
        if self.family == "lognormal":
            return rng.lognormal(self.args[0], self.args[1], size=(n, 1))
        if self.family == "uniform":
            return rng.uniform(self.args[0], self.args[1], size=(n, 1))
        if self.family in ("loguniform", "empirical"):
            return self.ppf(rng.uniform(size=(n, 1)))
        alpha = np.asarray(self.args)
        g = np.zeros((n, alpha.size))
        pos = alpha > 0
        g[:, pos] = rng.standard_gamma(alpha[pos], size=(n, int(pos.sum())))
        return g / g.sum(axis=1, keepdims=True)

    def interval(self, mass: float = MASS) -> list[tuple[float, float]]:
        """The central ``mass`` interval of each column's marginal distribution (learned from a kept text by
        :func:`learn_intervals`, or computed)."""
        known = None if self.fitted else _INTERVALS.get((self.family, self.spec, float(mass)))
        if known is not None:
            return list(known)
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


_TABLE_Z = 8.0
_TABLE_POINTS = 2049


@lru_cache(maxsize=4096)
def _normal_table(family: str, args: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """A quantile function tabulated on normal scores: (z grid on [-8, 8], the beta's quantile or the log
    of the gamma's). Linear interpolation in these coordinates is within 1e-4 of the exact value over the
    grid (tests/test_spread.py; interpolating a beta's log-odds instead is no closer)."""
    from scipy import special

    grid, u = _table_grid()
    if family == "beta":
        return grid, special.betaincinv(args[0], args[1], u)
    return grid, np.log(np.maximum(special.gammaincinv(args[0], u), 1e-300))


@lru_cache(maxsize=1)
def _table_grid() -> tuple[np.ndarray, np.ndarray]:
    """The tables' z grid and the probability Φ(z) at each point (clipped away from 0 and 1)."""
    from scipy import special

    grid = _table_z()
    return grid, np.clip(special.ndtr(grid), _UCLIP, 1.0 - _UCLIP)


@lru_cache(maxsize=1)
def _table_z() -> np.ndarray:
    """The tables' z grid alone (no scipy: reading a learned table needs no Φ)."""
    return np.linspace(-_TABLE_Z, _TABLE_Z, _TABLE_POINTS)


def _gamma_table(a: float) -> np.ndarray:
    """The log of the gamma(a) quantile on :func:`_table_z` (:func:`_normal_table`), learned or computed."""
    table = _GAMMA_TABLES.get(a)
    if table is None:
        if len(_GAMMA_TABLES) > 4096:
            _GAMMA_TABLES.clear()
            _GAMMA_USED.clear()
        table = _GAMMA_TABLES[a] = _normal_table("gamma", (a,))[1]
        _COMPUTED[1] += 1
    _GAMMA_USED[a] = None
    return table


def _on_unique(fn, u: np.ndarray) -> np.ndarray:
    """``fn(u)`` computed once per distinct value (Saltelli designs repeat each column's values)."""
    vals, inv = np.unique(u, return_inverse=True)
    return fn(vals)[inv].reshape(u.shape)


def fit_beta(lo: float, hi: float, mass: float = MASS) -> tuple[float, float]:
    """Beta (a, b) whose central ``mass`` interval is [lo, hi]: fitted once per process (:func:`_fit_beta`), or
    learned from an earlier run's kept text (:func:`learn_beta_tables`), the same two numbers either way."""
    key = (float(lo), float(hi), float(mass))
    ab = _FITS.get(key)
    if ab is None:
        if len(_FITS) > 4096:
            _FITS.clear()
            _FITS_USED.clear()
        ab = _FITS[key] = _fit_beta(*key)
        _COMPUTED[1] += 1
    _FITS_USED[key] = None
    return ab


def _fit_beta(lo: float, hi: float, mass: float) -> tuple[float, float]:
    """Beta (a, b) whose central ``mass`` interval is [lo, hi].

    Solved in (log a, log b) for the two quantile equations on the logit scale by Newton's method with a
    forward-difference Jacobian and step halving (scipy.special only), until no step improves it (rounding);
    scipy.optimize's least squares only if that ever fails.

    >>> a, b = fit_beta(0.1, 0.5)
    >>> from scipy.special import betaincinv
    >>> [round(float(x), 6) for x in betaincinv(a, b, [0.05, 0.95])]
    [0.1, 0.5]
    """
    from scipy import special

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

    def resid(xs: np.ndarray) -> np.ndarray:
        """Residuals at each row of ``xs`` (n, 2) of (log a, log b)."""
        ab = np.exp(np.atleast_2d(xs))
        v = np.clip(special.betaincinv(ab[:, :1], ab[:, 1:], q[None, :]), 1e-300, 1 - 1e-16)
        return np.log(v / (1 - v)) - target

    x, h = x0, 1e-6
    for _ in range(100):
        f = resid(np.array([x, x + (h, 0.0), x + (0.0, h)]))
        size = float(np.abs(f[0]).max())
        try:
            step = np.linalg.solve((f[1:] - f[0]).T / h, -f[0])
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while t > 1e-6:               # halve the step until it improves the fit
            trial = x + t * step
            ft = resid(trial)[0]
            if np.all(np.isfinite(ft)) and float(np.abs(ft).max()) < size:
                break
            if size < 1e-12:          # solved to rounding: no step improves it
                a, b = np.exp(x)
                return float(a), float(b)
            t /= 2
        else:                         # stuck
            break
        x = trial
    # not reached on any range tried (tests/test_distributions.py)
    from scipy import optimize

    sol = optimize.least_squares(lambda z: resid(z)[0], x0, xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=2000)
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


def latent_correlation(rho: float) -> float:
    """The Gaussian copula's latent correlation r giving Spearman rank correlation ``rho``: 2 sin(πρ/6).

    >>> round(latent_correlation(0.5), 6), latent_correlation(0.0), round(latent_correlation(1.0), 12)
    (0.517638, 0.0, 1.0)
    """
    return 2.0 * math.sin(math.pi * rho / 6.0)


def copula_units(rng: np.random.Generator, n: int, signs: np.ndarray, rho: float,
                 more: np.ndarray | None = None, groups: np.ndarray | None = None) -> np.ndarray:
    """``n`` rows of latent standard-normal scores (one column per sign) from the one-factor Gaussian
    copula: columns with sign ±1 share a factor giving them rank correlation ±``rho`` (signs multiplied);
    columns with sign 0 are independent. Φ of a column is its unit-cube coordinate.

    ``groups`` (one integer per column, ``more`` included, numbered in order of first appearance): one shared
    factor per group instead of one for all, so columns in different groups are independent.

    Drawn column by column (the shared factors' n scores, then each column's own n), and returned as a
    (n, columns) view of a (columns, n) array, the layout :func:`normal_to_theta` works in. ``more``: signs
    of further columns, drawn after the others (with any shared factor only they use), so the first
    ``len(signs)`` columns are the same as without them (same seed)."""
    signs = np.asarray(signs, dtype=float)
    first = signs.size
    if more is not None and len(more):
        signs = np.concatenate([signs, np.asarray(more, dtype=float)])
    g = np.zeros(signs.size, dtype=np.intp) if groups is None else np.asarray(groups, dtype=np.intp)
    r = latent_correlation(rho)
    known = int(g[:first].max()) + 1 if first else 0
    shared = rng.standard_normal((max(known, 1), n))
    own = rng.standard_normal((first, n))
    if signs.size > first:
        extra = int(g.max()) + 1 - shared.shape[0]
        if extra > 0:
            shared = np.concatenate([shared, rng.standard_normal((extra, n))])
        own = np.concatenate([own, rng.standard_normal((signs.size - first, n))])
    if r > 0:
        own *= np.where(signs != 0, math.sqrt(max(1.0 - r, 0.0)), 1.0)[:, None]
        load = math.sqrt(r) * signs
        for k in np.flatnonzero(signs):
            own[k] += load[k] * shared[g[k]]
    return own.T


def normal_to_theta(net: Network, factors: tuple[Factor, ...], z: np.ndarray) -> np.ndarray:
    """Like :func:`unit_to_theta`, from latent standard-normal scores (shape (B, Σ dims)).

    Worked factor by factor (rows of the transposed scores): every beta's quantile table is looked up at
    once, and each row touches only its own table, which stays in cache (uniform grid: the index is
    computed, not searched); the log-normals are one expression. The batch comes back as a (B, P) view of
    a (P, B) array, the layout the engine reads."""
    n = z.shape[0]
    zt = np.ascontiguousarray(np.asarray(z, dtype=float).T)         # free for copula_units' layout
    theta_t = np.empty((net.theta0.size, n))
    drawn = {c for f in factors for c in f.columns}
    for c in range(net.theta0.size):
        if c not in drawn:
            theta_t[c] = net.theta0[c]
    starts = np.cumsum([0] + [f.dims for f in factors])
    betas = [(k, f) for k, f in enumerate(factors) if f.family == "beta"]
    if betas:
        x = zt[[starts[k] for k, _ in betas]]                                   # (F, B)
        x *= (_TABLE_POINTS - 1) / (2 * _TABLE_Z)
        x += (_TABLE_POINTS - 1) / 2
        np.clip(x, 0.0, _TABLE_POINTS - 1.000001, out=x)
        idx = x.astype(np.intp)
        x -= idx                                                                # the weight inside the cell
        flat, slope = _beta_cells([f.args for _, f in betas], idx)
        idx += (np.arange(len(betas)) * _TABLE_POINTS)[:, None]
        x *= np.take(slope, idx)
        x += np.take(flat, idx)
        theta_t[[f.columns[0] for _, f in betas]] = x
    logn = [(k, f) for k, f in enumerate(factors) if f.family == "lognormal"]
    if logn:
        mu, sigma = (np.array([f.args[j] for _, f in logn])[:, None] for j in (0, 1))
        y = zt[[starts[k] for k, _ in logn]]
        y *= sigma
        y += mu
        theta_t[[f.columns[0] for _, f in logn]] = np.exp(y, out=y)
    flat_u = [(k, f) for k, f in enumerate(factors) if f.family in ("uniform", "loguniform", "empirical")]
    if flat_u:
        _through_units(theta_t, zt[[starts[k] for k, _ in flat_u]], [f for _, f in flat_u])
    for k, f in enumerate(factors):
        if f.family == "dirichlet":
            theta_t[list(f.columns)] = f.from_normal(zt[starts[k]:starts[k + 1]].T).T
    return theta_t.T


def _through_units(theta_t: np.ndarray, z: np.ndarray, factors: list[Factor]) -> None:
    """Rows of ``theta_t`` for uniform, log-uniform and empirical factors from their scores ``z`` (one row
    each): u = Φ(z), then each factor's quantile function (:meth:`Factor.ppf`), all at once."""
    from scipy import special

    u = special.ndtr(z, out=z)
    np.clip(u, _UCLIP, 1.0 - _UCLIP, out=u)
    emp = [i for i, f in enumerate(factors) if f.family == "empirical"]
    lines = [i for i, f in enumerate(factors) if f.family != "empirical"]
    if lines:
        lo, hi = (np.array([np.log(f.args[j]) if f.family == "loguniform" else f.args[j]
                            for f in (factors[i] for i in lines)])[:, None] for j in (0, 1))
        x = u[lines]
        x *= hi - lo
        x += lo
        logs = [k for k, i in enumerate(lines) if factors[i].family == "loguniform"]
        if logs:
            x[logs] = np.exp(x[logs])
        theta_t[[factors[i].columns[0] for i in lines]] = x
    if emp:         # linear interpolation between order statistics, as np.interp on linspace(0, 1, m)
        values = [np.asarray(factors[i].args) for i in emp]
        sizes = np.array([v.size for v in values])
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        flat = np.concatenate(values + [values[-1][-1:]])
        x = u[emp]
        x *= (sizes - 1)[:, None]
        idx = np.minimum(x.astype(np.intp), (sizes - 2).clip(0)[:, None])
        x -= idx
        idx += offsets[:, None]
        lo = np.take(flat, idx)
        x *= np.take(flat, idx + 1) - lo
        x += lo
        theta_t[[factors[i].columns[0] for i in emp]] = x


_BETA_TABLES: dict[tuple[float, ...], np.ndarray] = {}
"""Beta quantile tables of :func:`_normal_table` by the beta's (a, b), filled where draws have needed them
(NaN elsewhere): a table point is the same number whenever it is computed (``betaincinv`` point by point)."""
_BETA_USED: dict[tuple[float, ...], None] = {}       # the tables draws read in this process, in order
_FITS: dict[tuple[float, float, float], tuple[float, float]] = {}     # fit_beta's (lo, hi, mass) -> (a, b)
_FITS_USED: dict[tuple[float, float, float], None] = {}
_GAMMA_TABLES: dict[float, np.ndarray] = {}          # a Dirichlet's gamma(a): log quantile on the whole grid
_GAMMA_USED: dict[float, None] = {}
_COMPUTED = [0, 0]                                   # beta table points; fits and gamma tables (not learned)
BETA_TABLE_GRID = (f"betaincinv(a, b, clip(ndtr(linspace(-{_TABLE_Z}, {_TABLE_Z}, {_TABLE_POINTS})), {_UCLIP})); "
                   f"fit_beta(lo, hi, mass); log(max(gammaincinv(a, same grid), 1e-300))")
"""What a kept text of quantile tables holds: the text that keys it (:func:`beta_tables_text`)."""


def _b64(values: np.ndarray) -> str:
    import base64

    return base64.b64encode(np.asarray(values, dtype="<f8").tobytes()).decode("ascii")


def beta_tables_text() -> str:
    """What draws read in this process, as text for :func:`learn_beta_tables` in a later run: JSON of each
    beta table's (a, b) and all their values as little-endian doubles in base64 (NaN where not computed);
    each beta fit's (lo, hi, mass, a, b); and each Dirichlet gamma table's a and its values."""
    import json

    args = list(_BETA_USED)
    values = np.stack([_BETA_TABLES[a] for a in args]) if args else np.zeros((0, _TABLE_POINTS))
    gammas = list(_GAMMA_USED)
    return json.dumps({"args": [list(a) for a in args], "values": _b64(values),
                       "fits": _b64(np.array([(*k, *_FITS[k]) for k in _FITS_USED]).reshape(-1, 5)),
                       "gammas": gammas,
                       "gamma_values": _b64(np.stack([_GAMMA_TABLES[a] for a in gammas]) if gammas else np.zeros(0))})


def learn_beta_tables(text: str) -> bool:
    """Add the tables and fits of a :func:`beta_tables_text` (an earlier run's, of the same
    :data:`BETA_TABLE_GRID`) to those known here, where this process has not computed them itself. Nothing is
    added, and False returned, unless the text is exactly that: beta tables of pairs of positive finite numbers
    with a value in [0, 1] or NaN at every grid point; fits of ends in [0, 1] with a mass in (0, 1) to
    two positive finite numbers; gamma tables of a positive finite a with a finite value at every point."""
    import base64
    import binascii
    import json

    def doubles(key: str, width: int) -> np.ndarray:
        raw = base64.b64decode(data.get(key, "").encode("ascii"), validate=True)
        if len(raw) % (8 * width):
            raise ValueError(key)
        return np.frombuffer(raw, dtype="<f8").reshape(-1, width)

    try:
        data = json.loads(text)
        args = [tuple(float(x) for x in a) for a in data["args"]]
        values = doubles("values", _TABLE_POINTS)
        fits = doubles("fits", 5)
        gammas = [float(a) for a in data.get("gammas", [])]
        gamma_values = doubles("gamma_values", _TABLE_POINTS)
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        return False
    if any(len(a) != 2 or not all(math.isfinite(x) and x > 0 for x in a) for a in args) or \
            len(values) != len(args) or len(gamma_values) != len(gammas):
        return False
    known = ~np.isnan(values)
    if not ((values[known] >= 0.0) & (values[known] <= 1.0)).all():
        return False
    lo, hi, mass, ab = fits[:, 0], fits[:, 1], fits[:, 2], fits[:, 3:]
    if not (np.isfinite(fits).all() and ((0 <= lo) & (lo <= 1) & (0 <= hi) & (hi <= 1)).all()
            and ((0 < mass) & (mass < 1)).all() and (ab > 0).all()):
        return False
    if not (all(math.isfinite(a) and a > 0 for a in gammas) and np.isfinite(gamma_values).all()):
        return False
    for a, row, ok in zip(args, values, known, strict=True):
        table = _BETA_TABLES.get(a)
        if table is None:
            table = _BETA_TABLES[a] = np.full(_TABLE_POINTS, np.nan)
        fill = ok & np.isnan(table)
        table[fill] = row[fill]
    for lo_, hi_, mass_, a_, b_ in fits.tolist():
        _FITS.setdefault((lo_, hi_, mass_), (a_, b_))
    for g, row in zip(gammas, gamma_values, strict=True):
        _GAMMA_TABLES.setdefault(g, row.copy())
    return True


def beta_points_computed() -> int:
    """How many beta table points this process has computed (not learned)."""
    return _COMPUTED[0]


def quantiles_computed() -> int:
    """How many beta table points, beta fits and gamma tables this process has computed (not learned): when it
    changes, :func:`beta_tables_text` holds something an earlier run's did not."""
    return _COMPUTED[0] + _COMPUTED[1]


def _beta_cells(args: list[tuple[float, ...]], idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The beta quantile tables of :func:`_normal_table`, one after another (flat), and each cell's slope,
    exact at the cells ``idx`` reads (row k: table k's cell indices) and at their right ends: only the points
    draws fall between are computed (10,000 normal scores need about 40% of the grid on [-8, 8]) and kept
    for the next draws. Other entries are unspecified (NaN)."""
    n = _TABLE_POINTS
    rows = np.arange(len(args))[:, None]
    need = np.zeros((len(args), n), dtype=bool)
    need[rows, idx] = True
    need[rows, idx + 1] = True                  # idx < n - 1: normal_to_theta clips the scores inside the grid
    tables = np.empty((len(args), n))
    if len(_BETA_TABLES) > 4096:                # bounded, like the other tables' caches
        _BETA_TABLES.clear()
        _BETA_USED.clear()
    for k, a in enumerate(args):
        table = _BETA_TABLES.get(a)
        if table is None:
            table = _BETA_TABLES[a] = np.full(n, np.nan)
        _BETA_USED[a] = None
        cols = np.flatnonzero(need[k] & np.isnan(table))
        if cols.size:
            from scipy import special

            table[cols] = special.betaincinv(a[0], a[1], _table_grid()[1][cols])
            _COMPUTED[0] += cols.size
        tables[k] = table
    slope = np.zeros_like(tables)
    slope[:, :-1] = np.diff(tables, axis=1)
    return tables.ravel(), slope.ravel()


def sample_theta(net: Network, n: int, seed: int | None = 0, factors: tuple[Factor, ...] | None = None,
                 concentration: dict[str, float] | None = None, correlation: float = 0.0,
                 signs: np.ndarray | None = None, groups: np.ndarray | None = None) -> np.ndarray:
    """Draw ``n`` parameter vectors (shape (n, P)) from all uncertain factors at once, reproducibly.

    ``correlation`` > 0 draws through :func:`copula_units` with ``signs`` (one per unit-cube coordinate,
    default all +1) and ``groups`` (each coordinate's shared factor; default one for all); 0 draws every
    factor independently by numpy's direct samplers, as always.
    """
    if factors is None:
        factors = uncertain_factors(net, concentration)
    rng = np.random.default_rng(seed)
    if correlation > 0:
        dims = sum(f.dims for f in factors)
        s = np.ones(dims) if signs is None else np.asarray(signs, dtype=float)
        return normal_to_theta(net, factors, copula_units(rng, n, s, correlation, groups=groups))
    theta = np.tile(net.theta0, (n, 1))
    for f in factors:
        theta[:, list(f.columns)] = f.sample(rng, n)
    return theta


def _pair(values) -> tuple[float, float]:
    lo, hi = values
    return float(lo), float(hi)


def interval_factors(net: Network, factors: tuple[Factor, ...], mass: float = MASS) -> list[Factor]:
    """The factors :func:`param_interval` takes the ``mass`` interval of: those with a column of no stated range."""
    return [f for f in factors if mass != MASS or any(net.params[col].quantity.range is None for col in f.columns)]


_INTERVALS: dict[tuple[str, tuple[float, ...], float], list[tuple[float, float]]] = {}
"""(family, args, mass) -> :meth:`Factor.interval`, learned from a kept text (:func:`learn_intervals`)."""


def learn_intervals(factors: list[Factor], mass: float, intervals: object) -> bool:
    """Let :meth:`Factor.interval` of each of ``factors`` (none fitted) at ``mass`` return the matching item of
    ``intervals`` (a kept text's: an earlier run's computed ones), if it is exactly that: one list per factor of
    one [low, high] pair of finite floats, low <= high, per column; else nothing is learned and False returned."""
    if not isinstance(intervals, list) or len(intervals) != len(factors) or any(f.fitted for f in factors):
        return False
    for f, ivs in zip(factors, intervals, strict=True):
        if not (isinstance(ivs, list) and len(ivs) == len(f.columns) and all(
                isinstance(iv, list) and len(iv) == 2 and all(type(x) is float and math.isfinite(x) for x in iv)
                and iv[0] <= iv[1] for iv in ivs)):
            return False
    for f, ivs in zip(factors, intervals, strict=True):
        _INTERVALS[(f.family, f.spec, float(mass))] = [(lo, hi) for lo, hi in ivs]
    return True


def param_interval(net: Network, factors: tuple[Factor, ...], mass: float = MASS) -> dict[int, tuple[float, float]]:
    """θ index → (low, high): the stated range if any, else the central ``mass`` interval of its factor."""
    out: dict[int, tuple[float, float]] = {}
    asked = {id(f) for f in interval_factors(net, factors, mass)}
    for f in factors:
        stated = [net.params[col].quantity.range if mass == MASS else None for col in f.columns]
        ivs = f.interval(mass) if id(f) in asked else stated
        for col, r, iv in zip(f.columns, stated, ivs, strict=True):
            out[col] = _pair(r if r is not None else iv)
    return out
