"""Rendering to files: every format is a valid file, output is byte-stable, and the CLI works."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from argmap import Model
from argmap.commands.cli import main
from argmap.render import RenderError, engine_name, render_dot
from argmap.views.diagrams import model_dot

DATA = Path(__file__).parent / "data"
SMALL = DATA / "maps" / "render_small"
TINY = DATA / "maps" / "tiny"
CRITIQUE = DATA / "overlays" / "render-critique.yaml"


@pytest.fixture(scope="module")
def small_dot() -> str:
    return model_dot(Model.load(SMALL))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_svg_is_xml_and_byte_identical(small_dot):
    a, b = render_dot(small_dot, "svg"), render_dot(model_dot(Model.load(SMALL)), "svg")
    assert a == b
    root = ET.fromstring(a)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len([g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node"]) == 7


def test_png_is_a_png_sized_for_a_post(small_dot):
    data = render_dot(small_dot, "png")
    w, h = _png_size(data)
    assert w <= 1600                                   # default: post-sized, at most 1600 px wide
    w1, _ = _png_size(render_dot(small_dot, "png", dpi=100))
    w2, _ = _png_size(render_dot(small_dot, "png", dpi=200))
    assert 1.9 < w2 / w1 < 2.1                         # an explicit --dpi is kept
    assert data.endswith(b"IEND\xaeB`\x82")


def test_pdf_is_a_pdf(small_dot):
    data = render_dot(small_dot, "pdf")
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]


def test_dot_format_is_the_source(small_dot):
    assert render_dot(small_dot, "dot").decode() == small_dot


def test_bad_format_and_broken_dot_are_argmap_errors():
    with pytest.raises(RenderError, match="unknown format"):
        render_dot("digraph {}", "gif")
    with pytest.raises(RenderError):
        render_dot("digraph { a -> }", "svg")


def test_bundled_engine_is_used_without_system_graphviz(monkeypatch, small_dot):
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert engine_name() == "pygraphviz"
    assert render_dot(small_dot, "svg").startswith(b"<?xml")


def test_cli_writes_each_format(tmp_path, capsys):
    for fmt in ("svg", "png", "pdf", "dot"):
        out = tmp_path / f"map.{fmt}"
        assert main(["render", str(SMALL), "-o", str(out)]) == 0
        head = out.read_bytes()[:5]
        assert head == {"svg": b"<?xml", "png": b"\x89PNG\r", "pdf": b"%PDF-", "dot": b"digra"}[fmt]


def test_cli_dot_to_stdout_with_views(capsysbinary):
    assert main(["render", str(SMALL), "--format", "dot", "--focus", "pro", "--depth", "1"]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert out.startswith("digraph") and "premise" not in out.split("}")[-2]
    assert main(["render", str(SMALL), "--format", "dot", "--collapse", "debate"]) == 0
    assert "Part_debate" in capsysbinary.readouterr().out.decode()
    assert main(["render", str(SMALL), "--with", str(CRITIQUE), "--view", "diff", "--format", "dot"]) == 0
    assert "NEW" in capsysbinary.readouterr().out.decode()


def test_cli_sensitivity_view(capsysbinary):
    assert main(["render", str(SMALL), "--view", "sensitivity", "--format", "dot"]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert "crux" in out and "#d35400" in out


@pytest.mark.parametrize("argv, message", [
    (["--focus", "nope"], "not a claim"),
    (["--collapse", "nope"], "not a part"),
    (["--view", "diff"], "give --with"),
    (["--depth", "2"], "needs --focus"),
    (["-o", "x.gif"], "cannot tell the format"),
])
def test_cli_errors_are_plain(argv, message, capsys):
    assert main(["render", str(SMALL), "--format", "dot", *argv] if "-o" not in argv
                else ["render", str(SMALL), *argv]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
