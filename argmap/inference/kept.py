"""Texts computed from a map's numbers, kept in the compiled-map cache folder under everything they are made from.

Some outputs cost far more to compute than what they are computed from: the post bundle's formula is a
few dozen engine numbers turned into LaTeX by sympy (a third of a second, most of it importing sympy), and
the spread's beta quantile tables are ``betaincinv`` at fixed points (:func:`argmap.inference.distributions.
beta_tables_text`); the spread itself is 80,000 exact evaluations of a compiled map
(:mod:`argmap.analysis.sensitivity.spreadkept`).
:func:`text` returns such a text kept by an earlier run, :func:`keep` keeps one. **A kept text is always the
text a fresh computation gives now** (docs/security.md, "Kept texts"; tests/test_kept.py):

* **Keyed by all of its inputs.** The caller passes the ``material``: every value the text is computed from
  (for the formula: the engine's numbers at the corners, the symbols, the legend's titles and sections), as
  text. The entry stores that material and is used only if it is the same, character for character; its
  file name is a hash of it, so another input never even finds it.
* **Bound to this code.** The header names argmap's version with the fingerprint of its modules and data files (the
  compiled-map cache's) and the versions of the libraries the text comes from (``libraries``): an entry
  written by other code is not read.
* **Authenticated and bounded, as compiled maps are.** Header, material and text are signed with
  HMAC-SHA256 under the cache folder's key; the entry is read as argument files are (a regular file, at
  most :data:`MAX_BYTES`); anything else is a miss, and the text is computed again.
* **Off with the cache.** Inside :func:`argmap.inference.cache.disabled` (``--no-cache``) nothing is read
  or written.

A kept text is plain UTF-8, never code: the caller writes it into its output as it would the fresh one.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from ..base.errors import ValidationError
from ..base.readfile import read_limited
from . import cache

__all__ = ["text", "keep", "MAX_BYTES", "stats"]

MAX_BYTES = 4 * 1024 * 1024
"""Largest kept text entry written or read (bytes)."""
_MAGIC = "argmap-kept-text"
_FORMAT = 1

stats: Counter[str] = Counter()
"""``hit``, ``absent``, ``refused``, ``stored`` per lookup in this process (for tests and benchmarks)."""


def _versions(libraries: tuple[str, ...]) -> str:
    return ",".join(f"{name}={_version(name)}" for name in libraries)


_OWN_VERSION = frozenset({"scipy", "numpy"})
"""Libraries whose version is read from the package itself (its ``__version__``, the very code that runs;
importing scipy's top package costs less than ``importlib.metadata``, and numpy is imported already), in every
process that keeps or reads a text, imported or not: one source per library, so a header written is the header
read."""


def _version(name: str) -> str:
    """The library's version (:data:`_OWN_VERSION`'s from the package, others from its installed distribution);
    ``?`` when not installed."""
    if name in _OWN_VERSION:
        import importlib

        try:
            found = getattr(importlib.import_module(name), "__version__", None)
        except ImportError:
            return "?"
        return found if isinstance(found, str) else "?"
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def _header(kind: str, libraries: tuple[str, ...]) -> bytes:
    return f"{_MAGIC} {_FORMAT} {kind} {cache._code_version()} {_versions(libraries)}".encode()


def _entry(kind: str, head: bytes, material: bytes):
    digest = hashlib.sha256(head + b"\n" + material).hexdigest()[:40]
    return cache.cache_dir() / f"{digest}.{kind}"


def text(kind: str, material: str, libraries: tuple[str, ...] = ()) -> str | None:
    """The text of ``kind`` kept for exactly this ``material``, this code and these libraries' versions; else None."""
    if not cache.enabled():
        return None
    head, mat = _header(kind, libraries), material.encode()
    entry = _entry(kind, head, mat)
    key = cache._key(create=False)
    try:
        raw = read_limited(entry, MAX_BYTES, "kept texts") if key is not None else None
    except ValidationError:
        raw = None
    if raw is None:
        stats["absent" if key is None or not entry.exists() else "refused"] += 1
        return None
    rest = cache.unsealed(key, raw, head) if key is not None else None
    stored, _, body = bytes(rest or b"").partition(b"\n")
    if rest is None or stored != mat.hex().encode():
        stats["refused"] += 1
        return None
    try:
        found = body.decode("utf-8")
    except UnicodeDecodeError:
        stats["refused"] += 1
        return None
    stats["hit"] += 1
    return found


def keep(kind: str, material: str, value: str, libraries: tuple[str, ...] = ()) -> None:
    """Keep ``value`` as the text of ``kind`` for ``material`` (anything failing only costs speed)."""
    if not cache.enabled():
        return
    key = cache._key(create=True)
    if key is None:
        return
    head, mat = _header(kind, libraries), material.encode()
    data = cache.sealed(key, head, mat.hex().encode() + b"\n" + value.encode("utf-8"))
    if len(data) <= MAX_BYTES:
        cache._replace(_entry(kind, head, mat), data)
        stats["stored"] += 1
