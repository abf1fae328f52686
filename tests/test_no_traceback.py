"""No traceback from any command (issue 24): every command, driven with each class of bad input, prints a
clear message — positioned (``path:line:col:`` or ``path:``) when a file is at fault — and exits 1, or 2
for a usage error.

Classes: a map path that does not exist; a map with a syntax error; a part that is a FIFO; an overlay
that does not apply (the explorer once raised AssertionError for it); an overlay path that is a symlink
loop and an output path that is one (both once raised RuntimeError); an unknown claim in a condition;
an unknown option.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from argmap.commands.cli import COMMANDS, main

HERE = Path(__file__).resolve().parent

# each command's arguments: {map} the map folder, {out} where it writes; None: the class does not apply
TEMPLATES: dict[str, list[str]] = {
    "run": ["run", "{map}"],
    "check": ["check", "{map}"],
    "parts": ["parts", "{map}"],
    "sections": ["sections", "{map}"],
    "sensitivity": ["sensitivity", "{map}", "-o", "{out}"],
    "render": ["render", "{map}", "-o", "{out}.svg"],
    "export": ["export", "{map}", "-o", "{out}"],
    "compare": ["compare", "{map}", "--with", "{ok}", "-o", "{out}.svg"],
    "new": ["new", "critique", "mine", "{map}", "--against", "goals", "-o", "{out}"],
    "watch": ["watch", "{map}", "--once", "-o", "{out}.svg"],
    "sources": ["sources", "{map}"],
    "fit": ["fit", "{map}", "--value", "0.1", "--free", "goals", "-o", "{out}.yaml"],
    "explore": ["explore", "{map}", "-o", "{out}.html"],
}
NO_MAP = {"schema": ["schema", "-o", "{out}.json"], "docs": ["docs", "{name}"],
          "import": ["import", "{file}", "-o", "{out}"]}


def test_every_command_is_driven():
    assert set(TEMPLATES) | set(NO_MAP) == set(COMMANDS)


@pytest.fixture
def world(tmp_path, tiny_map) -> dict[str, Path]:
    good = tmp_path / "good"
    shutil.copytree(tiny_map, good)
    broken = tmp_path / "broken"
    shutil.copytree(tiny_map, broken)
    part = broken / "claims.yaml"
    part.write_text(part.read_text().replace("credence: 0.5", "credence: [0.5", 1))     # a YAML syntax error
    fifo = tmp_path / "fifo"
    shutil.copytree(tiny_map, fifo)
    os.mkfifo(fifo / "extra.yaml")
    ok = tmp_path / "ok.yaml"
    ok.write_text("overlay: ok\nauthor: me\nchange:\n  - {claim: goals, credence: 0.4, reason: r}\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("overlay: bad\nauthor: me\nchange:\n  - {claim: nosuch, credence: 0.5, reason: r}\n")
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop.name)
    out_loop = tmp_path / "outloop"
    return {"good": good, "ok": ok, "broken": broken, "fifo": fifo, "bad": bad, "loop": loop,
            "missing": tmp_path / "nowhere", "out": tmp_path / "out", "out_loop": out_loop}


def _argv(template: list[str], **values: Path | str) -> list[str]:
    return [a.format(**{k: str(v) for k, v in values.items()}) for a in template]


def _loop_out(world: dict[str, Path], template: list[str]) -> str:
    """A path for ``{out}`` such that what the command writes is a symlink loop."""
    suffix = next((a.split("{out}")[1] for a in template if "{out}" in a), "")
    target = world["out_loop"].with_name(world["out_loop"].name + suffix)
    target.symlink_to(target.name)
    return str(world["out_loop"])


CLASSES = ["missing map", "broken map", "fifo part", "bad overlay", "overlay loop", "out loop", "bad condition",
           "usage"]


def _expect(capsys, argv: list[str], code: int, pattern: str) -> None:
    if code == 2:
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert "usage:" in err and "Traceback" not in err
        return
    got = main(argv)
    out, err = capsys.readouterr()
    err = err + out                 # watch shows each pass, errors included, on standard output
    assert got == code, (argv, err[-2000:])
    assert "Traceback" not in err and re.search(pattern, err), (argv, pattern, err[-2000:])


@pytest.mark.parametrize("command", sorted(TEMPLATES))
@pytest.mark.parametrize("kind", CLASSES)
def test_bad_input_gives_a_message_and_exit_1_or_2(world, command, kind, capsys):
    template = TEMPLATES[command]
    values: dict[str, Path | str] = {"map": world["good"], "out": world["out"] / command, "ok": world["ok"]}
    extra: list[str] = []
    pattern = ""
    if kind == "missing map":
        values["map"] = world["missing"]
        pattern = re.escape(f"{world['missing']}: error: ")
    elif kind == "broken map":
        values["map"] = world["broken"]
        pattern = re.escape(str(world["broken"] / "claims.yaml")) + r":\d+:\d+: error: "
    elif kind == "fifo part":
        values["map"] = world["fifo"]
        pattern = re.escape(f"{world['fifo'] / 'extra.yaml'}: error: a FIFO")
    elif kind == "bad overlay":
        extra = ["--with", str(world["bad"])]
        pattern = re.escape(str(world["bad"])) + r":4:\d+: error: cannot change 'nosuch'"
    elif kind == "overlay loop":
        extra = ["--with", str(world["loop"])]
        pattern = re.escape(f"{world['loop']}: error: cannot read file")
    elif kind == "out loop":
        if not any("{out}" in a for a in template):
            pytest.skip("writes nothing")
        values["out"] = _loop_out(world, template)
        pattern = r"error: .*(loop|cannot write)"
    elif kind == "bad condition":
        if command in ("check", "parts", "sections", "new", "sources"):
            pytest.skip("takes no conditions")
        extra = ["--given", "nosuch_claim=true"]
        pattern = r"error: .*'nosuch_claim'"
    else:
        extra = ["--no-such-option"]
    _expect(capsys, _argv(template, **values) + extra, 2 if kind == "usage" else 1, pattern)


@pytest.mark.parametrize("kind", ["missing", "fifo", "loop", "garbage", "usage"])
def test_commands_without_a_map_give_a_message(tmp_path, kind, capsys):
    fifo = tmp_path / "net.bif"
    loop = tmp_path / "loop.bif"
    garbage = tmp_path / "garbage.bif"
    os.mkfifo(fifo)
    loop.symlink_to(loop.name)
    garbage.write_text("network {{{ nonsense\n")
    out_loop = tmp_path / "schema.json"
    out_loop.symlink_to(out_loop.name)
    file = {"missing": tmp_path / "none.bif", "fifo": fifo, "loop": loop, "garbage": garbage}.get(kind, garbage)
    if kind == "usage":
        for argv in (["schema", "--no-such-option"], ["docs", "--no-such-option"], ["import", "--no-such-option"],
                     ["no-such-command"]):
            _expect(capsys, argv, 2, "")
        return
    _expect(capsys, ["import", str(file), "-o", str(tmp_path / "out")], 1,
            re.escape(str(file)) + r"(:\d+:\d+)?: error: ")
    _expect(capsys, ["schema", "-o", str(out_loop)], 1, r"error: .*loop")
    _expect(capsys, ["docs", "no_such_guide"], 1, r"error: no guide named")
