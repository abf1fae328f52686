"""The symbolic formula for P(target): exact against the engine, readable LaTeX, safe symbols."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy

from argmap import Model, QueryError
from argmap.analysis.symbolic import LINE_LIMIT, abbreviations, probability_formula

DATA = Path(__file__).parent / "data" / "maps"


def _engine_with(model: Model, values: dict, cond) -> float:
    net = model.network
    theta = net.theta0.copy()
    for key, v in values.items():
        claim, _, state = key.partition("=")
        name = f"credence:{claim}" + (f"={state}" if state else "")
        theta[net.param_index(name)] = v
    return float(model.engine.query(model.map.target, cond.given, cond.set, theta)[-1])


def test_tiny_formula_is_the_hand_computed_one():
    f = probability_formula(Model.load(DATA / "tiny"), scenario=None)
    aw, goa, arg = (sympy.Symbol(n) for n in ("p_awa", "p_goa", "p_arg"))
    # base 1/4, ×3 when the argument holds (odds 1/3 → 1, i.e. P 1/2); leak 1/10 without long goals
    expected = aw * (sympy.Rational(1, 4) + sympy.Rational(1, 4) * arg) * (goa + sympy.Rational(1, 10) * (1 - goa))
    assert sympy.expand(f.full() - expected) == 0
    assert "\\left(p_{\\mathrm{arg}} + 1\\right)" in f.latex()


def test_routes_formula_is_the_noisy_or_by_hand():
    f = probability_formula(Model.load(DATA / "routes"), scenario=None)
    a, b, c = (sympy.Symbol(n) for n in ("p_sa", "p_sb", "p_cla"))
    fail = (1 - sympy.Rational(1, 10)) * (1 - sympy.Rational(6, 10) * a) * (1 - sympy.Rational(3, 10) * b)
    pays = sympy.Rational(8, 10) * c + sympy.Rational(3, 10) * (1 - c)
    assert sympy.expand(f.full() - (1 - fail) * pays) == 0


@pytest.mark.parametrize("path, scenario", [("tiny", None), ("tiny", "aware"), ("render_small", "seen"),
                                            ("render_small", None), ("routes", None)])
def test_formula_matches_the_engine_at_random_credences(path, scenario):
    model = Model.load(DATA / path)
    cond = model.conditions(scenario=scenario)
    f = probability_formula(model, scenario=scenario)
    assert f.evaluate() == pytest.approx(model.probability(scenario=scenario), abs=1e-12)
    rng = np.random.default_rng(0)
    for _ in range(5):
        values = {}
        for claim, state, _ in f.roots.values():
            if state is None:
                values[claim] = float(rng.uniform())
        groups: dict[str, list] = {}
        for claim, state, _ in f.roots.values():
            if state is not None:
                groups.setdefault(claim, []).append(state)
        for claim, states in groups.items():
            for s, p in zip(states, rng.dirichlet(np.ones(len(states))), strict=False):
                values[f"{claim}={s}"] = float(p)
        assert f.evaluate(values) == pytest.approx(_engine_with(model, values, cond), abs=1e-12)


def test_large_maps_keep_the_most_influential_roots_symbolic():
    model = Model.load(DATA / "render_small")
    f = probability_formula(model, max_symbols=2, scenario=None)
    symbolic = {c for c, _, _ in f.roots.values()}
    assert len(f.roots) == 2 and set(f.fixed) == {"premise", "regime", "con", "objection"} - symbolic
    assert all(model.map.claims[c].binary for c, _, _ in f.roots.values())
    assert f.evaluate() == pytest.approx(model.probability(scenario=None), abs=1e-12)


def test_lines_fit_and_every_subterm_is_defined():
    f = probability_formula(Model.load(DATA / "render_small"), scenario=None)
    names = {s for s, _ in f.definitions}
    used = f.expr.free_symbols | set().union(*(d.free_symbols for _, d in f.definitions))
    assert used - set(f.roots) <= names
    from argmap.analysis.symbolic import _printed
    assert all(_printed(d, f) <= 2 * LINE_LIMIT for _, d in f.definitions)


def test_explicit_symbols_and_errors():
    model = Model.load(DATA / "render_small")
    f = probability_formula(model, symbols=["premise"], scenario=None)
    assert [c for c, _, _ in f.roots.values()] == ["premise"]
    with pytest.raises(QueryError, match="not a root"):
        probability_formula(model, symbols=["outcome"])
    with pytest.raises(QueryError, match="fixed by the conditions"):
        probability_formula(model, target="observation")


def test_abbreviations_are_unique_and_symbols_never_parse_file_text():
    ids = ["a_b", "ab", "a_bx", "abc", "abd", "a_b_c", "a_bc"]
    abbr = abbreviations(ids)
    assert len(set(abbr.values())) == len(ids)
    model = Model.load(DATA / "hostile")          # hostile titles never reach sympy
    f = probability_formula(model)
    assert f.evaluate() == pytest.approx(model.probability(), abs=1e-12)
