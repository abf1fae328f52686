"""Overlays on routes and on claims with a table or an AND: add, remove, change p, switch the composition,
and arguments or evidence into a table from two overlays in either order (tests/data/maps/routes)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from argmap import Model, ValidationError

MAP = Path(__file__).parent / "data" / "maps" / "routes"
P_PAYS = 0.5 * 0.8 + 0.5 * 0.3


def _overlay(tmp: Path, name: str, **body) -> Path:
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"overlay": name, "author": "Tester", **body}, sort_keys=False))
    return path


def _goal(a: float, b: float, base: float = 0.1, pa: float = 0.6, pb: float = 0.3) -> float:
    """P(goal) by hand: the noisy-OR of two independent routes with a leak."""
    return sum(wa * wb * (1 - (1 - base) * (1 - pa) ** ia * (1 - pb) ** ib)
               for ia, wa in ((1, a), (0, 1 - a)) for ib, wb in ((1, b), (0, 1 - b)))


def test_the_test_map_is_the_noisy_or_by_hand():
    model = Model.load(MAP)
    assert model.probability("goal") == pytest.approx(_goal(0.5, 0.4), abs=1e-15)
    assert model.probability("outcome") == pytest.approx(_goal(0.5, 0.4) * P_PAYS, abs=1e-15)
    # docs/format.md's worked example
    assert model.probability("goal") == pytest.approx(0.4456, abs=1e-15)
    assert model.probability("goal", given={"story_a": "true"}) == pytest.approx(0.4 * 0.748 + 0.6 * 0.64, abs=1e-15)


def test_an_overlay_adds_removes_and_changes_routes(tmp_path):
    add = _overlay(tmp_path, "add", add=[{"id": "story_c", "title": "Story C", "credence": 1.0,
                                          "route": [{"claim": "goal", "p": 0.5}]}])
    assert Model.load(MAP, [add]).probability("goal") == pytest.approx(1 - (1 - _goal(0.5, 0.4)) * 0.5, abs=1e-15)
    relate = _overlay(tmp_path, "relate", relate=[{"from": "classic", "to": "goal", "type": "route", "p": 0.5,
                                                   "reason": "a third route"}])
    want = 0.5 * (1 - (1 - _goal(0.5, 0.4)) * 0.5) + 0.5 * _goal(0.5, 0.4)
    assert Model.load(MAP, [relate]).probability("goal") == pytest.approx(want, abs=1e-15)
    remove = _overlay(tmp_path, "remove", remove=[{"relation": "story_b -> goal", "reason": "not a route"}])
    assert Model.load(MAP, [remove]).probability("goal") == pytest.approx(_goal(0.5, 0.0), abs=1e-15)
    change = _overlay(tmp_path, "change", change=[{"relation": "story_a -> goal", "p": 0.9, "reason": "surer"}])
    model = Model.load(MAP, [change])
    assert model.probability("goal") == pytest.approx(_goal(0.5, 0.4, pa=0.9), abs=1e-15)
    assert [(c.field, c.old, c.new) for c in model.map.changes] == [("p", "0.6", "0.9")]


def test_an_overlay_switches_a_table_to_routes_and_an_argument_to_a_route(tmp_path):
    switch = _overlay(tmp_path, "switch", change=[
        {"claim": "pays", "compose": "relations", "base": 0.05, "reason": "the classic story is a route"},
        {"relation": "classic -> pays", "p": 0.8, "reason": "it alone makes the strategy pay"}])
    model = Model.load(MAP, [switch])
    assert model.map.claims["pays"].table is None
    assert model.probability("pays", given={"classic": "true"}) == pytest.approx(1 - 0.95 * 0.2, abs=1e-15)
    assert model.probability("pays", given={"classic": "false"}) == pytest.approx(0.05, abs=1e-15)
    _overlay(tmp_path, "argue", add=[{"id": "hint", "title": "Hint", "credence": 1.0,
                                      "supports": [{"claim": "goal", "ratio": 2}]}])
    to_route = _overlay(tmp_path, "to_route", builds_on=["argue"], change=[
        {"relation": "hint -> goal", "type": "route", "p": 0.5, "reason": "it suffices"}])
    model = Model.load(MAP, [to_route])
    assert model.map.relations[-1].ratio is None
    assert model.probability("goal") == pytest.approx(1 - (1 - _goal(0.5, 0.4)) * 0.5, abs=1e-15)


def test_a_switch_without_a_base_is_refused(tmp_path):
    bad = _overlay(tmp_path, "bad", change=[{"claim": "pays", "compose": "relations", "reason": "x"}])
    with pytest.raises(ValidationError, match="needs a base once its table is dropped"):
        Model.load(MAP, [bad])


def _row_odds(p: float, k: float) -> float:
    odds = p / (1 - p) * k
    return odds / (1 + odds)


def test_arguments_and_evidence_into_a_table_compose_in_either_order(tmp_path):
    one = _overlay(tmp_path, "one", add=[{"id": "doubt", "title": "Doubt", "kind": "critique", "credence": 1.0,
                                          "opposes": [{"claim": "pays", "ratio": "1/2"}]}])
    two = _overlay(tmp_path, "two", add=[{"id": "push", "title": "Push", "kind": "argument", "credence": 1.0,
                                          "supports": [{"claim": "pays", "ratio": 3}]}])
    seen = _overlay(tmp_path, "seen", observe=[{"id": "trial", "title": "A trial", "factor": {"pays": 4}}])
    want = 0.5 * _row_odds(0.8, 1.5) + 0.5 * _row_odds(0.3, 1.5)      # each row's odds × 3 × 1/2
    a = Model.load(MAP, [one, two])
    b = Model.load(MAP, [two, one])
    assert a.probability("pays") == pytest.approx(want, abs=1e-15)
    assert b.probability("pays") == pytest.approx(a.probability("pays"), abs=1e-15)
    assert b.probability("outcome") == pytest.approx(a.probability("outcome"), abs=1e-15)
    with_evidence = [Model.load(MAP, order).probability("pays") for order in ([one, seen], [seen, one])]
    prior = 0.5 * _row_odds(0.8, 0.5) + 0.5 * _row_odds(0.3, 0.5)
    post = prior * 4 / (prior * 4 + 1 - prior)                            # Bayes: the claim's odds × 4
    assert with_evidence == pytest.approx([post, post], abs=1e-15)


def test_an_argument_into_an_and_needs_a_base_and_then_composes(tmp_path):
    bare = _overlay(tmp_path, "bare", add=[{"id": "doubt", "title": "Doubt", "credence": 1.0,
                                            "opposes": [{"claim": "outcome", "ratio": "1/2"}]}])
    with pytest.raises(ValidationError, match="no ratio moves a certainty"):
        Model.load(MAP, [bare])
    based = _overlay(tmp_path, "based", change=[{"claim": "outcome", "base": 0.9, "reason": "not quite certain"}])
    model = Model.load(MAP, [based, bare])
    assert model.probability("outcome") == pytest.approx(_goal(0.5, 0.4) * P_PAYS * _row_odds(0.9, 0.5), abs=1e-15)


def test_fit_moves_a_route_and_writes_it_as_an_overlay(tmp_path):
    from argmap.analysis.fit import fit, fit_overlay_yaml
    from argmap.maps.models import Stated

    model = Model.load(MAP)
    result = fit(model, Stated("outcome", value=0.3), ["route:story_a -> goal"], scenario=None)
    assert result.after == pytest.approx(0.3, abs=1e-9)
    (new,) = [c.new for c in result.changes]
    assert model.probability("goal") < _goal(0.5, 0.4, pa=new) == pytest.approx(0.3 / P_PAYS, abs=1e-9)
    path = tmp_path / "fitted.yaml"
    path.write_text(fit_overlay_yaml(model, result, "fitted", "Tester", []))
    assert Model.load(MAP, [path]).probability() == pytest.approx(0.3, abs=1e-9)


def test_an_observation_on_an_and_is_bayes_rule(tmp_path):
    seen = _overlay(tmp_path, "seen", observe=[{"id": "trial", "title": "A trial", "factor": {"outcome": 3}}])
    prior = _goal(0.5, 0.4) * P_PAYS
    assert Model.load(MAP, [seen]).probability("outcome") == pytest.approx(prior * 3 / (prior * 3 + 1 - prior),
                                                                            abs=1e-15)


def test_a_routes_band_and_word_reach_argmap_sources(tmp_path):
    from argmap.analysis.provenance import number_sources

    over = _overlay(tmp_path, "worded", add=[{
        "id": "story_c", "title": "Story C", "credence": 0.5,
        "route": [{"claim": "goal", "p": {"value": 0.8, "range": [0.6, 0.95]},
                   "provenance": {"basis": "illustrative", "band": "likely", "qualifier": "a sure way (9.9)"}}]}])
    model = Model.load(MAP, [over])
    row = next(r for r in number_sources(model.map, model.network) if r.param == "route:story_c -> goal")
    assert (row.band, row.qualifier, row.range) == ("likely", "a sure way (9.9)", (0.6, 0.95))
    bad = _overlay(tmp_path, "misread", add=[{
        "id": "story_d", "title": "Story D", "credence": 0.5,
        "route": [{"claim": "goal", "p": 0.8, "provenance": {"band": "unlikely"}}]}])
    with pytest.raises(ValidationError, match="unlikely"):
        Model.load(MAP, [bad])


def test_an_overlay_gives_a_composed_claim_a_table(tmp_path):
    table = {"given": ["story_a"], "rows": [{"when": {"story_a": True}, "p": 0.7},
                                            {"when": {"story_a": False}, "p": 0.2}]}
    keep = _overlay(tmp_path, "keep", change=[{"claim": "goal", "table": table, "reason": "read as a table"}])
    with pytest.raises(ValidationError, match="table over 'story_a', which already says how it depends on it"):
        Model.load(MAP, [keep])
    drop = _overlay(tmp_path, "drop", change=[{"claim": "goal", "table": table, "reason": "read as a table"}],
                    remove=[{"relation": "story_a -> goal", "reason": "the table says it"}])
    model = Model.load(MAP, [drop])
    assert model.map.claims["goal"].base is None
    # story B's route still ORs into each row: 1 - (1 - row)(1 - 0.3 if B)
    want = sum(wa * (0.4 * (1 - (1 - row) * 0.7) + 0.6 * row) for wa, row in ((0.5, 0.7), (0.5, 0.2)))
    assert model.probability("goal") == pytest.approx(want, abs=1e-15)


def test_routes_from_two_overlays_compose_in_either_order(tmp_path):
    one = _overlay(tmp_path, "one", add=[{"id": "story_c", "title": "C", "credence": 0.5,
                                          "route": [{"claim": "goal", "p": 0.5}]}])
    two = _overlay(tmp_path, "two", relate=[{"from": "classic", "to": "goal", "type": "route", "p": 0.25,
                                             "reason": "another way"}])
    a, b = (Model.load(MAP, order).probability("goal") for order in ([one, two], [two, one]))
    fail = 1 - _goal(0.5, 0.4)                           # the two routes are independent of stories A and B
    assert a == pytest.approx(1 - fail * (1 - 0.5 * 0.5) * (1 - 0.5 * 0.25), abs=1e-15)
    assert b == pytest.approx(a, abs=1e-15)


def test_check_warns_when_an_argument_can_move_nothing(tmp_path):
    from argmap.maps.checks import map_warnings

    certain = _overlay(tmp_path, "certain", add=[
        {"id": "taxo", "title": "Taxonomy", "table": {"given": ["classic"], "rows": [
            {"when": {"classic": True}, "p": 1}, {"when": {"classic": False}, "p": 0}]}},
        {"id": "doubt", "title": "Doubt", "credence": 0.5, "opposes": [{"claim": "taxo", "ratio": 0.5}]}])
    (w,) = [d for d in map_warnings(Model.load(MAP, [certain]).map) if "cannot move" in d.message]
    assert w.path == certain and w.line and "doubt -> taxo cannot move 'taxo'" in w.message
    lifted = _overlay(tmp_path, "lifted", builds_on=["certain"], relate=[
        {"from": "story_a", "to": "taxo", "type": "route", "p": 0.5, "reason": "a way out of the 0 row"}])
    assert not [d for d in map_warnings(Model.load(MAP, [lifted]).map) if "cannot move" in d.message]
