"""BIF/XMLBIF export and import: round trips, hostile names, and positioned errors from the readers."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from randmaps import write_random_map

from argmap import Model
from argmap.analysis.interchange import (
    export_model,
    import_network,
    network_to_map,
    parse_bif,
    parse_xmlbif,
    read_network,
)
from argmap.analysis.interchange.bif import KEYWORDS, bif_names
from argmap.base.errors import ArgmapError, ValidationError
from argmap.commands.cli import main

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "maps" / "tiny"

KEYWORDS_DIR = ROOT / "tests" / "data" / "maps" / "keywords"
"""Claim ids that are BIF, Python and Graphviz keywords; titles and states with quotes, <, > and &."""


def write(files: dict[str, str], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def roundtrip(model: Model, fmt: str, tmp: Path) -> tuple[Model, str, str]:
    first = export_model(model, fmt)
    path = tmp / ("net.bif" if fmt == "bif" else "net.xml")
    path.write_text(first, encoding="utf-8")
    folder = import_network(path, tmp / f"imported-{fmt}")
    again = Model.load(folder)
    return again, first, export_model(again, fmt)


def same_network(a: Model, b: Model) -> None:
    na, nb = a.network, b.network
    assert na.variables == nb.variables
    assert na.parents == nb.parents
    for v in na.variables:
        ta = na.builders[v](na.theta0[None, :])[0]
        tb = nb.builders[v](nb.theta0[None, :])[0]
        np.testing.assert_allclose(tb, ta, rtol=0, atol=1e-15)


# ------------------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("fmt", ["bif", "xmlbif"])
def test_tiny_roundtrip_is_byte_identical(fmt, tmp_path):
    model = Model.load(TINY)
    again, first, second = roundtrip(model, fmt, tmp_path)
    same_network(model, again)
    assert second == first
    assert main(["check", str(tmp_path / f"imported-{fmt}")]) == 0


@functools.cache
def _bundled() -> Model | None:
    try:
        return Model.load()
    except ArgmapError:
        return None


@pytest.mark.parametrize("fmt", ["bif", "xmlbif"])
def test_bundled_roundtrip(fmt, tmp_path):
    model = _bundled()
    if model is None:
        pytest.skip("the bundled map does not load right now")
    again, first, second = roundtrip(model, fmt, tmp_path)
    same_network(model, again)
    assert again.probability(model.map.target, scenario=None) == pytest.approx(
        model.probability(scenario=None), abs=1e-12)
    if fmt == "xmlbif" or all(bif_names(model.network.variables)[v] == v for v in model.network.variables):
        assert second.splitlines()[2:] == first.splitlines()[2:]


@pytest.mark.parametrize("seed", range(30))
def test_random_roundtrip(seed, tmp_path):
    model = Model.load(write_random_map(tmp_path / "m", np.random.default_rng(seed)))
    fmt = "bif" if seed % 2 else "xmlbif"
    again, first, second = roundtrip(model, fmt, tmp_path)
    same_network(model, again)
    assert second == first
    ours = model.marginals(scenario=None)
    theirs = again.marginals(scenario=None)
    for v in ours:
        np.testing.assert_allclose(list(theirs[v].values()), list(ours[v].values()), rtol=0, atol=1e-12)


def test_export_has_no_scenario_and_says_so(tmp_path):
    model = Model.load(TINY)
    for fmt in ("bif", "xmlbif"):
        assert "no scenario" in export_model(model, fmt)
    # the tiny map's scenario 'aware' is not baked in: the root keeps its own credence
    text = export_model(model, "bif")
    assert "table 0.19999999999999996, 0.8;" in text


# ------------------------------------------------------------------------------------- hostile names

def test_keyword_and_quoted_names_survive_both_formats(tmp_path):
    model = Model.load(KEYWORDS_DIR)
    bif = export_model(model, "bif")
    names = bif_names(model.network.variables)
    for kw in KEYWORDS:
        assert f"variable {kw} {{" not in bif
        if kw in names:
            assert f"variable {names[kw]} {{" in bif
    assert "variable class {" in bif and "variable strict {" in bif
    xml = export_model(model, "xmlbif")
    tree = ET.fromstring(xml.encode())            # well-formed despite quotes, <, > and &
    titles = [p.text for p in tree.iter("PROPERTY")]
    assert 'title = Network "quoted" <b> & it\'s \uff1d x' in titles
    for fmt, text in (("bif", bif), ("xmlbif", xml)):
        net = parse_bif(text) if fmt == "bif" else parse_xmlbif(text)
        assert len(net.variables) == len(model.network.variables)
        again = Model.load(import_network(_save(tmp_path, fmt, text), tmp_path / f"back-{fmt}"))
        assert again.probability(model.map.target, scenario=None) == pytest.approx(
        model.probability(scenario=None), abs=1e-12)
    back = Model.load(tmp_path / "back-xmlbif")
    assert back.map.claims["network"].title == 'Network "quoted" <b> & it\'s \uff1d x'
    assert back.map.claims["variable"].states == ("a_b", "it_s_q", "x_y", "s_2_5", "default_")


def _save(tmp: Path, fmt: str, text: str) -> Path:
    path = tmp / ("k.bif" if fmt == "bif" else "k.xml")
    path.write_text(text, encoding="utf-8")
    return path


def test_keyword_map_in_peers(tmp_path):
    """pyAgrum refuses BIF keywords as names; the writer's renaming makes the file load there."""
    gum = pytest.importorskip("pyagrum")
    model = Model.load(KEYWORDS_DIR)
    for fmt, name in (("bif", "k.bif"), ("xmlbif", "k.bifxml")):
        path = tmp_path / name
        path.write_text(export_model(model, fmt), encoding="utf-8")
        bn = gum.loadBN(str(path))
        ie = gum.LazyPropagation(bn)
        ie.makeInference()
        target = bif_names(model.network.variables)["strict"]
        tol = 1e-6 if fmt == "bif" else 1e-9
        assert ie.posterior(target).toarray()[1] == pytest.approx(model.probability(scenario=None), abs=tol)


# ------------------------------------------------------------------------------------- reading what others write

GOOD_BIF = """// a comment /* with */ odd "quotes"
network "Dog Problem" {
  property software = "hand written";
}
/* a block
   comment */
variable family out {
  type discrete[2] {true, false};
  property position = (1, 2);
}
variable bowel-problem {
  type discrete [ 2 ] { yes no };
}
variable dog_out {
  type discrete [ 3 ] { in, out, "half way" };
}
probability ( family out ) {
  table .15 .85;
}
probability ( bowel-problem ) {
  table 0.01, 0.99 ;
}
probability ( dog_out | family out, bowel-problem ) {
  default 0.2, 0.3, 0.5;
  (true, yes) 0.9, 0.05, 0.05;
  (false, no) 1e-1, 3E-1, 6.0e-1;
}
"""


def test_reader_accepts_common_dialects(tmp_path):
    net = parse_bif(GOOD_BIF)
    assert net.name == "Dog Problem"
    assert net.variables == ("family out", "bowel-problem", "dog_out")
    assert net.states["dog_out"] == ("in", "out", "half way")
    assert net.states["bowel-problem"] == ("yes", "no")
    assert net.parents["dog_out"] == ("family out", "bowel-problem")
    np.testing.assert_allclose(net.tables["dog_out"][0, 0], [0.9, 0.05, 0.05])
    np.testing.assert_allclose(net.tables["dog_out"][0, 1], [0.2, 0.3, 0.5])       # default row
    np.testing.assert_allclose(net.tables["dog_out"][1, 1], [0.1, 0.3, 0.6])
    path = tmp_path / "dog.bif"
    path.write_text(GOOD_BIF)
    model = Model.load(import_network(path, tmp_path / "dog"))
    assert set(model.map.claims) == {"family_out", "bowel_problem", "dog_out"}
    assert model.map.claims["family_out"].states == ("false", "true")           # made binary, reordered
    assert model.distribution("family_out", scenario=None)["true"] == pytest.approx(0.15)
    assert model.map.target == "dog_out"


def test_old_header_without_bar_and_table_with_parents():
    text = """network x {}
variable a { type discrete [2] { f, t }; }
variable b { type discrete [2] { f, t }; }
probability ( a ) { table 0.3 0.7; }
probability ( b a ) { table 0.1 0.8 0.9 0.2; }
"""
    net = parse_bif(text)
    assert net.parents["b"] == ("a",)
    # 'table' with parents lists the child's states slowest (as pgmpy reads it)
    np.testing.assert_allclose(net.tables["b"], [[0.1, 0.9], [0.8, 0.2]])


def test_rows_off_by_rounding_are_renormalised():
    text = ("network x {}\nvariable a { type discrete [3] { p, q, r }; }\n"
            "probability ( a ) { table 0.333333 0.333333 0.333333; }\n")
    np.testing.assert_allclose(parse_bif(text).tables["a"], [1 / 3] * 3, rtol=1e-12)


def test_import_target_and_folder_rules(tmp_path, capsys):
    path = tmp_path / "dog.bif"
    path.write_text(GOOD_BIF)
    out = tmp_path / "dogmap"
    assert main(["import", str(path), "-o", str(out), "--target", "family out"]) == 0
    assert Model.load(out).map.target == "family_out"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(["import", str(path), "-o", str(out)]) == 1
    assert "never overwrites" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert main(["import", str(path), "-o", str(tmp_path / "x"), "--target", "nope"]) == 1
    assert not (tmp_path / "x").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_import_default_folder_is_the_file_stem(tmp_path, monkeypatch):
    path = tmp_path / "net.bif"
    path.write_text(GOOD_BIF)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["import", str(path)]) == 0
    assert (work / "net" / "map.yaml").exists()


def test_export_cli(tmp_path, capsys):
    out = tmp_path / "tiny.bif"
    assert main(["export", str(TINY), "--format", "bif", "-o", str(out)]) == 0
    assert out.read_text() == export_model(Model.load(TINY), "bif")
    assert main(["export", str(TINY), "-o", str(tmp_path / "tiny.xml")]) == 0          # format from suffix
    assert (tmp_path / "tiny.xml").read_text().startswith("<?xml")
    assert main(["export", str(TINY), "--format", "xmlbif"]) == 1
    assert "needs -o FILE" in capsys.readouterr().err
    assert main(["export", str(TINY), "--format", "bif", "-o", str(TINY / "net.bif")]) == 1
    assert "never writes into an argument folder" in capsys.readouterr().err
    assert not (TINY / "net.bif").exists()


def test_large_network_splits_into_files_that_load(tmp_path, monkeypatch):
    """A network too big for one argument file is split into several that the loader accepts."""
    from argmap.analysis.interchange import tomap

    monkeypatch.setattr(tomap, "_FILE_VALUES", 1000)
    n_parents = 6
    lines = ["network big {}"]
    lines += [f"variable p{i} {{ type discrete [2] {{ false, true }}; }}" for i in range(n_parents)]
    lines += ["variable child { type discrete [3] { a, b, c }; }"]
    lines += [f"probability ( p{i} ) {{ table 0.5, 0.5; }}" for i in range(n_parents)]
    lines += [f"probability ( child | {', '.join(f'p{i}' for i in range(n_parents))} ) {{ default 0.2, 0.3, 0.5; }}"]
    lines += [f"variable q{i} {{ type discrete [3] {{ a, b, c }}; }}" for i in range(3)]
    lines += [f"probability ( q{i} | {', '.join(f'p{j}' for j in range(n_parents))} ) {{ default 0.2, 0.3, 0.5; }}"
              for i in range(3)]
    path = tmp_path / "big.bif"
    path.write_text("\n".join(lines) + "\n")
    files = network_to_map(read_network(path), source=str(path))
    assert len([f for f in files if f.startswith("claims")]) > 1
    model = Model.load(import_network(path, tmp_path / "big"))
    assert model.distribution("child", scenario=None)["c"] == pytest.approx(0.5)
    monkeypatch.setattr(tomap, "_FILE_VALUES", 100)
    with pytest.raises(ValidationError, match="too large for an argument file"):
        import_network(path, tmp_path / "big2")
    assert not (tmp_path / "big2").exists()


# ------------------------------------------------------------------------------------- positioned errors

BAD_BIF = [
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\n", 2, "has no probability table"),
    ("network x {}\nvariable a { type discrete [3] { f, t }; }\n", 2, "says it has 3 states but lists 2"),
    ("network x {}\nvariable a { type discrete [2] { f, f }; }\n", 2, "lists state 'f' twice"),
    ("network x {}\nvariable a { type continuous [2] { f, t }; }\n", 2, "discrete variables only"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nvariable a { type discrete [2] { f, t }; }\n",
     3, "declared twice"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nprobability ( a ) { table 0.5; }\n",
     3, "has 1 numbers; expected 2"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nprobability ( a ) {\n  table 0.5, nan;\n}\n",
     4, "expected a probability, got 'nan'"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nprobability ( a ) {\n  table -0.5, 1.5;\n}\n",
     4, "not a probability in [0, 1]"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nprobability ( a ) {\n  table 0.5, 0.6;\n}\n",
     4, "sums to 1.1, not 1"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nprobability ( a | b ) { table 0.5, 0.5; }\n",
     3, "parent 'b' of 'a' is not a declared variable"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nprobability ( z ) { table 0.5, 0.5; }\n",
     3, "undeclared variable 'z'"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nvariable b { type discrete [2] { f, t }; }\n"
     "probability ( a ) { table 0.5, 0.5; }\nprobability ( b | a ) {\n  (f) 0.5, 0.5;\n}\n", 5, "no row for (t)"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nvariable b { type discrete [2] { f, t }; }\n"
     "probability ( a ) { table 0.5, 0.5; }\nprobability ( b | a ) {\n  (f) 0.5, 0.5;\n  (maybe) 0.5, 0.5;\n}\n",
     7, "'a' has no state 'maybe'"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nvariable b { type discrete [2] { f, t }; }\n"
     "probability ( a | b ) { table 0.5, 0.5, 0.5, 0.5; }\nprobability ( b | a ) { table 0.5, 0.5, 0.5, 0.5; }\n",
     None, "has a cycle"),
    ("network x {}\n/* never closed\nvariable a {}\n", 2, "unterminated comment"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nprobability ( a ) { table 0.5, 0.5 }\n",
     3, "expected a number or ';'"),
    ("network x {}\nvariable a {\n", 3, "the file ends"),
    ("network x {}\nvariable a { type discrete [2] { f, t }; }\nprobability ( a ) { table 0.5, 0.5; }\n"
     "probability ( a ) { table 0.5, 0.5; }\n",
     4, "a second probability block"),
    ("network x {}\nbanana\n", 2, "expected 'variable' or 'probability'"),
    ("", 1, "declares no variables"),
]


@pytest.mark.parametrize("text,line,message", BAD_BIF, ids=[m for _, _, m in BAD_BIF])
def test_bif_errors_are_positioned(text, line, message, tmp_path):
    path = tmp_path / "bad.bif"
    path.write_text(text)
    with pytest.raises(ValidationError) as info:
        read_network(path)
    d = info.value.diagnostics[0]
    assert message in d.message
    assert d.path == path and d.line is not None and d.column is not None
    if line is not None:
        assert d.line == line
    out = tmp_path / "out"
    assert main(["import", str(path), "-o", str(out)]) == 1
    assert not out.exists()


BAD_XML = [
    ('<?xml version="1.0"?>\n<!DOCTYPE BIF [\n <!ENTITY a "aaaaaaaaaa">\n'
     ' <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>'
     "\n<BIF><NETWORK><NAME>&b;</NAME></NETWORK></BIF>\n", 3, "entity declarations are not allowed"),
    ('<?xml version="1.0"?>\n<!DOCTYPE BIF [\n <!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n<BIF><NETWORK>'
     "<NAME>&x;</NAME></NETWORK></BIF>\n", 3, "entity declarations are not allowed"),
    ('<?xml version="1.0"?>\n<BIF><NETWORK>\n<NAME>x</NAME>\n<VARIABLE TYPE="nature"><NAME>a</NAME>\n'
     "</NETWORK></BIF>\n", 5, "XML syntax error: mismatched tag"),
    ('<?xml version="1.0"?>\n<BIF><NETWORK><NAME>&undefined;</NAME></NETWORK></BIF>\n', 2, "undefined entity"),
    ('<?xml version="1.0"?>\n<html><body/></html>\n', 2, "expected an XMLBIF file"),
    ('<BIF><NETWORK>\n<VARIABLE TYPE="decision"><NAME>a</NAME><OUTCOME>x</OUTCOME></VARIABLE>\n</NETWORK></BIF>',
     2, "chance (nature) variables only"),
    ('<BIF><NETWORK>\n<VARIABLE TYPE="nature"><NAME>a</NAME><OUTCOME>x</OUTCOME><OUTCOME>y</OUTCOME></VARIABLE>\n'
     "<DEFINITION><FOR>a</FOR>\n</DEFINITION>\n</NETWORK></BIF>", 3, "has no TABLE"),
    ('<BIF><NETWORK>\n<VARIABLE TYPE="nature"><NAME>a</NAME><OUTCOME>x</OUTCOME><OUTCOME>y</OUTCOME></VARIABLE>\n'
     "<DEFINITION><FOR>a</FOR>\n<TABLE>0.5 inf</TABLE></DEFINITION>\n</NETWORK></BIF>", 4, "expected a probability"),
    ("<BIF>" + "<X>" * 40 + "</X>" * 40 + "</BIF>", 1, "nested more than"),
    ('<?xml version="1.0" encoding="tableUTF-8"?>\n<BIF/>', 1, "XML encoding problem"),   # found by fuzzing
]


@pytest.mark.parametrize("text,line,message", BAD_XML, ids=[m for _, _, m in BAD_XML])
def test_xmlbif_errors_are_positioned(text, line, message, tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text(text)
    with pytest.raises(ValidationError) as info:
        read_network(path)
    d = info.value.diagnostics[0]
    assert message in d.message
    assert d.line == line and d.column is not None


def test_non_utf8_and_oversized_network_files(tmp_path, monkeypatch):
    path = tmp_path / "bad.bif"
    path.write_bytes(b"network x {}\nvariable \xff {}\n")
    with pytest.raises(ValidationError) as info:
        read_network(path)
    assert "not valid UTF-8" in info.value.diagnostics[0].message
    assert info.value.diagnostics[0].line == 2
    from argmap.analysis.interchange import _text
    monkeypatch.setattr(_text, "MAX_NETWORK_BYTES", 100)
    path.write_text(GOOD_BIF)
    with pytest.raises(ValidationError, match="limited to 100"):
        read_network(path)
