"""How a compiled map is encoded in a cache entry's body, and decoded back: nothing else.

The guarantees — when an entry may be used at all — live in :mod:`argmap.inference.cache` and never
look inside a body; this module only turns a map, its network and the network's elimination plans
into bytes and back. Swap the encoding here (bump :data:`FORMAT`, in :mod:`argmap.inference.bodyformat`)
without touching them. See /work/notes/cache.md.

**Layout.** ``ARGMAP13`` (8 bytes), the header's length (8 bytes, little-endian; no checksum: a body is
decoded only after the cache verified the entry's HMAC over it), then the header — two JSON texts on two
lines: the map's and the network's objects as tables, one per class, stored by columns (below), with the results kept
at the map's own numbers (:attr:`Network.results`); then the elimination plans with tables of their
own (the programs of plans for a part of the map; a plan using the network's program says
``"network"``), each as arrays (its claims by position, its steps' inputs and scopes as flat arrays
with each row's length) — and the arrays they refer to, each raw little-endian bytes at an offset the
header gives (``.npy`` data without the ``.npy`` preamble): first those of the map and network, then
those of the results and plans. Arrays are read as arrays (``numpy.frombuffer``, no text in between),
the plans are stored so a cached run does not plan again (decoded when a plan is first needed: a run
whose figures are kept needs none), and an object met twice (a parameter's number is its
claim's) is one row, referred to by its number. Columns let a 10,000-claim map be written and read
without a Python call per object: a column of references is a list of row numbers, a column of
titles a list of strings. The map and network (:func:`encode_compiled`, most of the work) are encoded
apart from the queries' results and plans (:func:`encode_queries`), which are computed after them.

**Reading.** The decoder's tables, columns and values are :mod:`argmap.inference.bodyread`'s, which reads a
body's map and kept figures without numpy too (a run whose figures are all kept needs no more); this module's
decoder reads arrays with numpy and builds the network and plans.

**Never code.** No pickle, marshal or eval: decoding can build only the map, network and plan data
classes listed here and numpy arrays of the listed number types; a body that passed the cache's
checks yet is malformed raises, and is treated as a miss.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields
from fractions import Fraction
from itertools import chain, compress, islice, repeat
from operator import attrgetter, is_, is_not
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ..maps.models import ArgumentMap
from .bodyformat import ALIGN, FORMAT, MAGIC, PREFIX
from .bodyread import MAP_CLASSES, PLAIN, Decoder, init_fields, kept_results, opened
from .engine import _WHOLE, Plan, _Factor, _Step
from .network import Network, Param, compile_map
from .program import Program, VarSpec

__all__ = ["FORMAT", "encode", "encode_compiled", "encode_queries", "decode", "worth_storing", "MAX_STORED_INDICES"]

_MAGIC, _PREFIX, _ALIGN, _PLAIN = MAGIC, PREFIX, ALIGN, PLAIN
_CLASSES: dict[str, type] = {c.__name__: c for c in (*MAP_CLASSES, Program)}
_INIT_FIELDS: dict[type, tuple[str, ...]] = init_fields(_CLASSES)
init_fields({c.__name__: c for c in (Plan, _Factor, _Step)})   # built by setting their fields too


def encode(amap: ArgumentMap, net: Network) -> bytes:
    """The body for ``amap`` and its compiled ``net`` (with the plans made for it, and the smaller programs
    of plans for a part of the map); TypeError/ValueError if something cannot be stored."""
    return b"".join(encode_queries(net, encode_compiled(amap, net)))


def encode_compiled(amap: ArgumentMap, net: Network) -> tuple[bytes, bytes]:
    """The bulk of the body, from what compiling made (the map, the network and its program: not the
    queries' plans and results): the first header line without its results, and the arrays' bytes.
    Separate so it can be encoded in a forked child while the queries are computed (:mod:`.cache`)."""
    network = (net.variables, net.states, net.parents, len(net.params), net.theta0, net.program())
    enc = _Encoder((amap, network))
    tree = {"tables": enc.tables(), "map": enc.value(amap), "network": [enc.value(x) for x in network]}
    return _json(tree), b"".join(enc.sections)


def encode_queries(net: Network, compiled: tuple[bytes, bytes]) -> list[bytes]:
    """The body, as pieces to write one after another: :func:`encode_compiled`'s part with the results kept on
    ``net`` and its plans added. A plan whose program is the network's refers to it (``"network"``); the
    plans' own programs have their table."""
    text, arrays = compiled
    if not (text.endswith(b"}") and len(arrays) % _ALIGN == 0):
        raise ValueError("not a compiled part")
    whole = net.program()
    plans = tuple(net.load_plans().items())
    enc = _Encoder(tuple(p.program for _, p in plans if p.program is not whole), offset=len(arrays))
    results = [[enc.value(k), enc.array(np.asarray(r, dtype=float))] for k, r in net.results.items()]
    at = {v: i for i, v in enumerate(net.variables)}
    later = {"tables": enc.tables(), "plans": [[enc.value(k), _enc_plan(enc, p, at, whole)] for k, p in plans]}
    first = text[:-1] + b',"results":' + _json(results) + b"}"
    return _packed(first + b"\n" + _json(later), [arrays, *enc.sections])


def _json(tree: Any) -> bytes:
    """Compact JSON of a tree the encoder built (no cycles: not looked for, which saves ~10%)."""
    return json.dumps(tree, separators=(",", ":"), check_circular=False).encode()


def decode(body: bytes | memoryview) -> tuple[ArgumentMap, Network]:
    """The map and network in ``body``; raises (any exception) if it is not a body :func:`encode` wrote."""
    dec, data, amap, later = opened(body, _Decoder)
    net = _dec_network([dec.value(x) for x in data["network"]], amap)
    net.stored_plans.append(lambda plans: _dec_plans(dec.arrays, later, net, plans))
    net.results.update(kept_results(dec, data, net.states))
    return amap, net


def _dec_plans(arrays: memoryview, text: bytes, net: Network, into: dict) -> None:
    """Add the body's plans (decoded on first need, with their own tables) to ``into``. A body whose plans do
    not decode adds none: plans are made again from the network, which gives the same figures."""
    try:
        data = json.loads(text)
        dec = _Decoder(arrays, data["tables"])
        whole = net.program()
        plans = [(dec.value(k), _dec_plan(dec, p, net.variables, whole)) for k, p in data["plans"]]
        if not all(isinstance(key, tuple) for key, _ in plans):
            raise TypeError("bad plan")
    except Exception:   # noqa: BLE001 - planning again is always right
        return
    into.update(plans)


# ------------------------------------------------------------------------------------ plans
#
# A plan is stored as arrays, not as rows of objects: its claims as their positions in the network's
# order, its factors' scopes and slicing, its steps' inputs and their scopes as flat arrays of numbers
# with each row's length, subscripts (few distinct ones) by position among the distinct.


def _enc_plan(enc: _Encoder, plan: Plan, at: dict[str, int], whole: Program | None) -> dict:
    get = at.__getitem__
    factors, steps = plan.factors, plan.steps
    indexes, scopes = list(map(_INDEX, factors)), list(map(_SCOPE, factors))

    def ragged(rows: list[Any], claims: bool = False) -> list[Any]:
        flat = chain.from_iterable(rows)
        return [enc.ints(list(map(get, flat) if claims else flat)), enc.ints(list(map(len, rows)))]

    index = None
    if not all(map(is_, indexes, map(_WHOLE.__getitem__, map(len, scopes)))):     # (in C: the usual case)
        if any(type(x) is slice and x != _ALL for f in factors for x in f.index):
            raise TypeError("only the whole slice ':' is stored")
        index = ragged([[0 if type(x) is slice else x + 1 for x in f.index] for f in factors])
    family = plan.family
    return {
        "target": plan.target, "needed": enc.ints(list(map(get, plan.needed))),
        "var": enc.ints(list(map(get, map(_VAR, factors)))), "scope": ragged(scopes, claims=True),
        "index": index, "inputs": ragged(list(map(_INPUTS, steps))),
        "subscripts": enc.column(list(map(_SUBSCRIPTS, steps))),
        "in_scopes": ragged(list(chain.from_iterable(map(_IN_SCOPES, steps))), claims=True),
        "backward": enc.column(list(map(_BACKWARD, steps))),
        "final_inputs": enc.value(plan.final_inputs), "final_scopes": enc.value(plan.final_scopes),
        "fixed": enc.value(dict(plan.fixed)), "sizes": [plan.width, plan.max_cells, plan.total_cells],
        "program": "network" if plan.program is whole and whole is not None else enc.value(plan.program),
        "family": [enc.ints(list(map(get, family))), enc.ints([i for i, _ in family.values()]),
                   enc.column([s for _, s in family.values()])],
        "component": [enc.ints(list(plan.component)), enc.ints(list(plan.component.values()))],
        "lone": enc.value(plan.lone),
    }


_INDEX, _SCOPE, _VAR = attrgetter("index"), attrgetter("scope"), attrgetter("var")
_INPUTS, _SUBSCRIPTS, _IN_SCOPES, _BACKWARD = (attrgetter(n) for n in ("inputs", "subscripts", "in_scopes", "backward"))


def _dec_plan(dec: _Decoder, d: dict, names: tuple[str, ...], whole: Program | None) -> Plan:
    """The plan ``_enc_plan`` stored as ``d``: every number checked against what it indexes."""
    n = len(names)
    name = names.__getitem__

    def claims(ref: Any) -> tuple[str, ...]:
        return tuple(map(name, dec.ints(ref, n)))

    def ragged(ref: Any, below: int) -> list[list[int]]:
        flat, lengths = dec.ints(ref[0], below), dec.ints(ref[1], len(dec.arrays) + 1)
        if sum(lengths) != len(flat):
            raise TypeError("bad plan")
        it = iter(flat)
        return [list(islice(it, k)) for k in lengths]

    def strings(ref: Any, size: int) -> list[str]:
        col = dec.column(ref)
        if len(col) != size or not all(type(x) is str for x in col):
            raise TypeError("bad plan")
        return col

    var = claims(d["var"])
    scope = [tuple(map(name, row)) for row in ragged(d["scope"], n)]
    nf = len(var)
    if d["index"] is None:
        index = [_WHOLE[len(s)] for s in scope]
    else:
        index = [tuple(_ALL if x == 0 else x - 1 for x in row) for row in ragged(d["index"], 1 << 31)]
    if len(scope) != nf or len(index) != nf:
        raise TypeError("bad plan")
    inputs = ragged(d["inputs"], nf + len(dec.arrays))
    ns = len(inputs)
    if any(i >= nf + k for k, row in enumerate(inputs) for i in row):
        raise TypeError("bad plan")                     # a step reads only factors and earlier steps' tables
    flat_scopes = iter([tuple(map(name, row)) for row in ragged(d["in_scopes"], n)])
    in_scopes = [tuple(islice(flat_scopes, len(row))) for row in inputs]
    if next(flat_scopes, None) is not None or any(len(a) != len(b) for a, b in zip(in_scopes, inputs, strict=True)):
        raise TypeError("bad plan")
    subscripts = strings(d["subscripts"], ns)
    backward = dec.column(d["backward"])
    if len(backward) != ns or not all(type(b) is tuple for b in backward):
        raise TypeError("bad plan")
    fvar, fid = claims(d["family"][0]), dec.ints(d["family"][1], nf)
    family = dict(zip(fvar, zip(fid, strings(d["family"][2], len(fvar)), strict=True), strict=True))
    total = nf + ns
    component = dict(zip(dec.ints(d["component"][0], total), dec.ints(d["component"][1], total), strict=True))
    fixed, program = dec.value(d["fixed"]), whole if d["program"] == "network" else dec.value(d["program"])
    final_inputs, final_scopes, lone = dec.value(d["final_inputs"]), dec.value(d["final_scopes"]), dec.value(d["lone"])
    width, max_cells, total_cells = d["sizes"]
    if not (type(d["target"]) is str and isinstance(fixed, dict) and (program is None or isinstance(program, Program))
            and isinstance(final_inputs, tuple) and isinstance(final_scopes, tuple) and isinstance(lone, tuple)
            and all(type(x) is int for x in (width, max_cells, total_cells))):
        raise TypeError("bad plan")
    factors = _rows(_Factor, zip(var, index, scope, strict=True))
    steps = _rows(_Step, zip(map(tuple, inputs), subscripts, in_scopes, backward, strict=True))
    return _rows(Plan, [(d["target"], claims(d["needed"]), tuple(factors), tuple(steps), final_inputs,
                         final_scopes, fixed, width, max_cells, total_cells, program, family, component, lone)])[0]


def _rows(cls: type, values: Iterable[tuple]) -> list[Any]:
    """Objects of the frozen data class ``cls`` with these fields (in order), without calling its constructor."""
    names = tuple(f.name for f in fields(cls))
    rows = list(map(dict, map(zip, repeat(names), values)))
    objs: list[Any] = list(map(object.__new__, repeat(cls, len(rows))))
    list(map(object.__setattr__, objs, repeat("__dict__"), rows))
    return objs


MAX_STORED_INDICES = 1 << 21
"""Largest CPT program stored (index entries): a claim with 20 parents has a program of ~10^7
entries that compiles in about a second but would be a 130 MB entry, slower to read than to build."""


def worth_storing(net: Network) -> bool:
    prog = net.program()
    if prog is None:
        return False
    size = prog.formula.size + prog.copy_par.size + prog.dir_par.size + sum(p.size for _, p in prog.term_passes)
    return size + sum(c.size for c, _, _ in prog.leak_passes) <= MAX_STORED_INDICES


# ------------------------------------------------------------------------------------ the container

def _pack(head: bytes, sections: list[bytes]) -> bytes:
    """Prefix (magic, header length), header, then the arrays, each 8-byte aligned."""
    return b"".join(_packed(head, sections))


def _packed(head: bytes, sections: list[bytes]) -> list[bytes]:
    """:func:`_pack`'s bytes as pieces (not copied to join them)."""
    return [_PREFIX.pack(_MAGIC, len(head)), head + b" " * (-len(head) % _ALIGN), *sections]


# ------------------------------------------------------------------------------------ encoding
#
# Every data class object is a row of its class's table, and a table is stored by columns, one per
# constructor argument: the 10,000 claims of a large map are a column of ids, one of titles, one of
# references to their origins' rows... A column has a kind, chosen when encoding, which lets decoding
# turn it into values without looking at each one in Python where it can:
#   "p"  plain JSON values (text, numbers, true/false, null), used as they are;
#   "a"  a long column of floats only, or of integers only, as one raw array (read with tolist());
#   "T"  a long column of None or tuples of k floats each (a number's range), the tuples as one raw
#        array of k columns, with the positions that are not None (none stored: all are tuples);
#   "r"  rows of one class's table (an index each; the table's length stands for None);
#   "R"  tuples of rows of one class's table (a JSON array of indices), or None;
#   "t"  tuples of plain values (JSON arrays), or None;
#   "n"  tuples holding plain values or other such tuples, or None;
#   "f"  fractions as [numerator, denominator], or None;   "P"  paths as text, or None;
#   "u"  a column of the distinct values, then each value's position among them (values that repeat);
#   "g"  anything else, each value in the general form below.
# A value in the general form is a plain value, a JSON array (a tuple of general values), or a tagged
# object: {"@": "ref", "c": table, "i": row}, {"@": "tuple" | "dict", ...columns}, "path", "fraction",
# or "array" (raw bytes kept apart). Tables are listed so that a table refers only
# to tables listed before it, and rows are built without calling each class's constructor: every
# stored class is a frozen data class whose constructor only stores its arguments (checked on import).

_BIG = 1 << 62
"""Integers stored as raw int64 (a column of larger ones stays text)."""
_NUMERATOR, _DENOMINATOR = ("_numerator", "_denominator") if (
    getattr(Fraction(2, 3), "_numerator", None), getattr(Fraction(2, 3), "_denominator", None)) == (2, 3) \
    else ("numerator", "denominator")
"""Where a fraction keeps its terms: CPython's slots, read without a call (else the public properties)."""
_NONE_PAIR = {(None, None): None}
_LONG = 16
_ALL = slice(None)
"""Tuples longer than this are stored as a column (a map's relations, a plan's claims)."""


class _Encoder:
    def __init__(self, roots: Any, offset: int = 0) -> None:
        self.sections: list[bytes] = []
        self.offset = offset                          # where the next array goes, among all the body's
        self.rows: dict[type, list[Any]] = {}         # class -> its objects, in the order found
        self.index: dict[int, int] = {}               # id(object) -> its row
        self.deps: dict[type, set[type]] = {}         # class -> the classes its fields refer to
        self.number: dict[type, int] = {}             # class -> its table's position
        self.columns: dict[type, list[list[list[Any]]]] = {}   # class -> per batch found, its columns
        self.types: dict[type, list[list[set[type]]]] = {}      # class -> per batch, its columns' types
        self._find(roots)

    # -- finding every data class object, class by class
    def _add(self, objs: list[Any], cls: type, pending: list[type]) -> None:
        rows, index = self.rows.setdefault(cls, []), self.index
        fresh = dict(zip(map(id, objs), objs, strict=True))           # first of each object, in order
        if rows and not fresh.keys().isdisjoint(index.keys()):  # (a row of its own class's table only; views:
            # isdisjoint loops over the shorter, given a dict it would loop over the whole index)
            fresh = {k: o for k, o in fresh.items() if k not in index}
        if fresh:
            index.update(zip(fresh, range(len(rows), len(rows) + len(fresh)), strict=True))
            rows.extend(fresh.values())
            if cls not in pending:
                pending.append(cls)

    @staticmethod
    def _collect(level: list[Any], found: dict[type, list[Any]], types: set[type] | None = None) -> None:
        """Collect the data class objects among ``level`` and inside its tuples and dicts (not inside
        other data class objects), a level of nesting at a time. ``types``: those of ``level``, if known."""
        while level:
            if types is None:
                types = set(map(type, level))
            for t in types & _INIT_FIELDS.keys():
                found.setdefault(t, []).extend(_of_type(level, t))
            nested: list[Any] = []
            if tuple in types:
                nested += chain.from_iterable(_of_type(level, tuple))
            if dict in types:
                dicts = list(_of_type(level, dict))
                nested += chain.from_iterable(dicts)
                nested += chain.from_iterable(map(dict.values, dicts))
            level, types = nested, None

    def _find(self, roots: Any) -> None:
        pending: list[type] = []
        found: dict[type, list[Any]] = {}
        self._collect([roots], found)
        for cls, objs in found.items():
            self._add(objs, cls, pending)
        done: dict[type, int] = {}
        while pending:
            cls = pending.pop(0)
            rows = self.rows[cls]
            start, done[cls] = done.get(cls, 0), len(rows)
            batch = rows[start:]
            deps = self.deps.setdefault(cls, set())
            columns = _columns(batch, _INIT_FIELDS[cls])
            types = list(map(set, map(map, repeat(type), columns)))
            self.columns.setdefault(cls, []).append(columns)
            self.types.setdefault(cls, []).append(types)
            for col, kinds in zip(columns, types, strict=True):
                if kinds <= _PLAIN:
                    continue
                found = {}
                self._collect(col, found, kinds)
                for t, objs in found.items():
                    deps.add(t)
                    self._add(objs, t, pending)
            if len(self.rows[cls]) > done[cls]:
                pending.append(cls)

    # -- writing the tables
    def tables(self) -> list[Any]:
        order: list[type] = []
        state: dict[type, int] = {}

        def visit(c: type) -> None:                     # children first; a cycle cannot be stored
            if state.get(c) == 2:
                return
            if state.get(c) == 1:
                raise TypeError(f"{c.__name__} refers to itself")
            state[c] = 1
            for d in sorted(self.deps.get(c, ()), key=lambda t: t.__name__):
                visit(d)
            state[c] = 2
            order.append(c)

        for c in self.rows:
            visit(c)
        self.number = {c: i for i, c in enumerate(order)}
        return [[c.__name__, len(self.rows[c]), list(map(self.column, map(_joined, zip(*self.columns[c], strict=True)),
                                                         map(_union, zip(*self.types[c], strict=True))))]
                for c in order]

    def column(self, col: list[Any], types: set[type] | None = None) -> list[Any]:
        """``[kind, ..., data]`` for a list of values (see the kinds above); ``types``: theirs, if known."""
        if types is None:
            types = set(map(type, col))
        if types <= _PLAIN:
            if len(col) > _LONG:
                if types == {float} or types == {int} and -_BIG < min(col) and max(col) < _BIG:
                    return ["a", self.array(np.array(col, dtype=float if types == {float} else np.int64))]
                if types <= {str, type(None)}:
                    if col[0] is col[-1] and col.count(col[0]) == len(col):     # one value (all None, one kind)
                        return ["u", ["p", [col[0]]], self.ints([0] * len(col))]    # as _distinct stores it
                    return _distinct(self.ints, "p", col, _same)
            return ["p", col]
        others = types - {type(None)}
        if len(others) == 1:
            t = next(iter(others))
            if t in _INIT_FIELDS:
                index, none = self.index, len(self.rows[t])
                ids = list(map(index.__getitem__, map(id, col))) if type(None) not in types \
                    else [none if v is None else index[id(v)] for v in col]
                return ["r", self.number[t], self.ints(ids)]
            if t is Fraction:
                return _distinct(self.ints, "f", _fraction_terms(col), _same)
            if issubclass(t, Path):
                return _distinct(self.ints, "P", col, str, _keys_by_object(col, str))
            if t is tuple:                      # (a plan's steps share a few objects: each looked at once)
                objects = dict(zip(map(id, col), col, strict=True))
                distinct = list(objects.values())
                items = set(map(type, chain.from_iterable(filter(None, distinct))))
                if items == {float} and len(col) > _LONG:
                    floats = self.float_rows(col)
                    if floats is not None:
                        return floats
                if items <= _PLAIN:             # (JSON writes a tuple as an array, as it writes a list)
                    return _distinct(self.ints, "t", col, _same, objects=objects, by_value=_mergeable(items))
                if len(items) == 1 and next(iter(items)) in _INIT_FIELDS:
                    rows, index = self.number[next(iter(items))], self.index
                    return ["R", rows, [None if v is None else [index[id(x)] for x in v] for v in col]]
                leaves = _nested_plain(distinct)
                if leaves is not None:
                    return _distinct(self.ints, "n", col, _same, objects=objects, by_value=_mergeable(leaves))
        objects = dict(zip(map(id, col), col, strict=True))
        if 2 * len(objects) <= len(col):        # each object once (a relation's empty modulators: one tuple)
            by_id = dict(zip(objects, map(self.value, objects.values()), strict=True))
            return ["g", list(map(by_id.__getitem__, map(id, col)))]
        return ["g", list(map(self.value, col))]

    def float_rows(self, col: list[Any]) -> list[Any] | None:
        """``["T", len(col), array, positions]`` for a column of None or tuples of floats all of one length
        (positions None where no value is None); None if the tuples' lengths differ or are 0."""
        present = list(compress(range(len(col)), map(is_not, col, repeat(None))))
        values = col if len(present) == len(col) else list(map(col.__getitem__, present))
        lengths = set(map(len, values))
        if len(lengths) != 1 or 0 in lengths:
            return None
        k = lengths.pop()
        flat = np.fromiter(chain.from_iterable(values), dtype=float, count=k * len(values))
        return ["T", len(col), self.array(flat.reshape(len(values), k)),
                None if values is col else self.ints(present)]

    def value(self, x: Any) -> Any:
        t = type(x)
        if t in _PLAIN:
            return x
        if t in _INIT_FIELDS:
            return {"@": "ref", "c": self.number[t], "i": self.index[id(x)]}
        if t is tuple:
            if len(x) > _LONG:
                return {"@": "tuple", "v": self.column(list(x))}
            return [self.value(v) for v in x]
        if t is dict:
            return {"@": "dict", "k": self.column(list(x)), "v": self.column(list(x.values()))}
        if isinstance(x, Path):
            return {"@": "path", "v": str(x)}
        if isinstance(x, Fraction):
            return {"@": "fraction", "v": [x.numerator, x.denominator]}
        if isinstance(x, np.ndarray):
            return self.array(x)
        if isinstance(x, np.floating):
            return float(x)
        if isinstance(x, np.integer) and not isinstance(x, np.bool_):
            return int(x)
        if isinstance(x, (bool, int, float, str)):
            return x
        raise TypeError(f"cannot store a {t.__name__}")     # a list among them, too: JSON arrays are tuples

    def ints(self, values: list[int]) -> dict:
        """A long list of row numbers, as raw bytes (read back without parsing text): 4 bytes each when
        they fit, which they do but in maps of billions of rows."""
        try:
            return self.array(np.array(values, dtype=np.int32))
        except OverflowError:
            return self.array(np.array(values, dtype=np.int64))

    def array(self, x: np.ndarray) -> dict:
        kind = "<f8" if x.dtype.kind == "f" else "<i4" if x.dtype == np.int32 else "<i8"
        a = np.ascontiguousarray(x, dtype=kind)
        if a.dtype.kind not in "fi" or not np.array_equal(a, x):
            raise TypeError(f"cannot store an array of {x.dtype}")
        data = a.tobytes()
        data += b"\0" * (-len(data) % _ALIGN)
        out = {"@": "array", "dtype": a.dtype.str, "shape": list(a.shape), "at": self.offset}
        self.sections.append(data)
        self.offset += len(data)
        return out


def _joined(parts: tuple[list[Any], ...]) -> list[Any]:
    return parts[0] if len(parts) == 1 else list(chain.from_iterable(parts))


def _union(parts: tuple[set[type], ...]) -> set[type]:
    return parts[0] if len(parts) == 1 else set().union(*parts)


def _of_type(values: list[Any], t: type) -> Iterator[Any]:
    """The values of exactly type ``t`` (without a Python call per value)."""
    return compress(values, map(is_, map(type, values), repeat(t)))


def _columns(objs: list[Any], names: tuple[str, ...]) -> list[list[Any]]:
    """The objects' fields as columns: read from their ``__dict__`` at once when it holds exactly the
    fields, in order (as a data class's constructor writes them), else one field at a time."""
    dicts = list(map(attrgetter("__dict__"), objs))
    if objs and set(map(len, dicts)) == {len(names)} and tuple(dicts[0]) == names:
        return list(map(list, zip(*map(dict.values, dicts), strict=True)))
    return [list(map(attrgetter(name), objs)) for name in names]


def _distinct(ints: Callable[[list[int]], dict], kind: str, col: list[Any], enc: Callable[[Any], Any],
              keys: list[Any] | None = None, objects: dict[int, Any] | None = None, by_value: bool = True) -> list[Any]:
    """``[kind, data]``, or, when values repeat (a claim's states, a file's path), ``["u", [kind, data of
    the distinct values], each value's position among them]``; ``keys``: each value's key (equal keys, equal
    values), default the values. None stays None. (Loops in C: dicts of the keys, not a Python step per value.)
    ``objects``: the values' distinct objects by ``id``; where they are few, equal values are found among them
    (``by_value``) or each object is a value of its own (not ``by_value``: equal values may differ, 1 and 1.0)."""
    if keys is None and objects is not None and 2 * len(objects) <= len(col):
        if by_value:            # equal values among the distinct objects, in order of first appearance
            first = dict.fromkeys(objects.values())
            at = dict(zip(first, range(len(first)), strict=True))
            values, by_id = list(first), dict(zip(objects, map(at.__getitem__, objects.values()), strict=True))
        else:                   # each object a value of its own
            values, by_id = list(objects.values()), dict(zip(objects, range(len(objects)), strict=True))
        return ["u", [kind, _encoded(values, enc)], ints(list(map(by_id.__getitem__, map(id, col))))]
    if not by_value:
        return [kind, _encoded(col, enc)]
    first = dict.fromkeys(col if keys is None else keys)    # distinct keys, in order of first appearance
    if 2 * len(first) > len(col):
        return [kind, _encoded(col, enc)]
    if keys is None:
        keys = col
        values = list(first)
    else:                                                   # the first value with each key
        values = list(map(dict(zip(reversed(keys), reversed(col), strict=True)).__getitem__, first))
    at = dict(zip(first, range(len(first)), strict=True))
    return ["u", [kind, _encoded(values, enc)], ints(list(map(at.__getitem__, keys)))]


def _fraction_terms(col: list[Any]) -> list[Any]:
    """Each fraction as stored, ``(numerator, denominator)`` (JSON writes the pair as an array), None as None:
    read in C (the public names are properties, a Python call each). Equal pairs are equal fractions."""
    num, den = repeat(_NUMERATOR), repeat(_DENOMINATOR)
    pairs = list(zip(map(getattr, col, num, repeat(None)), map(getattr, col, den, repeat(None)), strict=True))
    return list(map(_NONE_PAIR.get, pairs, pairs))        # (None, None) -> None; a fraction's pair stays


def _keys_by_object(col: list[Any], key: Callable[[Any], Any]) -> list[Any]:
    """``key`` of each value, None's None, computed once per distinct object (a map's few path objects
    stand for tens of thousands of positions)."""
    objs = dict(zip(map(id, col), col, strict=True))
    by_id = {i: None if v is None else key(v) for i, v in objs.items()}
    return list(map(by_id.__getitem__, map(id, col)))


def _has_none(values: list[Any]) -> bool:
    """Whether None is among ``values`` (by type, in C: ``None in values`` would call each value's __eq__,
    Python code for a fraction)."""
    return type(None) in set(map(type, values))


def _encoded(values: list[Any], enc: Callable[[Any], Any]) -> list[Any]:
    if _has_none(values):
        return [None if v is None else enc(v) for v in values]
    return values if enc is _same else list(map(enc, values))


def _same(v: Any) -> Any:
    return v


def _nested_plain(col: list[Any]) -> set[type] | None:
    """The types of the plain values inside, if every value is None or a tuple holding plain values or other
    such tuples; else None."""
    level = list(_of_type(col, tuple))
    if len(level) + col.count(None) != len(col):
        return None
    leaves: set[type] = set()
    while level:
        types = set(map(type, level))
        if not types <= _PLAIN | {tuple}:
            return None
        leaves |= types - {tuple}
        level = list(chain.from_iterable(_of_type(level, tuple))) if tuple in types else []
    return leaves


def _mergeable(types: set[type]) -> bool:
    """Whether values made of plain values of these types are equal only when they are the same: not if 1,
    1.0 and True could meet, nor 0.0 and -0.0 (equal, and a tuple column's repeated values are found by
    equality)."""
    return float not in types and not {int, bool} <= types


# ------------------------------------------------------------------------------------ decoding


class _Decoder(Decoder):
    """:class:`~argmap.inference.bodyread.Decoder` building every table (the network's programs too), its
    arrays read with numpy (``numpy.frombuffer``: views of the body's bytes, not copies)."""

    CLASSES = _CLASSES
    UNREAD = frozenset()
    _FIELDS = _INIT_FIELDS

    def array(self, x: Any) -> np.ndarray:
        dtype, shape, at, count = self.placed(x)
        return np.frombuffer(self.arrays, dtype=dtype, count=count, offset=at).reshape(shape)

    def array_value(self, x: dict) -> np.ndarray:
        return self.array(x)


T = TypeVar("T")


class _Recompiled:
    """The map compiled afresh, on first need: the CPT builders (closures), cell formulas and parameters
    are not stored, and only sweeps, one-way functions and the like use them (a cached run does not)."""

    def __init__(self, amap: ArgumentMap):
        self.amap = amap
        self._net: Network | None = None

    def network(self) -> Network:
        if self._net is None:
            self._net = compile_map(self.amap)
        return self._net


class _Lazy(Mapping[str, T]):
    def __init__(self, source: _Recompiled, attr: str):
        self._source, self._attr = source, attr

    def _table(self) -> Mapping[str, T]:
        table = getattr(self._source.network(), self._attr)
        if table is None:  # pragma: no cover - compile_map always fills both
            raise KeyError(self._attr)
        return table

    def __getitem__(self, key: str) -> T:
        return self._table()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


def _dec_network(data: list[Any], amap: ArgumentMap) -> Network:
    variables, states, parents, n_params, theta0, program = data
    if not (type(n_params) is int and isinstance(program, Program) and isinstance(theta0, np.ndarray)
            and theta0.shape == (n_params,) and theta0.dtype.kind == "f"):
        raise TypeError("bad network")
    source = _Recompiled(amap)
    specs: Mapping[str, VarSpec] = _Lazy(source, "specs")
    if not (isinstance(variables, tuple) and isinstance(states, dict) and isinstance(parents, dict)):
        raise TypeError("bad network")
    theta0.flags.writeable = False      # as compile_map leaves it: results at theta0 are kept
    net = Network(variables, states, parents, (), _Lazy(source, "builders"), theta0, specs)
    net.defer_params(lambda: _same_params(source.network(), n_params))
    net.adopt_program(program)
    return net


def _same_params(net: Network, n: int) -> tuple[Param, ...]:
    """The parameters of the map compiled afresh (the entry stores only their number and values)."""
    if len(net.params) != n:        # pragma: no cover - the entry is bound to this code and these files
        raise ValueError("the map compiles to other parameters than the cache entry's")
    return net.params
