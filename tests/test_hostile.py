"""Hostile and extreme inputs (issue 14): each defect's input built in a temp folder, with the clear,
positioned error or the correct number asserted. Inputs that once hung or exhausted memory run in a
child process under a time limit and an address-space limit, so a regression fails instead of hanging.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
import xml.parsers.expat
from pathlib import Path

import pytest
import yaml

from argmap import Model
from argmap.cli import main
from argmap.errors import ValidationError
from argmap.interchange import export_model, import_network
from argmap.textsafe import UNSAFE, safe_component, visible

ROOT = Path(__file__).resolve().parent.parent
EVIL = "\x1b]0;title\x07\x1b[31m red \x00 \u202e evil \u2066"


def write_map(folder: Path, claims: list[dict] | str, target: str = "a", **head) -> Path:
    """A map folder with ``map.yaml`` and ``claims.yaml`` (a list of claims, or raw YAML text)."""
    folder.mkdir(parents=True, exist_ok=True)
    header = {"argmap": 1, "name": head.pop("name", "t"), "target": target, **head}
    (folder / "map.yaml").write_text(yaml.safe_dump(header, sort_keys=False))
    text = claims if isinstance(claims, str) else yaml.safe_dump({"claims": claims}, sort_keys=False)
    (folder / "claims.yaml").write_text(text)
    return folder


def run_limited(code: str, *, seconds: float = 30, mib: int = 1024) -> subprocess.CompletedProcess:
    """Run ``code`` in a child Python limited to ``seconds`` and ``mib`` of address space."""
    prelude = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, ({mib} << 20, {mib} << 20))
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=seconds, env=env)


def cli_limited(args: list[str], **kw) -> subprocess.CompletedProcess:
    """``argmap ARGS`` in a limited child process."""
    return run_limited(f"import sys\nfrom argmap.cli import main\nsys.exit(main({args!r}))", **kw)


# ------------------------------------------------------------------ 6. control and bidi characters

def test_control_and_bidi_characters_are_refused_at_load_with_the_character_named(tmp_path):
    m = write_map(tmp_path / "m", 'claims:\n  - id: a\n    title: "\\e]0;title\\a\\e[31m"\n    credence: 0.5\n'
                                  '  - id: b\n    title: "ok \u202e evil"\n    credence: 0.5\n')
    with pytest.raises(ValidationError) as err:
        Model.load(m)
    text = err.value.format()
    assert "claims.yaml:3:12: error: text holds U+001B (control character)" in text
    assert "claims.yaml:6:12: error: text holds U+202E (RIGHT-TO-LEFT OVERRIDE) at character 4" in text
    assert not UNSAFE.search(text)


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\u200f", "\u2028"])
def test_visible_escapes_every_unsafe_character(char):
    out = visible(f"a{char}b")
    assert not UNSAFE.search(out) and out.startswith("a\\") and out.endswith("b")


def _evil_model(tmp_path) -> Model:
    """A valid model whose titles (and map title) were given control and bidi characters after loading,
    as a library caller or an importer might."""
    model = Model.load(write_map(tmp_path / "m", [{"id": "a", "title": "A", "credence": 0.5,
                                                   "supports": [{"claim": "b", "ratio": 2}]},
                                                  {"id": "b", "title": "B", "base": 0.3}], target="b"))
    amap = model.map
    claims = {cid: dataclasses.replace(c, title=f"{c.title} {EVIL}") for cid, c in amap.claims.items()}
    return Model(dataclasses.replace(amap, claims=claims, title=EVIL))


def test_every_writer_escapes_control_and_bidi_characters(tmp_path):
    from argmap.bundle import _md
    from argmap.diagrams import model_dot
    from argmap.report import format_result

    model = _evil_model(tmp_path)
    xml_text = export_model(model, "xmlbif")
    xml.parsers.expat.ParserCreate().Parse(xml_text.encode("utf-8"), True)    # well-formed
    outputs = {
        "terminal": format_result(model.map, model.run()),
        "xmlbif": xml_text,
        "bif": export_model(model, "bif"),
        "dot": model_dot(model),
        "markdown": _md(model.map.claims["a"].title),
    }
    for what, text in outputs.items():
        assert not UNSAFE.search(text), what
        assert "\\x1b]0" in text or "&#92;x1b]0" in text, what     # shown, not obeyed


def test_a_network_with_control_characters_imports_as_a_map_that_loads(tmp_path):
    net = tmp_path / "evil.bif"
    net.write_text('network "../../evil" {}\nvariable a { type discrete [2] { false, true };'
                   ' property title = "x\x1b[31m\u202e y" ; }\nprobability ( a ) { table 0.5, 0.5; }\n')
    out = import_network(net, tmp_path / "out")
    head = yaml.safe_load((out / "map.yaml").read_text())
    assert head["name"] == "evil"
    model = Model.load(out)
    assert model.map.claims["a"].title == "x\\x1b[31m\\u202e y"


# ------------------------------------------------------------------ 5. names that are paths

@pytest.mark.parametrize("name, expected", [
    ("../../../../tmp/x/ESCAPED", "tmp_x_ESCAPED"), ("..", "argmap"), ("/etc/passwd", "etc_passwd"),
    ("a\\b:c", "a_b_c"), (".hidden", "hidden"), ("CON", "argmap"), ("scheming", "scheming"),
    ("pope-2023.v2", "pope-2023.v2"), ("x" * 300, "x" * 80), ("\u2025\uff0f", "argmap"),
])
def test_safe_component_is_one_harmless_path_component(name, expected):
    out = safe_component(name)
    assert out == expected
    assert "/" not in out and "\\" not in out and out not in (".", "..") and not out.startswith(".")


def test_export_keeps_a_traversing_map_name_inside_exports(tmp_path, monkeypatch, capsys):
    m = write_map(tmp_path / "maps" / "m", [{"id": "a", "title": "A", "credence": 0.5}],
                  name="../../../../" + str(tmp_path).lstrip("/") + "/ESCAPED")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["export", str(m)]) == 0
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "maps" not in p.parts]
    assert written and all(p.is_relative_to(work / "exports") for p in written)
    assert not (tmp_path / "ESCAPED").exists()
    assert (work / "exports").iterdir().__next__().name.endswith("ESCAPED")
    capsys.readouterr()


def test_json_output_of_run_stays_parseable_with_unusual_names(tmp_path, capsys):
    m = write_map(tmp_path / "m", [{"id": "a", "title": "quote \" < & \\ ok", "credence": 0.5}])
    assert main(["run", str(m), "--json"]) == 0
    json.loads(capsys.readouterr().out)
