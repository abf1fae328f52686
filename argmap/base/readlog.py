"""What a load read, so that a result built from it can be proved to come from the same files.

While :func:`recording` is active, every file read through :func:`argmap.base.yamlsafe.read_yaml` is
noted — its path, where it really leads (symlinks resolved), the folder it must stay inside (a map's
own files), the size limit it was read under and the SHA-256 of the exact bytes parsed — and so is
every folder listing the loader consulted, **taken at the moment it was consulted**: the map folder
when its part files are globbed (:func:`listing`, the glob's own snapshot), the folder an overlay
name is looked up in, and the folder of every file read. If the same file or folder looks different
twice within one load, the record is marked :attr:`Record.changed`.

:func:`unchanged` checks a record against the disk now, reading every file through the same guards
as a direct read (:func:`argmap.base.readfile.read_guarded`: regular files only, never past the
limit, symlinks inside the folder only), so a file turned into a FIFO, a link to ``/dev/zero`` or to
a file outside the folder is "changed", never read. The compiled-map cache uses it twice: before
writing an entry (files changed during the run: no entry) and before using one.

A listing is the sorted names of a folder with each entry's kind (file, folder, other; link or not),
so a part replaced by a folder, a FIFO or a link of the same name changes it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import field
from pathlib import Path
from typing import Any

from .errors import ValidationError
from .readfile import read_guarded
from .records import dataclass

__all__ = ["Record", "recording", "record_file", "listing", "note_folder", "unchanged", "hook"]

hook: Callable[[str, Path], None] | None = None
"""Called as ``hook("listed", folder)`` right after a folder is listed for the loader: tests use it to
change files inside the load window deterministically (never set it in real use)."""


@dataclass
class Record:
    """The files and folder listings one load depended on (paths absolute)."""

    files: dict[str, tuple[str, str | None, int, str]] = field(default_factory=dict)
    """path -> (real path, folder it must stay inside or None, size limit, SHA-256 of the bytes read)"""
    dirs: dict[str, str] = field(default_factory=dict)
    """folder -> SHA-256 of its listing"""
    changed: bool = False
    """A file or folder looked different twice during the load."""

    def to_json(self) -> dict[str, Any]:
        return {"files": [[p, *v] for p, v in sorted(self.files.items())], "dirs": sorted(self.dirs.items())}

    @classmethod
    def from_json(cls, data: Any) -> Record:
        """The record written by :meth:`to_json`; ValueError if ``data`` is not exactly that shape."""
        rec = cls()
        try:
            for p, real, folder, limit, digest in data["files"]:
                if not (isinstance(p, str) and isinstance(real, str) and (folder is None or isinstance(folder, str))
                        and type(limit) is int and isinstance(digest, str)):
                    raise ValueError("bad file record")
                rec.files[p] = (real, folder, limit, digest)
            for d, digest in data["dirs"]:
                if not (isinstance(d, str) and isinstance(digest, str)):
                    raise ValueError("bad folder record")
                rec.dirs[d] = digest
        except (KeyError, TypeError) as err:
            raise ValueError("bad record") from err
        if not rec.files:
            raise ValueError("a record with no files")
        return rec


_current: ContextVar[Record | None] = ContextVar("argmap_readlog", default=None)


@contextmanager
def recording() -> Iterator[Record]:
    """Within the block, note every file read and folder listed for the loader in the returned record."""
    rec = Record()
    token = _current.set(rec)
    try:
        yield rec
    finally:
        _current.reset(token)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _kind(entry: os.DirEntry[str]) -> str:
    try:
        link = "l" if entry.is_symlink() else ""
        return link + ("f" if entry.is_file() else "d" if entry.is_dir() else "o")
    except OSError:
        return "?"


def _snapshot(folder: str) -> tuple[list[str], str]:
    with os.scandir(folder) as it:
        entries = sorted((e.name, _kind(e)) for e in it)
    return [n for n, _ in entries], _sha("".join(f"{n}\0{k}\n" for n, k in entries).encode())


def _note_dir(rec: Record, folder: str, digest: str) -> None:
    if rec.dirs.setdefault(folder, digest) != digest:
        rec.changed = True


def listing(folder: Path) -> list[str]:
    """The names in ``folder``, sorted; while recording, this very snapshot is noted (then :data:`hook`
    runs). OSError if the folder cannot be listed."""
    names, digest = _snapshot(str(folder))
    rec = _current.get()
    if rec is not None:
        _note_dir(rec, os.path.abspath(folder), digest)
        if hook is not None:
            hook("listed", Path(folder))
    return names


def note_folder(folder: Path) -> None:
    """While recording, note ``folder``'s listing (a folder where a name was looked up)."""
    rec = _current.get()
    if rec is None:
        return
    try:
        _, digest = _snapshot(str(folder))
    except OSError:
        digest = "unlistable"
    _note_dir(rec, os.path.abspath(folder), digest)


def record_file(path: Path, raw: bytes, folder: Path | None, limit: int) -> None:
    """While recording, note that ``raw`` was read from ``path`` (under ``folder``'s guard and ``limit``)."""
    rec = _current.get()
    if rec is None:
        return
    key = os.path.abspath(path)
    entry = (os.path.realpath(key), None if folder is None else os.path.abspath(folder), limit, _sha(raw))
    if rec.files.setdefault(key, entry) != entry:
        rec.changed = True
    note_folder(Path(key).parent)


def unchanged(rec: Record) -> bool:
    """Whether every file and listing in ``rec`` is the same now, each file read through the guards."""
    if rec.changed or not rec.files:
        return False
    try:
        for listed, digest in rec.dirs.items():
            if _snapshot(listed)[1] != digest:
                return False
        for path, (real, folder, limit, digest) in rec.files.items():
            if os.path.realpath(path) != real:
                return False
            raw = read_guarded(Path(path), limit, None if folder is None else Path(folder))
            if _sha(raw) != digest:
                return False
    except (OSError, ValidationError, ValueError):
        return False
    return True
