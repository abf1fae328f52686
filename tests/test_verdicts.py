"""A source's verbal verdicts on a map's stages (``stated:`` with ``band``/``word``/``given``): read, checked
against what the map composes, shown by ``run``, and refused with a clear error when malformed."""

from __future__ import annotations

import json

import pytest
from mapkit import write_map

from argmap import Model
from argmap.commands.cli import main

CLAIMS: list[dict] = [
    {"id": "a", "title": "A", "credence": 0.5},
    {"id": "b", "title": "B", "base": 0.2, "requires": [{"claim": "a", "leak": 0.5}]},
    {"id": "t", "title": "T", "kind": "conclusion", "requires": ["b"]},
]


def _map(tmp_path, stated):
    return write_map(tmp_path / "m", CLAIMS, "t", stated=stated)


def test_a_band_verdict_is_checked_against_the_composed_value(tmp_path):
    # P(b) = 0.5 * 0.2 + 0.5 * 0.2 * 0.5 = 0.15 (unlikely); P(b | a) = 0.2
    folder = _map(tmp_path, [{"claim": "b", "word": "plausible", "band": "plausible"},
                             {"claim": "b", "word": "far from assured", "band": ["remote", "unlikely"]},
                             {"claim": "b", "band": "unlikely", "given": {"a": True}}])
    rows = Model.load(folder).verdicts()
    assert [r["probability"] for r in rows] == pytest.approx([0.15, 0.15, 0.2])
    assert [r["agrees"] for r in rows] == [False, True, True]
    assert rows[0]["range"] == [0.25, 0.45] and rows[1]["range"] == [0.0, 0.25]
    assert rows[2]["given"] == {"a": "true"}


def test_run_shows_verdicts_and_says_which_disagree(tmp_path, capsys):
    folder = _map(tmp_path, [{"claim": "b", "word": "plausible", "band": "plausible"}])
    assert main(["run", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "P(b) = 0.150: stated 'plausible' (plausible, 0.25 to 0.45)" in out
    assert "below it" in out and "disagrees" in out
    assert main(["run", str(folder), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdicts"][0]["agrees"] is False and data["stated"] == []


def test_a_verdict_is_not_applicable_when_the_conditions_fix_its_claim(tmp_path):
    folder = _map(tmp_path, [{"claim": "b", "band": "unlikely", "given": {"a": True}}])
    m = Model.load(folder)
    assert m.verdicts(set={"b": "true"})[0]["probability"] is None
    assert m.verdicts(given={"a": "false"})[0]["agrees"] is None


@pytest.mark.parametrize("stated, message", [
    ({"claim": "b", "band": "plausibel"}, "did you mean 'plausible'"),
    ({"claim": "b", "band": "unlikely", "value": 0.2}, "exactly one of value, range, below, above or band"),
    ({"claim": "b", "word": "maybe", "value": 0.2}, "give its band"),
    ({"claim": "b", "band": "unlikely", "given": {"nope": True}}, "unknown claim 'nope'"),
    ({"claim": "b", "band": "unlikely", "given": {"a": "maybe"}}, "'a' has no state 'maybe'"),
])
def test_malformed_verdicts_are_clear_errors(tmp_path, capsys, stated, message):
    folder = _map(tmp_path, [stated])
    assert main(["check", str(folder)]) != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_an_overlay_can_state_a_verdict(tmp_path):
    folder = _map(tmp_path, [])
    overlay = tmp_path / "o.yaml"
    overlay.write_text("overlay: o\nauthor: A. Reader\nsource: a post\nstated:\n"
                       "  - {claim: b, word: likely, band: likely, given: {a: true}}\n")
    rows = Model.load(folder, [overlay]).verdicts()
    assert rows[0]["overlay"] == "o" and rows[0]["holder"] == "A. Reader" and rows[0]["agrees"] is False


def test_bundled_map_states_the_summary_verdicts():
    m = Model.load()
    claims = {(r["claim"], tuple(sorted((r.get("given") or {}).items()))) for r in m.verdicts()}
    assert ("training_gaming_pays", ()) in claims
    assert ("schemer_goal", (("training_gaming_pays", "true"),)) in claims
