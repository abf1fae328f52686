"""The full sensitivity report: every analysis run once, as one object (its JSON form here; text and Markdown
in :mod:`argmap.analysis.sensitivity.text`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from functools import partial

from ...api import DEFAULT, Model
from ...base.forked import start
from ...base.records import dataclass
from ._query import Query, factors_of, resolve
from .cruxes import cruxes, group_cruxes
from .montecarlo import DEFAULT_SAMPLES, MonteCarlo, monte_carlo
from .oneway import OneWay, one_way
from .residual import Residual, residual
from .sobol import DEFAULT_BASE_SAMPLES, DEFAULT_TOP, Sobol, sobol
from .spread import Spread, spread
from .thresholds import DEFAULT_BOUNDS, thresholds
from .tornado import tornado

__all__ = ["SensitivityReport", "report"]


@dataclass(frozen=True)
class SensitivityReport:
    """Everything :func:`report` computed for one query."""

    map_name: str
    overlays: tuple[str, ...]
    query: Query
    baseline: float
    bounds: tuple[float, float]
    cruxes: list[dict]
    tornado: list[dict]
    one_way: list[OneWay]
    thresholds: list[dict]
    monte_carlo: MonteCarlo | None
    sobol: Sobol | None
    seconds: dict[str, float] = field(default_factory=dict)
    residual: Residual | None = None
    groups: list[dict] = field(default_factory=list)
    """Joint value of information of each named group (the map's ``crux_groups`` and any passed in)."""
    spread: Spread | None = None

    @property
    def sobol_coverage(self) -> float | None:
        """Variance of P(target) with only the Sobol factors varied, over the Monte Carlo variance with
        every uncertain number varied: how much of the spread the Sobol factors account for."""
        if not (self.sobol and self.monte_carlo and self.monte_carlo.sd > 0 and self.sobol.held):
            return None
        return self.sobol.variance / self.monte_carlo.sd ** 2

    @property
    def sobol_held_share(self) -> float | None:
        """The share of the Monte Carlo variance the numbers Sobol held at their points leave unexplained:
        1 − :attr:`sobol_coverage` (an estimate: both variances are sampled; near 0 it may be slightly negative)."""
        cov = self.sobol_coverage
        return None if cov is None else 1.0 - cov

    def to_dict(self) -> dict:
        """The ``argmap sensitivity --json`` object (see docs/sensitivity.md)."""
        return {
            "map": self.map_name, "overlays": list(self.overlays), **self.query.to_dict(),
            "probability": self.baseline, "bounds": list(self.bounds),
            "cruxes": self.cruxes, "crux_groups": self.groups, "tornado": self.tornado,
            "one_way": [f.to_dict() for f in self.one_way], "thresholds": self.thresholds,
            "monte_carlo": self.monte_carlo.to_dict() if self.monte_carlo else None,
            "sobol": ({**self.sobol.to_dict(), "share_of_monte_carlo_variance": self.sobol_coverage,
                         "share_left_by_held_factors": self.sobol_held_share}
                      if self.sobol else None),
            "residual": self.residual.to_dict() if self.residual else None,
            "spread": self.spread.to_dict() if self.spread else None,
            "seconds": self.seconds,
        }


def _beside(model: Model, q: Query, named: Mapping[str, Sequence[str]], ranking: list[dict], samples: int,
            seed: int | None, factors: int | None) -> tuple[Sobol | None, list[dict], Residual, dict[str, float]]:
    """The stages run beside the others (a forked child where possible): Sobol, the crux groups, the residual."""
    args = (q.target, q.given, q.set, None)
    seconds: dict[str, float] = {}

    def timed(name, fn):
        t = time.perf_counter()
        out = fn()
        seconds[name] = round(time.perf_counter() - t, 3)
        return out

    grouped = timed("crux groups", lambda: group_cruxes(model, named, *args)) if named else []
    res = timed("residual", lambda: residual(model, *args))
    sob = timed("Sobol indices", lambda: sobol(model, *args, samples=samples, seed=seed, top=factors,
                                              ranking=ranking)) if samples > 0 else None
    return sob, grouped, res, seconds


def report(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT, *,
           samples: int = DEFAULT_SAMPLES, seed: int | None = 0, bounds: tuple[float, float] = DEFAULT_BOUNDS,
           sobol_samples: int = DEFAULT_BASE_SAMPLES, sobol_factors: int | None = DEFAULT_TOP,
           groups: Mapping[str, Sequence[str]] | None = None,
           progress: Callable[[str], None] | None = None, correlation: float | None = None,
           words: bool = False, shared_factor: str = "map") -> SensitivityReport:
    """Run every analysis for P(target | conditions). ``samples=0`` / ``sobol_samples=0`` skip those parts.
    ``groups`` adds named groups of claims to the map's own ``crux_groups`` (a name in both: the one passed).
    ``sobol_factors``: how many numbers Sobol varies (``--sobol-factors``; largest tornado swing first, the rest
    held at their points; None: every one).

    The model's verbal scale (:meth:`Model.on_scale`) applies throughout; ``correlation``, ``words`` and
    ``shared_factor`` say how
    the headline's spread is drawn (:func:`spread`); Monte Carlo and Sobol draw independently, as their
    methods assume."""
    q = resolve(model, target, given, set, scenario)
    args = (q.target, q.given, q.set, None)
    seconds: dict[str, float] = {}
    say = progress or (lambda msg: None)

    def timed(name, fn):
        say(f"{name}…")
        t = time.perf_counter()
        out = fn()
        seconds[name] = round(time.perf_counter() - t, 3)
        return out

    baseline = model.probability(*args[:3], scenario=None)
    # The tornado first (Sobol ranks its factors by it) and scipy.special, which Monte Carlo, the spread and
    # Sobol all read quantiles with; then Sobol, the crux groups and the residual run beside the other stages
    # (a forked child, argmap.base.forked; in this process where that is not possible): neither the import nor
    # the tornado is done twice, and the two processes have about the same work. Each stage's seconds are its own.
    torn = timed("tornado", lambda: tornado(model, *args))
    if factors_of(model):
        import scipy.special  # noqa: F401
    named = {**model.map.crux_groups, **(groups or {})}
    say("Sobol indices, crux groups and residual (alongside)…")
    job = start(partial(_beside, model, q, named, torn, sobol_samples, seed, sobol_factors))
    try:
        crux = timed("cruxes", lambda: cruxes(model, *args))
        fs = timed("one-way functions", lambda: one_way(model, *args))
        thr = timed("thresholds", lambda: thresholds(model, *args, bounds=bounds, functions=fs))
        mc = (timed("Monte Carlo", lambda: monte_carlo(model, *args, samples=samples, seed=seed))
              if samples > 0 else None)
        spr = timed("spread", lambda: spread(model, target, given, set, scenario, samples=samples, seed=seed,
                                             correlation=correlation, words=words, shared_factor=shared_factor,
                                             independent=mc)) if samples > 1 else None
        sob, grouped, res, beside = job.result()
    except BaseException:
        job.cancel()
        raise
    seconds.update(beside)
    order = ("cruxes", "crux groups", "tornado", "one-way functions", "thresholds", "Monte Carlo", "residual",
             "spread", "Sobol indices")
    seconds = {k: seconds[k] for k in order if k in seconds}
    return SensitivityReport(model.map.name, tuple(model.map.overlays), q, baseline, (bounds[0], bounds[1]), crux,
                             torn, fs, thr, mc, sob, seconds, res, grouped, spr)
