"""Observations, relation edits, several modulators, stated results and overrides, against hand computations.

The small map in tests/data/observe/map: roots a (0.2, supports c ×4), b (0.5, opposes c ×1/2) and a
categorical s (low/high, 0.5 each); c has base 0.25. So P(c | a, b) = odds 1/3 · 4^a · (1/2)^b as a
probability: 0.4, 4/7, 1/7 and 1/4 for (a, b) = (1, 1), (1, 0), (0, 1), (0, 0).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from argmap import Model, QueryError, ValidationError
from argmap.analysis.compare import compare
from argmap.maps.checks import map_warnings

DATA = Path(__file__).parent / "data" / "observe"
MAP = DATA / "map"
C = {(1, 1): 0.4, (1, 0): 4 / 7, (0, 1): 1 / 7, (0, 0): 0.25}      # P(c | a, b), by hand


def _pc(pa: float, pb: float, c: dict = C) -> float:
    return sum((pa if a else 1 - pa) * (pb if b else 1 - pb) * c[(a, b)] for a in (0, 1) for b in (0, 1))


def _odds(p: float) -> float:
    return p / (1 - p)


def test_base_map_by_hand():
    assert Model.load(MAP).probability(scenario=None) == pytest.approx(_pc(0.2, 0.5), abs=1e-15)
    assert _pc(0.2, 0.5) == pytest.approx(0.14 + 0.8 / 7, abs=1e-15)


def test_a_bayes_factor_multiplies_the_prior_odds_exactly():
    m = Model.load(MAP, [DATA / "paper.yaml"])
    assert m.probability("a", scenario=None) == pytest.approx(0.5, abs=1e-15)         # odds 1/4 × 4 = 1
    # the claim the evidence bears on is a root here; on c it moves through a: P(c) with P(a) = 1/2
    assert m.probability(scenario=None) == pytest.approx(_pc(0.5, 0.5), abs=1e-14)
    assert "experiment" in m.run(scenario=None).conditions.observed


def test_a_factor_on_a_composed_claim_is_bayes_too(tmp_path):
    over = tmp_path / "on-c.yaml"
    over.write_text("overlay: on-c\nauthor: T\nobserve:\n  - {id: e, title: E, factor: {c: 3}}\n")
    prior = Model.load(MAP).probability(scenario=None)
    post = Model.load(MAP, [over]).probability(scenario=None)
    assert _odds(post) == pytest.approx(3 * _odds(prior), rel=1e-13)


def test_a_paper_with_likelihood_ratios_against_two_claims():
    m = Model.load(MAP, [DATA / "two-claims.yaml"])
    # independent roots: odds(a) 1/4 × 4 = 1 -> 1/2; odds(b) 1 × 1/2 -> 1/3
    assert m.probability("a", scenario=None) == pytest.approx(0.5, abs=1e-15)
    assert m.probability("b", scenario=None) == pytest.approx(1 / 3, abs=1e-15)
    assert m.probability(scenario=None) == pytest.approx(_pc(0.5, 1 / 3), abs=1e-14)
    assert _pc(0.5, 1 / 3) == pytest.approx(0.3642857142857143, abs=1e-15)


def test_reliability_and_likelihoods_by_state():
    m = Model.load(MAP, [DATA / "reliable.yaml"])
    k = (0.9 * 4 + 0.1) / (0.9 + 0.1 * 4)           # a report right with chance 0.9 (else the opposite)
    assert _odds(m.probability("a", scenario=None)) == pytest.approx(0.25 * k, rel=1e-13)
    assert m.distribution("s", scenario=None)["high"] == pytest.approx(0.75, abs=1e-15)     # .5·.6 / (.5·.6 + .5·.2)


def test_scenario_observations_apply_under_their_scenario_only():
    m = Model.load(MAP)
    assert m.probability("a", scenario=None) == pytest.approx(0.2, abs=1e-15)
    assert m.probability("a", scenario="seen") == pytest.approx(0.75 / 1.75, abs=1e-15)   # odds 1/4 × 3


def test_an_observation_cannot_be_set():
    m = Model.load(MAP, [DATA / "paper.yaml"])
    with pytest.raises(QueryError, match="is an observation"):
        m.probability(set={"experiment": "false"}, scenario=None)


def test_a_critique_calling_an_argument_invalid_removes_it():
    m = Model.load(MAP, [DATA / "invalid.yaml"])
    assert m.probability(scenario=None) == pytest.approx(0.5 * (1 / 7 + 0.25), abs=1e-15)
    assert [(c.target, c.field) for c in m.map.changes] == [("a -> c", "removed")]


def test_a_reply_that_flips_a_relation():
    m = Model.load(MAP, [DATA / "flip.yaml"])
    flipped = {(1, 1): 8 / 11, (1, 0): 4 / 7, (0, 1): 0.4, (0, 0): 0.25}     # b now supports c ×2
    assert m.probability(scenario=None) == pytest.approx(_pc(0.2, 0.5, flipped), abs=1e-15)
    rel = next(r for r in m.map.relations if r.key == "b -> c")
    assert rel.ratio is not None and (rel.type, rel.ratio.value) == ("supports", 2.0)


def test_several_modulators_multiply_the_weight():
    m = Model.load(MAP, [DATA / "modulators.yaml"])
    # weight log 4 × scale(s) × scale(b): b true -> 0 (no effect); b false -> ×1 (low) or ×0.5 (high)
    def pc(a: int, b: int, s: str) -> float:
        w = math.log(4) * a * (1 if s == "low" else 0.5) * (0 if b else 1)
        odds = (1 / 3) * math.exp(w) * (0.5 if b else 1)
        return odds / (1 + odds)
    want = sum((0.2 if a else 0.8) * 0.5 * 0.5 * pc(a, b, s) for a in (0, 1) for b in (0, 1) for s in ("low", "high"))
    assert m.probability(scenario=None) == pytest.approx(want, abs=1e-14)


def test_stated_results_scenarios_and_parts_in_an_overlay():
    m = Model.load(MAP, [DATA / "stated.yaml"])
    st = m.run(scenario=None).stated
    assert st and st[0]["below"] == 0.01 and st[0]["overlay"] == "stated"
    assert m.map.parts["doubts"] == "The viewpoint's doubts" and m.map.claims["doubt"].part == "doubts"
    assert m.probability("doubt", scenario="doubtful") == 1.0


@pytest.mark.parametrize("text, message", [
    ("observe:\n  - {id: e, title: E, factor: {s: 2}}\n", "a Bayes factor needs a true/false claim"),
    ("observe:\n  - {id: e, title: E, factor: {aa: 2}}\n", "did you mean 'a'"),
    ("observe:\n  - {id: e, title: E, likelihood: {s: {low: 0.2}}}\n", "likelihood gives no P(evidence"),
    ("remove:\n  - {claim: c, reason: r}\n", "is the map's target"),
    ("change:\n  - {relation: a -> c, type: requires, reason: r}\n", "cannot become requires"),
    ("change:\n  - {relation: a -> c, type: opposes, ratio: 2, reason: r}\n", "opposes needs a ratio <= 1"),
    ("add:\n  - {id: x, title: X, part: nowhere, credence: 0.5}\n", "part 'nowhere' is not a part"),
    ("stated:\n  - {claim: c, value: 0.1, below: 0.2}\n", "exactly one of value, range, below, above or band"),
])
def test_mistakes_are_positioned_errors(tmp_path, text, message):
    over = tmp_path / "bad.yaml"
    over.write_text("overlay: bad\nauthor: T\n" + text)
    with pytest.raises(ValidationError) as err:
        Model.load(MAP, [over])
    d = err.value.diagnostics[0]
    assert message in d.message + (d.hint or "") and d.path == over and d.line and d.line >= 3


def test_overrides_are_reported_with_both_overlays(tmp_path):
    one = tmp_path / "one.yaml"
    two = tmp_path / "two.yaml"
    one.write_text("overlay: one\nauthor: A\nchange:\n  - {claim: b, credence: 0.1, reason: r}\n")
    two.write_text("overlay: two\nauthor: B\nchange:\n  - {claim: b, credence: 0.9, reason: r}\n")
    m = Model.load(MAP, [one, two])
    assert m.run(scenario=None).to_dict()["overrides"] == [
        {"target": "b", "field": "credence", "overlay": "two", "overrides": "one"}]
    assert any("'two' overrides the credence of 'b' set by overlay 'one'" in w.message for w in map_warnings(m.map))
    c = compare(MAP, {"both": [one, two]}, scenario=None, attribution=False)
    assert c.to_dict()["viewpoints"][0]["overrides"][0]["overrides"] == "one"


def test_evidence_entered_as_a_parent_is_warned_about(tmp_path):
    over = tmp_path / "ev.yaml"
    over.write_text("overlay: ev\nauthor: A\nadd:\n  - {id: paper, title: P, kind: evidence, credence: 0.95,"
                    " supports: [{claim: c, ratio: 2}]}\n")
    warns = map_warnings(Model.load(MAP, [over]).map)
    assert any("enters 'c' as a parent" in w.message and w.severity == "warning" for w in warns)


def test_double_counting_is_warned_about(tmp_path):
    for name in ("p1", "p2"):
        (tmp_path / f"{name}.yaml").write_text(
            f"overlay: {name}\nauthor: A\nadd:\n  - {{id: {name}_ev, title: E, kind: critique, credence: 0.5,"
            " provenance: {source: Smith 2024}, opposes: [{claim: c, ratio: 0.5}]}\n")
    warns = map_warnings(Model.load(MAP, [tmp_path / "p1.yaml", tmp_path / "p2.yaml"]).map)
    assert any("counted twice" in w.message for w in warns)


def test_compare_and_attribution_with_an_observation():
    c = compare(MAP, {"paper": [DATA / "paper.yaml"]}, scenario=None)
    v = c.viewpoints[0]
    assert v.probability == pytest.approx(_pc(0.5, 0.5), abs=1e-14)
    assert [m.claim for m in v.added] == [] and v.observations[0][0] == "experiment"     # a report, not a claim
    assert "lab" not in [m.claim for m in v.moved]             # nor is the map's scenario observation
    a = v.attribution
    assert a is not None
    assert [e.kind for e in a.edits] == ["observe"]
    assert a.values[0] == pytest.approx(a.total, abs=1e-12)


# ------------------------------------------------------------------------------------ argmap fit

AND = DATA / "andmap"


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_fit_two_symmetric_requirements_closed_form():
    from argmap.analysis.fit import fit
    from argmap.maps.models import Stated

    m = Model.load(AND)
    r = fit(m, Stated(claim="c", value=0.01), ["a", "b"], scenario=None)
    # P(c) = P(a) P(b), both from 1/2: the smallest equal change in log-odds gives P(a) = P(b) = 0.1
    got = {ch.param.claim: ch.new for ch in r.changes}
    assert got == pytest.approx({"a": 0.1, "b": 0.1}, abs=1e-10)
    assert r.after == pytest.approx(0.01, abs=1e-12)
    assert r.distance == pytest.approx(math.sqrt(2) * abs(_logit(0.1)), rel=1e-9)


def test_fit_a_base_and_a_ratio_closed_form():
    from argmap.analysis.fit import fit
    from argmap.maps.models import Stated

    m = Model.load(AND)
    # with arg set true, logit P(d) = logit(1/4) + log 4; reaching 1/2 needs both to fall by log(4/3) in total,
    # split equally by the smallest change
    r = fit(m, Stated(claim="d", value=0.5), ["base:d", "arg -> d"], set={"arg": "true"}, scenario=None)
    half = math.log(4 / 3) / 2
    got = {ch.param.field: ch.new for ch in r.changes}
    assert _logit(got["base"]) == pytest.approx(_logit(0.25) - half, abs=1e-9)
    assert math.log(got["ratio"]) == pytest.approx(math.log(4) - half, abs=1e-9)


def test_a_viewpoint_stating_below_one_percent_fitted_and_written(tmp_path, capsys):
    from argmap.commands.cli import main

    out = tmp_path / "fitted.yaml"
    assert main(["fit", str(AND), "--with", str(DATA / "doubter.yaml"), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "goal < 0.01 (stated by doubter)" in text
    # the doubter's own edits are freed: P(a) P(b) = 0.01 from (0.4, 0.3) with the smallest change in log-odds
    m = Model.load(AND, [DATA / "doubter.yaml", out])
    assert m.probability() == pytest.approx(0.01, abs=1e-9)
    pa, pb = m.probability("a"), m.probability("b")
    # optimality: the two log-odds changes are proportional to the gradient of log P in log-odds, (1 - p)
    da, db = _logit(pa) - _logit(0.4), _logit(pb) - _logit(0.3)
    assert da / db == pytest.approx((1 - pa) / (1 - pb), rel=1e-6)
    assert main(["check", str(AND), "--with", str(out)]) == 0         # builds_on names the doubter by a relative path
    # never overwrite, never write into a map folder
    assert main(["fit", str(AND), "--with", str(DATA / "doubter.yaml"), "-o", str(out)]) == 1
    assert "never overwrites" in capsys.readouterr().err
    assert main(["fit", str(AND), "--with", str(DATA / "doubter.yaml"), "-o", str(AND / "x.yaml")]) == 1
    assert "map folder" in capsys.readouterr().err and not (AND / "x.yaml").exists()


def test_fit_that_cannot_reach_says_so():
    from argmap import ArgmapError
    from argmap.analysis.fit import fit
    from argmap.maps.models import Stated

    with pytest.raises(ArgmapError, match="cannot bring P"):
        fit(Model.load(AND), Stated(claim="c", value=0.9), ["a"], set={"b": "false"}, scenario=None)


def test_ratio_versus_observe_as_in_the_format_docs():
    """docs/format.md: a ratio multiplies each row's conditional odds; an observation is Bayes on the claim."""
    ratio_map = DATA / "ratiomap"
    base = Model.load(ratio_map).probability()
    assert base == pytest.approx(0.2 * 4 / 7 + 0.8 * 0.25, abs=1e-15)                      # 0.314
    as_argument = Model.load(ratio_map, [DATA / "as-argument.yaml"]).probability()
    assert as_argument == pytest.approx(0.2 * 0.8 + 0.8 * 0.5, abs=1e-15)                 # rows' odds ×3: 0.56
    observed = Model.load(ratio_map, [DATA / "as-observation.yaml"])
    assert _odds(observed.probability()) == pytest.approx(3 * _odds(base), rel=1e-14)     # 0.579
    assert observed.probability("a") > 0.2 == Model.load(ratio_map, [DATA / "as-argument.yaml"]).probability("a")


def test_conditioning_on_a_claim_only_an_overlay_adds_says_which_side_lacks_it(tmp_path, capsys):
    from argmap.commands.cli import main

    with pytest.raises(QueryError, match="not a claim of the base map"):
        compare(MAP, {"v": [DATA / "stated.yaml"]}, given={"doubt": "true"}, scenario=None)
    argv = ["render", str(MAP), "--with", str(DATA / "stated.yaml"), "--view", "diff", "--given", "doubt",
            "-o", str(tmp_path / "d.svg")]
    assert main(argv) == 1
    assert "added by an overlay" in capsys.readouterr().err
