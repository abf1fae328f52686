"""How a compiled map is encoded in a cache entry's body, and decoded back: nothing else.

The guarantees — when an entry may be used at all — live in :mod:`argmap.inference.cache` and never
look inside a body; this module only turns a map, its network and the network's elimination plans
into bytes and back. Swap the encoding here (bump :data:`FORMAT`) without touching them. See
/work/notes/cache.md.

**Layout.** ``ARGMAPB4`` (8 bytes), the header's length (8 bytes, little-endian), the SHA-256 of
everything after these 48 bytes (32 bytes), then the header — JSON naming the map's, network's and
plans' objects — and the arrays it refers to, each raw little-endian bytes at an offset the header
gives (``.npy`` data without the ``.npy`` preamble). Arrays are read as arrays (``numpy.frombuffer``,
no text in between), the elimination plans are stored so a cached run does not plan again, and an
object met twice (a parameter's number is its claim's) is written once and referred to after.

**Never code.** No pickle, marshal or eval: decoding can build only the map, network and plan data
classes listed here and numpy arrays of the listed number types; a body that passed the cache's
checks yet is malformed raises, and is treated as a miss.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterator, Mapping
from dataclasses import fields
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ..base.quantity import Quantity
from ..maps.models import ArgumentMap, Change, Claim, Observation, Origin, Provenance, Relation, Scenario, Stated, Table
from .engine import Plan, _Factor, _Step
from .network import Network, Param, compile_map
from .program import Program, VarSpec

__all__ = ["FORMAT", "encode", "decode", "worth_storing", "MAX_STORED_INDICES"]

FORMAT = 4
"""Version of the body's layout; bump it whenever what is stored changes."""
_MAGIC = b"ARGMAPB4"
_PREFIX = struct.Struct("<8sQ32s")
_CLASSES: dict[str, type] = {c.__name__: c for c in (
    Origin, Provenance, Relation, Table, Claim, Change, Scenario, Stated, Observation, ArgumentMap, Quantity, Param,
    Program, Plan, _Factor, _Step)}
_INIT_FIELDS: dict[type, tuple[str, ...]] = {c: tuple(f.name for f in fields(c) if f.init) for c in _CLASSES.values()}
_DTYPES = {"<f8", "<i8", "<i4"}
_ALIGN = 8
_PLAIN = frozenset({str, float, int, bool, type(None)})


def encode(amap: ArgumentMap, net: Network) -> bytes:
    """The body for ``amap`` and its compiled ``net`` (with the plans made for it, and the smaller programs
    of plans for a part of the map); TypeError/ValueError if something cannot be stored."""
    enc = _Encoder()
    tree: dict[str, Any] = {"map": enc.enc(amap), "network": _enc_network(enc, net)}    # in document order
    tree["plans"] = [[enc.enc(key), enc.enc(plan)] for key, plan in net.plans.items()]
    head = json.dumps(tree, separators=(",", ":")).encode()
    return _pack(head, enc.sections)


def decode(body: bytes) -> tuple[ArgumentMap, Network]:
    """The map and network in ``body``; raises (any exception) if it is not a body :func:`encode` wrote."""
    head, arrays = _unpack(body)
    data = json.loads(head, object_hook=_Decoder(arrays).hook)
    amap = data["map"]
    if not isinstance(amap, ArgumentMap):
        raise TypeError("bad map")
    net = _dec_network(data["network"], amap)
    for key, plan in data["plans"]:
        key = _tuple(key)
        if not (isinstance(key, tuple) and isinstance(plan, Plan)
                and (plan.program is None or isinstance(plan.program, Program))):
            raise TypeError("bad plan")
        net.plans[key] = plan
    return amap, net


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
    """Prefix (magic, header length, SHA-256 of the rest), header, then the arrays, each 8-byte aligned."""
    pad = -len(head) % _ALIGN
    rest = b"".join([head, b" " * pad, *sections])
    return _PREFIX.pack(_MAGIC, len(head), hashlib.sha256(rest).digest()) + rest


def _unpack(body: bytes) -> tuple[bytes, memoryview]:
    """The header and the arrays' bytes (writable: arrays decoded from them may be changed in place)."""
    magic, n, digest = _PREFIX.unpack_from(body)
    rest = bytearray(memoryview(body)[_PREFIX.size:])
    if magic != _MAGIC or n > len(rest) or hashlib.sha256(rest).digest() != digest:
        raise ValueError("not an argmap body")
    start = n + (-n % _ALIGN)
    return bytes(rest[:n]), memoryview(rest)[start:]


# ------------------------------------------------------------------------------------ encoding

class _Encoder:
    """Plain JSON for the map, network and plan data: a tuple is an array (the data hold no lists: one
    is refused), tagged objects stand for everything else JSON lacks; a data class is its name and its
    constructor's arguments in order, or, met again, its number (data
    classes are numbered in the order their encodings end, which is the order a JSON object hook
    builds them); an array is a reference to raw bytes kept apart."""

    def __init__(self) -> None:
        self.sections: list[bytes] = []
        self.offset = 0
        self.seen: dict[int, int] = {}
        self.count = 0

    def enc(self, x: Any) -> Any:
        t = type(x)
        if t in _PLAIN:
            return x
        names = _INIT_FIELDS.get(t)
        if names is not None:
            k = self.seen.get(id(x))
            if k is not None:
                return {"@": "ref", "v": k}
            enc = self.enc
            out = {"@": t.__name__, "v": [v if type(v) in _PLAIN else enc(v) for v in map(x.__getattribute__, names)]}
            self.seen[id(x)] = self.count
            self.count += 1
            return out
        if t is tuple:
            enc = self.enc
            return [v if type(v) in _PLAIN else enc(v) for v in x]      # a JSON array is a tuple: no lists
        if isinstance(x, (bool, int, float, str)):
            return x
        if isinstance(x, tuple):
            return [self.enc(v) for v in x]
        if isinstance(x, dict):
            return {"@": "dict", "v": [[self.enc(k), self.enc(v)] for k, v in x.items()]}
        if isinstance(x, Path):
            return {"@": "path", "v": str(x)}
        if isinstance(x, Fraction):
            return {"@": "fraction", "v": [x.numerator, x.denominator]}
        if isinstance(x, slice):
            if (x.start, x.stop, x.step) != (None, None, None):
                raise TypeError("only the whole slice ':' is stored")
            return {"@": "slice", "v": []}
        if isinstance(x, np.ndarray):
            return self.array(x)
        if isinstance(x, np.floating):
            return float(x)
        if isinstance(x, np.integer) and not isinstance(x, np.bool_):
            return int(x)
        raise TypeError(f"cannot store a {type(x).__name__}")

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


def _enc_network(enc: _Encoder, net: Network) -> dict:
    return {"variables": enc.enc(net.variables), "states": enc.enc(net.states), "parents": enc.enc(net.parents),
            "params": enc.enc(net.params), "theta0": enc.enc(net.theta0), "program": enc.enc(net.program())}


class _Decoder:
    """JSON object hook: builds only the listed data classes, plain values and arrays of the listed
    types read from the arrays' bytes; anything else fails."""

    def __init__(self, arrays: memoryview) -> None:
        self.arrays = arrays
        self.paths: dict[str, Path] = {}
        self.objects: list[Any] = []

    def hook(self, d: dict) -> Any:
        tag = d.get("@")
        if tag is None:
            return d                                 # the body's own top-level records
        if tag == "ref":
            k = d["v"]
            if type(k) is not int or k < 0:
                raise TypeError("bad reference")
            return self.objects[k]
        if tag == "dict":
            return {(_tuple(k) if type(k) is list else k): (_tuple(v) if type(v) is list else v) for k, v in d["v"]}
        if tag == "path":
            text = d["v"]
            path = self.paths.get(text)
            if path is None:
                if not isinstance(text, str):
                    raise TypeError("bad path")
                path = self.paths[text] = Path(text)
            return path
        if tag == "fraction":
            n, m = d["v"]
            if not (type(n) is int and type(m) is int):
                raise TypeError("bad fraction")
            return Fraction(n, m)
        if tag == "slice":
            return slice(None)
        if tag == "array":
            dtype = d["dtype"]
            if dtype not in _DTYPES:
                raise TypeError("bad array type")
            shape = tuple(int(s) for s in d["shape"])
            at = int(d["at"])
            count = 1
            for s in shape:
                count *= s
            size = np.dtype(dtype).itemsize
            if at < 0 or at % _ALIGN or min(shape, default=0) < 0 or at + count * size > len(self.arrays):
                raise ValueError("bad array bounds")
            return np.frombuffer(self.arrays, dtype=dtype, count=count, offset=at).reshape(shape)
        cls = _CLASSES[tag]
        args = d["v"]
        if len(args) != len(_INIT_FIELDS[cls]):
            raise TypeError(f"bad {tag}")
        obj = cls(*[_tuple(a) if type(a) is list else a for a in args])
        self.objects.append(obj)
        return obj


def _tuple(x: Any) -> Any:
    """A decoded JSON array as the tuple it was (nested ones too); anything else as it is."""
    if type(x) is list:
        return tuple([_tuple(v) if type(v) is list else v for v in x])
    return x


T = TypeVar("T")


class _Recompiled:
    """The map compiled afresh, on first need: the CPT builders (closures) and cell formulas are
    not stored, and only sweeps over part of a map or a one-way function's builder use them."""

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


def _dec_network(data: dict, amap: ArgumentMap) -> Network:
    params, theta0, program = _tuple(data["params"]), data["theta0"], data["program"]
    if not (isinstance(params, tuple) and all(isinstance(p, Param) for p in params) and isinstance(program, Program)
            and isinstance(theta0, np.ndarray) and theta0.shape == (len(params),) and theta0.dtype.kind == "f"):
        raise TypeError("bad network")
    source = _Recompiled(amap)
    specs: Mapping[str, VarSpec] = _Lazy(source, "specs")
    net = Network(_tuple(data["variables"]), data["states"], data["parents"], params, _Lazy(source, "builders"),
                  theta0, specs)
    net.adopt_program(program)
    return net
