"""A cache of compiled maps, so the everyday commands start fast.

Reading a map means parsing YAML, validating it with pydantic, resolving, checking and compiling it;
for the bundled map that is most of ``argmap run``. This module keeps the result — the resolved
:class:`~argmap.maps.models.ArgumentMap` and the compiled :class:`~argmap.inference.network.Network` with its CPT
program — in the user's cache folder (``platformdirs``; ``ARGMAP_CACHE_DIR`` overrides it), and
serves it while every file the loader read is byte for byte the same.

**Keys.** An entry is found by the request (argmap version, map path and overlays as given, and the
working folder when a path is relative) and is valid only while its manifest holds: the SHA-256 of
the exact bytes of every file the loader parsed (map, parts, toc, overlays, what ``builds_on``
names), the listing of each folder they came from, and of the working folder when an overlay is
given by name (a new part file, or a file a name would now resolve to, is a change). So an entry
is, in effect, keyed by the content of every file read and by the argmap version — and by a
fingerprint of argmap's own modules (their sizes and times), so a changed checkout never reads an
entry that older code wrote.

**Never trusted.** An entry is plain JSON (arrays as base64 of little-endian int64/float64), never
pickle: decoding can build only the map and network data classes listed here, so a tampered entry
cannot run code. A header carries the format, the argmap version and the SHA-256 of the rest; a
truncated, corrupt, foreign-version or otherwise unreadable entry is ignored and rebuilt from the
files. Entries are written atomically (temporary file, then rename), so concurrent writers never
leave a torn entry: the last rename wins and each is complete.

A hit imports neither pydantic nor the loader. :func:`disabled` (the CLI's ``--no-cache``) and
``Model.load(..., cache=False)`` bypass the cache for reading and writing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import fields
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .._version import __version__
from ..base.errors import ArgmapError
from ..base.gcpause import paused_gc
from ..base.quantity import Quantity
from ..maps.models import ArgumentMap, Change, Claim, Observation, Origin, Provenance, Relation, Scenario, Stated, Table
from .network import Network, Param, compile_map
from .program import Program, VarSpec

__all__ = ["ENV", "FORMAT", "cache_dir", "load_compiled", "disabled", "enabled", "entry_path"]

ENV = "ARGMAP_CACHE_DIR"
"""Environment variable naming the cache folder (default: the user's cache folder for argmap)."""
FORMAT = 3
"""Version of the entry layout; bump it whenever what is stored changes."""
_MAGIC = "argmap-compiled-map"
_CLASSES: dict[str, type] = {c.__name__: c for c in (
    Origin, Provenance, Relation, Table, Claim, Change, Scenario, Stated, Observation, ArgumentMap, Quantity, Param,
    Program)}
_INIT_FIELDS: dict[type, tuple[str, ...]] = {c: tuple(f.name for f in fields(c) if f.init) for c in _CLASSES.values()}
_DTYPES = {"<f8", "<i8", "<i4"}

_enabled: ContextVar[bool] = ContextVar("argmap_cache_enabled", default=True)


@contextmanager
def disabled() -> Iterator[None]:
    """Within the block, :func:`load_compiled` neither reads nor writes the cache (``--no-cache``)."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


def enabled() -> bool:
    """Whether the cache is in use here (not inside :func:`disabled`)."""
    return _enabled.get()


def cache_dir() -> Path:
    """The folder holding compiled maps: ``$ARGMAP_CACHE_DIR``, else the user's cache folder."""
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("argmap", appauthor=False)) / "maps"


def _request(path: str | Path | None, overlays: list[str]) -> str:
    given = [None if path is None else str(path), *overlays]
    relative = any(g is not None and not os.path.isabs(g) for g in given)
    return json.dumps([FORMAT, _code_version(), given, os.getcwd() if relative else None])


_CODE: list[str] = []


def _code_version() -> str:
    """argmap's version plus a fingerprint of its code (name, size and time of every module), so an
    entry written by other code — a checkout that changed, even at the same version — is never read."""
    if not _CODE:
        here = Path(__file__).resolve().parents[1]  # the argmap package folder
        stamp = hashlib.sha256()
        for dirpath, dirnames, files in os.walk(here):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("_bundled"))
            for name in sorted(files):
                if name.endswith(".py"):
                    st = os.stat(os.path.join(dirpath, name))
                    stamp.update(f"{os.path.relpath(dirpath, here)}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        _CODE.append(f"{__version__}+{stamp.hexdigest()[:16]}")
    return _CODE[0]


def entry_path(path: str | Path | None = None, overlays: Iterable[str | Path] = ()) -> Path:
    """Where the entry for loading ``path`` with ``overlays`` lives (it may not exist)."""
    key = hashlib.sha256(_request(path, [str(o) for o in overlays]).encode()).hexdigest()
    return cache_dir() / f"{key[:40]}.json"


def load_compiled(path: str | Path | None = None, overlays: Iterable[str | Path] = (),
                  cache: bool | None = None) -> tuple[ArgumentMap, Network | None]:
    """The loaded map and its compiled network, from the cache when its files are unchanged.

    ``cache=None`` follows :func:`enabled`. On a miss the map is loaded and compiled as usual and
    the entry written; the network is None (left to compile lazily) if compiling raised an
    :class:`~argmap.base.errors.ArgmapError`, so such errors surface where they always did.
    """
    with paused_gc():
        return _load_compiled(path, [str(o) for o in overlays], cache)


def _load_compiled(path: str | Path | None, given: list[str], cache: bool | None
                   ) -> tuple[ArgumentMap, Network | None]:
    use = enabled() if cache is None else cache
    entry = entry_path(path, given) if use else None
    if entry is not None:
        hit = _read_entry(entry)
        if hit is not None:
            return hit
    from ..base.yamlsafe import recording_reads
    from ..maps.loader import load_map

    with recording_reads() as reads:
        amap = load_map(path, given)
    try:
        net: Network | None = compile_map(amap)
    except ArgmapError:
        net = None
    if entry is not None and net is not None and _worth_storing(net):
        _write_entry(entry, _manifest_or_none(reads, given), amap, net)
    return amap, net


MAX_STORED_INDICES = 1 << 21
"""Largest CPT program stored (index entries): a claim with 20 parents has a program of ~10^7
entries that compiles in about a second but would be a 130 MB entry, slower to read than to build."""


def _worth_storing(net: Network) -> bool:
    prog = net.program()
    if prog is None:
        return False
    size = prog.formula.size + prog.copy_par.size + prog.dir_par.size + sum(p.size for _, p in prog.term_passes)
    return size + sum(c.size for c, _, _ in prog.leak_passes) <= MAX_STORED_INDICES


# ------------------------------------------------------------------------------------ entries

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _listing(folder: str) -> str:
    return _sha("\n".join(sorted(os.listdir(folder))).encode())


def _manifest(reads: list[tuple[Path, str]], overlays: list[str]) -> dict:
    files = sorted({(os.path.abspath(p), digest) for p, digest in reads})
    dirs = {os.path.dirname(p) for p, _ in files}
    if any(not os.path.isabs(o) for o in overlays):
        dirs.add(os.getcwd())       # a name given to --with resolves in the working folder first
    return {"files": [list(f) for f in files], "dirs": [[d, _listing(d)] for d in sorted(dirs)]}


def _manifest_holds(manifest: Any) -> bool:
    files, dirs = manifest["files"], manifest["dirs"]
    if not files:
        return False
    for name, digest in files:
        with open(name, "rb") as fh:
            if _sha(fh.read()) != digest:
                return False
    return all(_listing(d) == digest for d, digest in dirs)


def _manifest_or_none(reads: list[tuple[Path, str]], overlays: list[str]) -> dict | None:
    try:
        return _manifest(reads, overlays)
    except OSError:
        return None


def _write_entry(entry: Path, manifest_data: dict | None, amap: ArgumentMap, net: Network) -> None:
    if manifest_data is None:
        return
    try:
        manifest = json.dumps(manifest_data).encode()
        body = json.dumps({"map": _enc(amap), "network": _enc_network(net)}, separators=(",", ":")).encode()
    except (TypeError, ValueError, OSError):
        return                      # something not storable (or a file gone): simply not cached
    rest = manifest + b"\n" + body
    head = f"{_MAGIC} {FORMAT} {_code_version()} {_sha(rest)}\n".encode()
    _replace(entry, head + rest)


def _replace(entry: Path, data: bytes) -> None:
    """Write to a temporary file beside ``entry``, then rename it over: readers see the old entry or
    the new one, whole. No fsync: after a crash a torn entry fails its checksum and is rebuilt."""
    import tempfile

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{entry.name}.", suffix=".tmp", dir=entry.parent)
    except OSError:
        return                      # a read-only or full cache folder only costs speed
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, entry)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _read_entry(entry: Path) -> tuple[ArgumentMap, Network] | None:
    """The entry's map and network, or None if it is absent, stale or bad in any way."""
    try:
        raw = entry.read_bytes()
    except OSError:
        return None
    try:
        head, _, rest = raw.partition(b"\n")
        magic, fmt, version, digest = head.decode("ascii").split(" ")
        if (magic, fmt, version) != (_MAGIC, str(FORMAT), _code_version()) or _sha(rest) != digest:
            return None
        manifest, _, body = rest.partition(b"\n")
        if not _manifest_holds(json.loads(manifest)):
            return None
        data = json.loads(body, object_hook=_Decoder().hook)
        amap, net = data["map"], _dec_network(data["network"], data["map"])
        if not isinstance(amap, ArgumentMap):
            return None
        return amap, net
    except Exception:   # noqa: BLE001 - any defect in an entry means: rebuild it from the files
        return None


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
