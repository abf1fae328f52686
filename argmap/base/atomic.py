"""Output writes: never into a map folder, and atomic (a temporary file in the same folder, then a rename).

A failure part-way through leaves any earlier file at that path intact, and a reader never sees a
half-written file. argmap writes outputs only through :func:`atomic_write`, so every command that writes
gets the one guard :func:`refuse_map_folder` for free.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import ArgmapError

__all__ = ["atomic_write", "refuse_map_folder", "map_folder_of", "MapFolderWriteError", "MAP_HEADER"]

MAP_HEADER = "map.yaml"
"""A folder holding this file is a map folder (its argument files are the user's: never written to)."""


class MapFolderWriteError(ArgmapError):
    """An output was asked to go inside a map folder."""


def map_folder_of(path: str | Path) -> Path | None:
    """The map folder that ``path`` (a file or folder to be written) lies in, or None."""
    here = Path(os.path.realpath(Path(path).absolute()))      # a symlink loop is no exception here
    for folder in (here, *here.parents):
        if (folder / MAP_HEADER).is_file():
            return folder
    return None


def refuse_map_folder(path: str | Path) -> None:
    """Raise :class:`MapFolderWriteError` if writing ``path`` would put a file inside a map folder.

    Commands call it before any work (to fail fast); :func:`atomic_write` calls it on every write.
    """
    try:
        os.stat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise ArgmapError(f"{path} is a symbolic link that leads round in a loop; remove it or choose "
                              "another destination with -o/--out") from err
    folder = map_folder_of(path)
    if folder is not None:
        raise MapFolderWriteError(
            f"{path} is inside the map folder {folder}; argmap never writes into an argument folder "
            "(its files are yours): choose a destination outside it with -o/--out")


def _mode(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: str | Path, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` atomically (creating parent folders) and return the path.

    Refuses (:class:`MapFolderWriteError`) a path inside a map folder.
    """
    path = Path(path)
    refuse_map_folder(path)
    payload = data.encode(encoding) if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        why = f"{blocker} is a file, not a folder" if blocker is not None else err.strerror or str(err)
        raise ArgmapError(f"cannot write {path}: {why}; choose another destination with -o/--out") from err
    try:
        os.chmod(tmp, _mode(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise ArgmapError(f"cannot write {path}: {err.strerror or err}") from err
        raise
    return path
