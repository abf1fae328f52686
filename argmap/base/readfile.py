"""Reading an untrusted file: a regular file only, and never more than a size limit.

A path may name (or link to) ``/dev/zero``, a FIFO, a socket or a directory. Their ``st_size`` is 0,
so a size check before reading proves nothing: ``/dev/zero`` would be read until memory runs out
and a FIFO with no writer blocks forever. So the file is opened with ``O_NONBLOCK`` (an open FIFO
returns at once), checked with ``fstat`` on the open descriptor (no race with a rename between the
check and the read), refused unless it is a regular file, and read up to the limit plus one byte,
which tells "exactly at the limit" from "over it" without reading further.

:func:`inside` refuses a path that resolves (through symlinks) outside a folder, for map folders;
:func:`read_guarded` is both guards together: the one way a map's files are read, directly or when
the compiled-map cache checks that they are unchanged.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import Diagnostic, ValidationError

__all__ = ["read_limited", "read_guarded", "inside", "kind_of", "resolved"]


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words, for error messages."""
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_limited(path: Path, limit: int, what: str = "argument files") -> bytes:
    """The bytes of the regular file ``path``; a :class:`ValidationError` naming the path if it is not
    a regular file, cannot be read, or holds more than ``limit`` bytes (``what`` names the limit)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as err:
        raise ValidationError([Diagnostic(f"cannot read file: {err.strerror or err}", path)]) from err
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ValidationError([Diagnostic(
                f"{kind_of(mode)}, not a regular file: argmap reads only regular files", path,
                hint="give the path of a file you saved (devices, pipes and sockets are never read)")])
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as err:
        raise ValidationError([Diagnostic(f"cannot read file: {err.strerror or err}", path)]) from err
    finally:
        os.close(fd)
    if got > limit:
        raise ValidationError([Diagnostic(f"file is larger than {limit:,} bytes; {what} are limited to {limit:,}",
                                          path, 1, 1, "split it into several files")])
    return b"".join(chunks)


def read_guarded(path: Path, limit: int, folder: Path | None = None, what: str = "argument files") -> bytes:
    """:func:`read_limited`, after :func:`inside` when the file must stay in ``folder`` (a map's own files)."""
    if folder is not None:
        outside = inside(path, folder)
        if outside is not None:
            raise ValidationError([outside])
    return read_limited(path, limit, what)


def resolved(path: str | Path) -> Path:
    """``path`` absolute with symlinks resolved as far as they go: unlike ``Path.resolve()``, a symlink
    loop is no exception (the read that follows reports it, with the path)."""
    return Path(os.path.realpath(path))


def inside(path: Path, folder: Path) -> Diagnostic | None:
    """None if ``path`` resolves inside ``folder``; otherwise a diagnostic naming where it leads.

    Part files and the table of contents of a map may be symlinks within the map folder, but one
    that leads elsewhere (``claims.yaml -> /etc/passwd``) would make argmap read a file nobody
    pointed it at, so it is refused.
    """
    try:
        real = Path(os.path.realpath(path))
        base = Path(os.path.realpath(folder))
    except (OSError, RuntimeError, ValueError) as err:
        return Diagnostic(f"cannot resolve the path: {err}", path)
    if real == base or base in real.parents:
        return None
    return Diagnostic(f"leads outside the map folder (to {real}); argmap reads only files inside it", path,
                      hint="copy the file into the map folder instead of linking to it")
