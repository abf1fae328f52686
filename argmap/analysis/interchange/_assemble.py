"""Check the pieces a reader found and assemble them into a :class:`~argmap.analysis.interchange.tables.BayesNet`."""

from __future__ import annotations

import math
from dataclasses import field
from pathlib import Path

import numpy as np

from ...base.errors import did_you_mean
from ...base.records import dataclass
from ._text import MAX_CELLS, MAX_PARENTS, MAX_STATES, MAX_TOTAL_CELLS, MAX_VARIABLES, SUM_TOLERANCE, fail
from .tables import BayesNet

__all__ = ["Declared", "Definition", "assemble", "check_states", "table_shape"]

Pos = tuple[int, int]


@dataclass
class Declared:
    name: str
    states: tuple[str, ...]
    pos: Pos
    title: str | None = None


@dataclass
class Definition:
    """A CPT as read: ``rows`` maps a parent-state tuple to its values (with its position)."""

    child: str
    parents: tuple[str, ...]
    pos: Pos
    table: list[float] | None = None           # whole table, child state slowest (BIF) or fastest (XMLBIF)
    table_pos: Pos | None = None
    child_fastest: bool = True
    default: list[float] | None = None
    default_pos: Pos | None = None
    rows: dict[tuple[str, ...], tuple[list[float], Pos]] = field(default_factory=dict)


def check_states(path: Path, name: str, states: list[str], pos: Pos) -> tuple[str, ...]:
    """A variable's states: at least one, at most :data:`MAX_STATES`, no duplicates, no empty names."""
    if not states:
        raise fail(path, pos, f"variable '{name}' has no states")
    if len(states) > MAX_STATES:
        raise fail(path, pos, f"variable '{name}' has {len(states):,} states (limit {MAX_STATES:,})")
    seen = set()
    for s in states:
        if not s.strip():
            raise fail(path, pos, f"variable '{name}' has an empty state name")
        if s in seen:
            raise fail(path, pos, f"variable '{name}' lists state '{s}' twice")
        seen.add(s)
    return tuple(states)


def table_shape(path: Path, d: Definition, declared: dict[str, Declared]) -> tuple[int, ...]:
    """Check a definition's variables exist and its table is small enough; return its shape."""
    if d.child not in declared:
        raise fail(path, d.pos, f"probability for undeclared variable '{d.child}'",
                   did_you_mean(d.child, declared) or "declare it with a variable block first")
    if len(d.parents) > MAX_PARENTS:
        raise fail(path, d.pos, f"'{d.child}' has {len(d.parents)} parents (limit {MAX_PARENTS})")
    for p in d.parents:
        if p not in declared:
            raise fail(path, d.pos, f"parent '{p}' of '{d.child}' is not a declared variable",
                       did_you_mean(p, declared))
        if p == d.child:
            raise fail(path, d.pos, f"'{d.child}' cannot be its own parent")
    if len(set(d.parents)) != len(d.parents):
        raise fail(path, d.pos, f"a parent of '{d.child}' is listed twice")
    shape = tuple(len(declared[p].states) for p in d.parents) + (len(declared[d.child].states),)
    cells = math.prod(shape)
    if cells > MAX_CELLS:
        raise fail(path, d.pos, f"the table of '{d.child}' has {cells:,} cells (limit {MAX_CELLS:,})",
                   "argmap imports networks whose tables fit in argument files")
    return shape


def assemble(path: Path, name: str, declared: dict[str, Declared], defs: dict[str, Definition]) -> BayesNet:
    """Validate everything the reader found and return the network; raise a positioned error otherwise."""
    if not declared:
        raise fail(path, (1, 1), "the file declares no variables")
    if len(declared) > MAX_VARIABLES:
        raise fail(path, (1, 1), f"the file declares {len(declared):,} variables (limit {MAX_VARIABLES:,})")
    shapes = {d.child: table_shape(path, d, declared) for d in defs.values()}
    missing = [v for v in declared.values() if v.name not in defs]
    if missing:
        v = missing[0]
        raise fail(path, v.pos, f"variable '{v.name}' has no probability table",
                   f"{len(missing)} variable(s) lack one" if len(missing) > 1 else None)
    total = 0
    tables: dict[str, np.ndarray] = {}
    for d in defs.values():
        shape = shapes[d.child]
        total += math.prod(shape)
        if total > MAX_TOTAL_CELLS:
            raise fail(path, d.pos, f"the network's tables hold more than {MAX_TOTAL_CELLS:,} cells in all",
                       "argmap imports networks whose tables fit in argument files")
        tables[d.child] = _table(path, d, shape, declared)
    _check_acyclic(path, declared, defs)
    variables = tuple(declared)
    return BayesNet(name, variables, {v: declared[v].states for v in variables},
                    {v: defs[v].parents for v in variables}, tables,
                    {v: t for v in variables if (t := declared[v].title)},
                    {v: declared[v].pos for v in variables})


def _table(path: Path, d: Definition, shape: tuple[int, ...], declared: dict[str, Declared]) -> np.ndarray:
    card = shape[-1]
    combos = math.prod(shape[:-1])
    if d.table is not None:
        if len(d.table) != combos * card:
            raise fail(path, d.table_pos or d.pos,
                       f"the table of '{d.child}' has {len(d.table):,} numbers; expected {combos * card:,}",
                       f"{card} state(s) × {combos:,} combination(s) of parent states")
        flat = np.asarray(d.table, dtype=float)
        arr = flat.reshape(shape) if d.child_fastest else np.moveaxis(flat.reshape((card,) + shape[:-1]), 0, -1)
        positions = None
    else:
        arr = np.full(shape, np.nan)
        if d.default is not None:
            if len(d.default) != card:
                raise fail(path, d.default_pos or d.pos, f"default row of '{d.child}' has {len(d.default)} "
                                                         f"numbers; '{d.child}' has {card} states")
            arr[...] = d.default
        positions = {}
        index = [{s: i for i, s in enumerate(declared[p].states)} for p in d.parents]
        for key, (values, pos) in d.rows.items():
            if len(key) != len(d.parents):
                raise fail(path, pos, f"row names {len(key)} state(s); '{d.child}' has {len(d.parents)} parent(s)")
            idx = []
            for p, s, ix in zip(d.parents, key, index, strict=False):
                if s not in ix:
                    raise fail(path, pos, f"'{p}' has no state '{s}'", did_you_mean(s, ix) or
                               f"its states: {', '.join(declared[p].states)}")
                idx.append(ix[s])
            if len(values) != card:
                raise fail(path, pos, f"row has {len(values)} number(s); '{d.child}' has {card} states")
            arr[tuple(idx)] = values
            positions[tuple(idx)] = pos
        if np.isnan(arr).any():
            gap = tuple(int(i) for i in np.argwhere(np.isnan(arr))[0][:-1])
            state = ", ".join(declared[p].states[i] for p, i in zip(d.parents, gap, strict=False))
            raise fail(path, d.pos, f"the table of '{d.child}' has no row for ({state})",
                       "give one row per combination of parent states, or a default row")
    sums = arr.sum(axis=-1)
    bad = np.argwhere(np.abs(sums - 1.0) > SUM_TOLERANCE)
    if len(bad):
        at = tuple(int(i) for i in bad[0])
        pos = (positions or {}).get(at) or d.table_pos or d.pos
        raise fail(path, pos, f"a row of the table of '{d.child}' sums to {sums[at]:.9g}, not 1",
                   "each row is a distribution over the variable's states")
    off = np.abs(sums - 1.0) > 1e-12
    return np.where(off[..., None], arr / sums[..., None], arr)


def _check_acyclic(path: Path, declared: dict[str, Declared], defs: dict[str, Definition]) -> None:
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(declared)
    g.add_edges_from((p, d.child) for d in defs.values() for p in d.parents)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return
    names = [u for u, _ in cycle] + [cycle[0][0]]
    raise fail(path, defs[cycle[-1][1]].pos, f"the network has a cycle: {' -> '.join(names)}")

