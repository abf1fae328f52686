"""Exact inference by batched variable elimination.

A :class:`Plan` is made once per query shape (target, which claims are observed, which are set):
it prunes the network to the relevant ancestors, cuts intervened claims from their causes, slices
observed states out of the factors, orders the rest by min-fill and records each elimination as one
``numpy.einsum``. Executing a plan on a batch of parameter vectors (``theta`` of shape ``(B, P)``)
returns ``(B, card)`` probabilities; nothing in it grows exponentially with the number of claims,
only with the width of the elimination, and a plan whose width is too large is refused
(:class:`~argmap.base.errors.WidthError`) before any table is built.

Two choices make it fast. Tables are laid out **batch-last** (``(*scope cards, B)``), so every
einsum's innermost loop runs over the batch, long and contiguous; and all CPTs of a plan are filled
by one vectorised :class:`~argmap.inference.program.Program` rather than one numpy expression per claim.

**All marginals in one pass.** :meth:`Engine.marginals` eliminates every variable (the forward pass
gives P(evidence) = Z) and then runs the einsums backwards: the adjoint ∂Z/∂φ of each CPT φ, times
φ, is the joint of that claim's family with the evidence (the differential view of inference,
Darwiche 2003). Summing it to the claim gives its marginal — every claim's, exactly, for about three
times the cost of one query rather than one query per claim.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import field
from functools import lru_cache

import numpy as np

from ..base.errors import ImpossibleEvidenceError, QueryError, WidthError, did_you_mean
from ..base.gcpause import paused_gc
from ..base.records import dataclass
from .elimination import min_fill_order
from .keptanswers import marginal_key, plan_key, split_marginals
from .network import Network, relevant_claims
from .program import Program

__all__ = ["Engine", "Plan", "MAX_CLIQUE_CELLS", "BATCH_BYTES"]

MAX_CLIQUE_CELLS = 1 << 24
"""Largest intermediate table (cells per parameter vector) a plan may create."""
BATCH_BYTES = 16 * 1024 * 1024
"""Memory budget for one chunk of a batched evaluation. Chunks that fit the CPU's last-level cache
are faster than larger ones (the bundled map's Sobol and Monte Carlo batches: 256 MiB chunks took
1.5-1.8× as long as 32-64 MiB ones on a 2-core EPYC with 32 MiB of L3); much smaller ones pay
numpy's per-call overhead on every elimination step. 16 MiB rather than 32: glibc hands out arrays of
32 MiB and more with mmap and gives them back on free (its largest mmap threshold), so 32 MiB chunks
page-faulted ~21,900 times per 10,000-draw evaluation of the bundled map and ran at half the speed;
`argmap export` 2.10 -> 1.91 s (bench/README.md, session 5). Chunking never mixes draws: the output is
the same bytes."""

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"
_BATCH = "Z"
_MAX_OPERANDS = 24          # numpy's einsum takes at most 64 operands; larger groups are pre-multiplied


@dataclass(frozen=True)
class _Factor:
    """One CPT of a plan, sliced by the evidence."""

    var: str                      # whose CPT this is
    index: tuple                  # slicing applied to the CPT array (before the batch axis)
    scope: tuple[str, ...]        # variables remaining after slicing, in axis order


@dataclass(frozen=True)
class _Step:
    """One elimination step: an einsum over some of the plan's tables."""

    inputs: tuple[int, ...]
    subscripts: str
    in_scopes: tuple[tuple[str, ...], ...] = ()
    backward: tuple = ()          # per input: (subscripts, axes to insert) for the adjoint pass


@dataclass(frozen=True)
class Plan:
    """A compiled query: which CPTs to build, how to slice them, and the einsum steps."""

    target: str
    needed: tuple[str, ...]
    factors: tuple[_Factor, ...]
    steps: tuple[_Step, ...]
    final_inputs: tuple[int, ...]
    final_scopes: tuple[tuple[str, ...], ...]
    fixed: Mapping[str, int]
    width: int
    max_cells: int
    total_cells: int = 0
    program: Program | None = field(default=None, repr=False)
    family: Mapping[str, tuple] = field(default_factory=dict, repr=False)  # var -> (factor id, subscripts)
    component: Mapping[int, int] = field(default_factory=dict, repr=False)  # factor id -> its final table
    lone: tuple[int, ...] = ()      # marginal plans: factors over their own claim alone, shared with no other
    """Factors that are a component by themselves (a claim whose parents are all fixed or absent and
    which no other factor reads): nothing is eliminated for them; the marginal is the table normalised."""


class Engine:
    """Batched exact inference on a compiled :class:`~argmap.inference.network.Network`.

    Plans are cached, so repeated queries of the same shape (sweeps, Monte Carlo, Sobol) pay only
    for filling CPTs and running the einsums.
    """

    def __init__(self, network: Network):
        self.network = network
        self._plans: dict[tuple, Plan] = network.plans
        self._users: list[tuple[str, ...]] | None = None     # per parameter: the claims whose CPT reads it
        self._subprograms: dict[tuple[str, ...], Program] = {}
        self.evaluations = 0
        """Plans evaluated (tables filled) so far; a query answered from kept results evaluates none."""

    # ------------------------------------------------------------------ public
    def query(self, target: str, given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
              theta: np.ndarray | None = None) -> np.ndarray:
        """P(target | given, do(set)) for each parameter vector.

        ``theta`` may be None (the map's own numbers), shape ``(P,)`` or ``(B, P)``; the result is
        ``(card,)`` for the first two and ``(B, card)`` for a batch.
        """
        single = theta is None or np.ndim(theta) == 1
        th = self._theta(theta)
        kept = self._kept(theta, self._plan_key(target, given or {}, set or {}))
        if kept is not None:          # (checked when it was computed)
            return kept.copy()
        plan = self.plan(target, given or {}, set or {})
        out = np.concatenate([self._run(plan, th[i:i + n]) for i, n in self._chunks(plan, th.shape[0])])
        if theta is None:
            self._keep(self._plan_key(target, given or {}, set or {}), out[0])
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
        """Posterior marginal of every claim (or of ``claims``), all from one forward-backward pass.

        Each value is ``(card,)``, or ``(B, card)`` for a batch ``theta``.
        """
        single = theta is None or np.ndim(theta) == 1
        th = self._theta(theta)
        names = tuple(self.network.variables) if claims is None else tuple(claims)
        key = self._marginal_key(names, given or {}, set or {})
        kept = self._kept(theta, key)
        if kept is not None:          # computed before at the map's own numbers (this run, or the entry's),
            return split_marginals(kept.copy(), names, self.network.states)   # so names and conditions were checked
        plan = self.marginal_plan(names, given or {}, set or {})
        parts = [self._run_marginals(plan, names, th[i:i + n]) for i, n in self._chunks(plan, th.shape[0], True)]
        if len(parts) == 1:               # one chunk (always, without a batch): its arrays as they are
            out = {v: parts[0][v] for v in names}
        else:
            out = {v: np.concatenate([p[v] for p in parts]) for v in names}
        if theta is None:
            self._keep(key, np.concatenate([a[0] for a in out.values()]) if out else np.zeros(0))
        return {v: a[0] for v, a in out.items()} if single else out

    def cpt_gradient(self, given: Mapping[str, str], set: Mapping[str, str] | None = None,
                     theta: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """∂P(given | do(set)) / ∂(every CPT entry), at one parameter vector, from one forward-backward pass.

        P(given | do(set)) is multilinear in the CPT entries, so for each claim X it equals
        Σ_k cpt_X[k] · grad_X[k] exactly (the other CPTs held). Returns ``{claim: (*parent cards, card)}``
        for the claims the query reads; claims it does not read (irrelevant or intervened) are absent.
        Used by the exact one-way functions. Evidence of probability zero is not an error here.
        """
        th = self._theta(theta)[:1]
        names = tuple(self.network.variables)
        plan = self.marginal_plan(names, given, set or {})
        tables = self._forward(plan, th, keep=True)
        adj = self._adjoints(plan, tables, 1)
        out = {}
        for i, f in enumerate(plan.factors):
            full = np.zeros(tuple(len(self.network.states[u]) for u in self.network.parents[f.var] + (f.var,)))
            full[f.index] = adj[i][..., 0]
            out[f.var] = full
        return out

    # ------------------------------------------------------------------ plans
    def _theta(self, theta) -> np.ndarray:
        net = self.network
        if theta is None:
            return net.theta0[None, :]
        th = np.asarray(theta, dtype=float)
        if th.ndim == 1:
            th = th[None, :]
        if th.ndim != 2 or th.shape[1] != net.theta0.size:
            raise QueryError(f"theta must have shape (B, {net.theta0.size}), got {np.shape(theta)}")
        return th

    def _chunks(self, plan: Plan, n: int, keep_all: bool = False):
        cells = plan.total_cells if keep_all else (plan.program.size if plan.program else 0) + 4 * plan.max_cells
        per = max(1, BATCH_BYTES // (8 * max(cells, 1)))
        return [(i, min(per, n - i)) for i in range(0, n, per)] or [(0, 0)]

    def _check_names(self, targets, given, set_) -> None:
        net = self.network
        for role, name in [("target", t) for t in targets] + [("given", g) for g in given] + [("set", s) for s in set_]:
            if name is not None and name not in net.states:
                hint = did_you_mean(name, net.states)
                raise QueryError(f"{role} '{name}' is not a claim in this map" + (f"; {hint}" if hint else ""))
        for mapping, role in ((given, "given"), (set_, "set")):
            for name, state in mapping.items():
                if state not in net.states[name]:
                    raise QueryError(f"{role}: '{name}' has no state '{state}' (its states: "
                                     f"{', '.join(net.states[name])})")
        both = sorted(set(given) & set(set_))
        if both:
            raise QueryError(f"'{both[0]}' is both observed (given) and set; choose one")

    def _stored(self, key: tuple) -> Plan | None:
        """The plan for ``key`` among those stored with the network (a cache entry's), if any."""
        return self.network.load_plans().get(key) if self.network.stored_plans else None

    def _kept(self, theta, key: tuple) -> np.ndarray | None:
        """The result kept for ``key`` at the map's own numbers (``theta`` None), if any."""
        return self.network.results.get(key) if theta is None else None

    def _keep(self, key: tuple, result: np.ndarray) -> None:
        """Keep a result at the map's own numbers, when they cannot change (a read-only ``theta0``)."""
        if not self.network.theta0.flags.writeable:
            self.network.results[key] = result

    _plan_key = staticmethod(plan_key)
    _marginal_key = staticmethod(marginal_key)

    def plan(self, target: str | None, given: Mapping[str, str], set_: Mapping[str, str]) -> Plan:
        """The (cached) plan for P(target | given, do(set)); raises WidthError if too wide."""
        key = self._plan_key(target, given, set_)
        plan = self._plans.get(key) or self._stored(key)
        if plan is None:
            self._check_names([target], given, set_)
            with paused_gc():
                plan = self._plans[key] = self._make_plan((target,) if target else (), dict(given), dict(set_), False)
        return plan

    def marginal_plan(self, claims: tuple[str, ...], given: Mapping[str, str], set_: Mapping[str, str], *,
                      lone: bool = True) -> Plan:
        """The (cached) plan giving the marginals of ``claims`` in one forward-backward pass.

        ``lone=False`` eliminates claims that form a component by themselves like any other (the plan
        :func:`~argmap.inference.netjson.network_json` writes for the page's evaluator, which has no
        shortcut for them); the marginals are the same either way."""
        key = self._marginal_key(claims, given, set_)
        if not lone:
            key += ("no lone",)
        plan = self._plans.get(key) or self._stored(key)
        if plan is None:
            self._check_names(claims, given, set_)
            with paused_gc():
                plan = self._plans[key] = self._make_plan(claims, dict(given), dict(set_), True, lone)
        return plan

    def _make_plan(self, targets: tuple[str, ...], given: dict, set_: dict, all_marginals: bool,
                   lone_ok: bool = True) -> Plan:
        net = self.network
        cards = net.cards
        fixed = {v: net.states[v].index(s) for v, s in {**given, **set_}.items()}
        needed_t = relevant_claims(net, targets, given, set_)
        factors = []
        for v in needed_t:
            if v in set_:
                continue                      # its CPT is replaced by the fixed state
            scope_full = net.parents[v] + (v,)
            if fixed:
                index = tuple(fixed[u] if u in fixed else slice(None) for u in scope_full)
                scope = tuple(u for u in scope_full if u not in fixed)
            else:
                index, scope = _WHOLE[len(scope_full)], scope_full
            factors.append(_Factor(v, index, scope))
        keep = set() if all_marginals else {t for t in targets if t not in fixed}
        scopes: dict[int, tuple[str, ...]] = {i: f.scope for i, f in enumerate(factors)}
        holders: dict[str, set[int]] = {}
        for i, s in scopes.items():
            for u in s:
                holders.setdefault(u, set()).add(i)
        lone: tuple[int, ...] = ()
        if all_marginals and lone_ok:   # independent claims: no elimination step at all
            lone = tuple(i for i, f in enumerate(factors) if f.scope == (f.var,) and len(holders[f.var]) == 1)
            for i in lone:
                del scopes[i], holders[factors[i].var]
        alone = {factors[i].var for i in lone}
        elim = [v for v in needed_t if v not in fixed and v not in keep and v not in alone]
        order = min_fill_order([f.scope for i, f in enumerate(factors) if i in scopes], elim)
        steps: list[_Step] = []
        width, max_cells, total = 0, 1, 0
        next_id = len(factors)

        def add_step(ins: tuple[int, ...], out_scope: tuple[str, ...]) -> None:
            nonlocal next_id, total
            in_scopes = tuple([scopes.pop(i) for i in ins])
            subscripts, backward = _step_code(_shape_code(in_scopes, out_scope), all_marginals)
            steps.append(_Step(ins, subscripts, in_scopes, backward))
            for i, scope in zip(ins, in_scopes, strict=True):
                for u in scope:
                    holders[u].discard(i)
            scopes[next_id] = out_scope
            for u in out_scope:
                holders[u].add(next_id)
            total += math.prod([cards[u] for u in out_scope])
            next_id += 1

        for v in order:
            ins = tuple(sorted(holders.get(v, ())))
            union: list[str] = []
            for i in ins:
                union += [u for u in scopes[i] if u not in union]
            cells = math.prod([cards[u] for u in union])
            width = max(width, len(union) - 1)
            max_cells = max(max_cells, cells)
            if cells > MAX_CLIQUE_CELLS:
                raise WidthError(
                    f"the map is too densely connected for exact inference: eliminating '{v}' joins "
                    f"{len(union)} claims (elimination width {len(union) - 1}; {cells:,} table cells, limit "
                    f"{MAX_CLIQUE_CELLS:,}). Claims involved: {', '.join(sorted(union))}",
                    width=len(union) - 1, claims=tuple(sorted(union)))
            while len(ins) > _MAX_OPERANDS:     # pre-multiply large groups (no summation)
                group = ins[:_MAX_OPERANDS]
                gscope: list[str] = []
                for i in group:
                    gscope += [u for u in scopes[i] if u not in gscope]
                add_step(group, tuple(gscope))
                ins = ins[_MAX_OPERANDS:] + (next_id - 1,)
            add_step(ins, tuple(u for u in union if u != v))
        rest = tuple(scopes)
        # the network's own program when the plan needs most claims (built once, at compile time);
        # a smaller one for a query that touches a small part of a large map
        names = tuple(f.var for f in factors)
        program = net.program() if 2 * len(names) >= len(net.variables) else net.program(names)
        family = {}
        component: dict[int, int] = {}
        if all_marginals:
            for i, f in enumerate(factors):
                if f.var in f.scope and f.var not in alone:
                    family[f.var] = (i, _family_code(len(f.scope), f.scope.index(f.var)))
            component = {i: i for i in rest}     # which final table (independent component) each table feeds
            out_id = len(factors) + len(steps)
            for step in reversed(steps):
                out_id -= 1
                for i in step.inputs:
                    component[i] = component[out_id]
        total += program.size if program is not None else sum(
            math.prod(cards[u] for u in net.parents[f.var] + (f.var,)) for f in factors)
        return Plan(",".join(targets), needed_t, tuple(factors), tuple(steps), rest,
                    tuple(scopes[i] for i in rest), fixed, width, max_cells, total, program, family, component,
                    lone)

    # ------------------------------------------------------------------ execution
    def _param_users(self) -> list[tuple[str, ...]]:
        """For each parameter, the claims whose CPT cells read it (from the compiled cell formulas)."""
        if self._users is None:
            users: list[set[str]] = [set() for _ in self.network.params]
            for v, spec in (self.network.specs or {}).items():
                for k in spec.params():
                    users[k].add(v)
            self._users = [tuple(u) for u in users]
        return self._users

    def _varying(self, plan: Plan, theta: np.ndarray) -> tuple[str, ...] | None:
        """The plan's claims whose CPT differs across the batch, when they are at most half of them.

        Sobol designs and one-way sweeps vary a few parameters: every other CPT is then the same for
        each row and is filled once, with a batch axis of 1 that the einsums broadcast, so elimination
        steps over such CPTs alone run once rather than per row.
        """
        if theta.shape[0] < 2 or plan.program is None or self.network.specs is None:
            return None
        users = self._param_users()
        half = len(plan.factors) // 2
        ends = {v for k in np.flatnonzero(theta[-1] != theta[0]) for v in users[k]}    # a cheap lower bound
        if sum(1 for f in plan.factors if f.var in ends) > half:
            return None
        changed = {v for k in np.flatnonzero((theta != theta[:1]).any(axis=0)) for v in users[k]}
        names = tuple(f.var for f in plan.factors if f.var in changed)
        return names if 2 * len(names) <= len(plan.factors) else None

    def _tables(self, plan: Plan, theta: np.ndarray, split: bool = False) -> dict[int, np.ndarray]:
        """The plan's sliced CPTs, batch-last: ``{factor id: (*scope cards, B)}``.

        With ``split``, CPTs that are the same for every row have a batch axis of 1 (see :meth:`_varying`).
        """
        self.evaluations += 1
        net = self.network
        program = plan.program
        varying = self._varying(plan, theta) if split else None
        if varying is not None and program is not None:
            cpts = program.tables(program.run(np.ascontiguousarray(theta[:1].T)))
            if varying:
                prog = self._subprograms.get(varying) or net.program(varying)
                assert prog is not None  # _varying found compiled cell formulas, so the network has specs
                self._subprograms[varying] = prog
                cpts.update(prog.tables(prog.run(np.ascontiguousarray(theta.T))))
        elif program is not None:
            cpts = program.tables(program.run(np.ascontiguousarray(theta.T)))
        else:
            cpts = {f.var: np.moveaxis(net.builders[f.var](theta), 0, -1) for f in plan.factors}
        return {i: cpts[f.var][f.index] for i, f in enumerate(plan.factors)}

    def _forward(self, plan: Plan, theta: np.ndarray, keep: bool):
        tables = self._tables(plan, theta, split=not keep)     # (the adjoint pass needs full batches)
        next_id = len(plan.factors)
        for step in plan.steps:
            ins = [tables[i] for i in step.inputs] if keep else [tables.pop(i) for i in step.inputs]
            tables[next_id] = np.einsum(step.subscripts, *ins)
            next_id += 1
        return tables

    def _final(self, plan: Plan, tables, bsz: int, card: int | None) -> np.ndarray:
        """Product of the tables left after elimination: ``(card, B)`` or ``(B,)``."""
        out = np.ones((card, bsz)) if card else np.ones(bsz)
        for i, s in zip(plan.final_inputs, plan.final_scopes, strict=False):
            out = out * (tables[i] if s or not card else tables[i][None, :])
        return out

    def _run(self, plan: Plan, theta: np.ndarray, normalise: bool = True) -> np.ndarray:
        net = self.network
        bsz = theta.shape[0]
        target = plan.target
        free = bool(target) and target not in plan.fixed
        tables = self._forward(plan, theta, keep=False)
        joint = self._final(plan, tables, bsz, len(net.states[target]) if free else None)
        if free:
            joint = joint.T
        elif target:
            onehot = np.zeros((bsz, len(net.states[target])))
            onehot[:, plan.fixed[target]] = 1.0
            joint = onehot * joint.reshape(bsz, 1)
        else:
            joint = joint[:, None]
        if not normalise:
            return joint
        total = joint.sum(axis=1, keepdims=True)
        if np.any(total <= 0):
            raise ImpossibleEvidenceError(self._impossible(plan))
        return joint / total

    def _run_marginals(self, plan: Plan, names: tuple[str, ...], theta: np.ndarray) -> dict[str, np.ndarray]:
        net = self.network
        bsz = theta.shape[0]
        tables = self._forward(plan, theta, keep=True)
        if any(np.any(tables[i] <= 0) for i in plan.final_inputs):
            raise ImpossibleEvidenceError(self._impossible(plan))
        adj = self._adjoints(plan, tables, bsz, per_component=True)
        out = {}
        factors = plan.factors
        for shape, group in _by_shape(tables, plan.lone).items():    # a component by itself: its own
            if len(group) == 1 or shape[0] > 8:                         # table, normalised
                for i in group:
                    t = tables[i]
                    total = t.sum(axis=0)
                    if not (total > 0).all():
                        raise ImpossibleEvidenceError(self._impossible(plan))
                    out[factors[i].var] = (t / total).T
                continue
            stacked = np.stack([tables[i] for i in group])      # many at once: a sum of at most 8 terms
            total = stacked.sum(axis=1)                         # adds them in order either way (the same bits)
            if not (total > 0).all():
                raise ImpossibleEvidenceError(self._impossible(plan))
            each = (stacked / total[:, None, :]).transpose(0, 2, 1)
            for i, m in zip(group, each, strict=True):
                out[factors[i].var] = m
        for v in names:
            if v in out:
                continue
            card = len(net.states[v])
            if v in plan.fixed:
                m = np.zeros((bsz, card))
                m[:, plan.fixed[v]] = 1.0
            else:
                i, subs = plan.family[v]      # normalised by its own component's P(evidence)
                m = (np.einsum(subs, tables[i], adj[i]) / tables[plan.component[i]]).T
            out[v] = m
        return out

    def _adjoints(self, plan: Plan, tables: dict[int, np.ndarray], bsz: int,
                  per_component: bool = False) -> dict[int, np.ndarray]:
        """∂Z/∂(each table) by running the plan's einsums backwards; the plan's own factors stay in the
        result (keyed by factor id, each shaped like its table).

        Z is the product of the final tables, one per independent component. With ``per_component``
        each table's adjoint is taken of its own component's total instead (the other components'
        factor is left out), which is what marginals need and keeps them linear in the number of
        components; otherwise the products of the other components come from prefix and suffix
        products (linear too, and no division, so a zero factor is handled exactly)."""
        adj: dict[int, np.ndarray] = {}
        if per_component:
            for i in plan.final_inputs:
                adj[i] = np.ones(np.shape(tables[i]))
        else:               # lone factors are components too: their totals are their tables' sums
            finals = [tables[i] for i in plan.final_inputs] + [tables[i].sum(axis=0) for i in plan.lone]
            ids = plan.final_inputs + plan.lone
            before = [np.ones(bsz)]
            for t in finals[:-1]:
                before.append(before[-1] * t)
            after = np.ones(bsz)
            for k in range(len(finals) - 1, -1, -1):     # d Z / d (each remaining scalar)
                adj[ids[k]] = before[k] * after
                after = after * finals[k]
            for i in plan.lone:
                adj[i] = np.broadcast_to(adj[i], tables[i].shape)
        out_id = len(plan.factors) + len(plan.steps)
        for step in reversed(plan.steps):
            out_id -= 1
            g = adj.pop(out_id)
            ins = [tables[i] for i in step.inputs]
            for j, (i, (subs, insert)) in enumerate(zip(step.inputs, step.backward, strict=False)):
                a = np.einsum(subs, g, *(t for m, t in enumerate(ins) if m != j))
                if insert:                  # the axes summed out of this input alone, back as size 1
                    shape = list(a.shape)
                    for k in insert:        # ascending, so each lands where np.expand_dims puts it
                        shape.insert(k, 1)
                    a = np.broadcast_to(a.reshape(shape), ins[j].shape)
                adj[i] = a
        return adj

    def _impossible(self, plan: Plan) -> str:
        net = self.network
        cond = ", ".join(f"{v}={net.states[v][s]}" for v, s in plan.fixed.items())
        return f"the conditions ({cond}) have probability zero under this map, so nothing can be concluded from them"


def _by_shape(tables: Mapping[int, np.ndarray], ids: tuple[int, ...]) -> dict[tuple[int, ...], list[int]]:
    """``ids`` grouped by their tables' shapes, in order."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for i in ids:
        groups.setdefault(tables[i].shape, []).append(i)
    return groups


def _shape_code(in_scopes, out_scope) -> tuple[tuple[str, ...], str]:
    """The step's scopes with each claim replaced by a letter (in order of first appearance): steps of
    the same shape share one code, and the einsum subscripts depend only on it."""
    letters: dict[str, str] = {}
    put = letters.setdefault
    codes = tuple(["".join([letters[v] if v in letters else put(v, _LETTERS[len(letters)]) for v in s])
                   for s in in_scopes])
    return codes, "".join([letters[v] if v in letters else put(v, _LETTERS[len(letters)]) for v in out_scope])


class _Whole(dict):
    """``_WHOLE[n]``: the index taking all of a table with n axes, ``(:, ..., :)`` (one tuple per n)."""

    def __missing__(self, n: int) -> tuple:
        self[n] = (slice(None),) * n
        return self[n]


_WHOLE = _Whole()


@lru_cache(maxsize=256)
def _family_code(n: int, at: int) -> str:
    """Subscripts summing a family's table times its adjoint (n axes) to its claim's axis ``at``:
    what ``_subscripts([scope, scope], (claim,))`` gives."""
    axes = _LETTERS[:n] + _BATCH
    return f"{axes},{axes}->{_LETTERS[at]}{_BATCH}"


@lru_cache(maxsize=4096)
def _step_code(code: tuple[tuple[str, ...], str], backward: bool) -> tuple[str, tuple]:
    """Forward subscripts and (with ``backward``) the adjoint's, for a step of this shape."""
    in_codes, out_code = code
    return _subscripts(in_codes, out_code), (_backward(in_codes, out_code) if backward else ())


def _letters(scopes) -> dict[str, str]:
    letters: dict[str, str] = {}
    for s in scopes:
        for v in s:
            if v not in letters:
                letters[v] = _LETTERS[len(letters)]
    return letters


def _subscripts(in_scopes, out_scope) -> str:
    """Batch-last einsum subscripts, e.g. ``abZ,bcZ->acZ``."""
    letters = _letters(list(in_scopes) + [out_scope])
    ins = ",".join("".join(letters[v] for v in s) + _BATCH for s in in_scopes)
    return f"{ins}->{''.join(letters[v] for v in out_scope)}{_BATCH}"


def _backward(in_scopes, out_scope) -> tuple:
    """For each input j: subscripts of (adjoint of the output, other inputs) -> adjoint of input j.

    Variables of input j found nowhere else (summed out of it alone) are missing from the einsum's
    result; their axis positions are returned so the adjoint can be broadcast back over them.
    """
    out = []
    for j, sj in enumerate(in_scopes):
        others = [s for m, s in enumerate(in_scopes) if m != j]
        present = set(out_scope).union(*others) if others else set(out_scope)
        kept = tuple(v for v in sj if v in present)
        insert = tuple(k for k, v in enumerate(sj) if v not in present)
        out.append((_subscripts([out_scope] + others, kept), insert))
    return tuple(out)
