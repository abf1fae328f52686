"""Uncertainty over credences: P(target) when every uncertain number is drawn at once.

Each draw sets every uncertain parameter from its distribution (see :mod:`argmap.inference.distributions`);
all draws are evaluated exactly in one batched engine call. The spread of P(target) across draws
says how much the headline depends on numbers nobody knows precisely. Same seed, same numbers.
"""

from __future__ import annotations

from dataclasses import field

import numpy as np

from ...api import DEFAULT, Model
from ...base.records import dataclass
from ...inference.distributions import sample_theta
from ._query import evaluate, factors_of, resolve

__all__ = ["MonteCarlo", "monte_carlo", "DEFAULT_SAMPLES"]

DEFAULT_SAMPLES = 10_000
QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class MonteCarlo:
    """Summary of P(target) over draws; ``values`` holds every draw."""

    samples: int
    seed: int | None
    point: float
    mean: float
    median: float
    sd: float
    quantiles: dict[str, float]
    uncertain: int
    values: np.ndarray = field(repr=False)

    def histogram(self, bins: int = 20) -> dict:
        counts, edges = np.histogram(self.values, bins=bins, range=(0.0, 1.0))
        return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}

    def to_dict(self) -> dict:
        return {"samples": self.samples, "seed": self.seed, "uncertain_factors": self.uncertain, "point": self.point,
                "mean": self.mean, "median": self.median, "sd": self.sd, "quantiles": self.quantiles,
                "histogram": self.histogram()}


def monte_carlo(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
                samples: int = DEFAULT_SAMPLES, seed: int | None = 0) -> MonteCarlo:
    """Draw ``samples`` parameter vectors and summarise P(target) across them."""
    q = resolve(model, target, given, set, scenario)
    net = model.network
    factors = factors_of(model)
    theta = sample_theta(net, samples, seed, factors)
    values = evaluate(model, q, theta)
    point = float(evaluate(model, q, net.theta0)[0])
    qs = np.quantile(values, QUANTILES)
    sd = float(values.std(ddof=1)) if samples > 1 else 0.0
    quantiles = {f"{int(p * 100)}%": float(v) for p, v in zip(QUANTILES, qs, strict=True)}
    return MonteCarlo(samples, seed, point, float(values.mean()), float(np.median(values)), sd, quantiles,
                      len(factors), values)
