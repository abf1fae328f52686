"""One overlay-loading path: stages, name resolution (beside the referring file, then bundled), one read per file."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from argmap import Model, ValidationError
from argmap.analysis.compare import compare
from argmap.maps import loader as loader_mod
from argmap.maps.loader import load_stages, resolve_overlay

DATA = Path(__file__).parent / "data" / "compare"
MAP = DATA / "map"


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_stages_are_base_then_one_per_overlay():
    stages = load_stages(MAP, [DATA / "mix.yaml", DATA / "stack2.yaml"])
    assert [s.spec.overlay if s.spec else None for s in stages] == [None, "mix", "stack2"]
    assert stages[0].map.overlays == ()
    assert stages[-1].map.overlays == ("mix", "stack2")
    again = Model.load(MAP, [DATA / "mix.yaml", DATA / "stack2.yaml"])
    assert Model(stages[-1].map).probability() == again.probability()


def test_builds_on_is_loaded_from_beside_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                      # not the fixture folder: the name resolves beside stack2.yaml
    alone = Model.load(MAP, [DATA / "stack2.yaml"])
    both = Model.load(MAP, [DATA / "mix.yaml", DATA / "stack2.yaml"])
    assert alone.map.overlays == ("mix", "stack2")
    assert alone.probability() == pytest.approx(both.probability(), abs=1e-15)


def test_beside_wins_over_bundled(tmp_path):
    local = _write(tmp_path / "pope-2023.yaml", "overlay: pope-2023\nauthor: Local\nchange:\n"
                   "  - {claim: b, credence: 0.1, reason: local}\n")
    reply = _write(tmp_path / "reply.yaml", "overlay: reply\nauthor: R\nbuilds_on: [pope-2023]\n")
    stages = load_stages(MAP, [reply])
    assert stages[1].path == local
    credence = stages[-1].map.claims["b"].credence
    assert credence is not None and credence[1].value == pytest.approx(0.1)


def test_with_names_resolve_in_the_working_folder_then_bundled(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_overlay("pope-2023").parent.name == "critiques"          # bundled
    _write(tmp_path / "pope-2023.yaml", "overlay: x\nauthor: A\n")
    assert resolve_overlay("pope-2023") == Path("pope-2023.yaml")           # a file here wins
    assert Model.load(MAP, ["pope-2023"]).map.overlays == ("x",)


def test_builds_on_cycle_is_an_error(tmp_path):
    a = _write(tmp_path / "a.yaml", "overlay: a\nauthor: A\nbuilds_on: [b]\n")
    _write(tmp_path / "b.yaml", "overlay: b\nauthor: B\nbuilds_on: [a]\n")
    with pytest.raises(ValidationError, match="cycle"):
        load_stages(MAP, [a])


def test_unknown_builds_on_names_its_line(tmp_path):
    a = _write(tmp_path / "a.yaml", "overlay: a\nauthor: A\nbuilds_on: [nowhere]\n")
    with pytest.raises(ValidationError) as err:
        load_stages(MAP, [a])
    d = err.value.diagnostics[0]
    assert (d.path, d.line) == (a, 3) and "nowhere" in d.message


def test_compare_reads_every_file_once(tmp_path, monkeypatch):
    for f in ("mix.yaml", "stack2.yaml", "two.yaml"):
        shutil.copy(DATA / f, tmp_path / f)
    reads: Counter[str] = Counter()
    real = loader_mod.read_bytes

    def counting(path, *a, **k):
        reads[Path(path).name] += 1
        return real(path, *a, **k)
    monkeypatch.setattr(loader_mod, "read_bytes", counting)
    views = {"one": [tmp_path / "mix.yaml"], "two": [tmp_path / "stack2.yaml"],
             "three": [tmp_path / "mix.yaml", tmp_path / "two.yaml"]}
    c = compare(MAP, views, attribution=True)
    assert [v.name for v in c.viewpoints] == ["one", "two", "three"]
    assert reads and max(reads.values()) == 1, reads


def test_a_map_or_part_file_given_as_an_overlay_says_what_it_is(capsys):
    """m7: one clear error naming the folder to give as PATH, not a field error per line."""
    from argmap.commands.cli import main

    folder = Path(__file__).resolve().parents[1] / "tests" / "data" / "maps" / "tiny"
    for name, what in (("map.yaml", "a map file"), ("claims.yaml", "a part file")):
        assert main(["check", "--with", str(folder / name)]) == 1
        err = capsys.readouterr().err
        assert f"this is {what}" in err and str(folder) in err and "1 error found" in err


def test_an_added_claim_with_no_relation_is_warned_about(tmp_path, capsys):
    from argmap.commands.cli import main

    lonely = tmp_path / "lonely.yaml"
    lonely.write_text("overlay: lonely\nauthor: T. Ester\nadd:\n  - id: lonely_point\n    title: Bears on nothing\n"
                      "    credence: 0.5\n", encoding="utf-8")
    folder = Path(__file__).resolve().parent / "data" / "maps" / "tiny"
    assert main(["check", str(folder), "--with", str(lonely)]) == 0
    err = capsys.readouterr().err
    assert f"{lonely}:4:" in err and "adds 'lonely_point' with no relation" in err


def test_a_claims_own_unknown_part_in_a_map_file_is_an_error(tmp_path, capsys):
    from argmap.commands.cli import main

    folder = tmp_path / "tiny"
    shutil.copytree(Path(__file__).resolve().parent / "data" / "maps" / "tiny", folder)
    path = folder / "claims.yaml"
    path.write_text(path.read_text().replace("    title: Long goals\n", "    title: Long goals\n    part: mian\n"))
    assert main(["check", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "part 'mian' is not listed in map.yaml parts" in err and "did you mean 'main'" in err


@pytest.mark.parametrize("body, message", [
    ("relate:\n  - {from: conclusion, to: argument, type: supports, ratio: 2, reason: loops back}\n",
     "the map has a cycle"),
    ("change:\n  - claim: goals\n    base: 0.3\n    reason: a base on a root\n", "has a base but nothing bears on it"),
])
def test_an_error_an_overlay_causes_points_at_the_overlay(tmp_path, capsys, body, message):
    """m3: a cycle the overlay closes, a base it puts on a root: reported at the overlay's line, not the map's."""
    from argmap.commands.cli import main

    path = tmp_path / "o.yaml"
    path.write_text("overlay: o\nauthor: T. Ester\n" + body, encoding="utf-8")
    folder = Path(__file__).resolve().parent / "data" / "maps" / "tiny"
    assert main(["check", str(folder), "--with", str(path)]) == 1
    err = capsys.readouterr().err
    assert message in err and err.startswith(f"{path}:") and "claims.yaml" not in err
