"""argmap.base.forked: a part run in a forked child gives what it gives here, errors included."""

from __future__ import annotations

import os

import pytest

from argmap.base import forked
from argmap.base.errors import Diagnostic, ValidationError


def _where() -> tuple[int, list[int]]:
    return os.getpid(), list(range(5))


def test_a_part_runs_in_a_child_and_its_result_comes_back():
    if not forked.can_fork():
        pytest.skip("one core or no fork here: parts run in this process")
    pid, value = forked.start(_where).result()
    assert pid != os.getpid() and value == list(range(5))


def test_without_forking_the_part_runs_here(monkeypatch):
    monkeypatch.setenv("ARGMAP_JOBS", "1")
    assert not forked.can_fork()
    assert forked.start(_where).result() == (os.getpid(), list(range(5)))


def _fails():
    raise ValidationError([Diagnostic("overlay 'x': no such claim 'y'")])     # does not survive pickling


def test_a_part_that_fails_raises_its_own_error_here():
    with pytest.raises(ValidationError, match="no such claim 'y'"):
        forked.start(_fails).result()


def test_a_cancelled_part_leaves_no_process_behind():
    import time

    if not forked.can_fork():
        pytest.skip("one core or no fork here: parts run in this process")
    pending = forked.start(lambda: time.sleep(30))
    pid = getattr(pending, "_pid", None)
    pending.cancel()
    if pid is not None:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_with_another_thread_running_the_part_runs_here():
    """A fork copies only the calling thread; with another one alive (a notebook's kernel) parts run here."""
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert not forked.can_fork()
        assert forked.start(_where).result() == (os.getpid(), list(range(5)))
    finally:
        stop.set()
        other.join()
    if len(os.sched_getaffinity(0)) > 1 and os.environ.get("ARGMAP_JOBS", "").strip() != "1":
        assert forked.can_fork()


@pytest.mark.parametrize("text, idle", [(b"0.50 0.40 0.30 1/120 4321\n", True),
                                        (b"3.10 2.00 1.00 9999/12000 4321\n", False), (b"garbage", True), (b"", True)])
def test_a_core_is_idle_now_when_fewer_tasks_run_than_cores(tmp_path, monkeypatch, text, idle):
    """The fourth field of /proc/loadavg (running/total) against the cores; unreadable: assume idle."""
    monkeypatch.setattr(forked, "_cores", lambda: 2)
    path = tmp_path / "loadavg"
    path.write_bytes(text)
    assert forked.idle_core_now(str(path)) is idle
    assert forked.idle_core_now(str(tmp_path / "absent")) is True


def _dies_in_the_child() -> list[int]:
    import signal

    if forked._IN_CHILD:
        os.kill(os.getpid(), signal.SIGKILL)                # no result written, no exit of its own
    return list(range(3))


def test_a_child_that_dies_only_costs_speed():
    """The part is run again here, as if the child had raised."""
    assert forked.start(_dies_in_the_child).result() == [0, 1, 2]


def _large() -> tuple[int, bytes]:
    return os.getpid(), bytes(range(256)) * 40_000 + b"end"


def test_a_large_result_comes_back_whole():
    """Megabytes (a large map's encoded entry) come back intact, several parts at once each with its own."""
    if not forked.can_fork():
        pytest.skip("one core or no fork here: parts run in this process")
    parts = [forked.start(_large) for _ in range(3)]
    for pid, data in (p.result() for p in parts):
        assert pid != os.getpid() and data == bytes(range(256)) * 40_000 + b"end"


def test_a_result_is_taken_while_the_child_still_exits(monkeypatch):
    """The child says its result is whole before it exits (the kernel freeing its memory takes a few ms): the
    result comes back meanwhile, and the child is reaped later (by the next start, or once it has exited)."""
    import time

    if not forked.can_fork():
        pytest.skip("one core or no fork here: parts run in this process")
    leave = os._exit

    def slowly(code: int) -> None:                          # only a child calls it
        time.sleep(1)
        leave(code)
    monkeypatch.setattr(os, "_exit", slowly)
    pending = forked.start(_where)
    pid = pending._pid
    assert pending.result()[0] == pid
    assert os.waitpid(pid, os.WNOHANG) == (0, 0)            # still there, exiting
    assert forked._EXITING == [pid]
    forked._reap()
    assert forked._EXITING == []


_ENDS = """
import atexit, os, sys, time
pids = []
def reaped():                                   # registered first: runs last, after the module's own
    try:
        os.waitpid(pids[0], os.WNOHANG)
        print("left behind")
    except ChildProcessError:
        print("reaped")
atexit.register(reaped)
from argmap.base import forked
leave = os._exit
def slowly(code):
    time.sleep(0.5)
    leave(code)
os._exit = slowly
pending = forked.start(lambda: 7)
pids.append(pending._pid)
assert pending.result() == 7
"""


def test_a_child_still_exiting_is_reaped_when_this_process_ends():
    """So that whoever counts this process's children's CPU time (the benchmarks) counts the child's too."""
    import subprocess
    import sys

    if not forked.can_fork():
        pytest.skip("one core or no fork here: parts run in this process")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", _ENDS], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["reaped"]


def test_a_wait_interrupted_leaves_the_part_to_cancel(monkeypatch):
    """Ctrl-C while waiting for the child: the caller's cancel() stops it cleanly (the CLI then says 'interrupted')."""
    import time

    if not forked.can_fork():
        pytest.skip("one core or no fork here: parts run in this process")
    pending = forked.start(lambda: time.sleep(30))
    pid = pending._pid
    assert pid is not None

    def interrupted(fd: int, n: int) -> bytes:
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "read", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pending.result()
    monkeypatch.undo()
    pending.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_a_fork_that_fails_runs_the_part_here(monkeypatch):
    """No process to spare (EAGAIN at a process limit, ENOMEM): the part runs here, as without forking, and the
    file and pipe made for its result are closed (it raised OSError from the command, a traceback)."""
    if not forked.can_fork():
        pytest.skip("one core or no fork here: parts run in this process")
    fds = sorted(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else []

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(os, "fork", no_fork)
    assert forked.start(_where).result() == (os.getpid(), list(range(5)))
    assert (sorted(os.listdir("/proc/self/fd")) if fds else []) == fds
