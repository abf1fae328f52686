"""The bundled 'Scheming AIs' map: headline, overlays and scenarios move P(scheming) as documented."""

from __future__ import annotations

import pytest

from argmap import Model
from argmap.bundled import arguments_dir
from argmap.cli import main
from argmap.sections import coverage_table, unknown_sections

ARGS = arguments_dir()
POPE = ARGS / "critiques" / "pope-2023.yaml"
REPLY = ARGS / "critiques" / "carlsmith-reply-2023.yaml"
EPISODE = ARGS / "critiques" / "incentivized-episode-2023.yaml"
LATER = ARGS / "viewpoints" / "carlsmith-2024.yaml"
OVERLAY_STACKS = [[], [POPE], [POPE, REPLY], [EPISODE], [LATER]]


@pytest.fixture(scope="module")
def base():
    return Model.load()


def p(overlays=(), **kw):
    return Model.load(None, overlays).probability(**kw)


def test_default_headline_matches_the_report(base):
    assert base.map.default_scenario == "report"
    assert 0.20 <= base.probability() <= 0.30


def test_lifting_the_report_conditions_gives_a_lower_unconditional_figure(base):
    assert base.probability(scenario=None) < base.probability()


def test_pope_lowers_and_the_reply_restores_part_of_it(base):
    p0, p_pope, p_reply = base.probability(), p([POPE]), p([POPE, REPLY])
    assert p_pope < p0
    assert p_pope < p_reply < p0


def test_incentivized_episode_raises_beyond_episode_goals(base):
    target = "beyond_episode_goals"
    assert p([EPISODE], target=target) > base.probability(target=target)


def test_later_view_is_about_twenty_percent():
    assert p([LATER]) == pytest.approx(0.20, abs=0.02)


@pytest.mark.parametrize("claim, state, direction", [
    ("long_horizon_training", "true", +1),
    ("adversarial_training_early", "true", -1),
])
def test_scenarios_move_p_scheming(base, claim, state, direction):
    off = "false" if state == "true" else "true"
    on_p = base.probability(set={claim: state})
    off_p = base.probability(set={claim: off})
    assert (on_p - off_p) * direction > 0


def test_less_slack_lets_speed_costs_count_more(base):
    low, high = base.probability(set={"slack": "low"}), base.probability(set={"slack": "high"})
    assert low < high


def test_every_cited_section_exists_and_coverage_is_complete(base):
    assert unknown_sections(base.map) == []
    missing = [r.section for r in coverage_table(base.map) if not r.covered]
    assert missing == []


def test_every_number_has_provenance_and_every_root_a_range(base):
    for cid, c in base.map.claims.items():
        assert c.provenance.basis in ("stated", "illustrative"), cid
        assert c.provenance.rationale, cid
        assert c.sections, cid
        if c.credence is not None and c.binary:
            assert c.credence[1].uncertain, f"root {cid} has no range"
        if c.credence is not None and not c.binary:
            assert c.concentration, f"categorical root {cid} has no concentration"


def test_model_taxonomy_is_queryable(base):
    dist = base.distribution("model_class")
    assert {"saint", "schemer"} <= set(dist)
    assert dist["schemer"] == pytest.approx(base.probability(), abs=1e-12)


@pytest.mark.parametrize("stack", OVERLAY_STACKS, ids=["base", "pope", "pope+reply", "episode", "later"])
def test_check_is_clean_with_every_overlay(stack, capsys):
    argv = ["check"] + [a for o in stack for a in ("--with", str(o))]
    assert main(argv) == 0, capsys.readouterr().err
