"""Residual analysis: P(target) with the arguments that raise it set false, checked by hand and by --set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from argmap import Model
from argmap.analysis.sensitivity import residual
from argmap.commands.cli import main

TINY = Path(__file__).parent / "data" / "maps" / "tiny"


def test_tiny_map_by_hand():
    # P = 0.8 × 0.55 × (0.5·0.5 + 0.5·0.25) = 0.165; with the argument false the last factor is 0.25
    r = residual(Model.load(TINY), scenario=None)
    assert [x["claim"] for x in r.raising] == ["argument"]
    assert r.probability == pytest.approx(0.165)
    assert r.all_false == pytest.approx(0.8 * 0.55 * 0.25)
    assert r.share == pytest.approx(1 / 3)
    assert r.raising[0]["p_if_true"] == pytest.approx(0.8 * 0.55 * 0.5)


def _run_set(settings: dict[str, str], capsys) -> float:
    argv = ["run", "--json"] + [a for c, s in settings.items() for a in ("--set", f"{c}={s}")]
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)["probability"]


def test_bundled_residuals_equal_argmap_run_with_set(capsys):
    r = residual(Model.load())
    assert r.raising and r.groups
    assert _run_set({}, capsys) == pytest.approx(r.probability, abs=1e-12)
    assert _run_set(r.set_false(), capsys) == pytest.approx(r.all_false, abs=1e-12)
    for g in r.groups:
        assert _run_set(r.set_false(g["name"]), capsys) == pytest.approx(g["probability"], abs=1e-12), g["name"]
    for x in r.raising:
        assert _run_set({x["claim"]: "true"}, capsys) == pytest.approx(x["p_if_true"], abs=1e-12)
        assert x["p_if_true"] > x["p_if_false"]


def test_bundled_named_arguments_carry_most_of_the_headline():
    r = residual(Model.load())
    parts = {x["part"] for x in r.raising}
    assert {"path", "final", "goal_guarding", "nonclassic"} <= parts
    assert r.share is not None and r.share > 0.5
    # the arguments that lower the headline are not among those set false
    assert not {"speed_argument", "not_your_passion", "incentivized_episode_comfort"} & {x["claim"] for x in r.raising}


def test_sensitivity_json_and_text_carry_the_residual(capsys):
    assert main(["sensitivity", str(TINY), "--scenario", "none", "--samples", "0", "--sobol-samples", "0",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["residual"]["all_false"] == pytest.approx(0.11)
    assert out["residual"]["share"] == pytest.approx(1 / 3)
    assert main(["sensitivity", str(TINY), "--scenario", "none", "--samples", "0", "--sobol-samples", "0"]) == 0
    text = capsys.readouterr().out
    assert "7. What the named arguments carry" in text and "0.110" in text and "33%" in text


def test_export_summary_has_the_residual(tmp_path):
    assert main(["export", str(TINY), "-o", str(tmp_path / "b")]) == 0
    summary = (tmp_path / "b" / "summary.md").read_text()
    assert "## What the named arguments carry" in summary
