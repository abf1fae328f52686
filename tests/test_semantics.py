"""Each relation kind's meaning, checked on tiny maps against numbers computed by hand."""

from __future__ import annotations

import math

import pytest
from mapkit import write_map

from argmap import Model


def p(tmp_path, claims, target, **kw):
    return Model.load(write_map(tmp_path, claims, target)).probability(target, **kw)


def test_requires_is_an_and(tmp_path):
    claims = [
        {"id": "a", "title": "A", "credence": 0.8},
        {"id": "b", "title": "B", "credence": 0.5},
        {"id": "c", "title": "C", "requires": ["a", "b"]},
    ]
    assert p(tmp_path, claims, "c") == pytest.approx(0.4, abs=1e-15)


def test_requires_leak_multiplies_when_the_requirement_fails(tmp_path):
    claims = [
        {"id": "a", "title": "A", "credence": 0.8},
        {"id": "b", "title": "B", "credence": 0.5},
        {"id": "c", "title": "C", "base": 0.6, "requires": ["a", {"claim": "b", "leak": 0.1}]},
        {"id": "x", "title": "X", "credence": 0.5, "supports": [{"claim": "c", "ratio": 1}]},
    ]
    # P(c) = P(a) * 0.6 * (P(b) + P(not b) * 0.1)
    assert p(tmp_path, claims, "c") == pytest.approx(0.8 * 0.6 * (0.5 + 0.5 * 0.1), abs=1e-15)


def test_supports_and_opposes_add_in_log_odds(tmp_path):
    claims = [
        {"id": "s", "title": "S", "kind": "argument", "credence": 1.0, "supports": [{"claim": "t", "ratio": 3}]},
        {"id": "o", "title": "O", "kind": "argument", "credence": 1.0, "opposes": [{"claim": "t", "ratio": "1/2"}]},
        {"id": "t", "title": "T", "base": 0.2},
    ]
    odds = 0.2 / 0.8 * 3 * 0.5
    assert p(tmp_path, claims, "t") == pytest.approx(odds / (1 + odds), abs=1e-15)


def test_weight_is_the_log_of_the_ratio(tmp_path):
    claims = [
        {"id": "s", "title": "S", "credence": 0.5, "supports": [{"claim": "t", "weight": math.log(4)}]},
        {"id": "t", "title": "T", "base": 0.5},
    ]
    # 0.5 * 0.5 + 0.5 * 4/5
    assert p(tmp_path, claims, "t") == pytest.approx(0.5 * 0.5 + 0.5 * 0.8, abs=1e-15)


def test_an_undercut_argument_moves_its_conclusion_less(tmp_path):
    claims = [
        {"id": "crit", "title": "Critique", "kind": "critique", "credence": 0.5,
         "undercuts": [{"claim": "arg", "ratio": "1/4"}]},
        {"id": "arg", "title": "Argument", "kind": "argument", "base": 0.8,
         "supports": [{"claim": "t", "ratio": 3}]},
        {"id": "t", "title": "T", "base": 0.25},
    ]
    # P(arg) = 0.5*0.8 + 0.5*(odds 4 * 1/4 = 1 -> 0.5) = 0.65;  P(t) = 0.65*0.5 + 0.35*0.25
    assert p(tmp_path, claims, "t") == pytest.approx(0.65 * 0.5 + 0.35 * 0.25, abs=1e-15)


def test_modulator_scales_the_weight(tmp_path):
    claims = [
        {"id": "slack", "title": "Slack", "states": ["low", "high"], "credence": {"low": 0.25, "high": 0.75}},
        {"id": "speed", "title": "Speed", "credence": 1.0,
         "opposes": [{"claim": "t", "ratio": "1/4", "modulated_by": {"claim": "slack",
                                                                     "scale": {"low": 1, "high": 0.5}}}]},
        {"id": "t", "title": "T", "base": 0.5},
    ]
    # low slack: odds 1/4 -> 0.2 ; high slack: odds (1/4)^0.5 = 1/2 -> 1/3
    assert p(tmp_path, claims, "t") == pytest.approx(0.25 * 0.2 + 0.75 / 3, abs=1e-15)


def test_when_selects_categorical_states(tmp_path):
    claims = [
        {"id": "m", "title": "M", "states": ["a", "b", "c"], "credence": {"a": 0.2, "b": 0.3, "c": 0.5}},
        {"id": "t", "title": "T", "requires": [{"claim": "m", "when": ["b", "c"]}]},
    ]
    assert p(tmp_path, claims, "t") == pytest.approx(0.8, abs=1e-15)


def test_table_wins_and_is_read_row_by_row(tmp_path):
    claims: list[dict] = [
        {"id": "a", "title": "A", "credence": 0.3},
        {"id": "t", "title": "T", "table": {"given": ["a"], "rows": [
            {"when": {"a": True}, "p": 0.9}, {"when": {"a": False}, "p": 0.2}]}},
    ]
    assert p(tmp_path, claims, "t") == pytest.approx(0.3 * 0.9 + 0.7 * 0.2, abs=1e-15)


def test_given_conditions_and_set_intervenes(tmp_path):
    claims: list[dict] = [
        {"id": "a", "title": "A", "credence": 0.3},
        {"id": "t", "title": "T", "table": {"given": ["a"], "rows": [
            {"when": {"a": True}, "p": 0.9}, {"when": {"a": False}, "p": 0.2}]}},
    ]
    m = Model.load(write_map(tmp_path, claims, "t"))
    # Bayes: P(a | t) = 0.27 / 0.41
    assert m.probability("a", given={"t": True}) == pytest.approx(0.27 / 0.41, abs=1e-15)
    # do(t) does not flow back to its cause
    assert m.probability("a", set={"t": True}) == pytest.approx(0.3, abs=1e-15)
    assert m.probability("t", set={"a": True}) == pytest.approx(0.9, abs=1e-15)


def test_categorical_table_child(tmp_path):
    claims: list[dict] = [
        {"id": "a", "title": "A", "credence": 0.4},
        {"id": "k", "title": "K", "states": ["x", "y", "z"], "table": {"given": ["a"], "rows": [
            {"when": {"a": True}, "probs": {"x": 0.5, "y": 0.5, "z": 0}},
            {"when": {"a": False}, "probs": {"x": 0.1, "y": 0.2, "z": 0.7}}]}},
    ]
    dist = Model.load(write_map(tmp_path, claims, "k")).distribution("k")
    assert dist == pytest.approx({"x": 0.4 * 0.5 + 0.6 * 0.1, "y": 0.2 + 0.12, "z": 0.42}, abs=1e-15)


def test_scenario_applies_by_default_and_lifts(tmp_path):
    claims = [
        {"id": "a", "title": "A", "credence": 0.5},
        {"id": "t", "title": "T", "requires": ["a"], "base": 0.5,
         },
        {"id": "s", "title": "S", "credence": 0.5, "supports": [{"claim": "t", "ratio": 1}]},
    ]
    folder = write_map(tmp_path, claims, "t", scenarios={"assume": {"given": {"a": True}}},
                       default_scenario="assume")
    m = Model.load(folder)
    assert m.probability() == pytest.approx(0.5)
    assert m.probability(scenario=None) == pytest.approx(0.25)


def test_an_overlay_can_argue_against_a_root_claim(tmp_path, tiny_map):
    overlay = tmp_path / "o.yaml"
    overlay.write_text(
        "overlay: doubt\nauthor: T\nadd:\n"
        "  - id: doubt\n    title: Doubt\n    kind: critique\n    credence: 0.5\n"
        "    opposes: [{claim: aware, ratio: \"1/4\"}]\n")
    m = Model.load(tiny_map, [overlay])
    # aware's credence 0.8 acts as its base: odds 4 -> 1 when the doubt holds
    assert m.probability("aware", scenario=None) == pytest.approx(0.5 * 0.8 + 0.5 * 0.5, abs=1e-15)
    assert "credence:aware" in {p.name for p in m.network.params}


# ------------------------------------------------------------------ routes and arguments into any claim

def test_routes_are_a_noisy_or_with_the_base_as_leak(tmp_path):
    claims = [
        {"id": "a", "title": "A", "credence": 0.5, "route": [{"claim": "x", "p": 0.6}]},
        {"id": "b", "title": "B", "credence": 0.4, "route": [{"claim": "x", "p": 0.3}]},
        {"id": "x", "title": "X", "base": 0.1},
    ]
    # P(x | a, b) = 1 - 0.9 * 0.4 * 0.7; P(x | a only) = 1 - 0.9 * 0.4; P(x | b only) = 1 - 0.9 * 0.7; else 0.1
    want = 0.5 * 0.4 * (1 - 0.9 * 0.4 * 0.7) + 0.5 * 0.6 * (1 - 0.9 * 0.4) + 0.5 * 0.4 * (1 - 0.9 * 0.7) \
        + 0.5 * 0.6 * 0.1
    assert p(tmp_path, claims, "x") == pytest.approx(want, abs=1e-15)
    model = Model.load(tmp_path)
    assert model.probability("x", given={"a": "true"}) >= 0.6     # a route alone gives at least its p
    assert model.probability("x", given={"a": "true", "b": "false"}) == pytest.approx(1 - 0.9 * 0.4, abs=1e-15)


def test_a_route_with_p_one_suffices_and_a_zero_base_needs_a_route(tmp_path):
    claims = [
        {"id": "a", "title": "A", "credence": 0.3, "route": [{"claim": "x", "p": 1}]},
        {"id": "b", "title": "B", "credence": 0.5, "route": [{"claim": "x", "p": 0.5}]},
        {"id": "x", "title": "X", "base": 0},
    ]
    # x fails only if a fails and b's route fails: 0.7 * (0.5 + 0.5 * 0.5)
    assert p(tmp_path, claims, "x") == pytest.approx(1 - 0.7 * 0.75, abs=1e-15)


def test_arguments_multiply_the_odds_after_the_routes_and_requirements_come_last(tmp_path):
    claims = [
        {"id": "a", "title": "A", "credence": 1.0, "route": [{"claim": "x", "p": 0.5}]},
        {"id": "s", "title": "S", "kind": "argument", "credence": 1.0, "supports": [{"claim": "x", "ratio": 3}]},
        {"id": "r", "title": "R", "credence": 0.5},
        {"id": "x", "title": "X", "base": 0.2, "requires": [{"claim": "r", "leak": 0.5}]},
    ]
    b = 1 - 0.8 * 0.5                       # the routes' noisy-OR: 0.6
    odds = b / (1 - b) * 3                  # the argument: odds 1.5 x 3 = 4.5
    q = odds / (1 + odds)
    assert p(tmp_path, claims, "x") == pytest.approx(0.5 * q + 0.5 * q * 0.5, abs=1e-15)


def test_a_modulated_route_keeps_the_share_of_its_failure_chance(tmp_path):
    claims = [
        {"id": "m", "title": "M", "states": ["low", "high"], "credence": {"low": 0.5, "high": 0.5}},
        {"id": "a", "title": "A", "credence": 1.0,
         "route": [{"claim": "x", "p": 0.75,
                    "modulated_by": {"claim": "m", "scale": {"low": "half", "high": "full"}}}]},
        {"id": "x", "title": "X", "base": 0},
    ]
    # low: 1 - 0.25 ** 0.5 = 0.5; high: 0.75
    assert p(tmp_path, claims, "x") == pytest.approx(0.5 * 0.5 + 0.5 * 0.75, abs=1e-15)


def test_a_route_from_a_categorical_claim_is_active_in_its_when_states(tmp_path):
    claims = [
        {"id": "k", "title": "K", "states": ["lo", "mid", "hi"], "credence": {"lo": 0.2, "mid": 0.3, "hi": 0.5},
         "route": [{"claim": "x", "p": 0.4, "when": ["mid", "hi"]}]},
        {"id": "x", "title": "X", "base": 0.5},
    ]
    assert p(tmp_path, claims, "x") == pytest.approx(0.2 * 0.5 + 0.8 * (1 - 0.5 * 0.6), abs=1e-15)


def test_an_argument_into_a_table_multiplies_each_rows_odds(tmp_path):
    claims = [
        {"id": "a", "title": "A", "credence": 0.5},
        {"id": "e", "title": "E", "credence": 0.5, "opposes": [{"claim": "t", "ratio": "1/3"}]},
        {"id": "t", "title": "T", "table": {"given": ["a"], "rows": [
            {"when": {"a": True}, "p": 0.75}, {"when": {"a": False}, "p": 0.5}]}},
    ]
    # with e: odds 3 -> 1 (0.5) and 1 -> 1/3 (0.25); without e the rows themselves
    assert p(tmp_path, claims, "t") == pytest.approx(0.25 * (0.5 + 0.25) + 0.25 * (0.75 + 0.5), abs=1e-15)


def test_a_route_into_a_table_takes_the_row_as_its_leak(tmp_path):
    claims = [
        {"id": "a", "title": "A", "credence": 0.5},
        {"id": "r", "title": "R", "credence": 1.0, "route": [{"claim": "t", "p": 0.5}]},
        {"id": "t", "title": "T", "table": {"given": ["a"], "rows": [
            {"when": {"a": True}, "p": 0.8}, {"when": {"a": False}, "p": 0.2}]}},
    ]
    assert p(tmp_path, claims, "t") == pytest.approx(0.5 * (1 - 0.2 * 0.5) + 0.5 * (1 - 0.8 * 0.5), abs=1e-15)


def test_a_relation_from_a_tables_own_parent_is_only_drawn(tmp_path):
    claims: list[dict] = [
        {"id": "a", "title": "A", "credence": 0.5, "supports": [{"claim": "t"}], "route": [{"claim": "u"}]},
        {"id": "t", "title": "T", "table": {"given": ["a"], "rows": [
            {"when": {"a": True}, "p": 0.8}, {"when": {"a": False}, "p": 0.2}]}},
        {"id": "u", "title": "U", "table": {"given": ["a"], "rows": [
            {"when": {"a": True}, "p": 0.6}, {"when": {"a": False}, "p": 0.1}]}},
    ]
    model = Model.load(write_map(tmp_path, claims, "t"))
    assert model.probability("t") == pytest.approx(0.5, abs=1e-15)
    assert model.probability("u") == pytest.approx(0.35, abs=1e-15)
