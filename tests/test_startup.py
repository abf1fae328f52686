"""Start-up: ``--help`` imports neither numpy nor pydantic, and a cached map is read without pydantic.

Each check runs in a fresh interpreter and inspects ``sys.modules``; no timings are asserted here
(speed is measured in bench/startup.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from argmap.commands.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pydantic", "yaml", "scipy", "pandas", "matplotlib", "SALib", "sympy", "networkx")


def _modules_after(code: str, cache_dir: Path | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if cache_dir is not None:
        env["ARGMAP_CACHE_DIR"] = str(cache_dir)
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
    cold = _modules_after(code, tmp_path)
    assert "pydantic" in cold and "argmap.maps.loader" in cold
    assert _modules_after(code, tmp_path) == []


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
    numpy alone otherwise runs it about forty times), and enables it again afterwards."""
    for argv in (["run", str(tiny_map)], ["run", str(tiny_map)], ["run", str(tiny_map), "--no-cache"]):
        collections, enabled, numpy = _modules_after(_GC % (argv,), tmp_path)
        assert numpy and enabled and collections <= 5, argv
