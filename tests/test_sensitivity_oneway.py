"""Exact one-way sensitivity functions: brute recomputation, sympy derivatives, finite differences."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import sympy as sp
from conftest import DATA

from argmap import Model
from argmap.analysis.sensitivity import one_way
from argmap.analysis.sensitivity._query import resolve, with_value

MIX = DATA / "maps" / "sens_mix"
TINY = DATA / "maps" / "tiny"


@pytest.fixture(scope="module")
def mix():
    return Model.load(MIX)


def _brute(model, f, values, scenario):
    q = resolve(model, scenario=scenario)
    net = model.network
    theta = with_value(net.theta0, net.params[f.index], f.index, values)
    return model.engine.query(q.target, q.given, q.set, theta)[:, -1]


def _points(f):
    if f.kind == "ratio":                 # a ratio keeps to its side of 1: (0, 1] or [1, inf)
        lo, hi = f.domain
        return np.array([x for x in (0.01, 0.3, 0.7, 1.0, 4.0, 50.0) if lo <= x <= hi])
    if f.domain[1] == 1.0:
        return np.array([0.0, 0.13, 0.5, 0.77, 1.0]) if f.field != "base" else np.array([0.01, 0.2, 0.5, 0.9, 0.99])
    return np.array([0.0, 0.2, 1.0, 3.7, 25.0]) if f.field == "scale" else np.array([0.01, 0.3, 1.0, 4.0, 50.0])


@pytest.mark.parametrize("scenario", ["default", None])
def test_every_function_matches_brute_recomputation(mix, scenario):
    fs = one_way(mix, scenario=scenario)
    assert len(fs) == len(mix.network.params)
    kinds = {f.kind for f in fs}
    assert kinds == {"probability", "simplex", "ratio", "scale"}
    for f in fs:
        v = _points(f)
        assert f(v) == pytest.approx(_brute(mix, f, v, scenario), abs=1e-12), f.param
        assert f.probability == pytest.approx(mix.probability(scenario=scenario), abs=1e-13)


def test_routes_and_a_table_with_arguments_match_brute_recomputation(tmp_path):
    """A route's p and the rows of a table that an argument composes with are not affine: they go through
    the noisy-OR and the logistic; their functions are still exact, and thresholds solve them."""
    from argmap.analysis.sensitivity import thresholds

    over = tmp_path / "o.yaml"
    over.write_text("overlay: o\nauthor: T\nadd:\n  - {id: doubt, title: Doubt, credence: 0.5, "
                    "opposes: [{claim: pays, ratio: 0.25}]}\n")
    model = Model.load(DATA / "maps" / "routes", [over])
    fs = one_way(model, scenario=None)
    by = {f.param: f for f in fs}
    assert not by["route:story_a -> goal"].affine and not by["table:pays[classic=true]"].affine
    assert by["credence:story_a"].affine
    for f in fs:
        v = _points(f)
        assert f(v) == pytest.approx(_brute(model, f, v, None), abs=1e-12), f.param
    row = next(r for r in thresholds(model, scenario=None, bounds=(0.1, 0.3)) if r["param"] == "route:story_a -> goal")
    reached = [c for c in row["crossings"] if c["value"] is not None]
    assert reached
    f = by["route:story_a -> goal"]
    for c in reached:
        assert f(np.array([c["value"]]))[0] == pytest.approx(c["bound"], abs=1e-9)


def test_affine_kinds_are_lines_without_evidence_and_ratios_of_lines_with_it(mix):
    for scenario, conditional in ((None, False), ("default", True)):
        fs = [f for f in one_way(mix, scenario=scenario) if f.affine]
        assert {f.field for f in fs} == {"credence", "table", "leak"}
        for f in fs:
            a_n, b_n, a_d, b_d = f.lines()
            v = np.linspace(0, 1, 7)
            assert f(v) == pytest.approx((a_n + b_n * v) / (a_d + b_d * v), abs=1e-13)
            if not conditional:
                assert (a_d, b_d) == pytest.approx((1.0, 0.0), abs=1e-13)
        if conditional:
            assert any(abs(f.lines()[3]) > 1e-6 for f in fs)   # the normaliser does move


def test_affine_derivative_equals_sympy_and_finite_differences(mix):
    t = sp.Symbol("t")
    for f in one_way(mix):
        if not f.affine:
            continue
        a_n, b_n, a_d, b_d = f.lines()
        expr = (a_n + b_n * t) / (a_d + b_d * t)
        sym = float(sp.diff(expr, t).subs(t, f.value))
        assert f.derivative == pytest.approx(sym, rel=1e-9, abs=1e-12), f.param
        h = 1e-6
        fd = (f(min(f.value + h, 1)) - f(max(f.value - h, 0))) / (min(f.value + h, 1) - max(f.value - h, 0))
        assert f.derivative == pytest.approx(fd, rel=1e-5, abs=1e-8), f.param
        if f.probability > 0:
            assert f.elasticity == pytest.approx(f.value * f.derivative / f.probability)


def _tiny_symbolic(conditional: bool):
    """P(conclusion) of the tiny map as a sympy expression in its six parameters."""
    s = {n: sp.Symbol(n.replace(":", "_").replace(" -> ", "_to_")) for n in
         ["credence:argument", "credence:aware", "credence:goals", "base:conclusion",
          "ratio:argument -> conclusion", "leak:goals -> conclusion"]}
    b, r, leak = s["base:conclusion"], s["ratio:argument -> conclusion"], s["leak:goals -> conclusion"]
    num: Any = 0
    den: Any = 0
    for aw, g, ar in itertools.product((0, 1), repeat=3):
        if conditional and not aw:
            continue
        prior = 1
        for name, x in (("credence:aware", aw), ("credence:goals", g), ("credence:argument", ar)):
            prior *= s[name] if x else 1 - s[name]
        odds = b / (1 - b) * r ** ar
        p = odds / (1 + odds) * (1 if aw else 0) * (1 if g else leak)
        num += prior * p
        den += prior
    return s, num / den


@pytest.mark.parametrize("scenario", [None, "aware"])
def test_every_kind_of_derivative_matches_sympy_on_the_tiny_map(scenario):
    model = Model.load(TINY)
    s, expr = _tiny_symbolic(conditional=scenario == "aware")
    point = {s[p.name]: float(v) for p, v in zip(model.network.params, model.network.theta0, strict=False)}
    fs = one_way(model, scenario=scenario)
    assert {f.field for f in fs} == {"credence", "base", "ratio", "leak"}
    for f in fs:
        sym = float(sp.diff(expr, s[f.param]).subs(point))
        assert f.derivative == pytest.approx(sym, rel=1e-7, abs=1e-10), f.param
        for v in (0.05, 0.4, 0.9):
            exact = float(expr.subs({**point, s[f.param]: v}))
            assert f(v) == pytest.approx(exact, abs=1e-12), f.param


def test_categorical_co_variation_is_proportional(mix):
    f = next(f for f in one_way(mix) if f.param == "table:kind_of_model[goal=true]=x")
    net = mix.network
    th = with_value(net.theta0, net.params[f.index], f.index, [0.8])[0]
    y, z = (net.param_index(f"table:kind_of_model[goal=true]={s}") for s in "yz")
    assert th[y] / th[z] == pytest.approx(0.3 / 0.1)
    assert th[f.index] + th[y] + th[z] == pytest.approx(1.0)


def test_selecting_params_by_name(mix):
    fs = one_way(mix, params=["credence:aware", "ratio:arg -> goal"])
    assert [f.param for f in fs] == ["credence:aware", "ratio:arg -> goal"]
    assert fs[1].to_dict()["form"].startswith("logistic")
    assert "lines" in fs[0].to_dict()


def test_functions_under_an_intervention_match_brute_force(mix):
    fs = one_way(mix, set={"aware": "false"}, given={"slack": "high"})
    q = resolve(mix, given={"slack": "high"}, set={"aware": "false"})
    net = mix.network
    for f in fs:
        v = _points(f)[1:-1]                           # interior: an end may make the evidence impossible
        theta = with_value(net.theta0, net.params[f.index], f.index, v)
        brute = mix.engine.query(q.target, q.given, q.set, theta)[:, -1]
        assert f(v) == pytest.approx(brute, abs=1e-12), f.param
    aware = next(f for f in fs if f.param == "credence:aware")
    assert aware.derivative == 0.0                     # cut from the query by do(aware = false)


def test_modulator_scale_derivative_matches_sympy(mix):
    """P(conclusion | evidence) with the goal's CPT written symbolically in one modulator scale."""
    net = mix.network
    s = sp.Symbol("s")
    cpt = {v: c[0] for v, c in net.cpts(net.theta0[None, :]).items()}
    theta = dict(zip((p.name for p in net.params), net.theta0, strict=False))
    scale = {"low": theta["scale:arg -> goal@slack=low"], "medium": s, "high": theta["scale:arg -> goal@slack=high"]}

    def p_goal(arg, arg2, aware, slack):
        b = theta["base:goal"]
        z = sp.log(b / (1 - b)) + arg * sp.log(theta["ratio:arg -> goal"]) * scale[slack] \
            + arg2 * sp.log(theta["ratio:arg2 -> goal"])
        return 1 / (1 + sp.exp(-z)) * (1 if aware else theta["leak:aware -> goal"])

    names = net.variables
    num: Any = 0
    den: Any = 0
    for combo in itertools.product(*(range(len(net.states[v])) for v in names)):
        x = dict(zip(names, combo, strict=False))
        if x["evidence"] != 1:
            continue
        w: Any = 1
        for v in names:
            idx = tuple(x[p] for p in net.parents[v])
            if v == "goal":
                pg = p_goal(x["arg"], x["arg2"], x["aware"], net.states["slack"][x["slack"]])
                w *= pg if x["goal"] else 1 - pg
            else:
                w *= float(cpt[v][idx + (x[v],)])
        den += w
        if x["conclusion"] == 1:
            num += w
    expr = num / den
    f = next(f for f in one_way(mix) if f.param == "scale:arg -> goal@slack=medium")
    assert f.derivative == pytest.approx(float(sp.diff(expr, s).subs(s, f.value)), rel=1e-7)
    for v in (0.0, 0.3, 2.5):
        assert f(v) == pytest.approx(float(expr.subs(s, v)), abs=1e-12)
