"""The bundled map is structured as the report argues (issue 12, part 1): each test is a conditional query
whose direction can be checked by hand from the relation it names."""

from __future__ import annotations

import math
import re

import pytest

from argmap import Model
from argmap.analysis.provenance import number_sources

MAP_AUTHORS = "map authors, reading Carlsmith 2023"


@pytest.fixture(scope="module")
def m():
    return Model.load()


def p(m, target, **kw):
    return m.probability(target=target, **kw)


def odds(x: float) -> float:
    return x / (1 - x)


@pytest.mark.parametrize("story", ["tgd_beg", "tgi_proxy_story"])
def test_path_stories_make_a_schemer_not_only_long_goals(m, story):
    # 2.2.2.2 goals arise because they lead to training-gaming; the 3.1 story includes the training-gaming
    assert p(m, "instrumental_training_gaming", given={story: "true"}) > p(m, "instrumental_training_gaming")
    assert p(m, "schemer_goal", given={story: "true"}) > p(m, "schemer_goal")
    assert p(m, "scheming", given={story: "true"}) > p(m, "scheming")


def test_schemer_goal_joins_long_goals_and_training_gaming(m):
    both = {"beyond_episode_goals", "instrumental_training_gaming"}
    assert both <= {r.target for r in m.map.relations_from("schemer_goal")} | \
        {r.target for r in m.map.relations if r.source == "schemer_goal" or r.type == "requires"
         and r.source == "schemer_goal"}
    for claim in both:
        assert p(m, claim, given={"schemer_goal": "true"}) > p(m, claim, given={"schemer_goal": "false"})


@pytest.mark.parametrize("argument", ["speed_argument", "not_your_passion"])
def test_schemer_costs_bear_on_the_schemer_goal_not_on_long_goals_as_such(m, argument):
    assert "beyond_episode_goals" not in {r.target for r in m.map.relations_from(argument)}
    # with the goal fixed by intervention, the argument no longer reaches beyond-episode goals at all
    for sg in ("true", "false"):
        on = p(m, "beyond_episode_goals", set={argument: "true", "schemer_goal": sg})
        off = p(m, "beyond_episode_goals", set={argument: "false", "schemer_goal": sg})
        assert on == pytest.approx(off, abs=1e-12)
    assert p(m, "schemer_goal", set={argument: "true"}) < p(m, "schemer_goal", set={argument: "false"})


def _odds_ratio(m, argument, slack, **fixed):
    """How far the argument moves the final-property comparison's odds, other final arguments held false."""
    others = {a: "false" for a in ("speed_argument", "not_your_passion", "simplicity_argument",
                                   "counting_argument", "higher_goal_standard") if a != argument}
    cond = {"slack": slack, "training_gaming_pays": "true", **others, **fixed}
    on = p(m, "final_favours_schemer", set={**cond, argument: "true"})
    off = p(m, "final_favours_schemer", set={**cond, argument: "false"})
    return odds(on) / odds(off)


def test_slack_scales_reward_differences_but_not_the_simplicity_bias(m):
    # 1.5 / 4.6: slack discounts speed and not-your-passion (differences in reward) ...
    for argument in ("speed_argument", "not_your_passion"):
        low, high = _odds_ratio(m, argument, "low"), _odds_ratio(m, argument, "high")
        assert low < high < 1       # against the schemer, less so with much slack
    # ... but 4.1: simplicity is an extra criterion: with no reward difference in play its odds ratio is the
    # same at every level of slack, and slack itself moves nothing
    ratios = [_odds_ratio(m, "simplicity_argument", s, schemer_reward_cost="false") for s in ("low", "medium", "high")]
    assert ratios[0] > 1
    assert ratios == pytest.approx([ratios[0]] * 3, rel=1e-9)
    no_cost = [p(m, "final_favours_schemer", set={"slack": s, "schemer_reward_cost": "false",
                                                  "training_gaming_pays": "true"}) for s in ("low", "medium", "high")]
    assert no_cost == pytest.approx([no_cost[0]] * 3, abs=1e-12)
    cost = [p(m, "final_favours_schemer", set={"slack": s, "schemer_reward_cost": "true",
                                               "training_gaming_pays": "true"}) for s in ("low", "medium", "high")]
    assert cost[0] < cost[1] < cost[2] < no_cost[0]


@pytest.mark.parametrize("argument", ["simplicity_argument", "speed_argument"])
def test_path_dependence_does_not_undercut_simplicity_or_speed(m, argument):
    # 3.3: simplicity and speed shape the path as well as the end point
    assert all(r.source != "path_dependence" for r in m.map.relations_into(argument))
    low = p(m, argument, set={"path_dependence": "low"})
    high = p(m, argument, set={"path_dependence": "high"})
    assert low == pytest.approx(high, abs=1e-12)


def test_path_dependence_decides_between_path_and_final_verdicts(m):
    path_only = {"path_to_schemer": "true", "final_favours_schemer": "false"}
    final_only = {"path_to_schemer": "false", "final_favours_schemer": "true"}
    assert p(m, "schemer_goal", set={**path_only, "path_dependence": "high"}) > \
        p(m, "schemer_goal", set={**path_only, "path_dependence": "low"})
    assert p(m, "schemer_goal", set={**final_only, "path_dependence": "low"}) > \
        p(m, "schemer_goal", set={**final_only, "path_dependence": "high"})


def test_messy_goal_directedness_needs_goal_directedness(m):
    assert any(r.source == "goal_directed" for r in m.map.relations_into("messy_goal_directedness"))
    assert p(m, "messy_goal_directedness", given={"goal_directed": "false"}, scenario=None) < \
        p(m, "messy_goal_directedness", given={"goal_directed": "true"}, scenario=None)


def test_training_game_independent_goals_are_defined_by_independence_not_timing(m):
    # 2.2.2.1: no dependence on awareness or on the training game; timing belongs to the 3.1 story
    parents = {r.source for r in m.map.relations_into("tgi_beg")}
    assert not parents & {"situational_awareness", "awareness_before_goal_settles", "training_gaming_pays"}
    assert "awareness_before_goal_settles" in {r.source for r in m.map.relations_into("tgi_proxy_story")}
    assert "independent" in (m.map.claims["tgi_beg"].text or "") or \
        "nothing to do with the training game" in (m.map.claims["tgi_beg"].text or "")


def test_incentivized_episode_claim_cites_the_default_question_and_concedes(m):
    c = m.map.claims["incentivized_episode_comfort"]
    assert {"2.2.1.1", "2.2.2.1.1"} <= set(c.sections)
    assert "concede" in (c.text or "")


def test_misgeneralized_non_training_gamers_do_not_play_the_training_game(m):
    assert p(m, "training_gamer", given={"model_class": "misgeneralized"}) == 0
    assert p(m, "training_gamer", given={"model_class": "saint"}) == 0
    assert p(m, "training_gamer", given={"model_class": "reward_seeker"}) == 1


def test_reward_seekers_compete_with_schemers(m):
    assert {r.source for r in m.map.relations_into("terminal_reward_seeking")} > {"situational_awareness"}
    t = "terminal_reward_seeking"
    assert p(m, t, given={"schemer_goal": "true"}) < p(m, t, given={"schemer_goal": "false"})
    assert p(m, t, set={"nonschemer_goals_near": "true"}) > p(m, t, set={"nonschemer_goals_near": "false"})
    assert p(m, t, set={"speed_argument": "true", "slack": "low"}) > \
        p(m, t, set={"speed_argument": "false", "slack": "low"})


def test_training_gaming_must_pay_for_any_route_to_a_schemer(m):
    for claim in ("schemer_goal", "tgd_beg", "tgi_proxy_story", "final_favours_schemer"):
        assert p(m, claim, set={"training_gaming_pays": "false"}) < p(m, claim, set={"training_gaming_pays": "true"})
    assert p(m, "training_gaming_pays", given={"classic_goal_guarding_story": "true"}) > \
        p(m, "training_gaming_pays")


def test_every_illustrative_number_names_its_word_and_band(m):
    rows = [r for r in number_sources(m.map, m.network) if r.basis == "illustrative"]
    assert rows
    for r in rows:
        assert r.qualifier, f"{r.param} has no qualifier"
        assert r.band, f"{r.param} has no band"
        assert re.search(r"\d+(\.\d+)+|\(\d\)|\b[0-9]\b", r.qualifier), f"{r.param}: qualifier cites no section"


def test_illustrative_numbers_are_held_by_the_map_authors(m):
    for cid, c in m.map.claims.items():
        if c.provenance.basis == "illustrative":
            assert c.provenance.holder == MAP_AUTHORS, cid
    for s in m.map.stated:
        assert s.holder == "Joe Carlsmith"


def test_a_remote_base_is_not_the_headline(m):
    # the named arguments carry it: with every argument that raises it set false, little is left
    pro = {"tgi_proxy_story": "false", "tgd_beg": "false", "counting_argument": "false",
           "simplicity_argument": "false"}
    assert p(m, "scheming", set=pro) < 0.5 * p(m, "scheming")
    assert math.isfinite(p(m, "scheming"))


# ------------------------------------------------------------------ issue 22: composed as the report argues
REPLY_CASE = {"speed_argument": "true", "slack": "low", "path_dependence": "low"}
AGAINST_IT = {"speed_argument": "false", "slack": "high", "path_dependence": "high"}


def _routes(m):
    return [r for r in m.map.relations if r.type == "route"]


def test_sufficient_routes_are_routes_not_odds_pushes(m):
    by_target: dict[str, set[str]] = {}
    for r in _routes(m):
        by_target.setdefault(r.target, set()).add(r.source)
    assert by_target["nonclassic_story"] == {"ai_coordination", "similar_values_default",
                                             "terminal_values_favor_takeover", "false_beliefs_about_scheming",
                                             "self_deception", "goal_uncertainty"}      # 2.3.2.1-2.3.2.6
    assert by_target["training_gaming_pays"] == {"classic_goal_guarding_story", "nonclassic_story"}   # 2.4
    assert by_target["tgd_beg"] == {"nearest_max_reward"}                               # 3.2 is the route to 2.2.2.2
    assert by_target["path_to_schemer"] == {"tgi_proxy_story", "tgd_beg"}               # 3.4
    assert by_target["beyond_episode_goals"] == {"schemer_goal", "tgi_beg"}             # 2.2.2's two sources
    assert by_target["prior_favours_schemer"] == {"counting_argument", "simplicity_argument"}
    assert by_target["schemer_reward_cost"] == {"speed_argument", "not_your_passion"}


def test_a_route_alone_raises_its_claim_at_least_to_its_route_probability(m):
    for r in _routes(m):
        given = dict(m.map.scenarios["report"].given)
        gates = {g.source: "true" for g in m.map.relations_into(r.target) if g.type == "requires"
                 and given.get(g.source) != "true"}
        others = {o.source: "false" for o in _routes(m) if o.target == r.target and o.source != r.source}
        got = p(m, r.target, set={**gates, **others, r.source: "true"})
        assert got >= r.p.value - 1e-12, (r.key, got, r.p.value)
        # and without it (every route false) the claim falls to its remote or unlikely base
        assert p(m, r.target, set={**gates, **others, r.source: "false"}) <= 0.25, r.key


def test_one_non_classic_story_makes_training_gaming_pay(m):
    story = {"terminal_values_favor_takeover": "true", "classic_goal_guarding_story": "false"}
    route = next(r for r in _routes(m) if r.key == "terminal_values_favor_takeover -> nonclassic_story")
    onward = next(r for r in _routes(m) if r.key == "nonclassic_story -> training_gaming_pays")
    assert p(m, "training_gaming_pays", set=story) >= route.p.value * onward.p.value


@pytest.mark.parametrize("doubt, route, stage, gates", [
    # 2.2.2.2.1 and 3.2.1: incrementalism, one claim, applied on the 3.2 story only
    ("incrementalism_barriers", "nearest_max_reward", "tgd_beg", {"training_gaming_pays": "true"}),
    # 2.2.2.2.2 and 3.2.2.2: competing non-schemer goals, one claim, applied on the 3.2 story only
    ("nonschemer_goals_near", "nearest_max_reward", "tgd_beg", {"training_gaming_pays": "true"}),
    # 2.3.1.1: goal-guarding is weighed in training_gaming_pays, not again in the 3.1 story
    ("goal_guarding_hypothesis", "training_gaming_pays", "tgi_proxy_story", {}),
])
def test_a_doubt_appears_once_on_each_route(m, doubt, route, stage, gates):
    # with the route's own claim fixed, the doubt no longer reaches the stage: it was applied once, upstream
    for state in ("true", "false"):
        on = p(m, stage, set={**gates, route: state, doubt: "true"})
        off = p(m, stage, set={**gates, route: state, doubt: "false"})
        assert on == pytest.approx(off, abs=1e-12), (doubt, stage, state)
    # while it does bear on the route itself
    assert p(m, route, set={doubt: "true"}) != pytest.approx(p(m, route, set={doubt: "false"}), abs=1e-6)
    for retired in ("sgd_notices_benefits", "other_routes_to_reward"):
        assert retired not in m.map.claims


def test_merged_doubts_cite_both_sections(m):
    assert {"2.2.2.2.1", "3.2.1"} <= set(m.map.claims["incrementalism_barriers"].sections)
    assert {"2.2.2.2.2", "3.2.2.2"} <= set(m.map.claims["nonschemer_goals_near"].sections)


def test_the_reply_case_is_the_case_against(m):
    # speed costs with little slack and little path dependence: SGD gets the non-schemer it prefers
    assert p(m, "scheming", set=REPLY_CASE) < p(m, "scheming", set=AGAINST_IT)
    assert p(m, "scheming", set=REPLY_CASE) < p(m, "scheming")
    # with speed costs and little slack, low path dependence lowers P(scheming): the final verdict decides
    speed_low_slack = {"speed_argument": "true", "slack": "low"}
    assert p(m, "scheming", set={**speed_low_slack, "path_dependence": "low"}) < \
        p(m, "scheming", set={**speed_low_slack, "path_dependence": "high"})


def test_counting_and_simplicity_share_one_prior(m):
    # two readings of one prior (4.2, 4.3): counting adds less once simplicity already holds (a route
    # saturates), where independent log-odds pushes would multiply the odds by the same factor either way
    def ratio(simplicity):
        cond = {"simplicity_argument": simplicity}
        return odds(p(m, "prior_favours_schemer", set={**cond, "counting_argument": "true"})) / \
            odds(p(m, "prior_favours_schemer", set={**cond, "counting_argument": "false"}))
    assert 1 < ratio("true") < ratio("false")
    # and the prior, not counting itself, is what the final-property comparison reads
    assert "counting_argument" not in {r.source for r in m.map.relations_into("final_favours_schemer")}


def test_the_report_scenario_has_the_long_horizon_condition_of_0_1(m):
    report = m.map.scenarios["report"]
    assert dict(report.given)["long_horizon_training"] == "true"
    assert "0.1" in m.map.claims["long_horizon_training"].sections
    # it pushes on goals once, through training-game-independent long goals
    assert {r.target for r in m.map.relations_from("long_horizon_training")} & {"beyond_episode_goals"} == set()
    assert all(r.source != "long_horizon_training" for r in m.map.relations_into("beyond_episode_goals"))


def test_the_headline_counts_models_that_scheme_in_substantial_part(m):
    assert "1.3.5" in m.map.claims["scheming"].sections
    assert "1.3.5" not in m.map.context_sections
    # a model that schemes and also values reward for itself is counted as a schemer
    assert m.distribution("model_class", set={"scheming": "true", "terminal_reward_seeking": "true"})["schemer"] == 1


def test_summary_verdicts_are_checked_against_the_composed_stages(m):
    rows = {r["claim"]: r for r in m.verdicts()}
    pays = rows["training_gaming_pays"]
    assert pays["word"] == "might well" and pays["probability"] == pytest.approx(p(m, "training_gaming_pays"))
    goal = rows["schemer_goal"]
    assert goal["word"] == "plausible" and goal["given"] == {"training_gaming_pays": "true"}
    assert goal["probability"] == pytest.approx(p(m, "schemer_goal", given={"training_gaming_pays": "true"}))
    for r in rows.values():
        lo, hi = r["range"]
        assert r["agrees"] == (lo <= r["probability"] <= hi)

