"""A corpus of bad argument files: each must give its expected message at its line, never a traceback.

Each file under tests/data/bad/ states what it expects in header comments:
``# expect: <message fragment>``, ``# expect-line: <line>`` (0: a map-wide problem) and optionally
``# expect-hint: <hint fragment>``. Top-level files are part files, ``overlays/`` are overlay files
applied to the tiny map, ``headers/`` replace the tiny map's map.yaml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from argmap import ValidationError, load_map
from argmap.commands.cli import main

BAD = Path(__file__).parent / "data" / "bad"
TINY = Path(__file__).parent / "data" / "maps" / "tiny"
CASES = sorted(p for p in BAD.rglob("*.yaml"))


def _expectations(path: Path) -> dict:
    out = {}
    for raw in path.read_bytes().splitlines():
        line = raw.decode("utf-8", "replace")
        if not line.startswith("# expect"):
            break
        key, _, value = line[2:].partition(":")
        out[key.strip()] = value.strip()
    return out


def _arrange(case: Path, tmp: Path) -> tuple[Path, list[Path], Path]:
    """Return (map folder, overlays, the path diagnostics should name)."""
    if case.parent.name == "overlays":
        return TINY, [case], case
    folder = tmp / "map"
    if case.parent.name == "headers":
        folder.mkdir()
        shutil.copy(TINY / "claims.yaml", folder / "claims.yaml")
        shutil.copy(case, folder / "map.yaml")
        return folder, [], folder / "map.yaml"
    folder.mkdir()
    (folder / "map.yaml").write_text("argmap: 1\nname: bad\ntarget: a\n")
    shutil.copy(case, folder / "claims.yaml")
    return folder, [], folder / "claims.yaml"


def test_corpus_is_large_enough():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_file_reports_message_and_line(case, tmp_path):
    expect = _expectations(case)
    folder, overlays, named = _arrange(case, tmp_path)
    with pytest.raises(ValidationError) as info:
        load_map(folder, overlays)
    diags = info.value.diagnostics
    matching = [d for d in diags if expect["expect"] in d.message]
    assert matching, f"expected {expect['expect']!r}; got {[d.format() for d in diags]}"
    d = matching[0]
    assert d.path == named
    if int(expect["expect-line"]):
        assert d.line == int(expect["expect-line"]), d.format()
    if "expect-hint" in expect:
        assert d.hint and expect["expect-hint"] in d.hint, d.format()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check_cli_prints_position_and_fails(case, tmp_path, capsys):
    folder, overlays, named = _arrange(case, tmp_path)
    argv = ["check", str(folder)] + [a for o in overlays for a in ("--with", str(o))]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{named}:" in err and ": error: " in err
    assert err.rstrip().endswith("found")


def test_python_tags_are_never_constructed(tmp_path):
    marker = Path("/tmp/argmap-pwned")
    marker.unlink(missing_ok=True)
    folder, _, _ = _arrange(BAD / "17-python-tag.yaml", tmp_path)
    with pytest.raises(ValidationError):
        load_map(folder)
    assert not marker.exists()


def test_all_problems_in_one_run(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "map.yaml").write_text("argmap: 1\nname: x\ntarget: a\n")
    (folder / "a.yaml").write_text("claims:\n  - {id: a, title: A, credence: 2}\n")
    (folder / "b.yaml").write_text("claims:\n  - {id: b, titel: B, credence: 0.5}\n")
    with pytest.raises(ValidationError) as info:
        load_map(folder)
    assert {d.path.name if d.path else None for d in info.value.diagnostics} == {"a.yaml", "b.yaml"}


@pytest.mark.parametrize("relation, ratio, word", [
    ("supports", "{value: 3, range: [0.8, 4]}", "dips below 1"),
    ("opposes", "{value: 0.5, range: [0.3, 1.2]}", "rises above 1"),
])
def test_a_strength_range_may_not_cross_1(tmp_path, relation, ratio, word):
    """Monte Carlo samples the range: one crossing 1 would flip the relation's direction."""
    folder = tmp_path / "m"
    shutil.copytree(TINY, folder)
    path = folder / "claims.yaml"
    path.write_text(path.read_text().replace("supports: [{claim: conclusion, ratio: 3}]",
                                             f"{relation}: [{{claim: conclusion, ratio: {ratio}}}]"))
    with pytest.raises(ValidationError) as err:
        load_map(folder)
    assert word in err.value.format() and "claims.yaml:" in err.value.format()


def _load_outcome(folder: Path):
    from argmap.base import readlog

    with readlog.recording() as record:
        try:
            return load_map(folder), sorted(record.files)
        except ValidationError as err:
            return [d.format() for d in err.diagnostics], sorted(record.files)


def test_part_files_parsed_in_a_child_give_the_same_map_and_errors(tmp_path, monkeypatch):
    """The later part files of a large map are parsed in a forked child: the map, every problem (in
    order, with its position) and the files noted for the cache are those of one process."""
    from argmap.base import forked
    from argmap.maps import bundled, loader

    if not forked.can_fork():
        pytest.skip("no second core or no fork here")
    broken = tmp_path / "broken"
    shutil.copytree(TINY, broken)
    for case in CASES:
        if case.parent == BAD and case.name not in ("16-fan-in.yaml",):
            shutil.copy(case, broken / f"zz-{case.name}")
    children = []

    def counted(fn):
        children.append(fn)
        return forked.start(fn)
    monkeypatch.setattr(loader, "start", counted)
    monkeypatch.setattr(loader, "_core_to_spare", lambda: True)
    for folder in (bundled.bundled_map_path(), broken):
        monkeypatch.setattr(loader, "FORK_BYTES", 10 ** 9)
        alone = _load_outcome(folder)
        monkeypatch.setattr(loader, "FORK_BYTES", 1)
        before = len(children)
        assert _load_outcome(folder) == alone
        assert len(children) == before + 1
    assert isinstance(alone[0], list) and len(alone[0]) > 20          # the broken map's problems, all found


def test_a_busy_machine_parses_every_part_file_here(monkeypatch):
    """With no core to spare (load average at or above the core count), no child is started."""
    import os

    from argmap.maps import bundled, loader

    children = []
    monkeypatch.setattr(loader, "start", lambda fn: children.append(fn))
    monkeypatch.setattr(loader, "FORK_BYTES", 1)
    monkeypatch.setattr(os, "getloadavg", lambda: (float(os.cpu_count() or 1), 0.0, 0.0))
    assert load_map(bundled.bundled_map_path()) is not None and children == []
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert loader._core_to_spare()
