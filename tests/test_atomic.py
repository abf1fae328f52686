"""Nothing lost: outputs are written atomically, a failure mid-write leaves earlier files intact,
and no command writes into the argument folder."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
from pathlib import Path

import pytest

import argmap.base.atomic
from argmap.base.atomic import atomic_write
from argmap.base.errors import ArgmapError
from argmap.commands.cli import main

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "maps" / "tiny"


def run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")     # has .buffer, like a real stdout
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_atomic_write_failure_keeps_the_old_file(tmp_path, monkeypatch, where):
    target = tmp_path / "out.txt"
    atomic_write(target, "old contents\n")
    monkeypatch.setattr(argmap.base.atomic.os, where, _enospc)
    with pytest.raises(ArgmapError, match="cannot write .*No space left on device"):    # a message, no traceback
        atomic_write(target, "new contents that never land\n" * 1000)
    assert target.read_text() == "old contents\n"
    assert leftovers(tmp_path) == []


def test_atomic_write_failure_after_half_the_bytes(tmp_path, monkeypatch):
    """A write that dies half-way (disk full) never shows the half-written file at the target path."""
    target = tmp_path / "out.bin"
    atomic_write(target, b"A" * 100)
    real_fdopen = os.fdopen

    class HalfWriter(io.RawIOBase):
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()
            return False

    monkeypatch.setattr(argmap.base.atomic.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(ArgmapError, match="cannot write"):
        atomic_write(target, b"B" * 10_000)
    assert target.read_bytes() == b"A" * 100
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["bif", "xmlbif"])
def test_failed_export_leaves_the_earlier_export_intact(tmp_path, monkeypatch, fmt):
    out = tmp_path / f"net.{fmt}"
    assert run(["export", str(TINY), "--format", fmt, "-o", str(out)])[0] == 0
    before = out.read_bytes()
    monkeypatch.setattr(argmap.base.atomic.os, "fsync", _enospc)      # the disk fills up mid-write
    code, err = run(["export", str(TINY), "--format", fmt, "-o", str(out)])
    assert code == 1 and "cannot write" in err and "No space left" in err
    assert out.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_failure_while_generating_leaves_the_earlier_export_intact(tmp_path, monkeypatch):
    import argmap.analysis.interchange
    from argmap.base.errors import ArgmapError

    out = tmp_path / "net.bif"
    assert run(["export", str(TINY), "-o", str(out)])[0] == 0
    before = out.read_bytes()

    def broken(model, fmt):
        raise ArgmapError("injected failure while building the file")
    monkeypatch.setattr(argmap.analysis.interchange, "export_model", broken)
    code, err = run(["export", str(TINY), "-o", str(out)])
    assert code == 1 and "injected failure" in err
    assert out.read_bytes() == before


def test_failed_import_leaves_no_folder(tmp_path, monkeypatch):
    from argmap import Model
    from argmap.analysis.interchange import export_model, tomap

    src = tmp_path / "net.bif"
    src.write_text(export_model(Model.load(TINY), "bif"))
    calls = []

    def second_write_fails(path, data, **kw):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        return atomic_write(path, data, **kw)
    monkeypatch.setattr(tomap, "atomic_write", second_write_fails)
    code, err = run(["import", str(src), "-o", str(tmp_path / "imported")])
    assert code == 1 and "cannot write" in err
    assert not (tmp_path / "imported").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["net.bif"]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def test_no_command_writes_into_the_argument_folder(tmp_path, monkeypatch):
    """Every read-only command leaves the map folder and its overlay byte- and time-identical."""
    folder = tmp_path / "map"
    shutil.copytree(TINY, folder)
    overlay = folder / "critique.yml.txt"        # kept inside the folder so the snapshot covers it
    overlay.write_text("overlay: doubt\nauthor: A Reader\nchange:\n  - claim: goals\n    credence: 0.3\n"
                       "    reason: Long goals seem less likely to me.\n")
    out = tmp_path / "out"
    out.mkdir()
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    before = snapshot(folder)
    with_overlay = ["--with", str(overlay)]
    commands = [
        ["check", str(folder)],
        ["check", str(folder), *with_overlay],
        ["run", str(folder), *with_overlay],
        ["run", str(folder), "--json", "--given", "aware"],
        ["sections", str(folder)],
        ["sources", str(folder)],
        ["sensitivity", str(folder), "--json", "--samples", "200", "--out", str(out / "sens")],
        ["render", str(folder), "--format", "svg", "-o", str(out / "map.svg"), *with_overlay],
        ["render", str(folder), "--format", "dot"],
        ["export", str(folder), "--format", "bif", "-o", str(out / "map.bif"), *with_overlay],
        ["export", str(folder), "--format", "xmlbif", "-o", str(out / "map.xml")],
        ["export", str(folder), "--out", str(out / "bundle"), *with_overlay],
        ["compare", str(folder), "--viewpoint", f"doubt={overlay}", "--json"],
        ["schema"],
    ]
    problems = []
    for argv in commands:
        try:
            run(argv)
        except SystemExit:
            pass                      # a command not built yet, or options it does not take (usage error)
        except Exception as err:      # noqa: BLE001 - another command's crash is its own tests' business,
            problems.append(f"argmap {argv[0]}: {type(err).__name__}: {err}")   # but say so below
        assert snapshot(folder) == before, f"'argmap {' '.join(argv)}' changed the argument folder"
    if problems:
        import warnings
        warnings.warn("commands that crashed on the tiny map: " + "; ".join(problems), stacklevel=2)
