"""Compile an :class:`~argmap.maps.models.ArgumentMap` into a discrete Bayesian network.

The network has one variable per claim and one conditional probability table (CPT) per variable.
Every number in the map becomes one entry of a flat **parameter vector** θ, and each CPT is a
vectorised function of θ, so the engine can evaluate the network for a whole batch of parameter
vectors (shape ``(B, P)``) at once: sweeps, Monte Carlo and Sobol all reuse one compiled network.

Composition of a binary claim X with base b (or, for a claim with an explicit table, the row's value),
active routes of chance p_k, active relations of ratio r_i (route and ratio scaled by their modulators'
factors s where given) and unmet requirements with leak l_j::

    b' = 1 − (1 − b) × Π_k (1 − p_k)^s_k                       (noisy-OR: any route suffices)
    P(X = true | parents) = expit(logit(b') + Σ_i s_i log r_i) × Π_j l_j
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field

import numpy as np

from ..base.quantity import Quantity
from ..base.records import dataclass
from ..maps.checks import all_parents, claim_order, computed_relations
from ..maps.models import ArgumentMap, Claim, Relation
from .program import Composed, Leak, Program, Term, VarSpec, build_program, expit

__all__ = ["Param", "Network", "compile_map", "relevant_claims"]


@dataclass(frozen=True)
class Param:
    """One entry of θ.

    ``kind`` is ``probability`` (a binary P(true)), ``simplex`` (one state of a categorical
    distribution, co-varying with the others in its ``group``), ``ratio`` or ``scale``.
    """

    name: str
    claim: str
    field: str
    kind: str
    quantity: Quantity
    group: tuple[int, ...] = ()
    state: str | None = None
    relation: str | None = None

    @property
    def value(self) -> float:
        return self.quantity.value


Builder = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Network:
    """A compiled network: variables in topological order, their states, parents, CPT builders, θ."""

    variables: tuple[str, ...]
    states: dict[str, tuple[str, ...]]
    parents: dict[str, tuple[str, ...]]
    params: tuple[Param, ...]
    builders: Mapping[str, Builder] = field(repr=False)
    theta0: np.ndarray = field(repr=False)
    specs: Mapping[str, VarSpec] | None = field(default=None, repr=False, compare=False)
    """The builders' formulas as index data, for :meth:`program` (None: use the builders)."""
    _programs: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    plans: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    """Elimination plans made for this network, by query: shared by its engines, and stored with it by
    the compiled-map cache so a cached run does not plan again. Not an init field, so a copy made with
    ``dataclasses.replace`` (other builders or specs) starts with no plans and no programs, never
    another network's (a plan holds the tables it filled once)."""
    stored_plans: list = field(default_factory=list, init=False, repr=False, compare=False)
    """Loaders of plans kept elsewhere (a cache entry's, decoded on first need: a cached run whose figures
    are in :attr:`results` never reads them); :meth:`load_plans` calls each once to fill :attr:`plans`."""
    results: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    """Results of queries at the map's own numbers (``theta0``, which is read-only), by plan key: a
    marginal plan's key gives the marginals of its claims concatenated in order, a query's its
    distribution. Stored with the network by the compiled-map cache, so a cached ``argmap run`` reads
    the figures its first run computed instead of computing them again."""

    def load_plans(self) -> dict:
        """:attr:`plans`, with every stored plan not yet read added."""
        while self.stored_plans:
            self.stored_plans.pop()(self.plans)
        return self.plans

    @property
    def cards(self) -> dict[str, int]:
        return {v: len(s) for v, s in self.states.items()}

    def param_index(self, name: str) -> int:
        for i, p in enumerate(self.params):
            if p.name == name:
                return i
        raise KeyError(name)

    def program(self, names: tuple[str, ...] | None = None) -> Program | None:
        """A :class:`~argmap.inference.program.Program` filling the CPTs of ``names`` (default: all) at once."""
        if self.specs is None:
            return None
        key = tuple(names or self.variables)
        if key == self.variables:                 # the whole network's program is built once
            cache = self._whole()
            if cache not in self._programs:
                self._programs[cache] = build_program(self.specs, key, self.theta0.size)
            return self._programs[cache]
        return build_program(self.specs, key, self.theta0.size)

    def adopt_program(self, program: Program) -> None:
        """Use ``program`` (the whole network's, e.g. read from the compiled-map cache) as built."""
        self._programs[self._whole()] = program

    def _whole(self) -> tuple:
        return ("all", id(self.specs), self.theta0.size)

    def cpts(self, theta: np.ndarray, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """CPTs for a batch ``theta`` of shape (B, P): arrays of shape (B, *parent cards, card)."""
        theta = np.asarray(theta, dtype=float)
        return {v: self.builders[v](theta) for v in (names or self.variables)}

    def defer_params(self, params: Callable[[], tuple[Param, ...]]) -> None:
        """Read :attr:`params` from ``params()`` when first asked for, not now (a network read from the
        compiled-map cache compiles them from its map: a cached ``argmap run`` never reads them)."""
        object.__delattr__(self, "params")
        object.__setattr__(self, "_params_from", params)


class _Deferred:
    """:attr:`Network.params` of a network that deferred them: the field is filled on first read."""

    def __get__(self, net: Network | None, owner: type | None = None):
        if net is None:
            return self
        params = net.__dict__["_params_from"]()
        object.__setattr__(net, "params", params)
        return params


setattr(Network, "params", _Deferred())     # noqa: B010 - only read where the instance has no params of its own


def compile_map(amap: ArgumentMap) -> Network:
    """Compile a validated map into a :class:`Network`."""
    every = all_parents(amap)
    order = claim_order(amap)
    assert order is not None, "compile_map needs a checked map (load_map refuses cycles)"
    states = {c: amap.claims[c].states for c in order}
    parents = {c: every[c] for c in order}
    params: list[Param] = []
    builders: dict[str, Builder] = {}
    specs: dict[str, VarSpec] = {}
    rels_by_target = computed_relations(amap)
    for cid in order:
        claim = amap.claims[cid]
        if claim.table is not None and not rels_by_target.get(cid):
            builders[cid], specs[cid] = _table(claim, states, params)
        elif not parents[cid]:
            builders[cid], specs[cid] = _root(claim, params)
        else:
            rels = rels_by_target.get(cid, [])
            builders[cid], specs[cid] = _composed(claim, parents[cid], rels, states, params)
    theta0 = np.array([p.value for p in params], dtype=float)
    theta0.flags.writeable = False      # results at theta0 are kept (Network.results): it never changes
    net = Network(order, states, parents, tuple(params), builders, theta0, specs)
    net.program()           # index every CPT cell now, as part of compiling, not of the first query
    return net


def _add(params: list[Param], **kw) -> int:
    params.append(Param(**kw))
    return len(params) - 1


def _root(claim: Claim, params: list[Param]) -> tuple[Builder, VarSpec]:
    assert claim.credence is not None, f"root claim {claim.id} has no credence (the checks require one)"
    if claim.binary:
        i = _add(params, name=f"credence:{claim.id}", claim=claim.id, field="credence", kind="probability",
                 quantity=claim.credence[1], state="true")

        def build(theta: np.ndarray) -> np.ndarray:
            p = theta[:, i]
            return np.stack([1.0 - p, p], axis=-1)
        return build, VarSpec((2,), direct=[(1, 0, i)])
    start = len(params)
    group = tuple(range(start, start + len(claim.states)))
    for s, q in zip(claim.states, claim.credence, strict=False):
        _add(params, name=f"credence:{claim.id}={s}", claim=claim.id, field="credence", kind="simplex",
             quantity=q, group=group, state=s)
    sl = slice(start, start + len(claim.states))
    return (lambda theta: theta[:, sl].copy()), VarSpec((len(group),), copy=[(s, g) for s, g in enumerate(group)])


def _table_params(claim: Claim, params: list[Param]) -> tuple[int, int]:
    """Add a table's entries to θ, row by row; return the range of their indices."""
    table = claim.table
    assert table is not None, f"{claim.id} has no table"
    start = len(params)
    for combo, dist in table.rows:
        label = ",".join(f"{g}={s}" for g, s in zip(table.given, combo, strict=False))
        if claim.binary:
            _add(params, name=f"table:{claim.id}[{label}]", claim=claim.id, field="table", kind="probability",
                 quantity=dist[1], state="true")
        else:
            g0 = len(params)
            group = tuple(range(g0, g0 + len(claim.states)))
            for s, q in zip(claim.states, dist, strict=False):
                _add(params, name=f"table:{claim.id}[{label}]={s}", claim=claim.id, field="table", kind="simplex",
                     quantity=q, group=group, state=s)
    return start, len(params)


def _table(claim: Claim, states, params: list[Param]) -> tuple[Builder, VarSpec]:
    assert claim.table is not None, f"{claim.id} has no table"
    shape = tuple(len(states[g]) for g in claim.table.given)
    start, stop = _table_params(claim, params)
    k = len(claim.states)

    if claim.binary:
        def build(theta: np.ndarray) -> np.ndarray:
            p = theta[:, start:stop].reshape((theta.shape[0],) + shape)
            return np.stack([1.0 - p, p], axis=-1)
        return build, VarSpec(shape + (2,), direct=[(2 * r + 1, 2 * r, start + r) for r in range(stop - start)])
    build = lambda theta: theta[:, start:stop].reshape((theta.shape[0],) + shape + (k,)).copy()  # noqa: E731
    return build, VarSpec(shape + (k,), copy=[(j, start + j) for j in range(stop - start)])


def _composed(claim: Claim, parents: tuple[str, ...], rels: list[Relation], states,
              params: list[Param]) -> tuple[Builder, VarSpec]:
    shape = tuple(len(states[p]) for p in parents)
    axis = {p: i for i, p in enumerate(parents)}

    def flags(r: Relation) -> tuple[bool, ...]:
        return tuple(s in r.when for s in states[r.source])

    def scales(r: Relation) -> tuple[tuple[int, tuple[int, ...]], ...]:
        return tuple((axis[m], tuple(_add(params, name=f"scale:{r.key}@{m}={s}", claim=claim.id, field="scale",
                                          kind="scale", quantity=q, relation=r.key, state=s) for s, q in scale))
                     for m, scale in r.modulators)

    base_i = -1
    table = None
    if claim.table is not None:     # the table's rows are the cells' bases (its parents come first)
        start, stop = _table_params(claim, params)
        table = (tuple(axis[g] for g in claim.table.given), tuple(range(start, stop)))
    elif claim.base is not None:
        base_i = _add(params, name=f"base:{claim.id}", claim=claim.id, field="base", kind="probability",
                      quantity=claim.base, state="true")
    elif claim.credence is not None:
        # a root credence on a claim that gained relations (e.g. from an overlay) acts as its base
        base_i = _add(params, name=f"credence:{claim.id}", claim=claim.id, field="credence", kind="probability",
                      quantity=claim.credence[1], state="true")
    terms: list[Term] = []
    leaks: list[Leak] = []
    routes: list[Term] = []
    for r in rels:
        if r.type == "requires":
            li = -1
            if r.leak is not None:
                li = _add(params, name=f"leak:{r.key}", claim=claim.id, field="leak", kind="probability",
                          quantity=r.leak, relation=r.key)
            leaks.append(Leak(li, axis[r.source], tuple(not f for f in flags(r))))
        elif r.type == "route":
            pi = _add(params, name=f"route:{r.key}", claim=claim.id, field="p", kind="probability",
                      quantity=r.p, relation=r.key, state="true")
            routes.append(Term(pi, axis[r.source], flags(r), scales(r)))
        else:
            ri = _add(params, name=f"ratio:{r.key}", claim=claim.id, field="ratio", kind="ratio",
                      quantity=r.ratio, relation=r.key)
            terms.append(Term(ri, axis[r.source], flags(r), scales(r)))
    spec = Composed(base_i, tuple(terms), tuple(leaks), tuple(routes), table)
    return _composed_builder(spec, shape), VarSpec(shape + (2,), composed=spec)


def _composed_builder(spec: Composed, shape: tuple[int, ...]) -> Builder:
    """The CPT of ``spec`` for a batch θ, in log-odds (the reference the program is tested against).
    Masks broadcast along their parent's axis, so memory is one table, not one per relation."""
    nd = len(shape)
    if spec.table is not None:
        cells = np.arange(int(np.prod(shape, dtype=np.int64)))
        base_cells = spec.bases(shape, cells).reshape(shape)

    def along(axis: int, values) -> np.ndarray:
        out = [1] * (nd + 1)
        out[axis + 1] = -1
        return np.asarray(values).reshape(out)

    def exponent(theta: np.ndarray, t: Term) -> np.ndarray | float:
        """The product of ``t``'s modulators' scales in each cell (1 without modulators)."""
        e: np.ndarray | float = 1.0
        bsz = theta.shape[0]
        for mod_axis, scales in t.mods:       # several modulators multiply the weight
            e = e * theta[:, list(scales)].reshape((bsz,) + along(mod_axis, scales).shape[1:])
        return e

    def mask(t: Term) -> np.ndarray:
        return along(t.axis, np.asarray(t.active, dtype=bool))

    def build(theta: np.ndarray) -> np.ndarray:
        bsz = theta.shape[0]
        batch = (bsz,) + (1,) * nd
        if spec.base < 0 and spec.table is None:
            p = np.ones((bsz,) + shape)
        else:
            b = theta[:, base_cells] if spec.table is not None else theta[:, spec.base].reshape(batch)
            fail = (1.0 - b) * np.ones((bsz,) + shape)        # 1 − b': nothing brings the claim about
            routed = np.zeros((1,) + shape, dtype=bool)
            for t in spec.routes:
                q = (1.0 - theta[:, t.ratio]).reshape(batch) ** exponent(theta, t)
                fail = np.where(mask(t), fail * q, fail)
                routed = routed | mask(t)
            b = np.where(routed, 1.0 - fail, b)
            with np.errstate(divide="ignore"):
                logit = np.log(b) - np.log(fail)
            for t in spec.terms:
                logit = logit + np.where(mask(t), np.log(theta[:, t.ratio]).reshape(batch) * exponent(theta, t), 0.0)
            with np.errstate(invalid="ignore"):
                p = expit(logit)
        for lk in spec.leaks:
            keep = np.zeros(batch) if lk.param < 0 else theta[:, lk.param].reshape(batch)
            p = p * (1.0 - along(lk.axis, np.asarray(lk.unmet, dtype=float)) * (1.0 - keep))
        return np.stack([1.0 - p, p], axis=-1)
    return build


def relevant_claims(network: Network, targets, given, set_) -> tuple[str, ...]:
    """Claims a query can depend on, in topological order: the ancestors of the targets and of the
    observed claims, walking parents but not through intervened claims (do() cuts their causes)."""
    needed: set[str] = set()
    stack = list(targets) + list(given)
    while stack:
        v = stack.pop()
        if v in needed:
            continue
        needed.add(v)
        if v not in set_:
            stack.extend(network.parents[v])
    return tuple(v for v in network.variables if v in needed)

