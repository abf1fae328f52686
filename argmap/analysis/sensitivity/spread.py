"""The headline with its spread: P(target) over joint draws, independent and with correlated hedges, and
where a source's stated figure falls on it.

One author's hedges are not independent: one worldview leans them together. :func:`spread` draws every
uncertain number twice with the same seed, once independently (exactly today's Monte Carlo) and once
through a one-factor Gaussian copula whose shared factor pushes every number toward (or away from) the
conclusion with rank correlation ρ (:func:`argmap.inference.distributions.copula_units`; ρ from
``correlation=``, else the map's stated ``correlation:``). ``words=True`` draws each word-read number from
its word's spread on the model's verbal scale (:mod:`argmap.inference.words`) instead of its stated range.

:func:`draws` and :func:`paired` are the sampling API for other analyses (e.g. a critique's shift with an
interval: the same draws feed the map without and with the critique).
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

import numpy as np

from ...api import DEFAULT, Model
from ...base.errors import QueryError
from ...base.records import dataclass
from ...inference.distributions import Factor, copula_units, normal_to_theta, sample_theta
from ...inference.words import word_factors
from ._query import Query, evaluate, factors_of, resolve

if TYPE_CHECKING:
    from .montecarlo import MonteCarlo

__all__ = ["Summary", "Draws", "Spread", "summarise", "draws", "paired", "spread", "correlation_of",
           "hedge_factors", "toward", "stated_figure", "spread_by_scale", "SHARED_FACTORS", "part_groups"]

SHARED_FACTORS = ("map", "part")
"""The copula's shared factor (``shared_factor=``, ``--shared-factor``): one for the whole map, or one per
part of the map (hedges in different parts independent)."""

_NUDGE = 1e-4


@dataclass(frozen=True)
class Summary:
    """Median, mean and 90% interval of P(target) over draws, and where a stated figure falls:
    ``percentile`` = 100 × share of draws below it, ``p_at_least`` = share of draws at or above it."""

    median: float
    mean: float
    q05: float
    q95: float
    percentile: float | None = None
    p_at_least: float | None = None

    def to_dict(self) -> dict:
        return {"median": self.median, "mean": self.mean, "q05": self.q05, "q95": self.q95,
                "percentile": self.percentile, "p_at_least": self.p_at_least}


def summarise(values: np.ndarray, stated: float | None = None) -> Summary:
    """The :class:`Summary` of a vector of draws (stated figure placed by a direct count)."""
    v = np.asarray(values, dtype=float)
    q05, med, q95 = (float(x) for x in np.quantile(v, (0.05, 0.5, 0.95)))
    pct = p_ge = None
    if stated is not None:
        pct = float(100.0 * np.count_nonzero(v < stated) / v.size)
        p_ge = float(np.count_nonzero(v >= stated) / v.size)
    return Summary(med, float(v.mean()), q05, q95, pct, p_ge)


def correlation_of(model: Model, correlation: float | None = None) -> tuple[float, str, str | None]:
    """(ρ, where it comes from, the authors' rationale): ``correlation`` if given, else the map's stated
    default, else 0."""
    if correlation is not None:
        if not 0.0 <= correlation <= 1.0:
            raise QueryError(f"--correlation {correlation:g} is not a rank correlation between 0 and 1")
        return float(correlation), "given", None
    if model.map.correlation is not None:
        value, why = model.map.correlation
        return float(value), "map", why
    return 0.0, "none", None


def part_groups(model: Model, factors: tuple[Factor, ...], shared_factor: str,
                index: dict[str, int] | None = None) -> np.ndarray | None:
    """Each unit-cube coordinate's shared factor: None for one factor for the whole map (``"map"``); for
    ``"part"`` the number of the part of the map its claim is in (a relation's number: its target's part;
    numbered in order of first appearance in ``index``, which :func:`paired` shares between two maps)."""
    if shared_factor not in SHARED_FACTORS:
        raise QueryError(f"--shared-factor '{shared_factor}': choose one of {', '.join(SHARED_FACTORS)}")
    if shared_factor == "map":
        return None
    index = {} if index is None else index
    out: list[int] = []
    for f in factors:
        part = model.map.claims[model.network.params[f.columns[0]].claim].part or ""
        out += [index.setdefault(part, len(index))] * f.dims
    return np.asarray(out, dtype=np.intp)


def hedge_factors(model: Model, words: bool = False) -> tuple[Factor, ...]:
    """The uncertain factors of the model, in θ order: the stated ranges and distributions, or with
    ``words`` each word-read number's word on the model's scale in place of (or in addition to) its range."""
    stated = factors_of(model)
    if not words:
        return stated
    by_word = word_factors(model.map, model.network, model.scale)
    out = [f for f in stated if not (len(f.columns) == 1 and f.columns[0] in by_word)]
    out += by_word.values()
    return tuple(sorted(out, key=lambda f: f.columns[0]))


def toward(model: Model, q: Query, factors: tuple[Factor, ...]) -> np.ndarray:
    """+1 for a factor whose increase raises P(query) at the point, -1 if it lowers it, 0 for one that
    does not move it or has several coordinates (a Dirichlet): the direction of the shared lean."""
    net = model.network
    scalar = [f for f in factors if f.dims == 1]
    theta = np.tile(net.theta0, (len(scalar) + 1, 1))
    up = np.ones(len(scalar))
    for k, f in enumerate(scalar):
        col = f.columns[0]
        x = net.theta0[col]
        if net.params[col].kind in ("ratio", "scale"):
            theta[k + 1, col] = x * (1 + _NUDGE) if x > 0 else _NUDGE
        elif x + _NUDGE <= 1:
            theta[k + 1, col] = x + _NUDGE
        else:
            theta[k + 1, col], up[k] = x - _NUDGE, -1.0
    p = evaluate(model, q, theta)
    sign = {id(f): float(np.sign(p[k + 1] - p[0])) * up[k] for k, f in enumerate(scalar)}
    out: list[float] = []
    for f in factors:
        out += [sign.get(id(f), 0.0)] * f.dims
    return np.asarray(out)


@dataclass(frozen=True)
class Draws:
    """One set of joint draws: the θ batch, P(query) per draw, and how they were made."""

    query: Query
    theta: np.ndarray = field(repr=False)
    values: np.ndarray = field(repr=False)
    factors: tuple[Factor, ...]
    correlation: float
    words: bool
    seed: int | None
    shared_factor: str = "map"


def draws(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT, *,
          samples: int = 10_000, seed: int | None = 0, correlation: float | None = None,
          words: bool = False, shared_factor: str = "map") -> Draws:
    """``samples`` joint draws of the model's uncertain numbers and P(target) for each.

    ``correlation`` (ρ, rank correlation of any two hedges toward the conclusion; None: the map's stated
    default) uses the Gaussian copula; ρ = 0 is exactly :func:`monte_carlo`'s independent draws for the
    same seed. ``words``: word-read numbers drawn from their word on the model's scale. ``shared_factor``:
    ``"map"`` (one shared factor) or ``"part"`` (one per part of the map: ρ between hedges in the same part,
    hedges in different parts independent).
    """
    q = resolve(model, target, given, set, scenario)
    rho = correlation_of(model, correlation)[0]
    factors = hedge_factors(model, words)
    groups = part_groups(model, factors, shared_factor)
    signs = toward(model, q, factors) if rho > 0 else None
    theta = sample_theta(model.network, samples, seed, factors, correlation=rho, signs=signs, groups=groups)
    return Draws(q, theta, evaluate(model, q, theta), factors, rho, words, seed, shared_factor)


def paired(base: Model, other: Model, target: str | None = None, given=None, set=None,
           scenario: str | None = DEFAULT, *, samples: int = 10_000, seed: int | None = 0,
           correlation: float | None = None, words: bool = False,
           shared_factor: str = "map") -> tuple[np.ndarray, np.ndarray]:
    """P(target) per draw under ``base`` and under ``other`` (e.g. the map without and with a critique)
    from the same joint draws: a factor both share (same parameter name) takes the same latent score in
    both, so its number sits at the same quantile of each model's distribution for it; a factor only
    ``other`` has gets its own score, loaded on the same shared factor. ``other - base`` is the shift per
    draw. ρ and ``shared_factor`` as in :func:`draws` (ρ from ``base``'s map when None); for ρ > 0 the ``base``
    values are exactly :func:`draws`'s for the same seed. The one sampler of a shift (:mod:`argmap.analysis.shift`)."""
    rho = correlation_of(base, correlation)[0]
    qb = resolve(base, target, given, set, scenario)
    qo = resolve(other, target, given, set, scenario)
    fb, fo = hedge_factors(base, words), hedge_factors(other, words)
    names = {f.name: k for k, f in enumerate(fb)}
    extra = [k for k, f in enumerate(fo) if f.name not in names or fb[names[f.name]].dims != f.dims]
    dims_b = sum(f.dims for f in fb)
    dims_x = sum(fo[k].dims for k in extra)
    sb = toward(base, qb, fb) if rho > 0 else np.zeros(dims_b)
    so = toward(other, qo, fo) if rho > 0 and extra else np.zeros(sum(f.dims for f in fo))
    more = np.concatenate([so[_coords(fo, k)] for k in extra]) if extra else None
    parts: dict[str, int] = {}
    gb, go = part_groups(base, fb, shared_factor, parts), part_groups(other, fo, shared_factor, parts)
    groups = None if gb is None or go is None else \
        np.concatenate([gb, *(go[_coords(fo, k)] for k in extra)])
    z = copula_units(np.random.default_rng(seed), samples, sb, rho, more, groups)
    zb, zx = z[:, :dims_b], z[:, dims_b:dims_b + dims_x]
    starts = np.cumsum([0] + [f.dims for f in fb])
    cols, at, own = [], 0, frozenset(extra)
    for k, f in enumerate(fo):
        if k in own:
            cols.append(zx[:, at:at + f.dims])
            at += f.dims
        else:
            cols.append(zb[:, starts[names[f.name]]:starts[names[f.name] + 1]])
    zo = np.concatenate([c.T for c in cols]).T if cols else np.zeros((samples, 0))     # copula_units' layout
    vb = evaluate(base, qb, normal_to_theta(base.network, fb, zb))
    vo = evaluate(other, qo, normal_to_theta(other.network, fo, zo))
    return vb, vo


def _coords(factors: tuple[Factor, ...], k: int) -> slice:
    start = sum(f.dims for f in factors[:k])
    return slice(start, start + factors[k].dims)


@dataclass(frozen=True)
class Spread:
    """The headline's spread, independent and correlated, with the stated figure placed on each."""

    query: Query
    scale: str
    words: bool
    samples: int
    seed: int | None
    point: float
    stated: float | None
    stated_by: str | None
    correlation: float
    correlation_source: str
    correlation_rationale: str | None
    independent: Summary
    correlated: Summary
    independent_values: np.ndarray = field(repr=False)
    correlated_values: np.ndarray = field(repr=False)
    shared_factor: str = "map"

    def to_dict(self) -> dict:
        """The ``spread`` object of ``argmap run --spread --json`` (docs/sensitivity.md)."""
        model = ("one-factor Gaussian copula toward the conclusion; value = rank correlation" if self.shared_factor
                 == "map" else "Gaussian copula toward the conclusion, one factor per part of the map; value = rank "
                 "correlation within a part, hedges in different parts independent")
        return {"scale": self.scale, "draw": "words" if self.words else "ranges", "samples": self.samples,
                "seed": self.seed, "point": self.point, "stated": self.stated, "stated_by": self.stated_by,
                "correlation": {"value": self.correlation, "source": self.correlation_source,
                                "rationale": self.correlation_rationale, "shared_factor": self.shared_factor,
                                "model": model},
                "independent": self.independent.to_dict(), "correlated": self.correlated.to_dict()}


def stated_figure(model: Model, q: Query, explicit: bool = False) -> tuple[float | None, str | None]:
    """The point a source states for this query's target and scenario (a range's midpoint), and who;
    none under ``explicit`` conditions of the user's own (the source did not condition on them)."""
    for s in model.map.stated:
        if s.claim == q.target and s.scenario == q.scenario and not explicit and not s.given and not s.bands:
            value = s.value if s.value is not None else (sum(s.range) / 2 if s.range else None)
            if value is not None:
                return float(value), s.holder
    return None, None


def spread(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT, *,
           samples: int = 10_000, seed: int | None = 0, correlation: float | None = None,
           words: bool = False, shared_factor: str = "map", independent: MonteCarlo | None = None) -> Spread:
    """P(target) over ``samples`` joint draws, independent and correlated (same seed), on the model's scale.

    ``correlation`` None takes the map's stated default; the correlated column then equals the independent
    one if the map states none. ``shared_factor`` as in :func:`draws`. Pass a model from
    :meth:`Model.on_scale` for another verbal scale. ``independent``: :func:`monte_carlo`'s result for the same
    model, query, samples and seed, whose draws the independent reading is (ranges, not words): its values are
    used instead of drawing and evaluating them again.
    """
    if samples < 2:
        raise QueryError("the spread needs at least 2 draws (--samples)")
    q = resolve(model, target, given, set, scenario)
    rho, source, why = correlation_of(model, correlation)
    cond = dict(given=given, set=set, scenario=scenario)
    if independent is not None and not words and independent.samples == samples and independent.seed == seed:
        ind_values = independent.values
    else:
        ind_values = draws(model, q.target, **cond, samples=samples, seed=seed, correlation=0.0, words=words).values
    cor = draws(model, q.target, **cond, samples=samples, seed=seed, correlation=rho, words=words,
                shared_factor=shared_factor)
    point = float(evaluate(model, q, model.network.theta0)[0])
    stated, by = stated_figure(model, q, bool(given or set))
    return Spread(q, model.scale, words, samples, seed, point, stated, by, rho, source, why,
                  summarise(ind_values, stated), summarise(cor.values, stated), ind_values, cor.values, shared_factor)


def spread_by_scale(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
                    *, scales: tuple[str, ...] | None = None, samples: int = 10_000, seed: int | None = 0,
                    correlation: float | None = None, words: bool = False, shared_factor: str = "map") -> list[Spread]:
    """:func:`spread` on each verbal scale (default: every shipped one, the model's own first)."""
    from ...base.scales import SCALES

    names = scales or (model.scale, *(s for s in SCALES if s != model.scale))
    return [spread(model.on_scale(name), target, given, set, scenario, samples=samples, seed=seed,
                   correlation=correlation, words=words, shared_factor=shared_factor) for name in names]
