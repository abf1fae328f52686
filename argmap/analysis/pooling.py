"""Pool several viewpoints' credences into one, and find where they disagree in ways that matter.

What is pooled
--------------
Each viewpoint (the map with a stack of overlays) gives, under the same conditions, a probability
distribution for every claim: its **claim marginals**. Those are what is pooled, claim by claim:

* **linear pooling**: p(s) = Σ_v w_v p_v(s). Linear pooling commutes with marginalisation, so the
  pooled marginals are exactly the marginals of the mixture of the viewpoints' joint distributions;
  the pooled P(target) is that mixture's, and every pooled number is consistent with the others.
* **log-odds (geometric) pooling**: p(s) ∝ Π_v p_v(s)^w_v; for a binary claim this is the weighted
  mean of the viewpoints' log-odds. It is externally Bayesian (pooling then updating equals
  updating then pooling), but it does not commute with marginalisation, so each claim's pooled
  number is that claim's pooled opinion, not the marginal of one pooled network.

Why marginals and not the parameters θ: viewpoints usually differ in structure (a critique adds
claims and relations), so their parameter vectors do not line up; and even when they do, a
parameter-wise pool mixes a base rate from one person with an odds ratio from another, which
can put P(target) outside the range every viewpoint holds. Pooling the marginals pools what each
person actually believes about each claim.

Disagreement: for each claim the target depends on (its ancestors; a claim downstream of the
target only restates it) and that all viewpoints hold, the **spread** of its probability
(largest minus smallest P(true); for a categorical claim, the largest spread over its states)
times its **importance** for the target: |P(target | claim = s) - P(target | claim = s')| maximised
over the claim's possible states, averaged over the viewpoints (weighted). A large spread on a
claim the target does not depend on scores zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..api import DEFAULT, Model
from ..base.errors import ImpossibleEvidenceError, QueryError
from ..base.marginals import p_true
from ..base.records import dataclass

__all__ = ["linear_pool", "log_pool", "Disagreement", "Pool", "pool"]


def _weights(weights: Sequence[float] | np.ndarray | None, n: int) -> np.ndarray:
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise QueryError(f"pooling weights must be {n} non-negative numbers, not all zero")
    return w / w.sum()


def linear_pool(dists, weights: Sequence[float] | np.ndarray | None = None) -> np.ndarray:
    """Weighted mean of distributions ``dists`` (shape (viewpoints, states)).

    >>> linear_pool([[0.75, 0.25], [0.25, 0.75]], [1, 3]).tolist()
    [0.375, 0.625]
    """
    d = np.asarray(dists, dtype=float)
    return _weights(weights, d.shape[0]) @ d


def log_pool(dists, weights: Sequence[float] | np.ndarray | None = None) -> np.ndarray:
    """Normalised weighted geometric mean of distributions (log-odds pooling for binary claims).

    A state that any viewpoint with positive weight rules out (probability 0) is ruled out.

    >>> p = log_pool([[0.8, 0.2], [0.2, 0.8]])
    >>> [round(x, 12) for x in p.tolist()]
    [0.5, 0.5]
    """
    d = np.asarray(dists, dtype=float)
    w = _weights(weights, d.shape[0])
    with np.errstate(divide="ignore"):
        logs = np.log(d)
    logs = np.where(w[:, None] > 0, logs, 0.0)
    z = (w[:, None] * logs).sum(axis=0)
    if np.all(np.isneginf(z)):
        raise QueryError("log pooling is undefined: the viewpoints rule out every state between them")
    z = z - z.max()
    p = np.exp(z)
    return p / p.sum()


@dataclass(frozen=True)
class Disagreement:
    claim: str
    title: str
    sections: tuple[str, ...]
    credences: dict[str, float]
    """viewpoint -> P(true) (the last state for a categorical claim)."""
    spread: float
    importance: float
    score: float

    def to_dict(self) -> dict:
        return {"claim": self.claim, "title": self.title, "sections": list(self.sections),
                "credences": self.credences, "spread": self.spread, "importance": self.importance,
                "score": self.score}


@dataclass(frozen=True)
class Pool:
    """Pooled credences of several viewpoints (see the module doc for what is pooled)."""

    target: str
    names: tuple[str, ...]
    weights: tuple[float, ...]
    target_credences: dict[str, float]
    linear: float
    logodds: float
    linear_marginals: dict[str, dict[str, float]]
    logodds_marginals: dict[str, dict[str, float]]
    disagreements: tuple[Disagreement, ...]

    def to_dict(self) -> dict:
        return {"target": self.target, "viewpoints": list(self.names), "weights": list(self.weights),
                "target_credences": self.target_credences,
                "pooled": {"linear": self.linear, "logodds": self.logodds},
                "marginals": {"linear": self.linear_marginals, "logodds": self.logodds_marginals},
                "disagreements": [d.to_dict() for d in self.disagreements]}


def _importance(model: Model, claim: str, target: str, given: dict, set_: dict, marg: dict[str, float]) -> float:
    """max - min over the claim's possible states of P(target | claim = s, conditions)."""
    vals = []
    for state, p in marg.items():
        if p <= 1e-12:
            continue
        try:
            vals.append(model.probability(target, {**given, claim: state}, set_, scenario=None))
        except ImpossibleEvidenceError:
            continue
    return float(max(vals) - min(vals)) if len(vals) > 1 else 0.0


def _ancestors(model: Model, target: str) -> frozenset:
    """The claims ``target`` depends on (its ancestors in the network)."""
    parents = model.network.parents
    seen: set[str] = set()
    todo = list(parents.get(target, ()))
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo.extend(parents.get(c, ()))
    return frozenset(seen)


def pool(models: Mapping[str, Model], weights: Sequence[float] | None = None, target: str | None = None,
         given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
         scenario: str | None = DEFAULT, top: int = 8, min_spread: float = 1e-9) -> Pool:
    """Pool viewpoints' claim marginals linearly and geometrically; rank their disagreements.

    ``models`` maps a viewpoint name to its loaded :class:`~argmap.api.Model`; all must have the
    ``target`` claim with the same states. ``weights`` default to equal.
    """
    names = tuple(models)
    if not names:
        raise QueryError("pooling needs at least one viewpoint")
    w = _weights(weights, len(names))
    first = models[names[0]]
    target = target or first.map.target
    conds = {n: m.conditions(given, set, scenario) for n, m in models.items()}
    margs = {n: m.marginals(conds[n].given, conds[n].set, scenario=None) for n, m in models.items()}
    for n in names:
        if target not in margs[n]:
            raise QueryError(f"viewpoint '{n}' has no claim '{target}' to pool")
    states = {n: tuple(margs[n][target]) for n in names}
    if len(frozenset(states.values())) != 1:
        raise QueryError(f"the viewpoints give '{target}' different states; they cannot be pooled")

    common = [c for c in margs[names[0]] if all(c in margs[n] and tuple(margs[n][c]) == tuple(margs[names[0]][c])
                                                  for n in names)]
    lin, geo = {}, {}
    for c in common:
        d = np.array([list(margs[n][c].values()) for n in names])
        keys = list(margs[names[0]][c])
        lin[c] = dict(zip(keys, map(float, linear_pool(d, w)), strict=False))
        geo[c] = dict(zip(keys, map(float, log_pool(d, w)), strict=False))

    fixed = frozenset(conds[names[0]].given) | frozenset(conds[names[0]].set)
    drivers = frozenset().union(*(_ancestors(m, target) for m in models.values()))
    rows = []
    for c in common:
        if c not in drivers or c in fixed:
            continue
        d = np.array([list(margs[n][c].values()) for n in names])
        spread = float((d.max(axis=0) - d.min(axis=0)).max())
        if spread < min_spread:
            continue
        imp = float(sum(wi * _importance(models[n], c, target, conds[n].given, conds[n].set, margs[n][c])
                        for n, wi in zip(names, w, strict=False)))
        claim = first.map.claims[c]
        rows.append(Disagreement(c, claim.title, claim.sections,
                                 {n: p_true(margs[n][c]) for n in names},
                                 spread, imp, spread * imp))
    rows.sort(key=lambda r: (-r.score, r.claim))
    tc = {n: p_true(margs[n][target]) for n in names}
    return Pool(target, names, tuple(map(float, w)), tc, p_true(lin[target]),
                p_true(geo[target]), lin, geo, tuple(rows[:top]))

