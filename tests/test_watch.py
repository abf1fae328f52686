"""``argmap watch``: the polling loop re-runs on a change, shows errors in place, and stops when bounded."""

from __future__ import annotations

import io
import os
import shutil
import threading
import time

import pytest
from conftest import DATA

from argmap.commands import watch
from argmap.commands.cli import build_parser
from argmap.commands.watch import fingerprint, watch_loop, watched_files


def _args(*argv):
    return build_parser().parse_args(["watch", *argv])


@pytest.fixture
def workspace(tmp_path, tiny_map):
    folder = tmp_path / "tiny"
    shutil.copytree(tiny_map, folder)
    overlay = tmp_path / "doubt.yaml"
    shutil.copy(DATA / "compare" / "doubt.yaml", overlay)
    return folder, overlay


def _touch_later(path, text):
    path.write_text(text)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))   # a new mtime even on coarse clocks


def test_loop_with_a_fake_clock_runs_once_per_change(tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text("x: 1\n")
    calls: list[int] = []
    ticks = iter(range(1000))
    touched: list[bool] = []

    def sleep(_):
        n = len(calls)
        if n == 1 and not touched:
            _touch_later(f, "x: 2\n")
            touched.append(True)

    passes = watch_loop(lambda: [f], calls.append, interval=0.01, max_seconds=20, sleep=sleep,
                        clock=lambda: next(ticks))
    assert calls == [0, 1] and passes == 2


def test_fingerprint_sees_new_and_missing_files(tmp_path):
    a = tmp_path / "a.yaml"
    assert fingerprint([a]) == ((str(a), None, None),)
    a.write_text("1")
    assert fingerprint([a])[0][1] is not None


def test_watched_files_are_the_map_files_and_overlays(workspace):
    folder, overlay = workspace
    files = watched_files(str(folder), [str(overlay)])
    assert {p.name for p in files} == {"map.yaml", "claims.yaml", "doubt.yaml"}


def test_watch_reruns_when_an_overlay_is_saved(workspace):
    """Real polling on a temporary folder: edit the overlay after the first pass; the second shows it."""
    folder, overlay = workspace
    args = _args(str(folder), "--with", str(overlay), "--interval", "0.05")
    screens = []
    show = watch._screen(args, io.StringIO())

    def on_change(n):
        screens.append(watch.snapshot(args))
        show(n)
        if n == 0:
            _touch_later(overlay, overlay.read_text().replace("credence: 0.3", "credence: 0.5"))

    passes = watch_loop(lambda: watched_files(args.path, args.overlays), on_change, interval=0.05,
                        max_passes=2, max_seconds=30)
    assert passes == 2
    assert "0.5 → 0.3" in screens[0] and "goals" in screens[0]
    assert "credence 0.5 → 0.5" in screens[1] and "0.5 → 0.3" not in screens[1]


def test_an_error_is_shown_in_place_and_watching_goes_on(workspace):
    folder, overlay = workspace
    args = _args(str(folder), "--with", str(overlay), "--max-seconds", "30", "--interval", "0.05")
    out = io.StringIO()
    done = threading.Event()

    def edit():
        deadline = time.monotonic() + 20
        while "pass 1" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        _touch_later(overlay, "overlay: doubt\nauthor: [unclosed\n")
        while "pass 2" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        _touch_later(overlay, (DATA / "compare" / "doubt.yaml").read_text())
        while "pass 3" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        done.set()

    t = threading.Thread(target=edit, daemon=True)
    t.start()
    passes = watch_loop(lambda: watched_files(args.path, args.overlays), watch._screen(args, out),
                        interval=0.05, max_passes=3, max_seconds=30)
    t.join(5)
    text = out.getvalue()
    assert passes == 3 and done.is_set()
    second = text.split("pass 2")[1].split("pass 3")[0]
    assert "error" in second and "doubt.yaml:" in second
    assert "P(conclusion)" in text.split("pass 3")[1]


def test_once_prints_one_screen(capsys, workspace):
    folder, _ = workspace
    assert watch.run(_args(str(folder), "--once")) == 0
    out = capsys.readouterr().out
    assert "pass 1" in out and "P(conclusion) = 0.1650" in out


def test_render_on_change(workspace, tmp_path):
    pytest.importorskip("argmap.render")
    folder, overlay = workspace
    svg = tmp_path / "out" / "diff.svg"
    out = io.StringIO()
    watch.run(_args(str(folder), "--with", str(overlay), "--once", "-o", str(svg)), out=out)
    assert "<svg" in svg.read_text() and f"wrote {svg}" in out.getvalue()
