"""Reading a compiled-map cache body (:mod:`argmap.inference.cachecodec` writes it and documents its layout),
and, without numpy, the part of it a run prints: the map, its claims' states and the figures kept with it.

:class:`Decoder` builds the tables and values of a body's header: only the listed data classes, plain values,
tuples, dicts, paths, fractions, and numbers read from the arrays' bytes (anything else fails). Here an array
is read with :class:`memoryview` into Python numbers (:class:`FlatArray`): the same numbers numpy's
``tolist()`` gives, bit for bit, on a little-endian machine (this module refuses others); the codec's
decoder (``cachecodec._Decoder``) reads arrays with numpy and builds the network's tables too.
:func:`figures` is what ``argmap run`` prints from when every figure it needs is kept in the entry
(:mod:`argmap.commands.runkept`): numpy is imported only when something must be computed.

Never code: no pickle, marshal or eval. A body that passed the cache's checks yet is malformed raises (any
exception): the caller then reads it the usual way or rebuilds it from the files.
"""

from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import fields
from fractions import Fraction
from itertools import chain, islice
from operator import lt
from pathlib import Path
from typing import Any, NamedTuple

from ..base.quantity import Quantity
from ..maps.models import ArgumentMap, Change, Claim, Observation, Origin, Provenance, Relation, Scenario, Stated, Table
from .bodyformat import ALIGN, MAGIC, PREFIX
from .keptanswers import KeptNetwork

__all__ = ["Decoder", "FlatArray", "figures", "opened", "kept_results", "unpack", "result_size", "MAP_CLASSES", "PLAIN"]

MAP_CLASSES: tuple[type, ...] = (Origin, Provenance, Relation, Table, Claim, Change, Scenario, Stated, Observation,
                                 ArgumentMap, Quantity)
"""The data classes a map is made of (the network's program is the codec's)."""
PLAIN = frozenset({str, float, int, bool, type(None)})
_DTYPES = {"<f8": "d", "<i8": "q", "<i4": "i"}
"""The number types stored, and each one's :mod:`struct` letter on a little-endian machine."""


def init_fields(classes: Mapping[str, type]) -> dict[type, tuple[str, ...]]:
    """Each class's constructor arguments, in order: its table's columns. A class whose constructor may do more
    than store them (a ``__post_init__``, slots, a field it does not take) cannot be built from its fields."""
    for c in classes.values():
        if hasattr(c, "__post_init__") or hasattr(c, "__slots__") or any(not f.init for f in fields(c)):
            raise TypeError(f"{c.__name__} cannot be stored in a cache entry as it is")
    return {c: tuple(f.name for f in fields(c) if f.init) for c in classes.values()}


def unpack(body: bytes | memoryview) -> tuple[bytes, memoryview]:
    """The header and the arrays' bytes (writable: arrays decoded from them may be changed in place)."""
    magic, n = PREFIX.unpack_from(body)
    rest = bytearray(memoryview(body)[PREFIX.size:])
    if magic != MAGIC or n > len(rest):
        raise ValueError("not an argmap body")
    start = n + (-n % ALIGN)
    view = memoryview(rest)
    return bytes(view[:n]), view[start:]


class _DType(NamedTuple):
    kind: str


class FlatArray:
    """A stored array read without numpy: its numbers in order, with the few properties of a numpy array the
    decoder reads (``tolist()`` nests a 2-d array's rows, as numpy's does)."""

    __slots__ = ("dtype", "shape", "ndim", "size", "flat")

    def __init__(self, kind: str, shape: tuple[int, ...], flat: list[Any]) -> None:
        self.dtype, self.shape, self.ndim, self.size, self.flat = _DType(kind), shape, len(shape), len(flat), flat

    def tolist(self) -> list[Any]:
        if self.ndim == 1:
            return list(self.flat)
        if self.ndim != 2:
            raise TypeError("bad array")
        k = self.shape[1]
        return [self.flat[i:i + k] for i in range(0, len(self.flat), k)] if k else [[] for _ in range(self.shape[0])]

    def min(self) -> Any:
        return min(self.flat)

    def max(self) -> Any:
        return max(self.flat)


class Decoder:
    """Builds the tables, then values. This one reads arrays without numpy and builds only the map's tables
    (:data:`MAP_CLASSES`): the network's program's table is left unbuilt, and a reference to it fails; an array
    is read only where a column or a figure is one (:meth:`array`), never as a value of its own."""

    CLASSES: Mapping[str, type] = {c.__name__: c for c in MAP_CLASSES}
    UNREAD: frozenset[str] = frozenset({"Program"})
    """Classes whose tables are left unbuilt (any other class not in :attr:`CLASSES` is an error)."""
    _FIELDS = init_fields(CLASSES)

    def __init__(self, arrays: memoryview, tables: list[Any]) -> None:
        self.arrays = arrays
        self.paths: dict[str, Path] = {}
        self.tables: list[list[Any] | None] = []
        new, setattr_ = object.__new__, object.__setattr__
        if type(tables) is not list:
            raise TypeError("bad tables")
        for name, n, columns in tables:
            if name in self.UNREAD:
                self.tables.append(None)
                continue
            cls = self.CLASSES[name]
            names = self._FIELDS[cls]
            if type(n) is not int or n < 0 or len(columns) != len(names):
                raise TypeError(f"bad {name}")
            cols = [self.column(c) for c in columns]
            if any(len(c) != n for c in cols):
                raise TypeError(f"bad {name}")
            objs: list[Any] = list(map(new, [cls] * n))
            fields_of = map(dict, map(zip, [names] * n, zip(*cols, strict=True)))
            list(map(setattr_, objs, ["__dict__"] * n, fields_of))       # each row's fields, no Python loop
            self.tables.append(objs)

    def rows(self, t: Any) -> list[Any]:
        """The rows of an earlier table (built already)."""
        if type(t) is not int or not 0 <= t < len(self.tables):
            raise TypeError("bad reference")
        rows = self.tables[t]
        if rows is None:
            raise TypeError("a table not read")
        return rows

    def column(self, c: list[Any]) -> list[Any]:
        if type(c) is not list:
            raise TypeError("bad column")
        kind, data = c[0], c[-1]
        if kind in ("r", "u", "a", "T"):
            data = []
        elif type(data) is not list:
            raise TypeError("bad column")
        if kind == "T":                                     # tuples of floats, read from their bytes
            return self.float_rows(c)
        if kind == "a":                                     # numbers, read from their bytes
            a = self.array(c[1])
            if a.ndim != 1:
                raise TypeError("bad column")
            return a.tolist()
        if kind == "p":
            if not set(map(type, data)) <= PLAIN:
                raise TypeError("bad column")
            return data
        if kind == "r":
            rows = self.rows(c[1])
            return list(map([*rows, None].__getitem__, self.ints(c[2], len(rows) + 1)))
        if kind == "u":                                     # distinct values, then each value's position
            values = self.column(c[1])
            return list(map(values.__getitem__, self.ints(c[2], len(values))))
        if kind == "t":
            if not set(map(type, chain.from_iterable(v for v in data if v is not None))) <= PLAIN:
                raise TypeError("bad column")
            return [None if v is None else tuple(v) for v in data]
        if kind == "R":
            rows = self.rows(c[1])
            get = rows.__getitem__
            flat = list(chain.from_iterable(v for v in data if v is not None))
            if not set(map(type, flat)) <= {int} or (flat and (min(flat) < 0 or max(flat) >= len(rows))):
                raise TypeError("bad reference")
            return [None if v is None else tuple(map(get, v)) for v in data]
        if kind == "n":
            return [None if v is None else _tuple(v) for v in data]
        if kind == "f":
            return [None if v is None else _fraction(v) for v in data]
        if kind == "P":
            return [None if v is None else self.path(v) for v in data]
        if kind == "g":
            return [self.value(v) for v in data]
        raise TypeError("bad column")

    def float_rows(self, c: list[Any]) -> list[Any]:
        """The column ``_Encoder.float_rows`` stored as ``c``: its array's rows as tuples of floats, at the stored
        positions (increasing, each below the column's length; all of them where none are stored), else None."""
        if len(c) != 4 or type(c[1]) is not int or c[1] < 0:
            raise TypeError("bad column")
        n, a = c[1], self.array(c[2])
        if a.ndim != 2 or a.shape[1] < 1 or a.dtype.kind != "f":
            raise TypeError("bad column")
        rows = list(map(tuple, a.tolist()))
        if c[3] is None:
            if len(rows) != n:
                raise TypeError("bad column")
            return rows
        at = self.ints(c[3], n)
        if len(at) != len(rows) or not all(map(lt, at, islice(at, 1, None))):
            raise TypeError("bad column")
        col: list[Any] = [None] * n
        list(map(col.__setitem__, at, rows))
        return col

    def ints(self, ref: Any, below: int) -> list[int]:
        """A stored array of row numbers, each at least 0 and below ``below``."""
        a = self.array(ref)
        if a.dtype.kind != "i" or a.ndim != 1 or (a.size and (a.min() < 0 or a.max() >= below)):
            raise TypeError("bad reference")
        return a.tolist()

    def path(self, text: Any) -> Path:
        path = self.paths.get(text)
        if path is None:
            if type(text) is not str:
                raise TypeError("bad path")
            path = self.paths[text] = Path(text)
        return path

    def value(self, x: Any) -> Any:
        t = type(x)
        if t is list:
            return tuple([self.value(v) for v in x])
        if t is not dict:
            if t not in PLAIN:
                raise TypeError("bad value")
            return x
        tag = x["@"]
        if tag == "ref":
            c, i = x["c"], x["i"]
            if type(i) is not int or i < 0:
                raise TypeError("bad reference")
            return self.rows(c)[i]
        if tag == "tuple":
            return tuple(self.column(x["v"]))
        if tag == "dict":
            return dict(zip(self.column(x["k"]), self.column(x["v"]), strict=True))
        if tag == "path":
            return self.path(x["v"])
        if tag == "fraction":
            return _fraction(x["v"])
        if tag == "array":
            return self.array_value(x)
        raise TypeError("bad tag")

    def array_value(self, x: dict) -> Any:
        """An array met as a value (the network's parameters, a program's tables): not read here."""
        raise TypeError("an array outside a column")

    def placed(self, x: Any) -> tuple[str, tuple[int, ...], int, int]:
        """The type, shape, offset and count of numbers of the stored array ``x``, checked to lie in the arrays."""
        if type(x) is not dict or x.get("@") != "array":
            raise TypeError("bad reference")
        dtype = x["dtype"]
        if dtype not in _DTYPES:
            raise TypeError("bad array type")
        shape = tuple(int(s) for s in x["shape"])
        at = int(x["at"])
        count = 1
        for s in shape:
            count *= s
        size = int(dtype[2:])
        if at < 0 or at % ALIGN or min(shape, default=0) < 0 or at + count * size > len(self.arrays):
            raise ValueError("bad array bounds")
        return dtype, shape, at, count

    def array(self, x: Any) -> Any:
        """The stored array ``x``: here a :class:`FlatArray` of Python numbers."""
        dtype, shape, at, count = self.placed(x)
        if sys.byteorder != "little":       # pragma: no cover - the stored bytes are little-endian
            raise TypeError("read with numpy")
        letter = _DTYPES[dtype]
        return FlatArray(dtype[1], shape, self.arrays[at:at + count * int(dtype[2:])].cast(letter).tolist())  # type: ignore[call-overload]


def _fraction(v: Any) -> Fraction:
    n, m = v
    if not (type(n) is int and type(m) is int):
        raise TypeError("bad fraction")
    return Fraction(n, m)


def _tuple(x: Any) -> Any:
    """A decoded JSON array of plain values (nested ones too) as the tuple it was."""
    if type(x) is list:
        return tuple([_tuple(v) if type(v) is list else v for v in x])
    if type(x) not in PLAIN:
        raise TypeError("bad tuple")
    return x


def result_size(states: Mapping[str, tuple[str, ...]], key: tuple) -> int:
    """How many numbers the result of the query ``key`` holds (-1: not a query kept in ``Network.results``)."""
    if len(key) == 4 and key[0] == "*marginals*" and isinstance(key[1], tuple):
        return sum(len(states[v]) for v in key[1]) if all(type(v) is str and v in states for v in key[1]) else -1
    if len(key) == 3 and type(key[0]) is str and key[0] in states:
        return len(states[key[0]])
    return -1


def opened(body: bytes | memoryview, decoder: type[Decoder] = Decoder) -> tuple[Any, dict, ArgumentMap, bytes]:
    """A ``decoder`` of ``body`` with its tables built, the data of the header's first line, the map, and the
    header's second line (the plans, left as text)."""
    head, arrays = unpack(body)
    first, newline, later = head.partition(b"\n")
    if not newline:
        raise ValueError("not an argmap body")
    data = json.loads(first)
    dec = decoder(arrays, data["tables"])
    amap = dec.value(data["map"])
    if not isinstance(amap, ArgumentMap):
        raise TypeError("bad map")
    return dec, data, amap, later


def kept_results(dec: Decoder, data: dict, states: Mapping[str, tuple[str, ...]]) -> Iterator[tuple[tuple, Any]]:
    """The results kept in the header's first line ``data``: each query's key and its row of floats (as the
    decoder reads arrays), of the size the query's claims' states give."""
    for key, stored in data["results"]:
        key, found = dec.value(key), dec.array(stored)
        if not (isinstance(key, tuple) and found.ndim == 1 and found.dtype.kind == "f"
                and found.size == result_size(states, key)):
            raise TypeError("bad result")
        yield key, found


def figures(body: bytes | memoryview) -> tuple[ArgumentMap, KeptNetwork]:
    """The map in ``body`` and its network's claims, their states and the figures kept with it, read without
    numpy (the numbers are those :func:`argmap.inference.cachecodec.decode` gives, bit for bit); raises if
    ``body`` is not a body the codec wrote."""
    dec, data, amap, _ = opened(body)
    variables, states = dec.value(data["network"][0]), dec.value(data["network"][1])
    if not (type(variables) is tuple and type(states) is dict
            and all(type(v) is str and type(states.get(v)) is tuple for v in variables)):
        raise TypeError("bad network")
    results = {key: array("d", found.flat) for key, found in kept_results(dec, data, states)}
    return amap, KeptNetwork(variables, states, results)
