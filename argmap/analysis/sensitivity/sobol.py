"""Global sensitivity: first-order and total Sobol indices of P(target) over the uncertain numbers.

A scrambled Sobol (Saltelli) design on the unit cube and the indices with bootstrap confidence intervals,
both computed as SALib computes them (:func:`saltelli`, :func:`estimate`: the same numbers, tested against
SALib, without SALib's import of pandas); argmap maps each design point through the factors' inverse CDFs
(:mod:`argmap.inference.distributions`) and evaluates every point exactly in one batched engine call.

- **first-order index S1**: the share of the variance of P(target) explained by this factor alone;
- **total index ST**: its share including every interaction with other factors (ST ≥ S1; a factor
  with ST ≈ 0 could be fixed at its point without changing the spread).

A Dirichlet over a categorical root is one factor (a SALib *group* of the gamma coordinates that
generate it), so its indices are for the whole distribution. By default the :data:`DEFAULT_TOP` factors with
the largest tornado swing vary and the rest are held at their points (the report then says what share of the
Monte Carlo variance the varied ones produce and the held ones leave); ``top=None`` varies every factor. The
cost is N × (factors + 2) evaluations: every one of the bundled map's 146 factors is 75,776. The design is
SALib's Saltelli design, built here with numpy (SALib's own builder loops in Python over factors × samples).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ...api import DEFAULT, Model
from ...base.records import dataclass
from ...inference.distributions import Factor, unit_to_theta
from ._query import evaluate, factors_of, is_structural, param_label, param_sections, resolve

__all__ = ["Sobol", "sobol", "saltelli", "estimate", "DEFAULT_BASE_SAMPLES", "DEFAULT_TOP"]

DEFAULT_BASE_SAMPLES = 512
DEFAULT_TOP: int | None = 32
"""How many factors vary by default (largest tornado swing first; None: all). On the bundled map the 32
produce about 85% of the Monte Carlo variance for a quarter of the evaluations of all 146."""


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


def saltelli(groups: list[str] | None, dims: int, n: int, seed: int | None) -> np.ndarray:
    """SALib's Saltelli design without second-order rows (``SALib.sample.sobol.sample(problem, n,
    calc_second_order=False, scramble=True, seed=seed)`` on the unit cube), row for row: per base point,
    A, then A with each group's columns taken from B, then B. ``groups`` names each column's group
    (None: every column is its own)."""
    from .sobolseq import sobol_points

    base = sobol_points(2 * dims, n, seed)
    a, b = base[:, None, :dims], base[:, None, dims:]
    cols = list(range(dims)) if groups is None else groups
    names = list(dict.fromkeys(cols))
    member = np.array([[c == g for c in cols] for g in names], dtype=bool)[None]   # (1, groups, dims)
    return np.concatenate([a, np.where(member, b, a), b], axis=1).reshape(-1, dims)


def estimate(y: np.ndarray, groups: int, resamples: int = 100, conf_level: float = 0.95,
             seed: int | None = None) -> dict[str, np.ndarray]:
    """First-order and total indices with bootstrap intervals from the outputs ``y`` of a :func:`saltelli`
    design over ``groups`` groups: ``SALib.analyze.sobol.analyze(problem, y, calc_second_order=False,
    num_resamples=resamples, conf_level=conf_level, seed=seed)`` computed the same way (output normalised;
    Saltelli 2010's first-order and Jansen's total estimator; the same bootstrap draws), to the last digits
    (tests/test_sensitivity.py), without importing SALib and the pandas it imports."""
    from statistics import NormalDist

    integers = np.random.default_rng(seed).integers if seed else np.random.randint
    step = groups + 2
    n = y.size // step
    if n * step != y.size:
        raise ValueError(f"{y.size} outputs are not a Saltelli design over {groups} groups")
    y = (y - y.mean()) / y.std()
    a, b = y[0::step], y[step - 1::step]
    ab = np.stack([y[j + 1::step] for j in range(groups)], axis=1)
    r = integers(n, size=(n, resamples))
    z = NormalDist().inv_cdf(0.5 + conf_level / 2)
    spread = np.ptp(np.r_[a[r], b[r]])
    out = {k: np.zeros(groups) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    for j in range(groups):
        out["S1"][j] = _first_order(a, ab[:, j], b)
        out["ST"][j] = _total_order(a, ab[:, j], b)
        if spread != 0.0:
            out["S1_conf"][j] = z * _first_order(a[r], ab[r, j], b[r]).std(ddof=1)
            out["ST_conf"][j] = z * _total_order(a[r], ab[r, j], b[r]).std(ddof=1)
    return out


def _ratio(num: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    y = np.r_[a, b]
    if np.ptp(y) <= np.finfo(float).eps:               # constant outputs: no variance to share out
        return np.zeros(y.shape[1:])
    var = np.var(y, axis=0)
    return np.divide(num, var, out=np.zeros_like(var, dtype=np.float64), where=var > np.finfo(float).eps)


def _first_order(a: np.ndarray, ab: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _ratio(np.mean(b * (ab - a), axis=0), a, b)


def _total_order(a: np.ndarray, ab: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _ratio(0.5 * np.mean((a - ab) ** 2, axis=0), a, b)


def _describe(model: Model, f: Factor) -> tuple[str, list[str], bool]:
    p = model.network.params[f.columns[0]]
    if f.family == "dirichlet":
        claim = model.map.claims[p.claim]
        return f"{claim.title} (all states)", list(claim.sections), False
    return param_label(model, p), list(param_sections(model, p)), is_structural(model, p)


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
    # a lone factor explains all the variance and has no interactions: S1 = ST = 1 exactly. (SALib's design
    # treats a single group as no groups, while its estimator counts one group, so it fails.)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = saltelli(groups if len(chosen) > 1 else None, len(groups), n, seed)
        y = evaluate(model, q, unit_to_theta(model.network, chosen, x))
        if len(chosen) == 1:
            f = chosen[0]
            title, sections, structural = _describe(model, f)
            share = 1.0 if float(np.var(y)) > 0 else 0.0
            row = {"factor": f.name, "title": title, "sections": sections, "structural": structural,
                   "family": f.family, "S1": share, "S1_conf": 0.0, "ST": share, "ST_conf": 0.0}
            return Sobol([row], n, int(y.size), 1, len(all_factors) - 1, float(np.var(y)), seed, conf_level)
        # SALib ignores a seed of 0 (``if seed:``), so its bootstrap gets seed + 1
        si = estimate(y, len(chosen), resamples, conf_level, None if seed is None else seed + 1)
    rows: list[dict[str, Any]] = []
    for k, f in enumerate(chosen):
        title, sections, structural = _describe(model, f)
        rows.append({"factor": f.name, "title": title, "sections": sections, "structural": structural,
                     "family": f.family,
                     "S1": float(si["S1"][k]), "S1_conf": float(si["S1_conf"][k]),
                     "ST": float(si["ST"][k]), "ST_conf": float(si["ST_conf"][k])})
    rows.sort(key=lambda r: (-r["ST"], r["factor"]))
    return Sobol(rows, n, int(y.size), len(chosen), len(all_factors) - len(chosen), float(np.var(y)), seed,
                 conf_level)
