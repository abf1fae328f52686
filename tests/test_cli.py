"""The command line as a user runs it: exit codes, JSON shape, conditions, errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from argmap.commands.cli import main


def run_json(capsys, *argv):
    assert main(["run", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_run_json_on_tiny_map(capsys, tiny_map):
    out = run_json(capsys, str(tiny_map))
    assert out["target"] == "conclusion"
    assert out["probability"] == pytest.approx(0.165, abs=1e-12)
    assert set(out["marginals"]) == {"aware", "goals", "argument", "conclusion"}
    for dist in out["marginals"].values():
        assert sum(dist.values()) == pytest.approx(1, abs=1e-12)


def test_run_given_set_target_and_scenario(capsys, tiny_map):
    given = run_json(capsys, str(tiny_map), "--given", "aware=yes")
    assert given["given"] == {"aware": "true"}
    assert given["probability"] == pytest.approx(0.165 / 0.8, abs=1e-12)
    scen = run_json(capsys, str(tiny_map), "--scenario", "aware")
    assert scen["probability"] == pytest.approx(given["probability"], abs=1e-12)
    setp = run_json(capsys, str(tiny_map), "--set", "goals=false", "--target", "goals")
    assert setp["probability"] == 0.0 and setp["target"] == "goals"


def test_run_text_report_names_target_and_sections(capsys):
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert "P(scheming) = " in out
    assert "scenario: report" in out


def test_bundled_map_runs_from_any_directory(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-m", "argmap", "run", "--json"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["target"] == "scheming" and 0 <= out["probability"] <= 1


@pytest.mark.parametrize("argv, message", [
    (["--given", "awre=true"], "did you mean 'aware'?"),
    (["--set", "aware=maybe"], "has no state 'maybe'"),
    (["--target", "conclusio"], "did you mean 'conclusion'?"),
    (["--scenario", "awar"], "did you mean 'aware'?"),
    (["--given", "aware=true", "--set", "aware=false"], None),
])
def test_bad_queries_exit_1_without_traceback(capsys, tiny_map, argv, message):
    code = main(["run", str(tiny_map), *argv])
    err = capsys.readouterr().err
    if message is None:       # an explicit --set overrides an explicit --given for the same claim
        assert code == 0
        return
    assert code == 1
    assert message in err and "Traceback" not in err


def test_missing_path_and_overlay_errors(capsys, tmp_path, tiny_map):
    assert main(["run", str(tmp_path / "nope")]) == 1
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["run", str(tiny_map), "--with", str(tmp_path / "none.yaml")]) == 1
    assert "cannot read file" in capsys.readouterr().err
    assert main(["run", str(tiny_map / "claims.yaml")]) == 1
    assert "not a map folder" in capsys.readouterr().err


def test_impossible_evidence_is_an_error(capsys, tiny_map):
    assert main(["run", str(tiny_map), "--set", "aware=false", "--given", "conclusion=true"]) == 1
    assert "probability zero" in capsys.readouterr().err


def test_check_ok(capsys, tiny_map):
    assert main(["check", str(tiny_map)]) == 0
    assert capsys.readouterr().out.startswith("ok: tiny")


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for cmd in ("run", "check", "sections"):
        assert cmd in out


_CONSOLE = """
import atexit, os, sys, threading, time
from argmap.commands import cli

done = threading.Event()
def main():
    code = command()
    done.set()
    return code
command, cli.main = cli.main, main
def later():
    done.wait()
    time.sleep(0.1)                             # still running when the command has returned
    print("thread done")

leave, me = os._exit, os.getpid()
def noted(code):
    if os.getpid() == me:                       # not a forked child's exit
        os.write(1, b"left at once\\n")
    leave(code)
os._exit = noted
atexit.register(lambda: print("atexit ran"))
if %r:
    threading.Thread(target=later).start()
sys.argv = ["argmap", *%r]
cli.console()
"""


@pytest.mark.parametrize("thread", [False, True])
def test_the_command_ends_without_the_interpreters_teardown(tiny_map, thread):
    """``argmap`` (the script, ``python -m argmap``) leaves at once after the command (``os._exit``: no object is
    freed one by one), with the same exit status, its output whole and the functions registered with atexit run;
    with another thread still running, the interpreter ends as usual, waiting for it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    inline = subprocess.run([sys.executable, "-m", "argmap", "parts", str(tiny_map)], env=env, capture_output=True,
                            text=True, timeout=120)
    for argv, code in ((["parts", str(tiny_map)], 0), (["parts", str(tiny_map / "nothing")], 1)):
        proc = subprocess.run([sys.executable, "-c", _CONSOLE % (thread, argv)], env=env, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == code, proc.stderr
        if code == 0:
            assert proc.stdout.startswith(inline.stdout) and inline.stdout
        else:
            assert "error" in proc.stderr
        ends = ["atexit ran", "thread done"] if thread else ["atexit ran", "left at once"]
        assert sorted(proc.stdout[len(inline.stdout) if code == 0 else 0:].split("\n")[:-1]) == ends


def test_the_command_ends_as_well_without_a_standard_output(tiny_map):
    """With no standard output (``sys.stdout`` None: a closed descriptor), the command still ends with its status."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "ARGMAP_JOBS": "1"}
    code = (f"import sys\nfrom argmap.commands import cli\nsys.stdout = None\n"
            f"sys.argv = ['argmap', 'parts', {str(tiny_map)!r}]\ncli.console()")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == ""
