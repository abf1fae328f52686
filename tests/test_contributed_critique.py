"""A contributed critique cannot break anything: the critique guide's pull-request workflow, run as written.

The commands of docs/critique-guide.md section 11 run in order on a temporary copy of arguments/ (the
``bundled_copy`` fixture makes argmap use it in place of the repository's), with the new critique
edited between ``new`` and ``check`` as a contributor would. Then what the suite and the committed
exports rely on is checked against the folder with the new file in it.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import shlex
from pathlib import Path

from argmap import Model
from argmap.commands.cli import main
from argmap.views.bundle import write_bundle
from argmap.views.explorer import offering

ROOT = Path(__file__).resolve().parents[1]


def _guide_commands() -> list[list[str]]:
    guide = (ROOT / "docs" / "critique-guide.md").read_text(encoding="utf-8")
    section = guide[guide.index("## 11. Share it"):]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block, "the pull-request section has no console block"
    return [shlex.split(line[2:]) for line in block.group(1).splitlines() if line.startswith("$ ")]


def _page(path: Path) -> dict:
    found = re.search(r'<script id="argmap-data"[^>]*>([^<]*)</script>', path.read_text(encoding="utf-8"))
    assert found
    return json.loads(gzip.decompress(base64.b64decode(found.group(1))))


def test_the_guides_pull_request_workflow_runs_on_a_new_critique(bundled_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    commands = _guide_commands()
    assert [c[1] for c in commands] == ["new", "check", "compare", "export", "explore"]
    name = commands[0][3]
    critique = bundled_copy / "critiques" / f"{name}.yaml"
    outputs: dict[int, str] = {}
    for i, argv in enumerate(commands):
        assert argv[0] == "argmap"
        assert main(argv[1:]) == 0, (argv, capsys.readouterr().err)
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        outputs[i] = out + err
        if argv[1] == "new":         # the contributor's edit: a different number for the criticised claim
            text = critique.read_text(encoding="utf-8")
            text, n = re.subn(r"\{value: [^}]*\}", "{value: 0.1, range: [0.05, 0.2]}", text, count=1)
            assert n == 1
            critique.write_text(text.replace("TODO: say why", "Because"), encoding="utf-8")
    # compare reports the move the edit makes, and the bundle records the same
    base, with_it = Model.load().probability(), Model.load(None, [critique]).probability()
    assert abs(with_it - base) > 1e-4
    assert f"{with_it:.3f}" in outputs[2] and name in outputs[2]
    bundle = tmp_path / "exports" / f"scheming+{name}"
    summary = (bundle / "summary.md").read_text(encoding="utf-8")
    assert f"{with_it:.3f}" in summary
    # the explorer page offers the new critique switched on, beside every bundled one
    page = _page(tmp_path / "explore.html")
    offered = {o["name"]: o["on"] for o in page["overlays"]}
    assert offered.pop(name) is True and not any(offered.values())
    assert set(offered) | {name} == {o.name for o in offering(None, []).overlays}
    assert _page(bundle / "explore.html")["overlays"] == page["overlays"]

    # what the suite and the committed exports rely on does not change with the folder's contents
    committed = (ROOT / "exports" / "scheming" / "summary.md").read_text(encoding="utf-8")
    command = re.search(r"Regenerate with `([^`]*)`", committed)
    assert command
    write_bundle(None, tmp_path / "fresh", [], command=command.group(1))
    assert (tmp_path / "fresh" / "summary.md").read_text(encoding="utf-8") == committed
