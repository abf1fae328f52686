"""Exact one-way sensitivity functions: P(target) as a function of one parameter, the rest fixed.

P(target = t, evidence) is multilinear in the network's CPT entries, and every parameter belongs to
exactly one claim X, so as one parameter θ varies (the other states of a categorical distribution
co-varying proportionally) P(target | evidence) = N(θ) / D(θ) with N and D linear in X's CPT:

- a root credence, a leak or an entry of a table that nothing else composes with enters X's CPT
  linearly, so N and D are lines in θ:
  P(target) = a + bθ without evidence and (a_N + b_N θ) / (a_D + b_D θ) with it. Two batched
  evaluations per parameter (θ = 0 and θ = 1) give the four numbers exactly.
- a base rate, odds ratio, route's p, modulator scale, or a table row that routes or arguments
  compose with, enters through the noisy-OR and the logistic function. Then
  N(θ) = K_N + Σ_j c_N[j] p_j(θ), with p_j(θ) = P(X = true | parent configuration j) computed
  by X's own CPT builder, and likewise D. K and c are exact: N and D are multilinear in the CPT
  entries, so they are read off the gradients of N and D with respect to X's CPT, every other CPT at
  its point (one forward-backward pass each gives them for every claim at once).

Either way the function is exact in closed form, and it is checked against brute recomputation.

The derivative is exact for the affine kinds; for the logistic kinds it is a Richardson-extrapolated
central difference of the exact function (relative error about 1e-10).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np

from ...api import DEFAULT, Model
from ...base.records import dataclass
from ...inference.network import Network, Param
from ._query import Query, domain_of, param_label, param_sections, resolve, with_value

__all__ = ["OneWay", "one_way", "AFFINE_KINDS", "is_affine"]

AFFINE_KINDS = ("probability", "simplex")
"""Kinds whose CPT entries can be affine in the parameter (roots, leaks, tables; see :func:`is_affine`)."""


@dataclass(frozen=True)
class OneWay:
    """The exact one-way function of one parameter, with its value, slope and elasticity at the point.

    Call it with parameter values to get P(target) at each: ``f(np.linspace(0, 1, 5))``.
    """

    param: str
    index: int
    claim: str
    field: str
    kind: str
    title: str
    sections: tuple[str, ...]
    value: float
    probability: float
    derivative: float
    elasticity: float | None
    domain: tuple[float, float]
    num: tuple[float, np.ndarray] = dataclasses.field(repr=False)
    den: tuple[float, np.ndarray] = dataclasses.field(repr=False)
    features: Callable[[np.ndarray], np.ndarray] = dataclasses.field(repr=False)
    """v ↦ what the function is linear in: v itself (affine kinds) or the claim's P(true | parents)."""
    affine: bool = False
    """True when P(target) is a line or a ratio of lines in this parameter (see :func:`is_affine`)."""

    def parts(self, v) -> tuple[np.ndarray, np.ndarray]:
        """Numerator P(target, evidence) and denominator P(evidence) at values ``v``."""
        q = self.features(np.atleast_1d(np.asarray(v, dtype=float)))
        return self.num[0] + q @ self.num[1], self.den[0] + q @ self.den[1]

    def __call__(self, v):
        n, d = self.parts(v)
        out = n / d
        return float(out[0]) if np.ndim(v) == 0 else out

    def lines(self) -> tuple[float, float, float, float]:
        """(a_N, b_N, a_D, b_D) with P(target) = (a_N + b_N θ) / (a_D + b_D θ); affine kinds only."""
        if not self.affine:
            raise ValueError(f"{self.param} enters through the logistic function; it has no line form")
        n, d = self.parts([0.0, 1.0])
        return float(n[0]), float(n[1] - n[0]), float(d[0]), float(d[1] - d[0])

    def to_dict(self) -> dict:
        out = {"param": self.param, "claim": self.claim, "field": self.field, "kind": self.kind, "title": self.title,
               "sections": list(self.sections), "value": self.value, "probability": self.probability,
               "derivative": self.derivative, "elasticity": self.elasticity,
               "form": "logistic (exact, closed form)"}
        if self.affine:
            lines = self.lines()
            out["form"] = "line" if lines[3] == 0 else "ratio of lines"
            out["lines"] = dict(zip(("a_num", "b_num", "a_den", "b_den"), lines, strict=False))
        return out


def _num_den(engine, q: Query, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(target = state, given | do(set)) and P(given | do(set)) for a θ batch."""
    num = engine.joint_evidence({**q.given, q.target: q.state}, q.set, theta)
    den = engine.joint_evidence(q.given, q.set, theta)         # ≡ 1 without evidence
    return num, den


def _gradients(model: Model, q: Query):
    """∂N/∂CPT and ∂D/∂CPT for every claim, with N and D themselves, at the map's point values.

    N = P(target = state, given | do(set)) and D = P(given | do(set)) are multilinear in the CPT
    entries, so these gradients hold every claim's exact coefficients (two forward-backward passes)."""
    engine = model.engine
    ev = {**q.given, q.target: q.state}
    return (engine.cpt_gradient(ev, q.set), float(engine.joint_evidence(ev, q.set)),
            engine.cpt_gradient(q.given, q.set), float(engine.joint_evidence(q.given, q.set)))


def _logistic_coefficients(model: Model, claim: str, grads):
    """(K_N, c_N), (K_D, c_D) with N = K_N + Σ_j c_N[j] p_j, p_j = P(claim = true | parent configuration j)
    (configurations in C order), every other CPT held at its point.

    With g = ∂N/∂cpt, N = Σ_j g[j, false] (1 - p_j) + g[j, true] p_j exactly, so K_N = Σ_j g[j, false]
    and c_N = g[:, true] - g[:, false]; a claim the query does not read has K_N = N and c_N = 0.
    """
    net = model.network
    n = math.prod(len(net.states[p]) for p in net.parents[claim])

    def coef(grad: dict, z: float):
        if claim not in grad:
            return z, np.zeros(n)
        g = grad[claim].reshape(n, 2)           # (configuration, [false, true])
        return float(g[:, 0].sum()), g[:, 1] - g[:, 0]
    g_num, z_num, g_den, z_den = grads
    return coef(g_num, z_num), coef(g_den, z_den)


def _affine_coefficients(model: Model, q: Query, cols: list[int]) -> dict[int, tuple]:
    """For parameters that enter linearly: their numerator and denominator lines, one batched call."""
    net = model.network
    theta = np.concatenate([with_value(net.theta0, net.params[i], i, np.array([0.0, 1.0])) for i in cols])
    num, den = _num_den(model.engine, q, theta)
    out = {}
    for k, i in enumerate(cols):
        n0, n1, d0, d1 = num[2 * k], num[2 * k + 1], den[2 * k], den[2 * k + 1]
        out[i] = ((float(n0), np.array([n1 - n0])), (float(d0), np.array([d1 - d0])))
    return out


def _identity(v: np.ndarray) -> np.ndarray:
    return v.reshape(-1, 1)


def _p_true_function(model: Model, p: Param, index: int) -> Callable[[np.ndarray], np.ndarray]:
    net = model.network
    build = net.builders[p.claim]

    def p_true(v: np.ndarray) -> np.ndarray:
        out = build(with_value(net.theta0, p, index, v))[..., 1]
        return out.reshape(out.shape[0], -1)
    return p_true


def _derivative(f: OneWay) -> float:
    v = f.value
    if f.affine:
        n, d = f.parts([v])
        _, b_n, _, b_d = f.lines()
        return float((b_n * d[0] - n[0] * b_d) / d[0] ** 2)
    lo, hi = f.domain
    h = 1e-3 * (v if v > 0 else 1e-3)
    if f.kind == "probability":             # a base, a route's p, a composed table row: keep inside [0, 1]
        h = 1e-3 * min(v, 1 - v) if 0 < v < 1 else 1e-6

    def central(h):
        a, b = f(np.array([v + h, v - h]))
        return (a - b) / (2 * h)

    def forward(h, s):
        a, b, c = f(np.array([v, v + s * h, v + 2 * s * h]))
        return s * (-3 * a + 4 * b - c) / (2 * h)

    if v - h >= lo and v + h <= hi:
        return float((4 * central(h / 2) - central(h)) / 3)
    s = 1 if v - h < lo else -1
    return float((4 * forward(h / 2, s) - forward(h, s)) / 3)


def one_way(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
            params=None) -> list[OneWay]:
    """Exact one-way functions for every parameter (or those named in ``params``), in θ order.

    In the tiny map P(conclusion) is proportional to P(aware), so its function is a line:

    >>> from pathlib import Path
    >>> import argmap
    >>> tiny = Path(argmap.__file__).parents[1] / "tests" / "data" / "maps" / "tiny"
    >>> f = one_way(argmap.Model.load(tiny), scenario=None, params="credence:aware")[0]
    >>> round(f.probability, 6), round(f.derivative, 6), round(f.elasticity, 6)
    (0.165, 0.20625, 1.0)
    >>> round(f(1.0), 6)
    0.20625
    """
    q = resolve(model, target, given, set, scenario)
    net = model.network
    wanted = None if params is None else frozenset([params] if isinstance(params, str) else params)
    chosen = [i for i, p in enumerate(net.params) if wanted is None or p.name in wanted]
    affine = [i for i in chosen if is_affine(net, net.params[i])]
    coef = _affine_coefficients(model, q, affine) if affine else {}
    by_claim: dict[str, tuple] = {}
    grads = None
    out = []
    for i in chosen:
        p = net.params[i]
        feat: Callable[[np.ndarray], np.ndarray]
        if i in coef:
            (num, den), feat = coef[i], _identity
        else:
            if p.claim not in by_claim:
                grads = grads if grads is not None else _gradients(model, q)
                by_claim[p.claim] = _logistic_coefficients(model, p.claim, grads)
            (num, den), feat = by_claim[p.claim], _p_true_function(model, p, i)
        v = float(net.theta0[i])
        f = OneWay(p.name, i, p.claim, p.field, p.kind, param_label(model, p), param_sections(model, p), v,
                   math.nan, math.nan, None, domain_of(p), num, den, feat, i in coef)
        prob = f(v)
        deriv = _derivative(f)
        elast = v * deriv / prob if prob > 0 else None
        out.append(dataclasses.replace(f, probability=prob, derivative=deriv, elasticity=elast))
    return out


def is_affine(net: Network, p: Param) -> bool:
    """Whether ``p``'s claim's CPT is affine in it: a root credence, a leak (a factor on the result), or an
    entry of a table nothing composes with. A base, a route's p, a ratio, a scale, or a table row that
    routes or arguments compose with, enters through the noisy-OR and the logistic function."""
    if p.kind not in AFFINE_KINDS or p.field not in ("credence", "leak", "table"):
        return False
    spec = net.specs[p.claim] if net.specs is not None else None
    return p.field != "table" or spec is None or spec.composed is None
