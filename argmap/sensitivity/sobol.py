"""Global sensitivity: first-order and total Sobol indices of P(target) over the uncertain numbers.

A scrambled Sobol (Saltelli) design on the unit cube gives the indices with bootstrap confidence
intervals (SALib's design and estimators, reproduced number for number without importing SALib,
which brings pandas); argmap maps each design point through the factors' inverse CDFs
(:mod:`argmap.distributions`) and evaluates every point exactly in one batched engine call.

- **first-order index S1**: the share of the variance of P(target) explained by this factor alone;
- **total index ST**: its share including every interaction with other factors (ST ≥ S1; a factor
  with ST ≈ 0 could be fixed at its point without changing the spread).

A Dirichlet over a categorical root is one factor (a SALib *group* of the gamma coordinates that
generate it), so its indices are for the whole distribution. To keep the evaluation count modest,
by default only the ``top`` factors with the largest tornado swing are varied and the rest are held
at their points (pass ``top=None`` to vary all of them).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..api import DEFAULT, Model
from ..distributions import Factor, unit_to_theta
from ._query import evaluate, factors_of, param_label, param_sections, resolve

__all__ = ["Sobol", "sobol", "saltelli_design", "saltelli_indices", "scrambled_sobol", "DEFAULT_BASE_SAMPLES", "DEFAULT_TOP"]

DEFAULT_BASE_SAMPLES = 512
DEFAULT_TOP = 24


@dataclass(frozen=True)
class Sobol:
    """Sobol indices per factor (largest total index first) and how they were estimated."""

    rows: list[dict]
    base_samples: int
    evaluations: int
    varied: int
    held: int
    variance: float
    seed: int | None
    conf_level: float = 0.95
    outputs: np.ndarray = field(default=None, repr=False)

    def to_dict(self) -> dict:
        return {"base_samples": self.base_samples, "evaluations": self.evaluations, "factors_varied": self.varied,
                "factors_held": self.held, "variance": self.variance, "seed": self.seed,
                "conf_level": self.conf_level, "indices": self.rows}


def _select(model: Model, q, factors: tuple[Factor, ...], top: int | None,
            ranking: list[dict] | None) -> tuple[Factor, ...]:
    if top is None or len(factors) <= top:
        return factors
    from .tornado import tornado

    swing: dict[str, float] = {}
    rows = ranking if ranking is not None else tornado(model, q.target, q.given, q.set, scenario=None)
    by_param = {r["param"]: r["swing"] for r in rows}
    net = model.network
    for f in factors:
        swing[f.name] = max(by_param.get(net.params[c].name, 0.0) for c in f.columns)
    keep = set(sorted(swing, key=lambda n: (-swing[n], n))[:top])
    return tuple(f for f in factors if f.name in keep)


def _describe(model: Model, f: Factor) -> tuple[str, list[str]]:
    p = model.network.params[f.columns[0]]
    if f.family == "dirichlet":
        claim = model.map.claims[p.claim]
        return f"{claim.title} (all states)", list(claim.sections)
    return param_label(model, p), list(param_sections(model, p))


_BITS = 30


def _direction_numbers(dim: int) -> np.ndarray | None:
    """scipy's Sobol' direction numbers (Joe and Kuo), shape ``(dim, 30)``, read from its data file
    without importing ``scipy.stats`` (about a second of start-up here); None if the file is missing."""
    import scipy

    path = Path(scipy.__file__).parent / "stats" / "_sobol_direction_numbers.npz"
    try:
        with np.load(path) as data:
            poly, vinit = data["poly"][:dim].astype(np.int64), data["vinit"][:dim].astype(np.int64)
    except (OSError, KeyError, ValueError):
        return None
    if poly.shape[0] < dim:
        return None
    v = np.zeros((dim, _BITS), dtype=np.int64)
    v[0] = 1
    for k in range(1, dim):
        p = int(poly[k])
        m = p.bit_length() - 1
        v[k, :m] = vinit[k, :m]
        for j in range(m, _BITS):
            new = int(v[k, j - m])
            for i in range(m):
                if (p >> (m - 1 - i)) & 1:
                    new ^= int(v[k, j - i - 1]) << (i + 1)
            v[k, j] = new
    return v << np.arange(_BITS - 1, -1, -1, dtype=np.int64)


def scrambled_sobol(dim: int, n: int, seed: int | None) -> np.ndarray:
    """The first ``n`` points of ``scipy.stats.qmc.Sobol(dim, scramble=True, seed=seed)``, bit for bit.

    The same direction numbers, linear matrix scramble and digital shift, drawn from the same random
    stream, so Sobol indices do not change; falls back to scipy itself if its data file is missing.
    """
    v = _direction_numbers(dim)
    if v is None:
        from scipy.stats import qmc
        return qmc.Sobol(d=dim, scramble=True, seed=seed).random(n)
    rng = np.random.default_rng(seed)
    weights = (1 << np.arange(_BITS, dtype=np.int64))
    shift = rng.integers(2, size=(dim, _BITS), dtype=np.uint32).astype(np.int64) @ weights
    ltm = np.tril(rng.integers(2, size=(dim, _BITS, _BITS), dtype=np.uint32)).astype(np.int64)
    ltm[:, np.arange(_BITS), np.arange(_BITS)] = 1
    # row p of each lower-triangular matrix as an integer (column k weighs 2^(bits-1-k)); output bit
    # (bits-1-p) of a scrambled direction number is the parity of (row p AND the number)
    rows = ltm @ weights[::-1]                                   # (dim, bits)
    both = rows[:, None, :] & v[:, :, None]                      # (dim, j, p)
    parity = np.zeros(both.shape, dtype=np.int64)
    for k in range(_BITS):
        parity ^= (both >> k) & 1
    sv = parity @ weights[::-1]                                  # (dim, j)
    out = np.empty((n, dim))
    quasi = shift.copy()
    scale = 1.0 / 2 ** _BITS
    out[0] = quasi * scale
    for i in range(n - 1):                                       # Gray-code order
        low_zero = (~i & (i + 1)).bit_length() - 1
        quasi ^= sv[:, low_zero]
        out[i + 1] = quasi * scale
    return out


def saltelli_design(groups: list[str], n: int, seed: int | None) -> np.ndarray:
    """The unit-cube design of SALib's ``sample.sobol.sample`` (first-order and total indices,
    scrambled, grouped), the same numbers in the same order, built with array operations.

    SALib fills it with a Python loop over every cell, which took 0.4 s of the default report.
    Per base point: row A, then A with each group's columns taken from B (groups in order of
    first appearance), then row B; A and B are the two halves of one scrambled Sobol' sequence.
    """
    d = len(groups)
    base = scrambled_sobol(2 * d, n, seed)
    a, b = base[:, :d], base[:, d:]
    names = list(dict.fromkeys(groups))
    out = np.empty((n, len(names) + 2, d))
    out[:, 0] = a
    for k, g in enumerate(names):
        out[:, k + 1] = np.where(np.array([x == g for x in groups]), b, a)
    out[:, -1] = b
    return out.reshape(-1, d)


def _first_order(a, ab, b):
    y = np.r_[a, b]
    if np.ptp(y) <= np.finfo(float).eps:
        return np.zeros(y.shape[1:])
    var = np.var(y, axis=0)
    return np.divide(np.mean(b * (ab - a), axis=0), var, out=np.zeros_like(var), where=var > np.finfo(float).eps)


def _total_order(a, ab, b):
    y = np.r_[a, b]
    if np.ptp(y) <= np.finfo(float).eps:
        return np.zeros(y.shape[1:])
    var = np.var(y, axis=0)
    return np.divide(0.5 * np.mean((a - ab) ** 2, axis=0), var, out=np.zeros_like(var),
                     where=var > np.finfo(float).eps)


def saltelli_indices(y: np.ndarray, groups: int, resamples: int = 100, conf_level: float = 0.95,
                     seed: int | None = None) -> dict[str, np.ndarray]:
    """First-order and total indices with bootstrap intervals from outputs on :func:`saltelli_design`.

    The estimators, bootstrap and random draws of SALib's ``analyze.sobol.analyze`` (first and total
    order; Saltelli et al. 2010), the same numbers, without importing SALib (and pandas with it).
    """
    from statistics import NormalDist

    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be between 0 and 1")
    step = groups + 2
    if y.size % step:
        raise ValueError(f"{y.size} outputs do not fit a design of {groups} groups")
    n = y.size // step
    draw = np.random.default_rng(seed).integers if seed else np.random.randint
    y = (y - y.mean()) / y.std()
    a, b = y[0::step], y[step - 1::step]
    ab = np.stack([y[j + 1::step] for j in range(groups)], axis=1)
    r = draw(n, size=(n, resamples))
    z = NormalDist().inv_cdf(0.5 + conf_level / 2)
    out = {k: np.zeros(groups) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    spread = np.ptp(np.r_[a[r], b[r]]) != 0.0
    for j in range(groups):
        s1 = _first_order(a[r], ab[r, j], b[r])
        st = _total_order(a[r], ab[r, j], b[r])
        out["S1"][j] = _first_order(a, ab[:, j], b)
        out["S1_conf"][j] = z * s1.std(ddof=1) if spread else 0.0
        out["ST"][j] = _total_order(a, ab[:, j], b)
        out["ST_conf"][j] = z * st.std(ddof=1) if spread else 0.0
    return out


def sobol(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
          samples: int = DEFAULT_BASE_SAMPLES, seed: int | None = 0, top: int | None = DEFAULT_TOP,
          factors: tuple[Factor, ...] | None = None, resamples: int = 100, conf_level: float = 0.95,
          ranking: list[dict] | None = None) -> Sobol:
    """First-order and total Sobol indices of P(target), with bootstrap confidence intervals.

    ``samples`` is SALib's base sample size N (rounded up to a power of two); the engine evaluates
    N × (factors + 2) parameter vectors. ``factors`` overrides which factors vary; ``ranking`` passes
    tornado rows already computed for the same query (used to pick the ``top`` factors).
    """
    q = resolve(model, target, given, set, scenario)
    all_factors = factors_of(model) if factors is None else tuple(factors)
    chosen = _select(model, q, all_factors, top, ranking) if factors is None else all_factors
    if not chosen:
        return Sobol([], 0, 0, 0, 0, 0.0, seed, conf_level)
    n = 1 << max(1, math.ceil(math.log2(max(samples, 2))))
    groups = [f.name for f in chosen for _ in range(f.dims)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = saltelli_design(groups, n, seed)
        y = evaluate(model, q, unit_to_theta(model.network, chosen, x))
        # a bootstrap seed of 0 would mean "unseeded" to SALib (``if seed:``), so it gets seed + 1
        si = saltelli_indices(y, len(chosen), resamples, conf_level, None if seed is None else seed + 1)
    rows = []
    for k, f in enumerate(chosen):
        title, sections = _describe(model, f)
        rows.append({"factor": f.name, "title": title, "sections": sections, "family": f.family,
                     "S1": float(si["S1"][k]), "S1_conf": float(si["S1_conf"][k]),
                     "ST": float(si["ST"][k]), "ST_conf": float(si["ST_conf"][k])})
    rows.sort(key=lambda r: (-r["ST"], r["factor"]))
    return Sobol(rows, n, int(y.size), len(chosen), len(all_factors) - len(chosen), float(np.var(y)), seed,
                 conf_level, y)
