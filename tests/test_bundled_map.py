"""The bundled 'Scheming AIs' map: headline, overlays and scenarios move P(scheming) as documented."""

from __future__ import annotations

import re

import pytest

from argmap import Model
from argmap.commands.cli import main
from argmap.maps.bundled import arguments_dir
from argmap.maps.sections import coverage_table, unknown_sections

ARGS = arguments_dir()
POPE = ARGS / "critiques" / "pope-2023.yaml"
MODERATED = ARGS / "critiques" / "pope-2023-moderated.yaml"
REPLY = ARGS / "critiques" / "carlsmith-reply-2023.yaml"
EPISODE = ARGS / "critiques" / "incentivized-episode-2023.yaml"
LATER = ARGS / "viewpoints" / "carlsmith-2024.yaml"
CALIBRATED = ARGS / "viewpoints" / "calibrated-to-stated.yaml"
OVERLAY_STACKS = [[], [POPE], [POPE, MODERATED], [POPE, REPLY], [EPISODE], [LATER], [CALIBRATED]]


@pytest.fixture(scope="module")
def base():
    return Model.load()


def p(overlays=(), **kw):
    return Model.load(None, overlays).probability(**kw)


def test_headline_is_computed_and_the_stated_figure_shown_beside_it(base):
    assert base.map.default_scenario == "report"
    stated = [s for s in base.map.stated if s.claim == "scheming" and s.scenario == "report"]
    assert {s.value for s in stated} >= {0.25}
    assert 0 < base.probability() < 1
    # the map is not fitted to the stated figure: the scheming claim carries no number of its own
    assert base.map.claims["scheming"].base is None and base.map.claims["scheming"].table is None


def test_calibration_toward_the_stated_figure_is_an_explicit_overlay(base):
    stated = next(s.value for s in base.map.stated if s.claim == "scheming" and s.value == 0.25)
    calibrated = p([CALIBRATED])
    # every edit moves a named argument one band toward scheming; as its description says, that carries the
    # headline past the stated figure, which therefore lies within one band's re-reading of the words
    assert base.probability() < stated < calibrated
    assert "past 25%" in " ".join(CALIBRATED.read_text().split())
    cal = Model.load(None, [CALIBRATED])
    assert cal.map.changes and all(c.field in ("credence", "base") for c in cal.map.changes)
    assert all(not base.map.claims[c.target].kind == "conclusion" for c in cal.map.changes)


def test_lifting_the_report_conditions_gives_a_lower_unconditional_figure(base):
    assert base.probability(scenario=None) < base.probability()


def test_pope_lowers_and_the_reply_restores_part_of_it(base):
    p0, p_pope, p_reply = base.probability(), p([POPE]), p([POPE, REPLY])
    assert p_pope < p0
    assert p_pope < p_reply < p0


def test_the_moderated_reading_of_pope_sits_between_pope_and_the_report(base):
    assert p([POPE]) < p([POPE, MODERATED]) < base.probability()


def test_pope_counts_against_schemers_not_only_against_counting(base):
    pope = Model.load(None, [POPE])
    pc = {r.target: r.type for r in pope.map.relations_from("parameter_counting")}
    assert pc.get("counting_argument") == "undercuts" and pc.get("prior_favours_schemer") == "opposes"
    assert any(r.target == "simplicity_argument" for r in pope.map.relations_from("motivational_pointer"))
    scaffold = next(c for c in pope.map.changes if c.target == "long_horizon_training -> tgi_beg")
    assert scaffold.new is not None and scaffold.old is not None
    assert float(scaffold.new.split()[0]) < float(scaffold.old.split()[0])


def test_the_reply_does_not_restore_goal_counting(base):
    pope, reply = Model.load(None, [POPE]), Model.load(None, [POPE, REPLY])
    assert reply.probability(target="counting_argument") == pytest.approx(
        pope.probability(target="counting_argument"), abs=1e-12)
    assert reply.probability(target="counting_argument") < base.probability(target="counting_argument")


def test_overlay_sources_name_publications_not_repository_files():
    for overlay in (POPE, MODERATED, REPLY, EPISODE, LATER, CALIBRATED):
        text = overlay.read_text()
        assert "seed" not in text and ".yaml" not in text.split("description:")[0], overlay.name


def test_incentivized_episode_raises_beyond_episode_goals(base):
    target = "beyond_episode_goals"
    assert p([EPISODE], target=target) > base.probability(target=target)


def test_later_view_lowers_the_headline_and_says_its_source_is_unverified(base):
    assert p([LATER]) < base.probability()
    # it moves exactly the reply's case (speed, slack, path dependence), which now carries it: the later view
    # lowers the headline by more than a hundredth, where the earlier composition moved it by 0.003
    assert base.probability() - p([LATER]) > 0.01
    later = Model.load(None, [LATER])
    assert "UNVERIFIED" in LATER.read_text() and "map authors" in LATER.read_text()
    assert later.map.changes
    # the later figure is the overlay's statement, not the base map's
    assert 0.20 in {st.value for st in later.map.stated} and 0.20 not in {st.value for st in base.map.stated}


@pytest.mark.parametrize("claim, state, direction", [
    ("long_horizon_training", "true", +1),
    ("adversarial_training_early", "true", -1),
])
def test_scenarios_move_p_scheming(base, claim, state, direction):
    off = "false" if state == "true" else "true"
    report = {c: s for c, s in base.map.scenarios["report"].given if c != claim}   # the others of 0.1 stay
    on_p = base.probability(given=report, set={claim: state}, scenario=None)
    off_p = base.probability(given=report, set={claim: off}, scenario=None)
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


@pytest.mark.parametrize("stack", OVERLAY_STACKS,
                         ids=["base", "pope", "pope+moderated", "pope+reply", "episode", "later", "calibrated"])
def test_check_is_clean_with_every_overlay(stack, capsys):
    argv = ["check"] + [a for o in stack for a in ("--with", str(o))]
    assert main(argv) == 0, capsys.readouterr().err


def test_the_export_summary_alt_text_names_the_routes():
    text = (ARGS.parent / "exports" / "scheming" / "summary.md").read_text(encoding="utf-8")
    alt = re.findall(r"!\[([^\]]*)\]\(map\.png\)", text)[0]
    assert "blue double-headed arrows are routes" in alt

