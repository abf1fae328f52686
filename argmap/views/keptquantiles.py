"""The few scipy quantiles a post bundle's tornado and page read, kept (:mod:`argmap.inference.kept`) so that a
re-export imports no ``scipy.special`` in either process (~0.1 s each).

* :func:`beta_fits`: the page's beta (a, b) for every 90% range the map and its offered overlays write
  (:func:`argmap.inference.distributions.fit_beta`), kept under the list of ranges (kind ``beta-fits``).
* :func:`tornado_intervals`: the ``mass`` intervals of the uncertain numbers with no stated range (a Dirichlet's
  states) that the tornado moves across (:func:`argmap.inference.distributions.param_interval`), kept under
  those distributions (kind ``intervals``).

Each is a fixed function of its numbers and scipy's version (the header names it), so a kept one is the one
computed now; the text is JSON of floats (written by ``repr``: the same double read back), read only if it has
exactly the expected shape, every number finite (a fit's positive); else the numbers are computed again.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api import Model

__all__ = ["beta_fits", "tornado_intervals", "LIBRARIES"]

LIBRARIES = ("scipy",)
_FITS, _INTERVALS = "beta-fits", "intervals"


def _positive_pair(v: Any) -> bool:
    return isinstance(v, list) and len(v) == 2 and all(type(x) is float and math.isfinite(x) and x > 0 for x in v)


def beta_fits(ranges: list[tuple[float, float]]) -> dict[str, list[float]]:
    """``{"lo,hi": [a, b]}`` for each range, in order: the kept fits of exactly these ranges, else fitted and kept."""
    from ..inference import kept
    from ..inference.distributions import MASS, fit_beta

    keys = [f"{lo!r},{hi!r}" for lo, hi in ranges]
    if not keys:
        return {}
    material = json.dumps({"ranges": keys, "mass": MASS})
    text = kept.text(_FITS, material, LIBRARIES)
    try:
        found = json.loads(text) if text is not None else None
    except ValueError:
        found = None
    if isinstance(found, list) and len(found) == len(keys) and all(_positive_pair(v) for v in found):
        return dict(zip(keys, found, strict=True))
    fits = [[float(v) for v in fit_beta(lo, hi)] for lo, hi in ranges]
    kept.keep(_FITS, material, json.dumps(fits), LIBRARIES)
    return dict(zip(keys, fits, strict=True))


def tornado_intervals(model: Model, mass: float | None = None) -> list | None:
    """Learn the kept intervals the tornado of ``model`` reads (:func:`argmap.inference.distributions.
    learn_intervals`); returns None if they were learned (or none are read), else what :func:`keep_intervals`
    needs to keep them once the tornado has computed them."""
    from ..analysis.sensitivity._query import factors_of
    from ..inference import distributions, kept

    mass = distributions.MASS if mass is None else mass
    asked = [f for f in distributions.interval_factors(model.network, factors_of(model), mass) if not f.fitted]
    if not asked:
        return None
    material = json.dumps({"distributions": [[f.family, list(f.spec)] for f in asked], "mass": mass})
    text = kept.text(_INTERVALS, material, LIBRARIES)
    try:
        if text is not None and distributions.learn_intervals(asked, mass, json.loads(text)):
            return None
    except ValueError:
        pass
    return [material, asked, mass]


def keep_intervals(wanted: list | None) -> None:
    """Keep the intervals :func:`tornado_intervals` did not find (computed again here, or memoised)."""
    if wanted is None:
        return
    from ..inference import kept

    material, asked, mass = wanted
    kept.keep(_INTERVALS, material, json.dumps([[list(iv) for iv in f.interval(mass)] for f in asked]), LIBRARIES)
