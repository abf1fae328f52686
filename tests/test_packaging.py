"""Packaging facts CI relies on: one version, a typed package, a licence file matching pyproject."""

from __future__ import annotations

import tomllib
from pathlib import Path

import argmap
from argmap.commands.cli import main

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_is_written_once(capsys):
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "argmap/_version.py"
    assert (ROOT / "argmap" / "_version.py").read_text(encoding="utf-8").count(argmap.__version__) == 1
    try:
        main(["--version"])
    except SystemExit:
        pass
    assert capsys.readouterr().out.strip() == f"argmap {argmap.__version__}"


def test_the_package_is_typed_and_licensed():
    assert (ROOT / "argmap" / "py.typed").is_file()
    assert PYPROJECT["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_ci_runs_the_lint_and_type_gates_before_the_tests():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert run.index("bin/ruff check argmap tests") < run.index("bin/mypy") < run.index("bin/python -m pytest")
    test_extra = " ".join(PYPROJECT["project"]["optional-dependencies"]["test"])
    assert "ruff" in test_extra and "mypy" in test_extra
