"""A new private file beside the one it will replace, as :func:`tempfile.mkstemp` makes it, without importing
:mod:`tempfile`: that imports :mod:`shutil`, which imports bz2 and lzma, and :mod:`random` (5-15 ms on a run that
writes a cache entry or keeps a report, the only files it writes)."""

from __future__ import annotations

import os

__all__ = ["new_file"]

_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_TRIES = 10_000


def new_file(folder: str | os.PathLike[str], prefix: str, suffix: str = "") -> tuple[int, str]:
    """A file created in ``folder`` named ``prefix``, 16 random hex digits, ``suffix``: open for reading and writing
    (a descriptor not inherited by child processes), mode 0600, never an existing file or link; and its path.
    OSError if it cannot be made."""
    for _ in range(_TRIES):
        path = os.path.join(folder, f"{prefix}{os.urandom(8).hex()}{suffix}")
        try:
            return os.open(path, _FLAGS, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")
