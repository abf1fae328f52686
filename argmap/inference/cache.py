"""A cache of compiled maps, so the everyday commands start fast — and never at the cost of a wrong answer.

Reading a map means parsing YAML, validating it with pydantic, resolving, checking and compiling it;
for the bundled map that is most of ``argmap run``. This module keeps the result — the resolved
:class:`~argmap.maps.models.ArgumentMap` and the compiled :class:`~argmap.inference.network.Network`
with its CPT program — in the user's cache folder (platformdirs' rule, :mod:`argmap.base.userdirs`;
``ARGMAP_CACHE_DIR`` overrides it). **A cached result is always the result the files give now**
(docs/security.md, "The compiled-map cache"; tests/test_cache.py and tests/test_cache_fuzz.py hold it):

* **Built from exactly these files.** While the map loads, :mod:`argmap.base.readlog` notes the SHA-256
  of the exact bytes of every file the loader parsed, where each really leads, and the listing of
  every folder the loader consulted, taken at the moment it consulted it (the map folder's listing
  *is* the glob's). An entry is used only if all of it is the same now, every file re-read through
  the same guards as a direct read (regular files only, bounded, symlinks inside the map folder only):
  a part turned into a FIFO, a link to ``/dev/zero`` or to an outside file is a miss, and the fresh
  load then reports it as it always does.
* **No entry from a moving target.** If any file or listing differs at the end of the run from what
  the loader saw (a part created or edited while the map loaded), no entry is written.
* **Bound to this request and this code.** The entry's header names the entry format, the body's
  format and argmap's version with a fingerprint of its modules and data files; the request (map path and overlays
  as given, the working folder when one is relative) is stored in the entry and must be this one, so
  another map's entry copied under this map's name is refused.
* **Authenticated.** Header, request, manifest and body are signed with HMAC-SHA256 under a random
  key kept in the cache folder (``key``, created once, mode 0600): an entry edited by hand, even with
  a checksum recomputed, or brought from another cache folder, is refused. Who can read the key can
  forge an entry — but that user can also edit the map itself.
* **Read bounded.** The entry and the key are read like argument files: regular files only, at most
  :data:`MAX_ENTRY_BYTES` (a FIFO or a link to ``/dev/zero`` in their place is a miss, at once).

A refused entry is simply rebuilt from the files. Entries are written atomically (temporary file, then
rename), so concurrent writers never leave a torn entry. A large map's entry is mostly encoded in a forked
child while the run computes its figures (:func:`_encoding`); this process still checks the files, signs
and writes it (and counts :data:`stats`) before :func:`load_compiled` returns. The body's encoding lives in
:mod:`argmap.inference.cachecodec`, separate from these checks, which never look inside it.

A hit imports neither pydantic nor the loader. :func:`disabled` (the CLI's ``--no-cache``) and
``Model.load(..., cache=False)`` bypass the cache for reading and writing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .._version import __version__
from ..base.errors import ArgmapError, ValidationError
from ..base.gcpause import paused_gc
from ..base.readfile import read_limited
from ..base.readlog import Record, recording, unchanged

if TYPE_CHECKING:
    from ..base.forked import Pending
    from ..maps.models import ArgumentMap
    from .network import Network

__all__ = ["ENV", "ENVELOPE", "MAX_ENTRY_BYTES", "cache_dir", "load_compiled", "disabled", "enabled", "entry_path",
           "stats", "reads_files", "read_files", "verified", "verified_entry", "hit_signature"]

ENV = "ARGMAP_CACHE_DIR"
"""Environment variable naming the cache folder (default: the user's cache folder for argmap)."""
ENVELOPE = 4
"""Version of the entry's envelope (header, request, manifest); the body has its own format."""
MAX_ENTRY_BYTES = 64 * 1024 * 1024
"""Largest entry written or read (bytes); a larger one is not stored, and a file beyond it is a miss."""
_MAGIC = "argmap-compiled-map"
_KEY_BYTES = 32

stats: Counter[str] = Counter()
"""What happened to each lookup in this process: ``hit``, ``absent``, ``refused`` (an entry was there but
not used), ``stored``, ``changed`` (files changed during the run: not stored). For tests and benchmarks."""

_used: dict[str, str] = {}
"""request -> the signature of the entry a hit for it was read from in this process (:func:`hit_signature`)."""

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
    from ..base.userdirs import user_cache_dir

    return Path(user_cache_dir("argmap")) / "maps"


def _request(path: str | Path | None, overlays: list[str]) -> str:
    given = [None if path is None else str(path), *overlays]
    relative = any(g is not None and not os.path.isabs(g) for g in given)
    return json.dumps([_code_version(), given, os.getcwd() if relative else None])


_CODE: list[str] = []


def _code_version() -> str:
    """argmap's version plus a fingerprint of its code (name, size and time of every module and data file, such as
    the verbal scales' tables a kept spread is drawn from; not hidden files), so an entry or kept text written by
    other code — a checkout that changed, even at the same version — is never read."""
    if not _CODE:
        here = Path(__file__).resolve().parents[1]  # the argmap package folder
        stamp = hashlib.sha256()
        for dirpath, dirnames, files in os.walk(here):
            dirnames[:] = sorted(d for d in dirnames        # (a wheel's maps, checked file by file, and guides)
                                 if d != "__pycache__" and not d.startswith(("_bundled", "_docs")))
            rel = os.path.relpath(dirpath, here)
            for name in sorted(files):
                if not name.startswith("."):
                    try:
                        st = os.stat(os.path.join(dirpath, name))
                    except FileNotFoundError:       # gone since the listing (an editor's file)
                        continue
                    stamp.update(f"{rel}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        _CODE.append(f"{__version__}+{stamp.hexdigest()[:16]}")
    return _CODE[0]


def entry_path(path: str | Path | None = None, overlays: Iterable[str | Path] = ()) -> Path:
    """Where the entry for loading ``path`` with ``overlays`` lives (it may not exist)."""
    return _entry_for(_request(path, [str(o) for o in overlays]))


def _entry_for(request: str) -> Path:
    return cache_dir() / f"{hashlib.sha256(request.encode()).hexdigest()[:40]}.entry"


def load_compiled(path: str | Path | None = None, overlays: Iterable[str | Path] = (),
                  cache: bool | None = None, prepare: Callable[[ArgumentMap, Network], None] | None = None,
                  files: Callable[[], tuple[ArgumentMap, Record]] | None = None) -> tuple[ArgumentMap, Network | None]:
    """The loaded map and its compiled network, from the cache when its files are unchanged.

    ``cache=None`` follows :func:`enabled`. On a miss the map is loaded and compiled as usual and
    the entry written (unless a file changed meanwhile); the network is None (left to compile lazily)
    if compiling raised an :class:`~argmap.base.errors.ArgmapError`, so such errors surface where they
    always did. ``prepare(amap, net)`` runs before an entry is written, so what it adds to the network
    (the plans of the queries a command will make, :attr:`Network.plans`) is stored with it.
    ``files()``, where given, is :func:`read_files` for this very request, already under way (the CLI reads the
    files in a forked child while it imports numpy; see :func:`reads_files`); it is called only on a miss.
    """
    with paused_gc():
        return _load_compiled(path, [str(o) for o in overlays], cache, prepare, files)


def reads_files(path: str | Path | None = None, overlays: Iterable[str | Path] = (), cache: bool | None = None) -> bool:
    """Whether :func:`load_compiled` will likely read the map's files: the cache is off, it holds no entry for
    this request, or a file in the map's folder or an overlay given as a file was modified after the entry
    was written (a writer's edit). Only a hint for starting the reading early: the entry's own checks decide
    whether it is used."""
    given = [str(o) for o in overlays]
    if not (enabled() if cache is None else cache):
        return True
    try:
        written = os.stat(_entry_for(_request(path, given))).st_mtime_ns
    except OSError:
        return True
    for overlay in given:
        try:
            if os.stat(overlay).st_mtime_ns > written:
                return True
        except OSError:
            pass                                # a bundled overlay's name, or no such file (the load says so)
    try:
        from ..maps.bundled import bundled_map_path

        with os.scandir(bundled_map_path() if path is None else path) as listing:
            return any(e.name.endswith((".yaml", ".yml")) and e.stat().st_mtime_ns > written for e in listing)
    except (OSError, ArgmapError):
        return False


def read_files(path: str | Path | None = None, overlays: Iterable[str | Path] = ()) -> tuple[ArgumentMap, Record]:
    """The map loaded from its files, with the record of every file and folder the load read."""
    from ..maps.loader import load_map

    with recording() as record:
        amap = load_map(path, [str(o) for o in overlays])
    return amap, record


def _load_compiled(path: str | Path | None, given: list[str], cache: bool | None,
                   prepare: Callable[[ArgumentMap, Network], None] | None,
                   files: Callable[[], tuple[ArgumentMap, Record]] | None) -> tuple[ArgumentMap, Network | None]:
    use = enabled() if cache is None else cache
    request = _request(path, given) if use else None
    if request is not None:
        hit = _lookup(request)
        if hit is not None:
            return hit
    elif _used:
        _used.pop(_request(path, given), None)   # read from the files, not from an entry (hit_signature)
    from . import cachecodec
    from .network import compile_map

    amap, record = files() if files is not None else read_files(path, given)
    try:
        net: Network | None = compile_map(amap)
    except ArgmapError:
        net = None
    if request is not None and net is not None and cachecodec.worth_storing(net):
        compiled = _encoding(amap, net)
        try:
            if prepare is not None:
                prepare(amap, net)      # e.g. the plan of the usual query, stored with the network
            _store(request, record, net, compiled.result)
        finally:
            compiled.cancel()           # harmless once its result is in; else (prepare raised) the child stops
    return amap, net


FORK_ENCODING_CLAIMS = 1000
"""Maps of at least this many claims have their entry's bulk encoded in a forked child while the queries
are prepared (:func:`_encoding`); a smaller map's encodes in a few ms, less than a fork costs."""


def _encoding(amap: ArgumentMap, net: Network) -> Pending[tuple[bytes, bytes]]:
    """The entry's map and network being encoded (:func:`~argmap.inference.cachecodec.encode_compiled`): for a
    large map in a forked child (:mod:`argmap.base.forked`) while this process computes the queries
    ``prepare`` asks for, which are encoded afterwards; :func:`_store` waits for the child, so the entry is
    written before :func:`load_compiled` returns. Where no fork is made (a small map, no core to spare: a
    busy machine by its load average or by the tasks running right now, one core, ``ARGMAP_JOBS=1``; other
    threads alive, already in a child), the part is encoded
    here when it is needed. (The child's pages copied on write cost both processes ~0.3 s of CPU at 10,000
    claims: worth it only when the child has a core of its own.)"""
    from ..base.forked import Pending, can_fork, core_to_spare, idle_core_now, start
    from .cachecodec import encode_compiled

    work = partial(encode_compiled, amap, net)
    if len(amap.claims) >= FORK_ENCODING_CLAIMS and can_fork() and core_to_spare() and idle_core_now():
        return start(work)
    return Pending(work, lazy=True)


# ------------------------------------------------------------------------------------ guarantees

def _lookup(request: str) -> tuple[ArgumentMap, Network] | None:
    """The entry for ``request``, if it passes every check and decodes; else None (counted in :data:`stats`)."""
    _used.pop(request, None)                    # until this lookup hits
    entry = _entry_for(request)
    if not os.path.lexists(entry):
        stats["absent"] += 1
        return None
    found = _checked(entry, request)
    if found is None:
        stats["refused"] += 1
        return None
    signature, body = found
    from . import cachecodec

    try:
        hit = cachecodec.decode(body)
    except Exception:   # noqa: BLE001 - a body that does not decode means: rebuild it from the files
        stats["refused"] += 1
        return None
    stats["hit"] += 1
    _used[request] = signature
    return hit


def _checked(entry: Path, request: str) -> tuple[str, memoryview] | None:
    """The signature and body of ``entry`` if it passes every check of a hit (:func:`_open`, and every file and
    folder it was built from unchanged now); else None. The body is not decoded."""
    found = _open(entry, request)
    if found is None:
        return None
    signature, record, body = found
    return (signature, body) if unchanged(record) else None


def verified(path: str | Path | None = None, overlays: Iterable[str | Path] = ()) -> str | None:
    """The signature (its HMAC, hex) of the entry for loading ``path`` with ``overlays`` if a lookup would use it
    now: authentic, for this request and code, every file and folder it was built from unchanged. None if not,
    or with the cache off. Its body is not decoded (so no numpy); the signature names the entry's whole content
    under this folder's key."""
    found = verified_entry(path, overlays)
    return None if found is None else found[0]


def verified_entry(path: str | Path | None = None,
                   overlays: Iterable[str | Path] = ()) -> tuple[str, memoryview] | None:
    """:func:`verified`'s signature with the body it signs, as read and checked (not decoded): what a text made
    from the entry alone is made from (:mod:`argmap.commands.runkept`)."""
    if not enabled():
        return None
    request = _request(path, [str(o) for o in overlays])
    return _checked(_entry_for(request), request)


def hit_signature(path: str | Path | None = None, overlays: Iterable[str | Path] = ()) -> str | None:
    """The signature of the entry the last hit for this request in this process was read from (None if none
    was): what a text made from that load alone is bound to (:mod:`argmap.commands.runkept`)."""
    return _used.get(_request(path, [str(o) for o in overlays]))


def _store(request: str, record: Record, net: Network, compiled: Callable[[], tuple[bytes, bytes]]) -> None:
    """Write the entry, unless a file changed during the run (or anything about it fails: only speed is lost).
    ``compiled()``: the map's and network's part of the body (:func:`_encoding`); the files are checked
    after the body is encoded, just before it is sealed and written."""
    from . import cachecodec

    try:
        body = cachecodec.encode_queries(net, compiled())      # pieces, written one after another
    except (TypeError, ValueError, OverflowError):
        return
    if not unchanged(record):       # what the loader saw is no longer what is there
        stats["changed"] += 1
        return
    key = _key(create=True)
    if key is None:
        return
    data = _seal(key, request, record, body)
    if sum(map(len, data)) <= MAX_ENTRY_BYTES:
        _replace(_entry_for(request), data)
        stats["stored"] += 1


def _header() -> str:
    from .bodyformat import FORMAT

    return f"{_MAGIC} {ENVELOPE} {FORMAT} {_code_version()}"


def _seal(key: bytes, request: str, record: Record, body: list[bytes]) -> list[bytes]:
    """The entry: a header line ending in the HMAC of everything else, the request, the manifest, the body (its
    pieces: a 10,000-claim entry is 7 MB, not copied to join them)."""
    rest = [json.dumps(request).encode() + b"\n" + json.dumps(record.to_json()).encode() + b"\n", *body]
    return _sealed(key, _header().encode(), rest)


def sealed(key: bytes, head: bytes, rest: bytes) -> bytes:
    """``head``, a space, the HMAC-SHA256 under ``key`` of ``head``, a newline and ``rest``; then that newline and
    ``rest``: how every file this cache folder's key signs is laid out (:func:`unsealed` reads it)."""
    return b"".join(_sealed(key, head, [rest]))


def _sealed(key: bytes, head: bytes, rest: list[bytes]) -> list[bytes]:
    """:func:`sealed` of the pieces of ``rest`` (joined), as pieces."""
    sign = hmac.new(key, head + b"\n", hashlib.sha256)
    for piece in rest:
        sign.update(piece)
    return [head + b" " + sign.hexdigest().encode() + b"\n", *rest]


def unsealed(key: bytes, raw: bytes, head: bytes) -> memoryview | None:
    """What follows the first line of a :func:`sealed` ``raw``, if its header is ``head`` and its HMAC under ``key``
    is right; else None. A view of ``raw``: authenticated without copying it."""
    view = memoryview(raw)
    end = raw.find(b"\n")
    end = len(raw) if end < 0 else end
    fields, _, mac = raw[:end].rpartition(b" ")
    sign = hmac.new(key, fields + b"\n", hashlib.sha256)
    sign.update(view[end + 1:])                     # the HMAC of the header's fields, then everything else
    if fields != head or not hmac.compare_digest(mac, sign.hexdigest().encode()):
        return None
    return view[end + 1:]


def _open(entry: Path, request: str) -> tuple[str, Record, memoryview] | None:
    """The signature, manifest and body of ``entry`` if it is a bounded regular file, written by this code with
    this cache folder's key, for this very request; else None. The files are not checked here. (The body is a
    view of the bytes read: an entry is authenticated and split without copying it.)"""
    key = _key(create=False)
    if key is None:
        return None
    try:
        raw = read_limited(entry, MAX_ENTRY_BYTES, "cache entries")
    except ValidationError:
        return None
    rest = unsealed(key, raw, _header().encode())
    if rest is None:
        return None
    start = len(raw) - len(rest)
    signature = raw[:start - 1].rpartition(b" ")[2].decode("ascii")     # the header line's HMAC, checked
    at = raw.find(b"\n", start)                     # the request, the manifest, then the body
    last = raw.find(b"\n", at + 1) if at >= 0 else -1
    if last < 0:
        return None
    stored_request, manifest, body = raw[start:at], raw[at + 1:last], rest[last - start + 1:]
    try:
        if json.loads(stored_request) != request:
            return None
        return signature, Record.from_json(json.loads(manifest)), body
    except ValueError:
        return None


def _key(create: bool) -> bytes | None:
    """This cache folder's signing key (32 random bytes in ``key``); made on first write, replaced if it
    is not a regular 32-byte file. None if it cannot be had (then nothing is read or written)."""
    path = cache_dir() / "key"
    existed = os.path.lexists(path)     # looked at first: a key another writer links in after this is kept
    try:
        key = read_limited(path, _KEY_BYTES, "cache keys")
        if len(key) == _KEY_BYTES:
            return key
    except ValidationError:
        pass
    if not create:
        return None
    from ..base.tempfiles import new_file

    fresh = os.urandom(_KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = new_file(path.parent, ".key.")    # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(fresh)
            if existed:
                os.replace(tmp, path)           # a bad key: entries signed with it are refused anyway
            else:
                try:
                    os.link(tmp, path)          # first writer wins; the others use its key
                except FileExistsError:
                    return _key(create=False)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        return None
    return fresh


def _replace(entry: Path, data: bytes | list[bytes]) -> None:
    """Write ``data`` (or its pieces, in order) to a temporary file beside ``entry``, then rename it over: readers
    see the old entry or the new one, whole. No fsync: after a crash a torn entry fails its HMAC and is rebuilt."""
    from ..base.tempfiles import new_file

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = new_file(entry.parent, f".{entry.name}.", ".tmp")
    except OSError:
        return                      # a read-only or full cache folder only costs speed
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.writelines([data] if isinstance(data, bytes) else data)
        os.replace(tmp, entry)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
