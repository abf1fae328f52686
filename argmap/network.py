"""Compile an :class:`~argmap.models.ArgumentMap` into a discrete Bayesian network.

The network has one variable per claim and one conditional probability table (CPT) per variable.
Every number in the map becomes one entry of a flat **parameter vector** θ, and each CPT is a
vectorised function of θ, so the engine can evaluate the network for a whole batch of parameter
vectors (shape ``(B, P)``) at once: sweeps, Monte Carlo and Sobol all reuse one compiled network.

Composition of a binary claim X with base b, active relations of ratio r_i (log-weight scaled by a
modulator where given) and unmet requirements with leak l_j::

    P(X = true | parents) = expit(logit(b) + Σ_i s_i log r_i) × Π_j l_j
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .checks import all_parents, topological_order
from .models import ArgumentMap, Claim, Relation
from .program import Program, VarSpec, build_program
from .quantity import Quantity

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
    _programs: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def cards(self) -> dict[str, int]:
        return {v: len(s) for v, s in self.states.items()}

    def param_index(self, name: str) -> int:
        for i, p in enumerate(self.params):
            if p.name == name:
                return i
        raise KeyError(name)

    def program(self, names: tuple[str, ...] | None = None) -> Program | None:
        """A :class:`~argmap.program.Program` filling the CPTs of ``names`` (default: all) at once."""
        if self.specs is None:
            return None
        key = tuple(names or self.variables)
        if key == self.variables:                 # the whole network's program is built once
            cache = self._whole()
            if cache not in self._programs:
                self._programs[cache] = build_program(self.specs, key, len(self.params))
            return self._programs[cache]
        return build_program(self.specs, key, len(self.params))

    def adopt_program(self, program: Program) -> None:
        """Use ``program`` (the whole network's, e.g. read from the compiled-map cache) as built."""
        self._programs[self._whole()] = program

    def _whole(self) -> tuple:
        return ("all", id(self.specs), len(self.params))

    def cpts(self, theta: np.ndarray, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """CPTs for a batch ``theta`` of shape (B, P): arrays of shape (B, *parent cards, card)."""
        theta = np.asarray(theta, dtype=float)
        return {v: self.builders[v](theta) for v in (names or self.variables)}


def compile_map(amap: ArgumentMap) -> Network:
    """Compile a validated map into a :class:`Network`."""
    every = all_parents(amap)
    ordered = topological_order(every)
    assert ordered is not None, "compile_map needs a checked map (load_map refuses cycles)"
    order = tuple(ordered)
    states = {c: amap.claims[c].states for c in order}
    parents = {c: every[c] for c in order}
    params: list[Param] = []
    builders: dict[str, Builder] = {}
    specs: dict[str, VarSpec] = {}
    rels_by_target: dict[str, list[Relation]] = {}
    for r in amap.relations:
        if not r.decorative:
            rels_by_target.setdefault(r.target, []).append(r)
    for cid in order:
        claim = amap.claims[cid]
        if claim.table is not None:
            builders[cid], specs[cid] = _table(claim, states, params)
        elif not parents[cid]:
            builders[cid], specs[cid] = _root(claim, params)
        else:
            rels = rels_by_target.get(cid, [])
            builders[cid], specs[cid] = _composed(claim, parents[cid], rels, states, params)
    theta0 = np.array([p.value for p in params], dtype=float)
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


def _table(claim: Claim, states, params: list[Param]) -> tuple[Builder, VarSpec]:
    table = claim.table
    assert table is not None, f"{claim.id} has no table"
    shape = tuple(len(states[g]) for g in table.given)
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
    stop = len(params)
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
    grid = np.indices(shape) if shape else np.zeros((0,), dtype=int)
    axis = {p: i for i, p in enumerate(parents)}

    def active(r: Relation) -> np.ndarray:
        pos = [states[r.source].index(s) for s in r.when]
        return np.isin(grid[axis[r.source]], pos).astype(float)

    base_i = None
    if claim.base is not None:
        base_i = _add(params, name=f"base:{claim.id}", claim=claim.id, field="base", kind="probability",
                      quantity=claim.base, state="true")
    elif claim.credence is not None:
        # a root credence on a claim that gained relations (e.g. from an overlay) acts as its base
        base_i = _add(params, name=f"credence:{claim.id}", claim=claim.id, field="credence", kind="probability",
                      quantity=claim.credence[1], state="true")
    terms = []   # (ratio param, active mask, ((modulator grid, scale params), ...))
    leaks = []   # (leak param or None, unmet mask)
    for r in rels:
        mask = active(r)
        if r.type == "requires":
            li = None
            if r.leak is not None:
                li = _add(params, name=f"leak:{r.key}", claim=claim.id, field="leak", kind="probability",
                          quantity=r.leak, relation=r.key)
            leaks.append((li, 1.0 - mask))
            continue
        ri = _add(params, name=f"ratio:{r.key}", claim=claim.id, field="ratio", kind="ratio",
                  quantity=r.ratio, relation=r.key)
        mods = []
        for m, scale in r.modulators:
            s_idx = [_add(params, name=f"scale:{r.key}@{m}={s}", claim=claim.id, field="scale",
                          kind="scale", quantity=q, relation=r.key, state=s) for s, q in scale]
            mods.append((grid[axis[m]], np.array(s_idx)))
        terms.append((ri, mask, tuple(mods)))

    def build(theta: np.ndarray) -> np.ndarray:
        bsz = theta.shape[0]
        expand = (slice(None),) + (None,) * len(shape)
        logit = np.zeros((bsz,) + shape)
        for ri, mask, mods in terms:
            w = np.log(theta[:, ri])[expand] * mask
            for mod_grid, s_idx in mods:      # several modulators multiply the weight
                w = w * theta[:, s_idx][:, mod_grid]
            logit = logit + w
        if base_i is None:
            p = np.ones((bsz,) + shape)
        else:
            b = theta[:, base_i][expand]
            with np.errstate(divide="ignore"):
                z = np.log(b) - np.log1p(-b) + logit
            p = _expit(z)
        for li, unmet in leaks:
            keep = np.zeros((bsz, 1)) if li is None else theta[:, [li]]
            keep = keep.reshape((bsz,) + (1,) * len(shape))
            p = p * (1.0 - unmet * (1.0 - keep))
        return np.stack([1.0 - p, p], axis=-1)
    return build, _composed_spec(shape, base_i, terms, leaks)


def _composed_spec(shape, base_i, terms, leaks) -> VarSpec:
    """The composed CPT's cells as data: the same formula as ``build`` above, one cell at a time."""
    spec = VarSpec(shape + (2,))
    cells = int(np.prod(shape, dtype=np.int64))
    flat_terms = [(ri, mask.reshape(-1), [(g.reshape(-1), idx) for g, idx in mods]) for ri, mask, mods in terms]
    flat_leaks = [(li, unmet.reshape(-1)) for li, unmet in leaks]
    for c in range(cells):
        ts = tuple((ri, *(int(idx[g[c]]) for g, idx in mods)) if mods else (ri, -1)
                   for ri, mask, mods in flat_terms if mask[c])
        ls = tuple(-1 if li is None else li for li, unmet in flat_leaks if unmet[c])
        spec.composed.append((2 * c + 1, 2 * c, -1 if base_i is None else base_i, ts, ls))
    return spec


def _expit(z: np.ndarray) -> np.ndarray:
    out = np.empty_like(z)
    pos = z >= 0
    with np.errstate(over="ignore", invalid="ignore"):
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        ez = np.exp(z[~pos])
        out[~pos] = ez / (1.0 + ez)
    return out


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

