"""``argmap export``: the post bundle's files, their content, determinism and refusals."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from argmap.commands.cli import main
from argmap.commands.export import default_out
from argmap.views.bundle import write_bundle

DATA = Path(__file__).parent / "data"
SMALL = DATA / "maps" / "render_small"
TINY = DATA / "maps" / "tiny"
CRITIQUE = DATA / "overlays" / "render-critique.yaml"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "small"
    write_bundle(SMALL, out, [str(CRITIQUE)], command="argmap export ...")
    return out


def test_bundle_has_every_file_and_each_is_valid(bundle):
    names = sorted(p.name for p in bundle.iterdir())
    # no ranges: no tornado
    assert names == ["diff.png", "diff.svg", "explore.html", "map.png", "map.svg", "summary.md"]
    for name in ("map.svg", "diff.svg"):
        ET.fromstring((bundle / name).read_bytes())
    for name in ("map.png", "diff.png"):
        assert (bundle / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_summary_has_headline_tables_alt_text_and_formula(bundle):
    text = (bundle / "summary.md").read_text()
    assert re.search(r"moves from 0\.471 to 0\.262", text)
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
        assert (bundle / image).exists()
    alts = re.findall(r"!\[([^\]]*)\]", text)
    assert len(alts) == 2 and all(len(a) > 80 for a in alts)
    assert text.count("*Alt text:*") == 2
    assert "routes" not in alts[0]          # this map has no routes, so the alt text does not name them
    assert "| claim | section | P(claim) | if true | if false | expected shift |" in text
    assert "| The outcome | conclusion |" in text
    assert "The premise is weaker than it looked." in text
    assert "\\begin{aligned}" in text and "$$" in text
    assert "At these values the formula gives 0.2617" in text
    assert "Regenerate with `argmap export ...`" in text


def test_bundle_is_deterministic(tmp_path, bundle):
    again = tmp_path / "again"
    write_bundle(SMALL, again, [str(CRITIQUE)], command="argmap export ...")
    for name in ("map.svg", "diff.svg", "summary.md", "map.png", "explore.html"):
        assert (again / name).read_bytes() == (bundle / name).read_bytes(), name


def test_tornado_is_drawn_when_numbers_have_ranges(tmp_path, capsys):
    out = tmp_path / "tiny"
    assert main(["export", str(TINY), "--scenario", "none", "--out", str(out)]) == 0
    assert (out / "tornado.png").read_bytes()[:4] == b"\x89PNG"
    ET.fromstring((out / "tornado.svg").read_bytes())
    text = (out / "summary.md").read_text()
    assert "![Tornado chart" in text and "--scenario none" in text
    assert "P(The conclusion)" not in capsys.readouterr().err


def test_refuses_to_write_into_the_map_folder(capsys):
    assert main(["export", str(SMALL), "--out", str(SMALL / "bundle")]) == 1
    assert "never writes into an argument folder" in capsys.readouterr().err
    assert not (SMALL / "bundle").exists()


def test_default_folder_names_the_map_and_overlays():
    assert default_out("scheming", []) == "exports/scheming"
    assert default_out("scheming", ["a/pope-2023.yaml", "b/reply.yaml"]) == "exports/scheming+pope-2023+reply"


def test_hostile_text_stays_out_of_markdown_structure(tmp_path):
    out = tmp_path / "hostile"
    write_bundle(DATA / "maps" / "hostile", out)
    text = (out / "summary.md").read_text()
    assert "<b>" not in text and "&lt;b&gt;" in text
    for line in text.splitlines():
        if line.startswith("| ") and "symbol" not in line:
            assert line.count(" | ") == line.count("|") - 2 or "\\|" in line
