"""Independent pieces of work side by side, each in a forked child process.

``argmap export`` builds a post bundle from parts that share nothing but the loaded map: the explorer page,
the symbolic formula (sympy), each chart (matplotlib), the spread. :func:`start` runs one part in a child
made by ``os.fork`` — which inherits the loaded map, so nothing is re-read or pickled on the way in — and
:meth:`Pending.result` collects its pickled result (written whole to a file in memory, read once the child has
exited); on a 2-core machine two parts then run at once.

Where forking is unavailable (no ``os.fork``), only one core is usable, ``ARGMAP_JOBS=1`` is set, we are
already in such a child, or the process runs other Python threads (a notebook's kernel, a caller's thread
pool: a fork copies only the calling thread, and a lock another thread holds would never be released in the
child), :func:`start` runs the part at once in this process instead: the result is the
same either way. A part that raises in the child is run again here, so its exception (and traceback) is
the one the same call would raise without a child.
"""

from __future__ import annotations

import atexit
import os
import pickle
import sys
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Pending", "start", "can_fork", "core_to_spare", "idle_core_now"]

T = TypeVar("T")
_IN_CHILD = False
_EXITING: list[int] = []
"""Children whose results were taken while they were still exiting: reaped by the next :func:`start`, else when
this process ends (so a caller counting its children's CPU time counts theirs)."""


def can_fork() -> bool:
    """Whether :func:`start` runs parts in child processes here."""
    if _IN_CHILD or not hasattr(os, "fork") or os.environ.get("ARGMAP_JOBS", "").strip() == "1":
        return False
    threading = sys.modules.get("threading")              # not imported: no other Python thread exists
    if threading is not None and threading.active_count() > 1:
        return False
    return _cores() > 1


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                      # not Linux
        return os.cpu_count() or 1


def core_to_spare() -> bool:
    """Whether the machine's load leaves a core for a child: on a busy machine the child waits for a core as
    this process does, and forking only adds its cost (pickling, pages copied on write)."""
    try:
        return os.getloadavg()[0] < _cores()
    except (AttributeError, OSError):          # no load average here
        return True


def idle_core_now(loadavg: str = "/proc/loadavg") -> bool:
    """Whether a core is idle at this very moment: fewer tasks running now (this process among them: the
    fourth field of ``/proc/loadavg``) than cores. The load average lags by a minute, and other programs'
    short runs come and go within it; True where the count cannot be read."""
    try:
        with open(loadavg, "rb") as fh:
            running = int(fh.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return True
    return running < _cores()


class Pending(Generic[T]):
    """A part started by :func:`start`: :meth:`result` waits for it (once); :meth:`cancel` drops it.
    ``Pending(fn, lazy=True)``: a part not forked, run here by the first :meth:`result` (never, if not asked)."""

    def __init__(self, fn: Callable[[], T], pid: int | None = None, fd: int | None = None,
                 value: T | None = None, lazy: bool = False, written: int | None = None) -> None:
        self._fn, self._pid, self._fd, self._value, self._lazy = fn, pid, fd, value, lazy
        self._written = written

    def result(self) -> T:
        if self._lazy:
            self._value, self._lazy = self._fn(), False
        if self._pid is None:
            return self._value  # type: ignore[return-value]
        # the child says its result is whole before it exits (its exit, the kernel freeing its memory, takes ~2 ms
        # more: it is reaped later); at its end without a word, its exit status tells nothing more. (Interrupted
        # here, nothing has changed: cancel() stops it.)
        whole = os.read(self._written, 1) == b"1"          # type: ignore[arg-type]
        if whole:
            if not _EXITING:
                atexit.unregister(_reap)                    # registered once at most
                atexit.register(_reap)
            _EXITING.append(self._pid)
        else:
            os.waitpid(self._pid, 0)
        self._pid = None
        try:
            data = _read_all(self._fd) if whole else b""    # type: ignore[arg-type]
        finally:
            os.close(self._fd)                              # type: ignore[arg-type]
            os.close(self._written)                         # type: ignore[arg-type]
        ok, value = pickle.loads(data) if data else (False, None)
        _reap(os.WNOHANG)                                   # what has exited by now
        self._value = value if ok else self._fn()          # failed (or died) in the child: run it here
        return self._value  # type: ignore[return-value]

    def cancel(self) -> None:
        """Stop the child if it still runs (e.g. when another part failed); harmless after :meth:`result`."""
        if self._pid is None:
            return
        import signal

        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(self._fd)                                   # type: ignore[arg-type]
        os.close(self._written)                              # type: ignore[arg-type]
        os.waitpid(self._pid, 0)
        self._pid = None


def start(fn: Callable[[], T]) -> Pending[T]:
    """Run ``fn()`` in a forked child (or here, see the module's docstring); its result must pickle."""
    if not can_fork():
        return Pending(fn, value=fn())
    _reap()
    try:
        fd = _buffer()
    except OSError:
        return Pending(fn, value=fn())
    try:
        written, wrote = os.pipe()
    except OSError:
        os.close(fd)
        return Pending(fn, value=fn())
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:                                          # no process to spare (EAGAIN, ENOMEM): run it here
        for end in (fd, written, wrote):
            os.close(end)
        return Pending(fn, value=fn())
    if pid == 0:                                             # the child: compute, send, leave at once
        global _IN_CHILD
        _IN_CHILD = True
        _EXITING.clear()                                     # (not this process's children)
        code = 0
        try:
            os.close(written)
            try:
                payload = pickle.dumps((True, fn()), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:                            # noqa: B036 - re-raised by the parent's own run
                payload = pickle.dumps((False, None))
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.write(wrote, b"1")                            # whole: the parent reads it while this process exits
        except BaseException:                                # noqa: B036 - nothing may escape a forked child
            code = 1
        finally:
            os._exit(code)
    os.close(wrote)
    return Pending(fn, pid=pid, fd=fd, written=written)


def _reap(options: int = 0) -> None:
    """Wait for the children whose results were taken (exited by now, or about to), or with ``os.WNOHANG`` reap
    those that have exited."""
    for pid in list(_EXITING):
        try:
            if os.waitpid(pid, options)[0] == 0:
                continue                                     # still exiting: the next start() waits for it
        except ChildProcessError:                            # reaped already (by a caller's own wait)
            pass
        _EXITING.remove(pid)


def _buffer() -> int:
    """A file in memory for the child's result: the child writes it whole without waiting for this process (a pipe
    holds 64 KB: a large result would go over in as many turns of both processes), and this process reads it at once
    when the child has exited. An unlinked temporary file where there is no ``memfd_create``."""
    try:
        return os.memfd_create("argmap-part")
    except (AttributeError, OSError):
        import tempfile

        fd, path = tempfile.mkstemp(prefix="argmap-part-")
        os.unlink(path)
        return fd


def _read_all(fd: int) -> bytes:
    """Everything the child wrote to ``fd`` (from its start)."""
    size = os.fstat(fd).st_size
    parts, at = [], 0
    while at < size:
        part = os.pread(fd, size - at, at)
        if not part:
            break
        parts.append(part)
        at += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)
