"""How a compiled map is encoded in a cache entry's body, and decoded back: nothing else.

The guarantees — when an entry may be used at all — live in :mod:`argmap.inference.cache` and never
look inside a body; this module only turns a map and its network into bytes and back. Swap the
encoding here (bump :data:`FORMAT`) without touching them. See /work/notes/cache.md.

**Never code.** The body is plain JSON (arrays as base64 of little-endian int64/float64), never
pickle: decoding can build only the map and network data classes listed here, so a body that passed
the cache's checks yet is malformed raises, and is treated as a miss; it can never run code.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from dataclasses import fields
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ..base.quantity import Quantity
from ..maps.models import ArgumentMap, Change, Claim, Observation, Origin, Provenance, Relation, Scenario, Stated, Table
from .network import Network, Param, compile_map
from .program import Program, VarSpec

__all__ = ["FORMAT", "encode", "decode", "worth_storing", "MAX_STORED_INDICES"]

FORMAT = 3
"""Version of the body's layout; bump it whenever what is stored changes."""
_CLASSES: dict[str, type] = {c.__name__: c for c in (
    Origin, Provenance, Relation, Table, Claim, Change, Scenario, Stated, Observation, ArgumentMap, Quantity, Param,
    Program)}
_INIT_FIELDS: dict[type, tuple[str, ...]] = {c: tuple(f.name for f in fields(c) if f.init) for c in _CLASSES.values()}
_DTYPES = {"<f8", "<i8", "<i4"}


def encode(amap: ArgumentMap, net: Network) -> bytes:
    """The body for ``amap`` and its compiled ``net``; TypeError/ValueError if something cannot be stored."""
    return json.dumps({"map": _enc(amap), "network": _enc_network(net)}, separators=(",", ":")).encode()


def decode(body: bytes) -> tuple[ArgumentMap, Network]:
    """The map and network in ``body``; raises (any exception) if it is not a body :func:`encode` wrote."""
    data = json.loads(body, object_hook=_Decoder().hook)
    amap = data["map"]
    if not isinstance(amap, ArgumentMap):
        raise TypeError("bad map")
    return amap, _dec_network(data["network"], amap)


MAX_STORED_INDICES = 1 << 21
"""Largest CPT program stored (index entries): a claim with 20 parents has a program of ~10^7
entries that compiles in about a second but would be a 130 MB entry, slower to read than to build."""


def worth_storing(net: Network) -> bool:
    prog = net.program()
    if prog is None:
        return False
    size = prog.formula.size + prog.copy_par.size + prog.dir_par.size + sum(p.size for _, p in prog.term_passes)
    return size + sum(c.size for c, _, _ in prog.leak_passes) <= MAX_STORED_INDICES


# ------------------------------------------------------------------------------------ encoding

def _enc(x: Any) -> Any:
    """Plain JSON for the map and network data: tagged objects for everything JSON lacks; a data
    class is its name and its constructor's arguments in order."""
    t = type(x)
    if t is str or t is float or t is int or t is bool or x is None:
        return x
    names = _INIT_FIELDS.get(t)
    if names is not None:
        return {"@": t.__name__, "v": [_enc(getattr(x, n)) for n in names]}
    if isinstance(x, (bool, int, float, str)):
        return x
    if isinstance(x, tuple):
        return {"@": "tuple", "v": [_enc(v) for v in x]}
    if isinstance(x, list):
        return [_enc(v) for v in x]
    if isinstance(x, dict):
        return {"@": "dict", "v": [[_enc(k), _enc(v)] for k, v in x.items()]}
    if isinstance(x, Path):
        return {"@": "path", "v": str(x)}
    if isinstance(x, Fraction):
        return {"@": "fraction", "v": [x.numerator, x.denominator]}
    if isinstance(x, np.ndarray):
        a = np.ascontiguousarray(x, dtype="<f8" if x.dtype.kind == "f" else "<i8")
        if a.dtype.kind not in "fi" or not np.array_equal(a, x):
            raise TypeError(f"cannot store an array of {x.dtype}")
        return {"@": "array", "dtype": a.dtype.str, "shape": list(a.shape), "v": base64.b64encode(a.data).decode()}
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, np.integer) and not isinstance(x, np.bool_):
        return int(x)
    raise TypeError(f"cannot store a {type(x).__name__}")


def _enc_network(net: Network) -> dict:
    return {"variables": _enc(net.variables), "states": _enc(net.states), "parents": _enc(net.parents),
            "params": _enc(net.params), "theta0": _enc(net.theta0), "program": _enc(net.program())}


class _Decoder:
    """JSON object hook: builds only the listed data classes and plain values; anything else fails."""

    def __init__(self) -> None:
        self.paths: dict[str, Path] = {}

    def hook(self, d: dict) -> Any:
        tag = d.get("@")
        if tag is None:
            return d                                 # the entry's own top-level records
        if tag == "tuple":
            return tuple(d["v"])
        if tag == "dict":
            return {k: v for k, v in d["v"]}
        if tag == "path":
            text = d["v"]
            if not isinstance(text, str):
                raise TypeError("bad path")
            return self.paths.setdefault(text, Path(text))
        if tag == "fraction":
            n, m = d["v"]
            if not (type(n) is int and type(m) is int):
                raise TypeError("bad fraction")
            return Fraction(n, m)
        if tag == "array":
            if d["dtype"] not in _DTYPES:
                raise TypeError("bad array type")
            shape = tuple(int(s) for s in d["shape"])
            return np.frombuffer(bytearray(base64.b64decode(d["v"], validate=True)), dtype=d["dtype"]).reshape(shape)
        cls = _CLASSES[tag]
        args = d["v"]
        if len(args) != len(_INIT_FIELDS[cls]):
            raise TypeError(f"bad {tag}")
        return cls(*args)


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
    params, theta0, program = data["params"], data["theta0"], data["program"]
    if not (isinstance(params, tuple) and all(isinstance(p, Param) for p in params) and isinstance(program, Program)
            and isinstance(theta0, np.ndarray) and theta0.shape == (len(params),) and theta0.dtype.kind == "f"):
        raise TypeError("bad network")
    source = _Recompiled(amap)
    specs: Mapping[str, VarSpec] = _Lazy(source, "specs")
    net = Network(data["variables"], data["states"], data["parents"], params, _Lazy(source, "builders"), theta0,
                  specs)
    net.adopt_program(program)
    return net
