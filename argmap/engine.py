"""Exact inference by batched variable elimination.

A :class:`Plan` is made once per query shape (target, which claims are observed, which are set):
it prunes the network to the relevant ancestors, cuts intervened claims from their causes, slices
observed states out of the factors, orders the rest by min-fill and records each elimination as one
``numpy.einsum`` over a leading batch axis. Executing a plan on a batch of parameter vectors
(``theta`` of shape ``(B, P)``) returns ``(B, card)`` probabilities; nothing in it grows
exponentially with the number of claims, only with the width of the elimination.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .elimination import min_fill_order
from .errors import ImpossibleEvidenceError, QueryError, WidthError, did_you_mean
from .network import Network

__all__ = ["Engine", "Plan", "MAX_CLIQUE_CELLS", "BATCH_BYTES"]

MAX_CLIQUE_CELLS = 1 << 24
"""Largest intermediate table (cells per parameter vector) a plan may create."""
BATCH_BYTES = 256 * 1024 * 1024
"""Memory budget for one chunk of a batched evaluation."""

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"
_BATCH = "Z"


@dataclass(frozen=True)
class _Factor:
    var: str                      # whose CPT this is
    index: tuple                  # slicing applied to the CPT array (after the batch axis)
    scope: tuple[str, ...]        # variables remaining after slicing, in axis order


@dataclass(frozen=True)
class _Step:
    inputs: tuple[int, ...]
    subscripts: str
    output_scope: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """A compiled query: which CPTs to build, how to slice them, and the einsum steps."""

    target: str
    needed: tuple[str, ...]
    factors: tuple[_Factor, ...]
    steps: tuple[_Step, ...]
    final: str
    final_inputs: tuple[int, ...]
    fixed: Mapping[str, int]
    width: int
    max_cells: int


class Engine:
    """Batched exact inference on a compiled :class:`~argmap.network.Network`.

    Plans are cached, so repeated queries of the same shape (sweeps, Monte Carlo, Sobol) pay only
    for building CPTs and running the einsums.
    """

    def __init__(self, network: Network):
        self.network = network
        self._plans: dict[tuple, Plan] = {}

    # ------------------------------------------------------------------ public
    def query(self, target: str, given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
              theta: np.ndarray | None = None) -> np.ndarray:
        """P(target | given, do(set)) for each parameter vector.

        ``theta`` may be None (the map's own numbers), shape ``(P,)`` or ``(B, P)``; the result is
        ``(card,)`` for the first two and ``(B, card)`` for a batch.
        """
        single = theta is None or np.ndim(theta) == 1
        th = self._theta(theta)
        plan = self.plan(target, given or {}, set or {})
        out = np.concatenate([self._run(plan, th[i:i + n]) for i, n in self._chunks(plan, th.shape[0])])
        return out[0] if single else out

    def joint_evidence(self, given: Mapping[str, str], set: Mapping[str, str] | None = None,
                       theta: np.ndarray | None = None) -> np.ndarray:
        """P(given | do(set)) for each parameter vector (the normaliser of a conditional query)."""
        th = self._theta(theta)
        plan = self.plan(None, given, set or {})
        out = np.concatenate([self._run(plan, th[i:i + n], normalise=False)[:, 0]
                              for i, n in self._chunks(plan, th.shape[0])])
        return out[0] if theta is None or np.ndim(theta) == 1 else out

    def marginals(self, given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
                  theta: np.ndarray | None = None, claims=None) -> dict[str, np.ndarray]:
        """Posterior marginal of every claim (or of ``claims``)."""
        return {v: self.query(v, given, set, theta) for v in (claims or self.network.variables)}

    # ------------------------------------------------------------------ plans
    def _theta(self, theta) -> np.ndarray:
        net = self.network
        if theta is None:
            return net.theta0[None, :]
        th = np.asarray(theta, dtype=float)
        if th.ndim == 1:
            th = th[None, :]
        if th.ndim != 2 or th.shape[1] != len(net.params):
            raise QueryError(f"theta must have shape (B, {len(net.params)}), got {np.shape(theta)}")
        return th

    def _chunks(self, plan: Plan, n: int):
        per = max(1, BATCH_BYTES // (8 * max(plan.max_cells, 1) * 4))
        return [(i, min(per, n - i)) for i in range(0, n, per)] or [(0, 0)]

    def _check_names(self, target, given, set_) -> None:
        net = self.network
        for role, name in [("target", target)] + [("given", g) for g in given] + [("set", s) for s in set_]:
            if name is not None and name not in net.states:
                raise QueryError(f"{role} '{name}' is not a claim in this map"
                                 + (f"; {did_you_mean(name, net.states)}" if did_you_mean(name, net.states) else ""))
        for mapping, role in ((given, "given"), (set_, "set")):
            for name, state in mapping.items():
                if state not in net.states[name]:
                    raise QueryError(f"{role}: '{name}' has no state '{state}' (its states: "
                                     f"{', '.join(net.states[name])})")
        both = sorted(set(given) & set(set_))
        if both:
            raise QueryError(f"'{both[0]}' is both observed (given) and set; choose one")

    def plan(self, target: str | None, given: Mapping[str, str], set_: Mapping[str, str]) -> Plan:
        key = (target, tuple(sorted(given.items())), tuple(sorted(set_.items())))
        plan = self._plans.get(key)
        if plan is None:
            self._check_names(target, given, set_)
            plan = self._plans[key] = self._make_plan(target, dict(given), dict(set_))
        return plan

    def _make_plan(self, target: str | None, given: dict, set_: dict) -> Plan:
        net = self.network
        fixed = {v: net.states[v].index(s) for v, s in {**given, **set_}.items()}
        # relevant: ancestors of the target and the observed claims, walking parents but not
        # through intervened claims (do() cuts them from their causes)
        needed: set[str] = set()
        stack = [v for v in ([target] if target else []) + list(given)]
        while stack:
            v = stack.pop()
            if v in needed:
                continue
            needed.add(v)
            if v not in set_:
                stack.extend(net.parents[v])
        needed_t = tuple(v for v in net.variables if v in needed)
        factors = []
        for v in needed_t:
            if v in set_:
                continue                      # its CPT is replaced by the fixed state
            scope_full = net.parents[v] + (v,)
            index = tuple(fixed[u] if u in fixed else slice(None) for u in scope_full)
            scope = tuple(u for u in scope_full if u not in fixed)
            factors.append(_Factor(v, index, scope))
        elim = [v for v in needed_t if v not in fixed and v != target]
        order = min_fill_order([f.scope for f in factors], elim)
        cards = net.cards
        scopes: dict[int, tuple[str, ...]] = {i: f.scope for i, f in enumerate(factors)}
        steps = []
        width, max_cells = 0, 1
        next_id = len(factors)
        for v in order:
            ins = tuple(i for i, s in scopes.items() if v in s)
            union = []
            for i in ins:
                union += [u for u in scopes[i] if u not in union]
            cells = math.prod(cards[u] for u in union)
            width = max(width, len(union) - 1)
            max_cells = max(max_cells, cells)
            if cells > MAX_CLIQUE_CELLS:
                raise WidthError(
                    f"the map is too densely connected for exact inference: eliminating '{v}' joins "
                    f"{len(union)} claims ({cells:,} table cells; limit {MAX_CLIQUE_CELLS:,}). "
                    f"Claims involved: {', '.join(sorted(union))}",
                    width=len(union) - 1, claims=tuple(sorted(union)))
            out_scope = tuple(u for u in union if u != v)
            steps.append(_Step(ins, _subscripts([scopes[i] for i in ins], out_scope), out_scope))
            for i in ins:
                del scopes[i]
            scopes[next_id] = out_scope
            next_id += 1
        rest = tuple(scopes)
        out = (target,) if target and target not in fixed else ()
        final = _subscripts([scopes[i] for i in rest], out)
        return Plan(target or "", needed_t, tuple(factors), tuple(steps), final, rest, fixed, width, max_cells)

    # ------------------------------------------------------------------ execution
    def _run(self, plan: Plan, theta: np.ndarray, normalise: bool = True) -> np.ndarray:
        net = self.network
        bsz = theta.shape[0]
        tables: dict[int, np.ndarray] = {}
        for i, f in enumerate(plan.factors):
            cpt = net.builders[f.var](theta)
            tables[i] = cpt[(slice(None),) + f.index]
        next_id = len(plan.factors)
        for step in plan.steps:
            tables[next_id] = np.einsum(step.subscripts, *(tables.pop(i) for i in step.inputs))
            next_id += 1
        if plan.final_inputs:
            joint = np.einsum(plan.final, *(tables[i] for i in plan.final_inputs))
        else:
            joint = np.ones((bsz,))
        target = plan.target
        if target and target in plan.fixed:
            onehot = np.zeros((bsz, len(net.states[target])))
            onehot[:, plan.fixed[target]] = 1.0
            joint = onehot * joint.reshape(bsz, 1)
        elif joint.ndim == 1:
            joint = joint[:, None]
        if not normalise:
            return joint
        total = joint.sum(axis=1, keepdims=True)
        if np.any(total <= 0):
            cond = ", ".join(f"{v}={net.states[v][s]}" for v, s in plan.fixed.items())
            raise ImpossibleEvidenceError(f"the conditions ({cond}) have probability zero under this map, "
                                          "so nothing can be concluded from them")
        return joint / total


def _subscripts(in_scopes: list[tuple[str, ...]], out_scope: tuple[str, ...]) -> str:
    letters: dict[str, str] = {}
    for s in list(in_scopes) + [out_scope]:
        for v in s:
            if v not in letters:
                letters[v] = _LETTERS[len(letters)]
    ins = ",".join(_BATCH + "".join(letters[v] for v in s) for s in in_scopes)
    return f"{ins}->{_BATCH}{''.join(letters[v] for v in out_scope)}"
