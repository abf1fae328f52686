"""Issue 23: verbal scales as data, re-reading, words as distributions, correlated hedges and the
headline's spread with the stated figure placed on it."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import special, stats

from argmap import Model
from argmap.analysis.sensitivity import monte_carlo
from argmap.analysis.sensitivity.spread import draws, hedge_factors, paired, part_groups, spread, summarise, toward
from argmap.base.errors import QueryError
from argmap.base.scales import DATA_DIR, MAP_SCALE, SCALES, get_scale, read_survey
from argmap.base.verbal import PROBABILITY_BANDS
from argmap.commands.cli import main
from argmap.inference.distributions import Factor, fit_beta, latent_correlation, normal_to_theta, sample_theta
from argmap.inference.words import reread_network

ROOT = Path(__file__).resolve().parents[1]
SHARED: Path = next((p / "data" / "verbal-probability" for p in (ROOT.parent / "shared", Path("/work/shared"))
                     if (p / "data" / "verbal-probability" / "README.md").is_file()), Path("/nonexistent"))
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data/verbal-probability is not beside the repo")


@pytest.fixture(scope="module")
def model() -> Model:
    return Model.load()


# ------------------------------------------------------------------------------ scales equal their sources

def _md_tables(text: str) -> dict[str, list[list[str]]]:
    """Each Markdown table of the README, keyed by the paragraph before it (header row dropped)."""
    out: dict[str, list[list[str]]] = {}
    para: list[str] = []
    last, rows = "", []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not set("".join(cells)) <= set("- "):
                rows.append(cells)
            continue
        if rows:
            out[last] = rows[1:]
            rows = []
        if line.strip():
            para.append(line.strip())
        elif para:
            last, para = " ".join(para), []
    return out


def _pct_band(text: str) -> tuple[float, float]:
    lo, hi = re.split(r"[–-]", text)
    return float(lo) / 100, float(hi) / 100


@needs_shared
@pytest.mark.parametrize("name, heading", [("icd203", "US Intelligence"), ("ipcc-ar5", "IPCC AR5")])
def test_published_scale_tables_equal_their_source(name, heading):
    tables = _md_tables((SHARED / "README.md").read_text(encoding="utf-8"))
    rows = next(rows for head, rows in tables.items() if head.startswith(heading) or heading in head)
    want = {term: _pct_band(band) for term, band in rows}
    got = {t.name: t.band for t in get_scale(name).terms.values()}
    assert got == want


@needs_shared
def test_survey_is_the_shared_file_with_its_licence_and_matches_its_table():
    assert (DATA_DIR / "survey-probly.csv").read_bytes() == (SHARED / "survey-probly.csv").read_bytes()
    assert (DATA_DIR / "survey-LICENSE").read_bytes() == (SHARED / "survey-LICENSE").read_bytes()
    table = _md_tables((SHARED / "README.md").read_text(encoding="utf-8"))
    rows = next(rows for head, rows in table.items() if "Medians and 10th" in head)
    scale = get_scale("survey")
    checked = 0
    for phrases, median, bands in rows:           # a grouped row gives one band per phrase, or one for all
        names, given = phrases.split(" / "), [_pct_band(b) for b in bands.split(" / ")]
        terms = [scale.terms[n] for n in names]
        for term in terms:
            assert np.median(term.responses) == pytest.approx(float(median) / 100), term.name
            checked += 1
        if len(given) == len(terms):
            assert [t.band for t in terms] == given
        else:
            assert (min(t.band[0] for t in terms), max(t.band[1] for t in terms)) == given[0]
    assert checked == 17


def test_scales_read_the_issues_example_and_report_missing_words():
    icd, ipcc, survey = (get_scale(n).term_for("unlikely") for n in ("icd203", "ipcc-ar5", "survey"))
    assert icd is not None and ipcc is not None and survey is not None
    assert icd.band == (0.20, 0.45) and ipcc.band == (0.0, 0.33)
    assert survey.band == (0.08, 0.35) and len(survey.responses) == 46
    for name in SCALES[1:]:
        assert get_scale(name).term_for("plausible") is None          # no term: reported, not guessed
        assert get_scale(name).reread("plausible", 0.3, (0.2, 0.4)) is None
    assert {r["word"]: r["term"] for r in get_scale("icd203").table()}["plausible"] is None
    assert len(read_survey(DATA_DIR / "survey-probly.csv")) == 17


def test_unknown_scale_is_a_clear_error(model):
    from argmap.base.errors import QueryError

    with pytest.raises(QueryError, match="no verbal scale named 'icd-203'.*icd203"):
        model.on_scale("icd-203")


# ------------------------------------------------------------------------------------------- re-reading

def test_rereading_on_the_maps_own_scale_is_a_no_op(model):
    assert model.on_scale(MAP_SCALE) is model
    net, report = reread_network(model.map, model.network, MAP_SCALE)
    assert net is model.network and all(r.new in (None, r.old) for r in report)
    scale = get_scale(MAP_SCALE)
    for word, (lo, hi) in PROBABILITY_BANDS.items():
        if word != "definitional":
            for x in np.linspace(lo, hi, 7):
                assert scale.reread(word, float(x), (lo, hi)) == (float(x), (lo, hi))


def test_rereading_keeps_the_quantile_inside_the_band_and_the_range_in_log_odds():
    got = get_scale("icd203").reread("unlikely", 0.15, (0.05, 0.3))
    assert got is not None
    value, rng = got
    assert rng is not None
    assert value == pytest.approx(0.325)                     # the middle of 5-25% -> the middle of 20-45%
    logit = special.logit
    assert logit(rng[0]) - logit(value) == pytest.approx(logit(0.05) - logit(0.15))
    assert logit(rng[1]) - logit(value) == pytest.approx(logit(0.3) - logit(0.15))


def test_rereading_the_bundled_map_changes_exactly_the_worded_numbers(model):
    icd = model.on_scale("icd203")
    assert icd.scale == "icd203" and icd.map is not model.map
    changed = {r.param for r in icd.rereads if r.new is not None and r.new != r.old}
    theta0, theta1 = model.network.theta0, icd.network.theta0
    names = [p.name for p in model.network.params]
    moved = {names[i] for i in np.flatnonzero(~np.isclose(theta0, theta1))}
    assert moved and moved <= changed
    for r in icd.rereads:
        if r.word == "plausible":
            assert r.new is None and "no term" in r.why
        if r.word in ("moderate", "strong"):
            assert r.new is None and "strength" in r.why
    assert icd.probability() != model.probability()
    assert icd.on_scale(MAP_SCALE) is model                   # back to the map's reading, not a re-re-read


# ---------------------------------------------------------------------------------- correlated hedges

@pytest.mark.parametrize("rho", [0.2, 0.6])
def test_correlated_draws_have_the_stated_rank_correlation(model, rho):
    net = model.network
    a, b = fit_beta(0.1, 0.5), fit_beta(0.3, 0.9)
    factors = (Factor("x", "beta", a, (0,)), Factor("y", "lognormal", (0.0, 0.5), (1,)),
               Factor("z", "beta", b, (2,)))
    theta = sample_theta(net, 40_000, 3, factors, correlation=rho, signs=np.array([1.0, 1.0, -1.0]))
    r_xy = stats.spearmanr(theta[:, 0], theta[:, 1])[0]
    r_xz = stats.spearmanr(theta[:, 0], theta[:, 2])[0]
    assert r_xy == pytest.approx(rho, abs=0.015)
    assert r_xz == pytest.approx(-rho, abs=0.015)
    lo, hi = np.quantile(theta[:, 0], [0.05, 0.95])            # each marginal stays as stated
    assert (lo, hi) == pytest.approx((0.1, 0.5), abs=0.01)


def test_one_factor_per_part_correlates_hedges_within_a_part_only(model, capsys):
    """--shared-factor part: two hedges of one part have rank correlation ±ρ, hedges of different parts none;
    the paired sampler keeps its base side equal to draws(); the CLI says which model it drew."""
    rho = 0.5
    d = draws(model, samples=20_000, seed=2, correlation=rho, shared_factor="part")
    groups = part_groups(model, d.factors, "part")
    assert groups is not None and len(set(groups.tolist())) > 3
    signs = toward(model, d.query, d.factors)
    scalar = [(k, f) for k, f in enumerate(d.factors) if f.dims == 1 and signs[sum(x.dims for x in d.factors[:k])]]
    same = next((a, b) for i, a in enumerate(scalar) for b in scalar[i + 1:] if groups[a[0]] == groups[b[0]])
    other = next((a, b) for i, a in enumerate(scalar) for b in scalar[i + 1:] if groups[a[0]] != groups[b[0]])

    def rank_corr(pair) -> tuple[float, float]:
        (ka, fa), (kb, fb) = pair
        want = rho * signs[ka] * signs[kb] if groups[ka] == groups[kb] else 0.0
        return stats.spearmanr(d.theta[:, fa.columns[0]], d.theta[:, fb.columns[0]])[0], want
    for pair in (same, other):
        got, want = rank_corr(pair)
        assert got == pytest.approx(want, abs=0.03)
    one = draws(model, samples=4000, seed=2, correlation=0.2)
    per_part = draws(model, samples=4000, seed=2, correlation=0.2, shared_factor="part")
    assert np.quantile(per_part.values, 0.95) - np.quantile(per_part.values, 0.05) < \
        np.quantile(one.values, 0.95) - np.quantile(one.values, 0.05)          # parts lean apart: narrower
    pope = Model.load(None, ["pope-2023"])
    vb, _ = paired(model, pope, samples=800, seed=5, correlation=0.3, shared_factor="part")
    assert np.array_equal(vb, draws(model, samples=800, seed=5, correlation=0.3, shared_factor="part").values)
    assert main(["run", "--spread", "--samples", "500", "--shared-factor", "part", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["spread"]["correlation"]["shared_factor"] == "part"
    with pytest.raises(QueryError, match="shared-factor"):
        draws(model, samples=10, shared_factor="claim")


def test_latent_correlation_gives_the_rank_correlation_in_closed_form():
    for rho in (0.0, 0.1, 0.5, 0.9, 1.0):
        assert 6 / math.pi * math.asin(latent_correlation(rho) / 2) == pytest.approx(rho)


@pytest.mark.parametrize("scale, words, families", [
    (MAP_SCALE, False, {"beta", "lognormal", "dirichlet"}), (MAP_SCALE, True, {"uniform", "loguniform", "dirichlet"}),
    ("survey", True, {"empirical", "beta", "lognormal", "dirichlet"})])
def test_tabulated_quantiles_match_the_exact_ones(model, scale, words, families):
    """The copula's fast path (normal scores -> θ) equals each factor's exact quantile function of Φ(z):
    betas and Dirichlets within 1e-4 (tabulated), log-normal, uniform, log-uniform and empirical to rounding."""
    from argmap.inference.distributions import unit_to_theta

    on = model.on_scale(scale)
    factors = hedge_factors(on, words)
    assert {f.family for f in factors} == families
    z = np.clip(np.random.default_rng(5).standard_normal((600, sum(f.dims for f in factors))) * 2, -6.5, 6.5)
    exact = unit_to_theta(on.network, factors, special.ndtr(z))
    fast = normal_to_theta(on.network, factors, z)
    def cols(*families: str) -> list[int]:
        return [c for f in factors if f.family in families for c in f.columns]

    tabled = cols("beta", "dirichlet")           # quantile tables on normal scores (a Dirichlet's gammas)
    assert np.abs(fast[:, tabled] - exact[:, tabled]).max() < 1e-4
    assert np.allclose(fast[:, cols("lognormal")], exact[:, cols("lognormal")], rtol=1e-6)   # Φ⁻¹(Φ(z)) = z
    assert np.allclose(fast[:, cols("uniform", "loguniform", "empirical")],
                       exact[:, cols("uniform", "loguniform", "empirical")], rtol=1e-12, atol=1e-15)


def test_zero_correlation_is_todays_monte_carlo_for_the_same_seed(model):
    mc = monte_carlo(model, samples=3000, seed=7)
    sp = spread(model, samples=3000, seed=7, correlation=0.0)
    assert np.array_equal(sp.independent_values, mc.values)
    assert np.array_equal(sp.correlated_values, mc.values)
    assert (sp.independent.q05, sp.independent.median, sp.independent.q95) == (
        mc.quantiles["5%"], mc.quantiles["50%"], mc.quantiles["95%"])


def test_correlation_leans_toward_the_conclusion_and_widens_the_spread(model):
    ind = draws(model, samples=4000, seed=1, correlation=0.0)
    cor = draws(model, samples=4000, seed=1, correlation=0.3)
    assert np.quantile(cor.values, 0.95) - np.quantile(cor.values, 0.05) > \
        2 * (np.quantile(ind.values, 0.95) - np.quantile(ind.values, 0.05))


def test_the_map_states_its_default_correlation_with_a_reason(model):
    rho, why = model.map.correlation
    assert 0 < rho < 1 and "2.2.3" in why
    sp = spread(model, samples=500)
    assert sp.correlation == rho and sp.correlation_source == "map"


# -------------------------------------------------------------------------------- the stated figure placed

def test_the_stated_figures_percentile_is_a_direct_count(model):
    sp = spread(model.on_scale("icd203"), samples=4000, seed=2)
    assert sp.stated == 0.25
    for s, v in ((sp.independent, sp.independent_values), (sp.correlated, sp.correlated_values)):
        below = sum(1 for x in v if x < 0.25)
        assert s.percentile == pytest.approx(100 * below / len(v))
        assert s.p_at_least == pytest.approx((len(v) - below) / len(v))
        assert s.median == pytest.approx(float(np.median(v))) and s.mean == pytest.approx(float(np.mean(v)))
    assert summarise(np.array([0.1, 0.2, 0.3, 0.4]), 0.25).percentile == 50.0


def test_no_stated_figure_under_the_users_own_conditions(model):
    sp = spread(model, samples=200, set={"ambitious_goals": "false"})
    assert sp.stated is None and sp.independent.percentile is None


# ---------------------------------------------------------------------------------- words as distributions

def test_words_draw_each_worded_number_from_its_band(model):
    net = model.network
    d = draws(model, samples=2000, seed=4, words=True, correlation=0.0)
    from argmap.inference.words import param_words

    words = param_words(model.map, net)
    for i, (p, w) in enumerate(zip(net.params, words, strict=True)):
        if p.kind == "probability" and w in PROBABILITY_BANDS and w != "definitional":
            lo, hi = PROBABILITY_BANDS[w]
            assert lo - 1e-12 <= d.theta[:, i].min() and d.theta[:, i].max() <= hi + 1e-12
    survey = draws(model.on_scale("survey"), samples=2000, seed=4, words=True, correlation=0.0)
    responses = set(get_scale("survey").terms["Unlikely"].responses)
    i = words.index("unlikely")
    assert min(responses) <= survey.theta[:, i].min() and survey.theta[:, i].max() <= max(responses)


def test_paired_draws_of_one_model_give_no_shift(model):
    a, b = paired(model, model, samples=1000, seed=3, correlation=0.2)
    assert np.array_equal(a, b)


def test_a_critiques_shift_is_drawn_by_the_spread_sampler(model, capsys):
    """One sampler: the shift's 'before' side is exactly :func:`draws` of the map for the same seed, ρ,
    scale and words; ρ None is the map's stated one; compare's options reach it."""
    from argmap.analysis.shift import shift_spread

    pope = Model.load(None, ["pope-2023"])
    for base, other, words in ((model, pope, False), (model.on_scale("icd203"), pope.on_scale("icd203"), True)):
        d = draws(base, samples=800, seed=5, correlation=0.3, words=words)
        vb, vo = paired(base, other, samples=800, seed=5, correlation=0.3, words=words)
        assert np.array_equal(vb, d.values) and not np.array_equal(vb, vo)
        s = shift_spread(base, other, samples=800, seed=5, correlation=0.3, words=words)
        assert s.before_q == tuple(float(x) for x in np.quantile(d.values, (0.05, 0.95)))
        assert (s.correlation, s.words, s.scale) == (0.3, words, base.scale)
        assert s.lower == float(np.mean(vo - vb < -1e-12))
    assert shift_spread(model, pope, samples=200).correlation == model.map.correlation[0]
    assert main(["compare", "--with", "pope-2023", "--no-attribution", "--correlation", "0.5", "--words",
                 "--scale", "survey", "--json"]) == 0
    interval = json.loads(capsys.readouterr().out)["viewpoints"][0]["interval"]
    assert (interval["correlation"], interval["draw"], interval["scale"]) == (0.5, "words", "survey")


# -------------------------------------------------------------------------------------------------- CLI

def test_run_spread_json_and_text(capsys):
    assert main(["run", "--spread", "--samples", "600", "--scale", "survey", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    sp = out["spread"]
    assert sp["scale"] == "survey" and sp["stated"] == 0.25 and sp["samples"] == 600
    assert set(sp["independent"]) == {"median", "mean", "q05", "q95", "percentile", "p_at_least"}
    assert sp["correlation"]["source"] == "map"
    assert main(["run", "--spread", "--samples", "600", "--correlation", "0"]) == 0
    text = capsys.readouterr().out
    assert "independent" in text and "correlated ρ=0" in text and "percentile" in text


def test_bad_correlation_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as err:
        main(["run", "--spread", "--correlation", "1.5"])
    assert err.value.code == 2 and "rank correlation between 0 and 1" in capsys.readouterr().err


def test_sources_shows_each_number_under_the_scale(capsys):
    assert main(["sources", "--scale", "ipcc-ar5", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    unlikely = [r for r in rows if r.get("band") == "unlikely"]
    assert unlikely and all(r["scale"]["reread"] and 0 <= r["value"] <= 0.33 for r in unlikely)
    assert all(r["scale"]["map_value"] != r["value"] or r["scale"]["map_value"] == 0.0 for r in unlikely)
    plausible = [r for r in rows if r.get("band") == "plausible"]
    assert plausible and not any(r["scale"]["reread"] for r in plausible)


def test_beta_tables_are_exact_where_draws_read_them_and_computed_only_there(monkeypatch):
    """normal_to_theta's beta tables compute only the grid points draws fall between (kept for later draws):
    at every cell read, the value and slope are exactly the full table's (betaincinv point by point)."""
    from argmap.inference import distributions as dist

    args: list[tuple[float, ...]] = [(2.0, 5.0), (0.7, 0.4), (31.5, 80.25)]
    full = np.stack([dist._normal_table("beta", a)[1] for a in args])
    n = full.shape[1]
    monkeypatch.setattr(dist, "_BETA_TABLES", {})    # this test's own tables; the process's are left as they were
    monkeypatch.setattr(dist, "_BETA_USED", {})
    rng = np.random.default_rng(11)
    for scale in (1.0, 1.5):                    # narrow draws first, then wider ones: the tables fill in
        idx = np.clip((rng.standard_normal((3, 500)) * scale * (n - 1) / 16 + (n - 1) / 2).astype(np.intp), 0, n - 2)
        flat, slope = dist._beta_cells(args, idx)
        tables, slopes = flat.reshape(3, n), slope.reshape(3, n)
        rows = np.arange(3)[:, None]
        assert np.array_equal(tables[rows, idx], full[rows, idx])
        assert np.array_equal(tables[rows, idx + 1], full[rows, idx + 1])
        assert np.array_equal(slopes[rows, idx], full[rows, idx + 1] - full[rows, idx])
        assert np.isnan(tables[:, 0]).all() and np.isnan(tables[:, -1]).all()     # the far tails: never needed
    z = np.random.default_rng(2).standard_normal((400, 1))
    assert len(dist._BETA_TABLES) == 3 and not np.isnan(dist._BETA_TABLES[args[0]]).all()
    net_factors = (Factor("p", "beta", args[0], (0,)),)

    class Net:                                  # normal_to_theta reads only theta0
        theta0 = np.array([0.5])
    assert np.abs(normal_to_theta(Net(), net_factors, z)[:, 0]  # type: ignore[arg-type]
                  - np.interp(z[:, 0], *dist._normal_table("beta", args[0]))).max() < 1e-15
