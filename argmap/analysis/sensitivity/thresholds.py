"""Thresholds: what value of one number would carry P(target) to a bound (SamIam-style).

For each parameter, and each bound (default 0.10 and 0.50), the value nearest its current one at
which P(target) equals the bound, with everything else held fixed; or ``None`` ("not reachable")
when no value in the parameter's domain does it. For roots, table entries and leaks the one-way
function is a ratio of lines, so the threshold is solved in closed form; for base rates,
odds ratios and modulator scales the exact function is bracketed on a grid over the whole
domain (logit or log scale) and the crossing refined by Brent's method (:func:`brentq`, scipy's algorithm
without scipy.optimize's import).
"""

from __future__ import annotations

import math

import numpy as np

from ...api import DEFAULT, Model
from .oneway import OneWay, one_way

__all__ = ["thresholds", "solve", "brentq", "DEFAULT_BOUNDS"]

DEFAULT_BOUNDS = (0.10, 0.50)


def _grid(f: OneWay) -> np.ndarray:
    """Points covering the whole domain, dense where it matters (logit scale for a base rate, a route's p
    or a composed table row)."""
    u = np.linspace(-30.0, 30.0, 81)
    if f.kind == "probability":
        inner = 1.0 / (1.0 + np.exp(-u))
        return np.unique(np.concatenate([[0.0, 1.0], inner, [f.value]]))
    if f.field == "scale":
        return np.unique(np.concatenate([[0.0], np.exp(np.linspace(-14, 6, 61)), [f.value]]))
    lo, hi = f.domain                      # a ratio keeps to its side of 1
    points = np.concatenate([np.exp(u), [f.value], [lo] if lo > 0 else [], [hi] if np.isfinite(hi) else []])
    return np.unique(points[(points >= lo) & (points <= hi)])


def _affine_roots(f: OneWay, bound: float) -> list[float]:
    a_n, b_n, a_d, b_d = f.lines()
    denom = b_n - bound * b_d
    if denom == 0:
        return []
    v = (bound * a_d - a_n) / denom
    lo, hi = f.domain
    if not (lo - 1e-15 <= v <= hi + 1e-15) or a_d + b_d * v <= 0:
        return []
    return [min(max(v, lo), hi)]


def _on_grid(f: OneWay) -> tuple[np.ndarray, np.ndarray]:
    grid = _grid(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        return grid, f(grid)


def brentq(fn, xa: float, xb: float, xtol: float = 2e-12, rtol: float = 4 * 2.220446049250313e-16,
           maxiter: int = 100) -> float:
    """A root of ``fn`` in [xa, xb] (signs differ at the ends) by Brent's method: scipy.optimize.brentq's
    algorithm step for step (its C source, ported), so the same root to the last bit, without importing
    scipy.optimize (tests/test_sensitivity.py compares them)."""
    xpre, xcur = float(xa), float(xb)
    xblk = fblk = spre = scur = 0.0
    fpre, fcur = fn(xpre), fn(xcur)
    if fpre == 0:
        return xpre
    if fcur == 0:
        return xcur
    for _ in range(maxiter):
        if fpre != 0 and fcur != 0 and (math.copysign(1.0, fpre) != math.copysign(1.0, fcur)):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:                                     # interpolate
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:                                                # extrapolate
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):
                spre, scur = scur, stry                          # good short step
            else:
                spre = scur = sbis                               # bisect
        else:
            spre = scur = sbis                                   # bisect
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = fn(xcur)
    return xcur


def _bracketed_roots(f: OneWay, bound: float, table=None) -> list[float]:
    grid, values = table if table is not None else _on_grid(f)
    g = values - bound
    roots = []
    for k in range(len(grid) - 1):
        a, b = g[k], g[k + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        if a == 0:
            roots.append(float(grid[k]))
        elif a * b < 0:
            roots.append(float(brentq(lambda v: f(v) - bound, grid[k], grid[k + 1], xtol=1e-15, rtol=1e-14,
                                      maxiter=200)))
    if g[-1] == 0:
        roots.append(float(grid[-1]))
    return roots


def _distance(f: OneWay, v: float) -> float:
    if f.field in ("ratio", "scale") and v > 0 and f.value > 0:
        return abs(math.log(v / f.value))
    return abs(v - f.value)


def solve(f: OneWay, bound: float, table=None) -> float | None:
    """The parameter value nearest the current one where the one-way function equals ``bound``."""
    roots = _affine_roots(f, bound) if f.affine else _bracketed_roots(f, bound, table)
    return min(roots, key=lambda v: _distance(f, v)) if roots else None


def _reach(f: OneWay, table=None) -> tuple[float, float]:
    if f.affine:
        lo, hi = f.domain
        with np.errstate(invalid="ignore", divide="ignore"):
            ends = f(np.array([lo, hi]))
    else:
        ends = table[1]
    ends = ends[np.isfinite(ends)]
    return float(ends.min()), float(ends.max())


def thresholds(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
               bounds: tuple[float, float] = DEFAULT_BOUNDS, functions: list[OneWay] | None = None) -> list[dict]:
    """For every parameter, the value at which P(target) reaches each bound (None: not reachable).

    Rows (θ order): ``param``, ``title``, ``sections``, ``value``, ``probability``, ``reach`` (the lowest
    and highest P(target) this parameter alone can produce over its domain) and ``crossings``: one
    dict per bound with ``bound``, ``value`` (or None) and ``change`` (how far the parameter must move:
    a difference for probabilities, a factor for ratios and scales).
    """
    fs = functions if functions is not None else one_way(model, target, given, set, scenario)
    rows = []
    for f in fs:
        table = None if f.affine else _on_grid(f)
        crossings = []
        for bound in bounds:
            v = solve(f, bound, table)
            change = None
            if v is not None:
                change = (v / f.value if f.value > 0 else None) if f.field in ("ratio", "scale") else v - f.value
            crossings.append({"bound": bound, "value": v, "change": change})
        rows.append({"param": f.param, "claim": f.claim, "field": f.field, "title": f.title,
                     "sections": list(f.sections), "value": f.value, "probability": f.probability,
                     "reach": list(_reach(f, table)), "crossings": crossings})
    return rows
