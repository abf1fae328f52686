"""One command line: the same output flag, the same write guard, the same id hints in every command."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from argmap.commands.cli import COMMANDS, build_parser, main

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "maps" / "tiny"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_output_option_is_spelled_o_out():
    """No command writes through --output, --diagram, --render or --dir: one spelling, -o/--out."""
    for name, p in _subparsers().items():
        flags = {f for a in p._actions for f in a.option_strings}
        assert not flags & {"--output", "--diagram", "--render", "--dir", "--map", "--collapse-parts"}, name
        if "-o" in flags or "--out" in flags:
            action = next(a for a in p._actions if "--out" in a.option_strings)
            assert action.option_strings == ["-o", "--out"], name


@pytest.mark.parametrize("name", ["render", "export", "compare", "watch"])
def test_diagram_options_match(name):
    flags = {f for a in _subparsers()[name]._actions for f in a.option_strings}
    assert {"--focus", "--depth", "--collapse", "--collapse-all", "--dpi"} <= flags


def test_the_map_is_positional_everywhere():
    for name, p in _subparsers().items():
        dests = [a.dest for a in p._actions if not a.option_strings]
        takes_map = any(a.dest == "overlays" for a in p._actions)
        if takes_map:
            assert "path" in dests, f"argmap {name} takes --with but not the map as a positional PATH"


@pytest.fixture
def mapdir(tmp_path):
    folder = tmp_path / "map"
    shutil.copytree(TINY, folder)
    return folder


def _writers(folder: Path, bif: Path, overlay: Path) -> list[list[str]]:
    """Every command that writes, pointed at a destination inside the map folder."""
    inside = folder / "sub"
    return [
        ["render", str(folder), "-o", str(folder / "map.svg")],
        ["export", str(folder), "-o", str(inside)],
        ["export", str(folder), "-o", str(folder / "net.bif")],
        ["sensitivity", str(folder), "--samples", "0", "--sobol-samples", "0", "-o", str(inside)],
        ["compare", str(folder), "--with", str(overlay), "--no-attribution", "-o", str(folder / "d.svg")],
        ["new", "critique", "mine", str(folder), "--against", "goals", "-o", str(folder)],
        ["schema", "-o", str(folder / "s.json")],
        ["import", str(bif), "-o", str(inside)],
        ["watch", str(folder), "--once", "-o", str(folder / "w.svg")],
        ["explore", str(folder), "-o", str(folder / "explore.html")],
    ]


def test_no_command_writes_into_a_map_folder(mapdir, tmp_path):
    """The one guard (argmap.base.atomic) refuses every writing command, before any work, with a clear error."""
    bif = tmp_path / "net.bif"
    assert main(["export", str(TINY), "-o", str(bif)]) == 0
    overlay = tmp_path / "doubt.yaml"
    overlay.write_text("overlay: doubt\nauthor: A Reader\nchange:\n  - claim: goals\n    credence: 0.3\n"
                       "    reason: Long goals seem less likely to me.\n")
    before = snapshot(mapdir)
    seen = set()
    for argv in _writers(mapdir, bif, overlay):
        code, out, err = run(argv)
        text = out + err
        assert code == 1, f"argmap {' '.join(argv)} exited {code}: {text}"
        assert "never writes into an argument folder" in text, argv
        assert snapshot(mapdir) == before, f"argmap {argv[0]} changed the map folder"
        seen.add(argv[0])
    writers = {"render", "export", "sensitivity", "compare", "new", "schema", "import", "watch", "explore"}
    assert writers <= seen
    assert writers <= set(COMMANDS)


def test_atomic_write_itself_refuses(mapdir):
    from argmap.base.atomic import MapFolderWriteError, atomic_write

    with pytest.raises(MapFolderWriteError):
        atomic_write(mapdir / "deep" / "x.txt", "no")
    assert not (mapdir / "deep").exists()


def test_check_reports_every_independent_error_of_a_file(mapdir):
    """A claim with a bad field does not hide the other claims' problems (a bad number, a misspelt
    reference), and a reference to the broken claim is not reported as a second problem."""
    text = (TINY / "claims.yaml").read_text()
    text = text.replace("credence: 0.5\n  - id: argument", "credence: 0.5\n    colour: red\n  - id: argument")
    text = text.replace("value: 0.8,", "value: 1.8,")
    text = text.replace("{claim: conclusion, ratio: 3}", "{claim: conclsion, ratio: 3}")
    (mapdir / "claims.yaml").write_text(text)
    code, out, _ = run(["check", str(mapdir), "--json"])
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    messages = " | ".join(e["message"] for e in data["errors"])
    assert "colour" in messages and "1.8" in messages and "conclsion" in messages, messages
    assert "'goals' is not a claim" not in messages                      # goals is the broken claim
    assert all(e["path"].endswith("claims.yaml") and e["line"] for e in data["errors"])
    code, out, _ = run(["check", str(TINY), "--json"])
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["claims"] == 4


def test_overlay_errors_point_at_the_overlay_line(tmp_path):
    overlay = tmp_path / "bad.yaml"
    overlay.write_text("overlay: bad\nauthor: A Reader\nchange:\n  - claim: goals\n    credence: 0.3\n"
                       "    reason: fine\n  - claim: aware\n    credence: 1.7\n    reason: out of range\n")
    code, _, err = run(["check", str(TINY), "--with", str(overlay)])
    assert code == 1 and f"{overlay}:8:" in err


def test_watch_once_exits_1_after_an_error(mapdir):
    assert run(["watch", str(mapdir), "--once"])[0] == 0
    (mapdir / "claims.yaml").write_text("part: main\nclaims:\n  - id: x\n    credence: 2\n")
    code, out, _ = run(["watch", str(mapdir), "--once"])
    assert code == 1 and "error" in out


@pytest.mark.parametrize("argv, hint", [
    (["render", "--focus", "countng", "--format", "dot"], "counting_argument"),
    (["run", "--target", "situational_awarenes"], "situational_awareness"),
    (["run", "--given", "slak=low"], "slack"),
    (["run", "--set", "slack=lo"], "low"),
    (["render", "--collapse", "goal_gaurding", "--format", "dot"], "goal_guarding"),
    (["sensitivity", "--target", "countng", "--samples", "0"], "counting_argument"),
    (["run", "--scenario", "reprt"], "report"),
])
def test_did_you_mean_for_every_id_option(argv, hint):
    code, _, err = run(argv)
    assert code == 1 and "did you mean" in err and hint in err, err


def test_parts_lists_the_ids_collapse_takes():
    from argmap.api import Model

    amap = Model.load().map
    code, out, _ = run(["parts", "--json"])
    assert code == 0
    assert [p["id"] for p in json.loads(out)["parts"]] == list(amap.parts)
    code, out, _ = run(["parts"])
    assert all(name in out for name in amap.parts)


def test_help_names_no_internals_and_points_at_installed_docs():
    for name, p in _subparsers().items():
        text = p.format_help()
        assert "argmap." not in text.replace("argmap.yaml", ""), f"argmap {name} --help names a module"
        assert "docs/" not in text, f"argmap {name} --help points at a repository path"
    code, out, _ = run(["docs"])
    assert code == 0 and "sensitivity" in out
    code, out, _ = run(["docs", "format"])
    assert code == 0 and "claims" in out
    code, _, err = run(["docs", "formt"])
    assert code == 1 and "did you mean 'format'" in err


def test_text_tables_cut_with_an_ellipsis():
    from argmap.base.texttable import clip, text_table

    assert clip("carlsmith-reply-2023", 8) == "carlsmi…"
    assert clip("short", 8) == "short"
    table = text_table(["a", "b"], [["abcdefghij", "x"]], widths=[5])
    assert "abcd…" in table and "abcdefghij" not in table


def test_export_is_quiet_when_piped_and_portable(tmp_path, monkeypatch):
    """No progress lines unless standard error is a terminal; summary.md names no absolute path."""
    out = tmp_path / "bundle"
    code, stdout, err = run(["export", str(TINY), "-o", str(out)])
    assert code == 0 and "…" not in err
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert str(tmp_path) not in summary and "](map.png)" in summary

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    err_tty = Tty()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err_tty):
        assert main(["export", str(TINY), "-o", str(tmp_path / "again")]) == 0
    assert "drawing the map…" in err_tty.getvalue()
