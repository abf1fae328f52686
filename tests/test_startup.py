"""Start-up: ``--help`` imports neither numpy nor pydantic, and a cached map is read without pydantic.

Each check runs in a fresh interpreter and inspects ``sys.modules``; no timings are asserted here
(speed is measured in bench/startup.py).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from argmap.base.forked import can_fork
from argmap.commands.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pydantic", "yaml", "scipy", "pandas", "matplotlib", "SALib", "sympy", "networkx")


def _modules_after(code: str, cache_dir: Path | None = None, jobs: str | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if cache_dir is not None:
        env["ARGMAP_CACHE_DIR"] = str(cache_dir)
    env.pop("ARGMAP_JOBS", None)
    if jobs is not None:
        env["ARGMAP_JOBS"] = jobs
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.splitlines()[-1])


_HELP = """
import contextlib, io, json, sys
from argmap.commands.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(%r)
print(json.dumps(sorted(m for m in %r if m in sys.modules)))
"""


def test_help_imports_neither_numpy_nor_pydantic():
    argvs = [["--help"], ["--version"]] + [[name, "--help"] for name in COMMANDS]
    heavy = {" ".join(a): _modules_after(_HELP % (a, HEAVY)) for a in argvs}
    assert heavy == {" ".join(a): [] for a in argvs}


def test_import_argmap_is_light():
    heavy = _modules_after(f"import argmap, json, sys; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    assert heavy == []


_RUN = """
import contextlib, io, json, sys
from argmap.commands.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    assert main(["run", %r]) == 0
names = ("pydantic", "yaml", "argmap.maps.loader", "argmap.maps.specs")
print(json.dumps(sorted(m for m in names if m in sys.modules)))
"""


def test_a_warm_cache_reads_no_yaml_and_imports_no_pydantic(tmp_path, tiny_map):
    code = _RUN % str(tiny_map)
    cold = _modules_after(code, tmp_path, jobs="1")              # in line: this process reads the files
    assert "pydantic" in cold and "argmap.maps.loader" in cold
    assert _modules_after(code, tmp_path) == []


_KEPT = """
import contextlib, io, json, sys
from argmap.commands.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    assert main(["run", %r]) == 0
print(json.dumps([out.getvalue(), sorted(m for m in ("numpy", "pydantic", "yaml", "argmap.maps.models",
                                                     "argmap.inference.cachecodec", "tempfile", "shutil")
                                      if m in sys.modules)]))
"""


def test_a_run_whose_report_is_kept_imports_neither_numpy_nor_the_map_models(tmp_path, tiny_map):
    """The first cached run makes its report from the entry's map and kept figures without numpy, and keeps it
    (argmap.commands.runkept); the next prints it, the same bytes, having checked the entry and its files
    without even the map's models. None imports tempfile (nor shutil, bz2, lzma) to write the key, the entry or
    the report."""
    runs = [_modules_after(_KEPT % str(tiny_map), tmp_path) for _ in range(3)]
    assert runs[0][0] == runs[1][0] == runs[2][0]
    assert "numpy" in runs[0][1] and runs[1][1] == ["argmap.maps.models"] and runs[2][1] == []
    assert not {"tempfile", "shutil"} & set(runs[0][1])


def test_a_cold_run_reads_the_files_in_a_forked_child(tmp_path, tiny_map):
    """Where it can fork, a cold run reads and validates the files in a child while it imports numpy: this
    process then never imports pydantic or YAML, and the entry it writes is the in-line run's, byte for byte."""
    if not can_fork():
        pytest.skip("no second core or no os.fork here")
    code = _RUN % str(tiny_map)
    assert _modules_after(code, tmp_path / "forked") == []
    assert _modules_after(code, tmp_path / "forked") == []       # and warm
    assert "pydantic" in _modules_after(code, tmp_path / "inline", jobs="1")
    forked, inline = (sorted((tmp_path / d).glob("*.entry")) for d in ("forked", "inline"))
    assert len(forked) == len(inline) == 1
    mac = len(b"argmap-compiled-map")                            # the entries differ in their folder's key
    a, b = forked[0].read_bytes(), inline[0].read_bytes()
    assert a.partition(b"\n")[2] == b.partition(b"\n")[2] and a[:mac] == b[:mac]


_COLD = """
import contextlib, io, json, sys
from argmap.commands.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    assert main(["run", "--no-cache"]) == 0
print(json.dumps(sorted(m for m in ("numpy.ma", "scipy", "sympy", "pandas") if m in sys.modules)))
"""


def test_a_cold_run_of_the_bundled_map_imports_no_numpy_ma_nor_scipy(tmp_path):
    """Compiling uses no np.unique of an array alone (its masked-array check imports numpy.ma)."""
    assert _modules_after(_COLD, tmp_path) == []


_COLD_READS = """
import contextlib, io, json, os, sys
from argmap.base import yamlsafe
parse = yamlsafe.parse_yaml
def noted(raw, path="<input>"):
    doc = parse(raw, path)
    with open(%r, "a") as log:                      # in whichever process reads the files
        log.write(json.dumps([os.getpid(), str(path), "yaml" in sys.modules]) + "\\n")
    return doc
yamlsafe.parse_yaml = noted
from argmap.inference import cache
read = cache.read_files
def read_noted(*args):
    found = read(*args)
    with open(%r, "a") as log:                      # once every file is read and the map resolved
        log.write(json.dumps([os.getpid(), "(read)", "yaml" in sys.modules,
                              "importlib.metadata" in sys.modules]) + "\\n")
    return found
cache.read_files = read_noted
from argmap.commands.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    assert main(["run"]) == 0
print(json.dumps([os.getpid(), "yaml" in sys.modules, "importlib.metadata" in sys.modules]))
"""


def test_a_cold_run_of_the_bundled_map_imports_no_yaml_where_it_reads(tmp_path):
    """The line reader takes every file of the bundled map, so no process of a cold run imports PyYAML:
    neither this one nor the forked child that reads the files (where it can fork), while it reads or after
    (the map's header is placed from the line reader's positions)."""
    log = tmp_path / "reads.log"
    pid, parent_yaml, parent_metadata = _modules_after(_COLD_READS % (str(log), str(log)), tmp_path / "cache")
    reads = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(reads) >= 12 and reads[-1][1] == "(read)" and not parent_yaml
    assert [r for r in reads if r[2]] == []
    assert all(r[0] != pid for r in reads) == can_fork()
    assert reads[-1][3] is False and not parent_metadata        # pydantic's plugin loader: see the next test


_MEANWHILE = """
import contextlib, io, json, sys
from argmap.base import forked
result = forked.Pending.result
seen = []
def noted(self):
    seen.append("argmap.analysis.report" in sys.modules)
    return result(self)
forked.Pending.result = noted
from argmap.commands.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    assert main(["run", %r]) == 0
print(json.dumps(seen[:1]))
"""


def test_a_cold_run_imports_what_it_needs_after_the_map_while_the_child_reads(tmp_path, tiny_map):
    """While the forked child reads the files, this process imports the report's module, which it would otherwise
    import after the child is done."""
    if not can_fork():
        pytest.skip("no second core or no os.fork here")
    assert _modules_after(_MEANWHILE % str(tiny_map), tmp_path) == [True]


_PLUGINS = """
import json, sys
from argmap.commands.cli import _no_pydantic_plugins
with _no_pydantic_plugins():
    from argmap.maps.specs import MapFile, PartFile
    MapFile.model_validate({"argmap": 1, "name": "m", "target": "t"})
    PartFile.model_rebuild(force=True)
    from pydantic.plugin._loader import get_plugins
    found = list(get_plugins())
    inside = "importlib.metadata" in sys.modules
after = "pydantic.plugin._loader" in sys.modules    # the stand-in is gone; pydantic's own not loaded yet
with _no_pydantic_plugins():
    from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP    # any other name: pydantic's own module
own = hasattr(sys.modules["pydantic.plugin._loader"], "entry_points")
print(json.dumps([found, inside, after, own, PYDANTIC_ENTRY_POINT_GROUP]))
"""


@pytest.mark.parametrize("setting", [None, "__all__", "some_plugin"])
def test_the_command_line_validates_without_pydantics_plugin_lookup(setting, monkeypatch):
    """Within ``main``, pydantic's plugin loader is a stand-in that finds no plugin (as
    ``PYDANTIC_DISABLE_PLUGINS=__all__``) without importing importlib.metadata; any other name asked of it is
    pydantic's own. Where the variable names plugins to leave out, pydantic's own loader decides."""
    if setting is None:
        monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    else:
        monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", setting)
    found, inside, after, own, group = _modules_after(_PLUGINS)
    assert found == [] and own and group == "pydantic"
    assert after is (setting == "some_plugin")
    assert inside is (setting == "some_plugin")


_GC = """
import contextlib, gc, io, json, sys
from argmap.commands.cli import main
runs = []
gc.callbacks.append(lambda phase, info: runs.append(info["generation"]) if phase == "stop" else None)
with contextlib.redirect_stdout(io.StringIO()):
    assert main(%r) == 0
print(json.dumps([len(runs), gc.isenabled(), "numpy" in sys.modules]))
"""


def test_start_up_does_not_run_the_cyclic_collector(tmp_path, tiny_map):
    """Importing numpy and argmap's layers makes no garbage: a run pauses the collector meanwhile (importing
    numpy alone otherwise runs it about forty times), and enables it again afterwards; nor does reading the
    report's figures from the entry (the first cached run: no numpy)."""
    for argv, imports in (["run", str(tiny_map)], True), (["run", str(tiny_map)], False), \
            (["run", str(tiny_map), "--no-cache"], True):
        collections, enabled, numpy = _modules_after(_GC % (argv,), tmp_path)
        assert numpy == imports and enabled and collections <= 5, argv


def test_a_child_reading_files_no_one_needs_is_not_left_behind(tmp_path, tiny_map, monkeypatch):
    """An entry that appears between the check and the load answers; the child started to read the files is
    stopped and collected (``watch`` reloads for hours)."""
    if not can_fork():
        pytest.skip("no second core or no os.fork here")
    import argparse

    from argmap.commands.common import model_from_args
    from argmap.inference import cache

    monkeypatch.setenv(cache.ENV, str(tmp_path))
    args = argparse.Namespace(path=str(tiny_map), overlays=[], scale=None)
    first = model_from_args(args)                                # cold: writes the entry
    monkeypatch.setattr(cache, "reads_files", lambda *a, **k: True)
    before = cache.stats["hit"]
    again = model_from_args(args)
    assert cache.stats["hit"] == before + 1 and again.probability() == first.probability()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)                               # no child left, running or unreaped


def test_the_files_are_read_early_when_no_entry_will_answer(tmp_path, tiny_map, monkeypatch):
    """cache.reads_files (whether a run starts reading the files beside numpy's import): no entry, or a file
    of the map's folder written after the entry (a writer's edit); not for an entry written after the files."""
    import shutil

    from argmap.commands.cli import main
    from argmap.inference import cache

    folder = tmp_path / "map"
    shutil.copytree(tiny_map, folder)
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    assert cache.reads_files(folder)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["run", str(folder)]) == 0
    assert not cache.reads_files(folder)
    assert cache.reads_files(folder, cache=False)
    later = cache.entry_path(folder).stat().st_mtime_ns + 1_000_000_000
    os.utime(folder / "claims.yaml", ns=(later, later))
    assert cache.reads_files(folder)
    os.utime(folder / "claims.yaml", ns=(0, 0))
    critique = tmp_path / "critique.yaml"                       # a critique's writer edits the overlay
    critique.write_text("overlay: c\nauthor: me\nchange:\n  - claim: aware\n    credence: 0.5\n    reason: r\n")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["run", str(folder), "--with", str(critique)]) == 0
    assert not cache.reads_files(folder, [critique])
    later = cache.entry_path(folder, [critique]).stat().st_mtime_ns + 1_000_000_000
    os.utime(critique, ns=(later, later))
    assert cache.reads_files(folder, [critique])


def test_a_large_map_is_read_in_line(tmp_path, tiny_map, monkeypatch):
    """A map over EARLY_READ_MAX_BYTES comes back from a child too slowly (pickled): it is read in line."""
    import argparse

    from argmap.base import forked
    from argmap.commands import common
    from argmap.inference import cache

    started = []
    real = forked.start

    def start(fn):
        started.append(fn)
        return real(fn)

    monkeypatch.setattr(forked, "start", start)
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    monkeypatch.setenv(cache.ENV, str(tmp_path / "small"))
    args = argparse.Namespace(path=str(tiny_map), overlays=[], scale=None)
    small = common.model_from_args(args)
    assert len(started) == 1
    assert 0 < common._map_bytes(args) <= common.EARLY_READ_MAX_BYTES
    monkeypatch.setattr(common, "EARLY_READ_MAX_BYTES", common._map_bytes(args) - 1)
    monkeypatch.setenv(cache.ENV, str(tmp_path / "large"))
    large = common.model_from_args(args)
    assert len(started) == 1 and large.probability() == small.probability()


def test_the_cli_asks_openblas_for_one_thread_unless_told(monkeypatch):
    """OpenBLAS's spinning threads only take CPU from the forked child (cli.one_blas_thread); a number the user
    chose, under any of the names OpenBLAS reads, is kept."""
    from argmap.commands import cli

    for name in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    cli.one_blas_thread()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    for name in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
        monkeypatch.setenv(name, "3")
        cli.one_blas_thread()
        assert os.environ.get("OPENBLAS_NUM_THREADS", "3") == "3" and os.environ[name] == "3"
        monkeypatch.delenv(name)


_OVERLAY_MODELS = """
import json, sys
from argmap.inference import cache
cache.read_files(None, %r)
print(json.dumps("argmap.maps.overlayspecs" in sys.modules))
"""


def test_a_map_read_without_overlays_makes_no_overlay_models():
    """The overlay file's models are made only when an overlay is read (~3 ms of a cold run's reader)."""
    assert _modules_after(_OVERLAY_MODELS % ([],)) is False
    assert _modules_after(_OVERLAY_MODELS % (["pope-2023"],)) is True


_SIGNATURES = """
import inspect, json
read = []
real = inspect._signature_fromstr
def spy(cls, obj, *args, **kwargs):
    read.append(repr(obj))
    return real(cls, obj, *args, **kwargs)
inspect._signature_fromstr = spy
from argmap.maps import overlayspecs, specs
def build(model):                   # (pydantic looks for the caller's namespace two frames up)
    return model.__pydantic_validator__.validate_python
for model in (specs.MapFile, specs.PartFile, overlayspecs.OverlayFile):
    build(model)
print(json.dumps(read))
"""


def test_building_the_file_models_reads_no_builtins_text_signature():
    """pydantic reads a default factory's signature; a builtin's (``list``) is parsed from text with tokenize,
    whose largest regular expression a cold run would compile only for that (specs._empty is used instead)."""
    assert _modules_after(_SIGNATURES) == []
