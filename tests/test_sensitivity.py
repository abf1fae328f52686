"""Thresholds, tornado, Monte Carlo, Sobol indices and cruxes, against exact or closed-form answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import DATA
from scipy import stats

from argmap import Model
from argmap.analysis.sensitivity import claim_effects, cruxes, monte_carlo, one_way, sobol, thresholds, tornado
from argmap.analysis.sensitivity._query import resolve, with_value
from argmap.base.errors import QueryError

MIX = DATA / "maps" / "sens_mix"
PRODUCT = DATA / "maps" / "sens_product"


@pytest.fixture(scope="module")
def mix():
    return Model.load(MIX)


@pytest.fixture(scope="module")
def product():
    return Model.load(PRODUCT)


def _at(model, name, value, scenario="default"):
    q = resolve(model, scenario=scenario)
    net = model.network
    i = net.param_index(name)
    th = with_value(net.theta0, net.params[i], i, [value])
    return float(model.engine.query(q.target, q.given, q.set, th)[0, -1])


# ------------------------------------------------------------------ thresholds
@pytest.mark.parametrize("bounds", [(0.10, 0.50), (0.3, 0.45)])
def test_applying_a_threshold_gives_its_bound(mix, bounds):
    rows = thresholds(mix, bounds=bounds)
    found = 0
    for r in rows:
        lo, hi = r["reach"]
        for c in r["crossings"]:
            if c["value"] is None:
                # not reachable: the bound lies outside what this number alone can produce
                assert not (lo + 1e-9 < c["bound"] < hi - 1e-9), (r["param"], c)
            else:
                found += 1
                assert _at(mix, r["param"], c["value"]) == pytest.approx(c["bound"], abs=1e-9), r["param"]
    assert found >= 5


def test_brents_method_is_scipys_to_the_last_bit(mix):
    """thresholds' own brentq (no scipy.optimize import) follows scipy's algorithm step for step."""
    from scipy.optimize import brentq as scipys

    from argmap.analysis.sensitivity.thresholds import _on_grid, brentq

    tried = 0
    for f in one_way(mix):
        if f.affine:
            continue
        grid, values = _on_grid(f)
        for bound in (0.1, 0.3, 0.5):
            g = values - bound
            for k in np.flatnonzero(np.isfinite(g[:-1]) & np.isfinite(g[1:]) & (g[:-1] * g[1:] < 0)):
                def fn(v, f=f, bound=bound):
                    return f(v) - bound
                args = (fn, grid[k], grid[k + 1])
                assert brentq(*args, xtol=1e-15, rtol=1e-14, maxiter=200) == scipys(*args, xtol=1e-15, rtol=1e-14,
                                                                                     maxiter=200)
                tried += 1
    for g1, a, b in [(lambda x: x ** 3 - 2 * x - 5, 2, 3), (lambda x: math.cos(x) - x, 0, 1),
                     (lambda x: (x - 0.3) ** 3, 0, 1), (lambda x: math.log(x) - 0.5, 0.1, 10)]:
        assert brentq(g1, a, b) == scipys(g1, a, b)
    assert tried >= 3


def test_threshold_of_a_product_is_bound_over_the_other_factor(product):
    rows = {r["param"]: r for r in thresholds(product, bounds=(0.1, 0.5))}
    a = rows["credence:a"]
    assert a["crossings"][0]["value"] == pytest.approx(0.1 / (2 / 7), abs=1e-12)
    assert a["crossings"][1]["value"] is None            # a ≤ 1 gives at most 2/7 < 0.5
    assert a["reach"] == pytest.approx([0.0, 2 / 7])


# ------------------------------------------------------------------ tornado
def test_tornado_rows_are_exact_sorted_and_use_the_stated_ranges(mix):
    rows = tornado(mix)
    swings = [r["swing"] for r in rows]
    assert swings == sorted(swings, reverse=True)
    byname = {r["param"]: r for r in rows}
    assert (byname["credence:aware"]["low"], byname["credence:aware"]["high"]) == (0.6, 0.95)
    crit = byname["credence:crit"]
    assert (crit["low"], crit["high"]) == pytest.approx(tuple(stats.beta.ppf([0.05, 0.95], 2, 6)))
    for r in rows:
        if r["kind"] != "simplex":
            assert r["p_low"] == pytest.approx(_at(mix, r["param"], r["low"]), abs=1e-12)
            assert r["p_high"] == pytest.approx(_at(mix, r["param"], r["high"]), abs=1e-12)
        assert set(r) >= {"param", "claim", "title", "sections", "low", "high", "p_low", "p_high", "swing"}
    assert byname["ratio:arg -> goal"]["sections"] == ["4.3"]           # the arguing claim's section
    assert "ratio:arg2 -> goal" not in byname                          # a point number has no range


# ------------------------------------------------------------------ Monte Carlo
def test_monte_carlo_is_reproducible_and_unbiased(product):
    a = monte_carlo(product, samples=20000, seed=3)
    b = monte_carlo(product, samples=20000, seed=3)
    assert a.to_dict() == b.to_dict() and np.array_equal(a.values, b.values)
    assert monte_carlo(product, samples=20000, seed=4).mean != a.mean
    exact = 0.5 * 2 / 7                                   # E[a b] = E[a] E[b]
    assert abs(a.mean - exact) < 4 * a.sd / math.sqrt(a.samples)
    assert a.quantiles["5%"] < a.median < a.quantiles["95%"]
    assert sum(a.histogram()["counts"]) == a.samples


# ------------------------------------------------------------------ Sobol
def test_sobol_indices_of_a_product_match_the_closed_form(product):
    m1, v1 = 0.5, 1 / 12
    m2, v2 = 2 / 7, 10 / 392
    var = (v1 + m1 ** 2) * (v2 + m2 ** 2) - m1 ** 2 * m2 ** 2
    truth = {"credence:a": (m2 ** 2 * v1 / var, (m2 ** 2 * v1 + v1 * v2) / var),
             "credence:b": (m1 ** 2 * v2 / var, (m1 ** 2 * v2 + v1 * v2) / var)}
    res = sobol(product, samples=4096, seed=1)
    assert res.evaluations == 4096 * 4 and res.varied == 2
    for r in res.rows:
        s1, st = truth[r["factor"]]
        assert abs(r["S1"] - s1) <= r["S1_conf"], r
        assert abs(r["ST"] - st) <= r["ST_conf"], r


def test_sobol_groups_a_dirichlet_into_one_factor(mix):
    res = sobol(mix, samples=256, seed=0, top=None)
    names = [r["factor"] for r in res.rows]
    assert "credence:slack" in names and not any(n.startswith("credence:slack=") for n in names)
    assert res.held == 0
    small = sobol(mix, samples=64, seed=0, top=3)
    assert small.varied == 3 and small.held == res.varied - 3


# ------------------------------------------------------------------ cruxes
def test_cruxes_are_exact_conditionals_information_and_shifts(mix):
    rows = cruxes(mix)
    base = mix.probability()
    assert [r["expected_shift"] for r in rows] == sorted((r["expected_shift"] for r in rows), reverse=True)
    assert {r["claim"] for r in rows} == set(mix.network.variables) - {"conclusion", "evidence"}
    for r in rows:
        total = 0.0
        mi = 0.0
        for s in r["states"]:
            p_s = mix.distribution(r["claim"])[s["state"]]
            assert s["probability"] == pytest.approx(p_s, abs=1e-12)
            cond = mix.probability(given={r["claim"]: s["state"]})
            assert s["p_target"] == pytest.approx(cond, abs=1e-12)
            total += p_s * abs(cond - base)
            for pt, pt_s in ((base, cond), (1 - base, 1 - cond)):
                if pt_s > 0:
                    mi += p_s * pt_s * math.log2(pt_s / pt)
        assert r["expected_shift"] == pytest.approx(total, abs=1e-12)
        assert r["mutual_information"] == pytest.approx(mi, abs=1e-12)


def test_claim_effects_cover_every_claim(mix):
    eff = claim_effects(mix)
    assert set(eff) == set(mix.network.variables)
    assert eff["evidence"] == 0.0 and eff["conclusion"] == 0.0
    assert eff["kind_of_model"] == max(eff.values())
    assert claim_effects(mix, measure="mutual_information")["kind_of_model"] > 0


def test_a_target_fixed_by_the_conditions_is_a_clear_error(mix):
    with pytest.raises(QueryError, match="fixed by the conditions"):
        tornado(mix, given={"conclusion": "true"})


def test_analyses_agree_with_each_other(mix):
    """The tornado's ends lie on the exact one-way functions."""
    fs = {f.param: f for f in one_way(mix)}
    for r in tornado(mix):
        f = fs[r["param"]]
        if r["kind"] != "simplex":
            assert f(r["low"]) == pytest.approx(r["p_low"], abs=1e-12)


def test_cruxes_mark_claims_that_depend_on_the_target(mix):
    rows = {r["claim"]: r for r in cruxes(mix, target="goal")}
    assert rows["kind_of_model"]["downstream"] and rows["conclusion"]["downstream"]
    assert not rows["arg"]["downstream"] and not rows["slack"]["downstream"]


def test_public_names_are_exactly_exported():
    import argmap.analysis.sensitivity as s

    public = {n for n in vars(s) if not n.startswith("_") and callable(getattr(s, n))}   # submodules are not
    assert set(s.__all__) == public
    for name in s.__all__:
        assert getattr(s, name).__doc__, name


def test_sobol_coverage_compares_with_the_full_monte_carlo_variance(mix):
    from argmap.analysis.sensitivity import report

    rep = report(mix, samples=4000, sobol_samples=256, sobol_factors=3, seed=2)
    assert rep.sobol is not None and rep.sobol.held > 0
    # fewer numbers vary, so (up to noise) less spread
    assert rep.sobol_coverage is not None and 0.0 < rep.sobol_coverage <= 1.2
    assert report(mix, samples=500, sobol_samples=32, sobol_factors=None).sobol_coverage is None   # nothing held


def test_the_share_the_held_numbers_leave_matches_its_closed_form(product):
    """P = a × b: varying only a (b held at its point b0) gives Var = b0² Var(a); the held b leaves the rest
    of Var(ab). The report's line is that computation, not a constant."""
    from argmap.analysis.sensitivity import format_markdown, format_text, report

    rep = report(product, samples=40_000, sobol_samples=4096, sobol_factors=1, seed=3)
    assert rep.sobol is not None and rep.sobol.varied == 1 and rep.sobol.held == 1
    net = product.network
    point = {p.name: float(net.theta0[i]) for i, p in enumerate(net.params)}
    moments = {"credence:a": (0.5, 1 / 12), "credence:b": (2 / 7, 10 / 392)}
    (m1, v1), (m2, v2) = moments.values()
    var = (v1 + m1 ** 2) * (v2 + m2 ** 2) - m1 ** 2 * m2 ** 2
    varied = rep.sobol.rows[0]["factor"]
    held = next(n for n in moments if n != varied)
    left = 1 - point[held] ** 2 * moments[varied][1] / var
    assert 0.2 < left < 0.9                                    # a case where holding a number loses a lot
    share = rep.sobol_held_share
    assert share is not None and share == pytest.approx(left, abs=0.04)
    assert rep.sobol_coverage == pytest.approx(1 - share)
    line = f"so the 1 held at its point leaves {share:.0%} of it"
    assert line in format_markdown(rep, 5, {}) and line in " ".join(format_text(rep, 5).split())
    assert rep.to_dict()["sobol"]["share_left_by_held_factors"] == rep.sobol_held_share


def test_thresholds_only_propose_values_the_format_accepts():
    """A supports ratio stays >= 1 and an opposing one <= 1: a threshold across 1 would be refused."""
    from argmap import Model

    model = Model.load()
    for row in thresholds(model, bounds=(0.01, 0.99)):
        if row["field"] != "ratio":
            continue
        for c in row["crossings"]:
            if c["value"] is not None:
                assert (c["value"] >= 1) == (row["value"] >= 1) or c["value"] == 1, row["title"]


# ------------------------------------------------------------------ roles, groups, structural bases, design
def test_cruxes_rank_inputs_and_arguments_and_list_composed_stages_apart(mix):
    rows = {r["claim"]: r for r in cruxes(mix, target="goal")}
    assert rows["slack"]["role"] == "input" and rows["aware"]["role"] == "input"
    assert rows["arg2"]["role"] == "argument"            # an argument with a critique bearing on it is still arguable
    full = {r["claim"]: r for r in cruxes(mix)}
    assert full["kind_of_model"]["role"] == "composed" and full["kind_of_model"]["rank"] is None   # a table
    assert full["goal"]["role"] == "argument"       # a base of its own that arguments bear on: arguable
    ranks = [r["rank"] for r in cruxes(mix) if r["rank"] is not None]
    assert ranks == list(range(1, len(ranks) + 1))


def test_a_group_learned_together_is_exact_and_a_lone_claim_matches_its_crux(mix):
    from argmap.analysis.sensitivity import group_cruxes

    g = group_cruxes(mix, {"pair": ["slack", "aware"], "one": ["aware", "aware"]})
    base = mix.probability()
    pair = g[0]
    assert len(pair["states"]) == 6 and sum(s["probability"] for s in pair["states"]) == pytest.approx(1.0)
    shift = 0.0
    for s in pair["states"]:
        ps = mix.distribution("slack")[s["state"]["slack"]] * \
            mix.distribution("aware", given={"slack": s["state"]["slack"]})[s["state"]["aware"]]
        assert s["probability"] == pytest.approx(ps, abs=1e-12)
        assert s["p_target"] == pytest.approx(mix.probability(given=s["state"]), abs=1e-12)
        shift += ps * abs(s["p_target"] - base)
    assert pair["expected_shift"] == pytest.approx(shift, abs=1e-12)
    single = {r["claim"]: r for r in cruxes(mix)}
    assert g[1]["claims"] == ["aware"]
    assert g[1]["expected_shift"] == pytest.approx(single["aware"]["expected_shift"], abs=1e-12)
    assert g[1]["mutual_information"] == pytest.approx(single["aware"]["mutual_information"], abs=1e-12)
    with pytest.raises(QueryError, match="not a claim"):
        group_cruxes(mix, {"bad": ["slak", "aware"]})


def test_catch_all_bases_are_labelled_structural_and_requirement_bases_are_not(mix):
    rows = {r["param"]: r for r in tornado(mix)}
    goal = next(r for p, r in rows.items() if r["claim"] == "goal" and r["field"] == "base")
    assert goal["structural"] and "structural" in goal["title"]          # arguments bear on it: a catch-all
    others = [r for r in rows.values() if r["field"] != "base"]
    assert others and not any(r["structural"] for r in others)


def test_the_numpy_design_is_salibs_row_for_row():
    from SALib.sample import sobol as design

    from argmap.analysis.sensitivity.sobol import saltelli

    for groups in (None, ["a", "a", "b", "c", "c"]):
        problem = {"num_vars": 5, "names": list("vwxyz"), "bounds": [[0.0, 1.0]] * 5}
        if groups:
            problem["groups"] = groups
        want = design.sample(problem, 16, calc_second_order=False, scramble=True, seed=7)
        assert np.array_equal(saltelli(groups, 5, 16, 7), want)


def test_the_sobol_sequence_is_scipys_bit_for_bit():
    """sobolseq.sobol_points (no scipy.stats import) gives qmc.Sobol's scrambled points exactly, for the
    bundled map's default design shape and odd ones (one dimension, many, a count not a power of 2)."""
    import warnings

    from scipy.stats import qmc

    from argmap.analysis.sensitivity.sobolseq import sobol_points

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")             # qmc warns when n is not a power of 2
        for dims, n, seed in ((64, 512, 0), (1, 8, 5), (7, 100, 12345), (300, 33, 2), (3, 1, 9)):
            assert np.array_equal(sobol_points(dims, n, seed), qmc.Sobol(d=dims, scramble=True, seed=seed).random(n))


def test_the_numpy_estimator_is_salibs():
    """sobol.estimate gives SALib's analyze(calc_second_order=False) numbers (bootstrap included), with and
    without groups, on a nonlinear function of a real design; and sobol() never imports SALib or pandas."""
    import subprocess
    import sys

    from SALib.analyze import sobol as analyze

    from argmap.analysis.sensitivity.sobol import estimate, saltelli

    for groups in (None, ["a", "a", "b", "c", "c"]):
        x = saltelli(groups, 5, 64, 3)
        y = np.sin(3 * x[:, 0]) + x[:, 1] * x[:, 2] ** 2 + 0.3 * x[:, 3] + x[:, 4] * x[:, 0]
        problem = {"num_vars": 5, "names": list("vwxyz"), "bounds": [[0.0, 1.0]] * 5}
        if groups:
            problem["groups"] = groups
        want = analyze.analyze(problem, y, calc_second_order=False, num_resamples=50, seed=4)
        got = estimate(y, len(set(groups or range(5))), 50, 0.95, 4)
        for key in ("S1", "S1_conf", "ST", "ST_conf"):
            assert got[key] == pytest.approx(np.asarray(want[key]), rel=1e-12, abs=1e-15), key
    code = ("import sys; from argmap import Model; from argmap.analysis.sensitivity import sobol; "
            f"sobol(Model.load({str(MIX)!r}), samples=16); "
            "print(sorted({'SALib', 'pandas', 'scipy.stats'} & set(sys.modules)))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"


def test_sobol_varies_every_factor_by_default(mix):
    from argmap.analysis.sensitivity._query import factors_of

    assert sobol(mix, samples=32).varied == len(factors_of(mix))


def test_a_map_names_its_crux_groups_and_a_wrong_name_is_a_clear_error(tmp_path, capsys):
    from mapkit import write_map

    from argmap.analysis.sensitivity import report
    from argmap.commands.cli import main

    claims: list[dict] = [{"id": "a", "title": "A", "credence": 0.5}, {"id": "b", "title": "B", "credence": 0.4},
              {"id": "t", "title": "T", "kind": "conclusion", "requires": ["a", "b"]}]
    good = write_map(tmp_path / "good", claims, "t", crux_groups={"both": {"claims": ["a", "b"]}})
    rep = report(Model.load(good), samples=0, sobol_samples=0)
    assert [g["name"] for g in rep.groups] == ["both"]
    assert rep.groups[0]["expected_shift"] == pytest.approx(0.5 * 0.4 * 0.8 + 0.5 * 0.2 + 0.3 * 0.2, abs=1e-12)
    bad = write_map(tmp_path / "bad", claims, "t", crux_groups={"both": {"claims": ["a", "bb"]}})
    assert main(["check", str(bad)]) != 0
    err = capsys.readouterr().err
    assert "crux group 'both' names unknown claim 'bb'" in err and "did you mean 'b'" in err


def test_sobol_alongside_the_other_stages_gives_what_it_gives_in_line(mix, monkeypatch):
    """report() runs Sobol in a forked child (argmap.base.forked) where it can: the same indices either way."""
    from argmap.analysis.sensitivity import report

    beside = report(mix, samples=300, sobol_samples=64, seed=1).sobol
    monkeypatch.setenv("ARGMAP_JOBS", "1")
    inline = report(mix, samples=300, sobol_samples=64, seed=1).sobol
    assert beside is not None and inline is not None and beside.rows
    assert beside.rows == inline.rows and beside.variance == inline.variance


def test_the_spreads_independent_reading_is_the_monte_carlo_draws(mix):
    """report() hands its Monte Carlo to the spread instead of drawing the same 10,000 again: the spread's
    independent reading is those draws exactly (same seed, same factors), so nothing changes but the time."""
    from argmap.analysis.sensitivity import monte_carlo, report
    from argmap.analysis.sensitivity.spread import spread

    mc = monte_carlo(mix, samples=700, seed=5)
    own = spread(mix, samples=700, seed=5)
    assert np.array_equal(own.independent_values, mc.values)
    shared = spread(mix, samples=700, seed=5, independent=mc)
    assert shared.independent_values is mc.values
    assert (shared.independent, shared.correlated) == (own.independent, own.correlated)
    rep = report(mix, samples=700, seed=5, sobol_samples=0)
    assert rep.spread is not None and rep.monte_carlo is not None
    assert rep.spread.independent_values is rep.monte_carlo.values
    assert rep.spread.independent == own.independent and rep.spread.correlated == own.correlated
