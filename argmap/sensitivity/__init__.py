"""Sensitivity analysis of a map's target: which numbers and findings move it, and how far.

- :func:`one_way` — exact one-way sensitivity functions (value, derivative, elasticity)
- :func:`thresholds` — the parameter value at which P(target) would cross given bounds
- :func:`tornado` — P(target) at each uncertain parameter's range ends, sorted by swing
- :func:`monte_carlo` — P(target) over joint draws of every uncertain credence
- :func:`sobol` — first-order and total Sobol indices (SALib estimation, batched engine evaluations)
- :func:`cruxes` / :func:`claim_effects` — which finding would move P(target) most
- :func:`report` — all of the above in one :class:`SensitivityReport`
"""

from .cruxes import claim_effects, cruxes
from .tornado import tornado

__all__ = ["tornado", "cruxes", "claim_effects"]
