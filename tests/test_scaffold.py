"""``argmap new critique`` and ``argmap schema``: skeletons that check unchanged, never overwrite."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import DATA

from argmap import Model, load_map
from argmap.base.errors import ArgmapError, QueryError
from argmap.commands.cli import main
from argmap.commands.schema import file_schema
from argmap.maps.models import KINDS
from argmap.maps.scaffold import critique_skeleton, default_critique_dir, new_critique

CMP_MAP = DATA / "compare" / "map"
REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("folder", [DATA / "maps" / "tiny", CMP_MAP])
def test_every_claims_skeleton_checks_and_changes_nothing(tmp_path, folder):
    amap = load_map(folder)
    before = Model(amap).marginals()
    for cid in amap.claims:
        path = new_critique(amap, f"on-{cid}", cid, "Tess Ter", tmp_path)
        model = Model.load(folder, [path])
        assert model.map.overlays == (f"on-{cid}",)
        after = model.marginals()
        for claim, dist in before.items():
            assert after[claim] == pytest.approx(dist, abs=1e-15)


def test_cli_writes_a_file_that_passes_check(tmp_path, capsys, tiny_map):
    assert main(["new", "critique", "my-doubt", str(tiny_map), "--against", "conclusion",
                 "-o", str(tmp_path), "--author", "Tess Ter"]) == 0
    path = tmp_path / "my-doubt.yaml"
    assert f"wrote {path}" in capsys.readouterr().out
    text = path.read_text()
    assert "author: \"Tess Ter\"" in text and "overlay: my-doubt" in text
    assert main(["check", str(tiny_map), "--with", str(path)]) == 0
    assert "overlays: my-doubt" in capsys.readouterr().out


def test_never_overwrites(tmp_path, capsys, tiny_map):
    path = tmp_path / "x.yaml"
    path.write_text("precious\n")
    assert main(["new", "critique", "x", str(tiny_map), "--against", "goals", "-o", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_text() == "precious\n"


def test_unknown_claim_and_bad_name(tiny_map, capsys, tmp_path):
    assert main(["new", "critique", "x", str(tiny_map), "--against", "conclusoin",
                 "-o", str(tmp_path)]) == 1
    assert "did you mean 'conclusion'" in capsys.readouterr().err
    with pytest.raises(QueryError, match="valid overlay name"):
        critique_skeleton("bad name!", load_map(tiny_map), "goals")
    assert not list(tmp_path.iterdir())


def test_uncommenting_the_example_argument_still_checks(tmp_path, tiny_map):
    """The commented `add:` example is itself valid once uncommented, and then moves the target."""
    text = critique_skeleton("try-it", load_map(tiny_map), "conclusion", "Tess Ter")
    lines, out, uncomment = text.splitlines(), [], False
    for line in lines:
        if line.startswith("add: []"):
            out.append("add:")
            uncomment = True
            continue
        if uncomment and line.startswith("#  "):
            out.append(line[1:])
            continue
        uncomment = False
        out.append(line)
    path = tmp_path / "try-it.yaml"
    path.write_text("\n".join(out))
    m = Model.load(tiny_map, [path])
    assert "try_it" in m.map.claims and m.probability() < Model.load(tiny_map).probability()


def test_skeleton_restates_current_numbers(tiny_map):
    amap = load_map(tiny_map)
    root = critique_skeleton("r", amap, "aware")
    assert re.search(r"credence: \{value: 0\.8, range: \[0\.6, 0\.95\]\}", root)
    composed = critique_skeleton("c", amap, "conclusion")
    assert "base: 0.25" in composed and "relation: argument -> conclusion" in composed
    assert "undercuts" in critique_skeleton("a", amap, "argument")


def test_default_folder_is_critiques_beside_the_map(tiny_map):
    assert default_critique_dir(load_map(tiny_map)) == tiny_map.parent / "critiques"


def test_schema_is_built_from_the_file_models():
    over = file_schema("overlay")
    ref = over["$ref"].split("/")[-1]
    body = over["$defs"][ref]
    assert set(body["required"]) == {"overlay", "author"}
    assert {"add", "relate", "change", "builds_on"} <= set(body["properties"])
    assert over["$defs"]["ClaimSpec"]["properties"]["kind"]["enum"] == list(KINDS)
    assert "from" in over["$defs"]["RelateSpec"]["properties"]
    anyof = file_schema("any")["anyOf"]
    assert [a["$ref"].split("/")[-1] for a in anyof] == ["MapFile", "PartFile", "OverlayFile"]


def test_schema_cli_and_committed_copies_are_current(capsys, tmp_path):
    assert main(["schema", "--kind", "part"]) == 0
    assert json.loads(capsys.readouterr().out) == file_schema("part")
    for kind in ("map", "part", "overlay"):
        committed = REPO / "docs" / "schema" / f"{kind}.schema.json"
        assert json.loads(committed.read_text()) == file_schema(kind), f"regenerate {committed}"
    assert main(["schema", "-o", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text()) == file_schema("any")


def test_bundled_skeleton_links_the_schema(tmp_path):
    try:
        amap = load_map(None)
    except ArgmapError as err:
        pytest.skip(f"bundled map does not load yet: {err}")
    path = new_critique(amap, "mine", amap.target, "Tess Ter", tmp_path)
    first = path.read_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert (tmp_path / first.split("=", 1)[1]).resolve() == (REPO / "docs/schema/overlay.schema.json").resolve()
    Model.load(None, [path])


def test_committed_files_validate_against_the_schema():
    """An editor using the schema must agree with the loader: every valid file in the repo passes."""
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    checks = {"overlay": ["arguments/critiques/*.yaml", "arguments/viewpoints/*.yaml", "docs/examples/*.yaml",
                          "tests/data/compare/*.yaml"],
              "part": ["arguments/scheming/[0-9]*.yaml", "tests/data/maps/tiny/claims.yaml"],
              "map": ["arguments/*/map.yaml", "tests/data/maps/*/map.yaml"]}
    for kind, globs in checks.items():
        validator = jsonschema.Draft202012Validator(file_schema(kind))
        for pattern in globs:
            for path in REPO.glob(pattern):
                errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
                assert not errors, f"{path}: {errors[:2]}"


def test_a_critique_of_an_overlay_builds_on_it(tmp_path):
    base = DATA / "compare" / "map"
    mix = DATA / "compare" / "mix.yaml"
    amap = load_map(base, [mix])
    path = new_critique(amap, "on-x", "x2", "Tess Ter", tmp_path)     # x2 exists only with the mix overlay
    assert "builds_on: [mix]" in path.read_text()
    before = Model.load(base, [mix]).probability()
    assert Model.load(base, [mix, path]).probability() == pytest.approx(before, abs=1e-15)
    with pytest.raises(ArgmapError, match="builds on 'mix'"):
        Model.load(base, [path])


def test_skeleton_comments_agree_with_the_claim():
    """No 'add a claim that opposes X' for a claim no new claim can bear on; no 'change its number
    above' when nothing above changes it; the author's name everywhere a holder is shown."""
    from argmap.maps.loader import load_map
    from argmap.maps.scaffold import critique_skeleton

    amap = load_map()
    categorical = next(c for c in amap.claims.values() if not c.binary and c.credence is not None)
    tabled = next(c for c in amap.claims.values() if c.table is not None)
    text = critique_skeleton("x", amap, categorical.id, "Ann Author")
    assert f"that opposes '{categorical.id}'" not in text and f"to: {categorical.id}," not in text
    text = critique_skeleton("x", amap, tabled.id, "Ann Author")
    assert "change its number" not in text and "table:" in text
    binary = next(c for c in amap.claims.values() if c.binary and c.credence is not None)
    text = critique_skeleton("x", amap, binary.id, "Ann Author")
    assert "Your Name" not in text and 'holder: "Ann Author"' in text


def test_check_notes_todo_placeholders(tmp_path, capsys):
    assert main(["new", "critique", "fresh", "--against", "goal_directed", "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["check", "--with", str(tmp_path / "fresh.yaml")]) == 0
    err = capsys.readouterr().err
    assert "fresh.yaml:" in err and "TODO placeholder" in err


def test_schema_and_loader_agree_on_how_a_number_is_written():
    """m1: fraction and decimal texts the loader reads (in value, range and beta) are valid in the editor's schema,
    and texts it refuses are not."""
    jsonschema = pytest.importorskip("jsonschema")
    from argmap.base.quantity import parse_quantity
    from argmap.maps.specs import _NUMBER_SCHEMA

    validator = jsonschema.Draft202012Validator(_NUMBER_SCHEMA)
    written = [0.5, "1/3", " 2 / 3 ", "0.25", "1.5/2", {"value": "1/10", "range": ["1/30", "1/2"]},
               {"value": 0.2, "range": [0.1, "0.3"]}, {"beta": ["3/2", 4]}, "one third", "1/3/4", "1 /",
               {"value": 0.2, "range": ["a", 0.5]}, {"beta": [2, "x"]}, [0.1], True]
    for raw in written:
        try:
            parse_quantity(raw, "probability")
            loads = True
        except ValueError:
            loads = False
        assert validator.is_valid(raw) == loads, raw
    assert sum(validator.is_valid(r) for r in written) == 8


def test_skeletons_offer_arguments_into_tables_and_say_an_and_needs_a_base(tmp_path):
    """A claim with a table can be argued against (each row's odds); an AND with no base needs one first."""
    from argmap.maps.loader import load_map
    from argmap.maps.scaffold import critique_skeleton

    routes = Path(__file__).parent / "data" / "maps" / "routes"
    amap = load_map(routes)
    text = critique_skeleton("t", amap, "pays", "Ann Author")
    assert "opposes: [{claim: pays" in text and "every row of 'pays''s table" in text
    suggested = next(line for line in text.splitlines() if line.startswith("#    opposes:")).split("#")[1]
    path = tmp_path / "t.yaml"
    path.write_text("overlay: t\nauthor: A\nadd:\n  - id: doubt\n    title: Doubt\n    credence: 0.6\n"
                    f"    {suggested.strip()}\n")
    assert Model.load(routes, [path]).probability("pays") < Model.load(routes).probability("pays")
    text = critique_skeleton("a", amap, "outcome", "Ann Author")
    assert "base: 0.9" in text and "explicit table" not in text


def test_a_relations_strength_has_one_name_everywhere(tmp_path):
    """A relation's ratio is its odds ratio in the package's messages, the scaffold, README and the guides;
    'likelihood ratio' is left to evidence (observe:), where it is one."""
    texts = {p: p.read_text(encoding="utf-8") for p in
             [*REPO.glob("argmap/**/*.py"), *REPO.glob("argmap/views/assets/*.js"), REPO / "README.md",
              *REPO.glob("docs/*.md")]}
    amap = load_map(DATA / "maps" / "tiny")
    texts[tmp_path / "skeleton"] = new_critique(amap, "mine", amap.target, "Tess Ter", tmp_path).read_text()
    for path, text in texts.items():
        for line in text.splitlines():
            if "likelihood ratio" in line.lower():
                assert re.search(r"observ|evidence|experiment|reported", line, re.I), f"{path}: {line.strip()}"
    assert "odds ratio" in texts[tmp_path / "skeleton"]
