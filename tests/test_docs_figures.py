"""The figures in docs/img are what their commands (docs/img/README.md) make from the current map.

Each figure's DOT source is committed beside it; the test reruns the command with a .dot output and
compares (DOT is deterministic; PNG bytes depend on the Graphviz build and fonts). With
ARGMAP_UPDATE_FIGURES=1 it regenerates the figures and their DOT instead.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
from pathlib import Path

import pytest

from argmap.commands.cli import main

pytest.importorskip("pygraphviz")

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
UPDATE = os.environ.get("ARGMAP_UPDATE_FIGURES") == "1"


def _commands() -> dict[str, list[str]]:
    text = (IMG / "README.md").read_text(encoding="utf-8")
    out = {}
    for name, command in re.findall(r"\| `([\w.-]+\.png)` \| `argmap ([^`]+)` \|", text):
        argv = shlex.split(command)
        assert argv[argv.index("-o") + 1] == f"docs/img/{name}", f"{name}: its command writes elsewhere"
        out[name] = argv
    return out


def _run(argv: list[str]) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv) == 0, f"argmap {' '.join(argv)} failed"


def test_every_docs_image_has_a_command():
    pngs = {p.name for p in IMG.glob("*.png")}
    assert pngs == set(_commands()), "each docs/img PNG needs a row in docs/img/README.md (and no more)"


@pytest.mark.parametrize("name", sorted(_commands()))
def test_docs_figure_is_current(name, tmp_path, monkeypatch):
    argv = _commands()[name]
    monkeypatch.chdir(ROOT)
    dot = IMG / name.replace(".png", ".dot")
    if UPDATE:
        _run(argv)
        i = argv.index("-o")
        _run(argv[: i + 1] + [str(dot)] + argv[i + 2:])
    fresh = tmp_path / "fresh.dot"
    i = argv.index("-o")
    _run(argv[: i + 1] + [str(fresh)] + argv[i + 2:])
    assert dot.exists() and fresh.read_text() == dot.read_text(), (
        f"docs/img/{name} is stale: regenerate with ARGMAP_UPDATE_FIGURES=1 pytest tests/test_docs_figures.py")
    from PIL import Image

    assert Image.open(IMG / name).size[0] <= 1600
