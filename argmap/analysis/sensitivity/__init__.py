"""Sensitivity analysis of a map's target: which numbers and findings move it, and how far.

- :func:`one_way` — exact one-way sensitivity functions (value, derivative, elasticity)
- :func:`thresholds` — the value of one number at which P(target) would reach given bounds
- :func:`tornado` — P(target) at each uncertain number's range ends, sorted by swing
- :func:`monte_carlo` — P(target) over joint draws of every uncertain credence
- :func:`sobol` — first-order and total Sobol indices (SALib's estimator in numpy, batched engine evaluations)
- :func:`cruxes` / :func:`claim_effects` — which finding would move P(target) most; :func:`group_cruxes` — the
  same for several claims learned together
- :func:`residual` — P(target) with the arguments that raise it set false: what the named arguments carry
- :func:`report` — all of the above in one :class:`SensitivityReport`; :func:`format_text` and
  :func:`format_markdown` write it for the terminal and for a post
"""

from .cruxes import claim_effects, cruxes, group_cruxes
from .montecarlo import MonteCarlo, monte_carlo
from .oneway import OneWay, one_way
from .report import SensitivityReport, report
from .residual import Residual, residual
from .sobol import Sobol, sobol
from .text import format_markdown, format_text
from .thresholds import thresholds
from .tornado import tornado

__all__ = ["one_way", "OneWay", "thresholds", "tornado", "monte_carlo", "MonteCarlo", "sobol", "Sobol",
           "cruxes", "claim_effects", "group_cruxes", "residual", "Residual", "report", "SensitivityReport",
           "format_text", "format_markdown"]
