"""Numerical edge cases: credences of exactly 0 and 1, odds ratios of 1e-9 and 1e9, evidence of
probability zero (a clear ImpossibleEvidenceError, never NaN), and marginals that sum to 1 within 1e-12."""

from __future__ import annotations

import contextlib
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from randmaps import random_query, write_random_map

from argmap import ImpossibleEvidenceError, Model
from argmap.base.errors import ArgmapError
from argmap.commands.cli import main

ROOT = Path(__file__).resolve().parent.parent

EDGES = """
claims:
  - {id: never, title: Never, credence: 0}
  - {id: always, title: Always, credence: 1}
  - {id: half, title: Half, credence: "1/2"}
  - id: leaky
    title: Needs the impossible, with a leak
    base: 0.8
    requires: [{claim: never, leak: 0.3}]
  - id: strong
    title: Odds times a billion
    kind: argument
    base: 0.5
  - id: weak
    title: Odds over a billion
    base: 0.5
  - id: pinned_low
    title: Base 0 resists any support
    base: 0
  - id: pinned_high
    title: Base 1 resists any opposition
    base: 1
  - {id: up, title: Up, credence: 1, supports: [{claim: strong, ratio: 1e9}, {claim: pinned_low, ratio: 1e9}]}
  - {id: down, title: Down, credence: 1, opposes: [{claim: weak, ratio: 1e-9}, {claim: pinned_high, ratio: 1e-9}]}
  - id: gate
    title: Requires something that always holds
    base: 0.25
    requires: [always]
  - id: table_zero
    title: A table with zero rows
    table:
      given: [half]
      rows:
        - {when: {half: true}, p: 0}
        - {when: {half: false}, p: 1}
"""


@pytest.fixture(scope="module")
def edges(tmp_path_factory) -> Model:
    folder = tmp_path_factory.mktemp("edges")
    (folder / "map.yaml").write_text("argmap: 1\nname: edges\ntarget: leaky\n")
    (folder / "claims.yaml").write_text(EDGES)
    return Model.load(folder)


def test_credences_of_exactly_zero_and_one(edges):
    p = {c: edges.probability(c, scenario=None) for c in ("never", "always", "leaky", "gate")}
    assert p["never"] == 0.0 and p["always"] == 1.0
    assert p["leaky"] == pytest.approx(0.8 * 0.3, abs=1e-15)
    assert p["gate"] == pytest.approx(0.25, abs=1e-15)


def test_likelihood_ratios_of_a_billion_and_a_billionth(edges):
    assert edges.probability("strong", scenario=None) == pytest.approx(1e9 / (1 + 1e9), rel=1e-15)
    assert edges.probability("weak", scenario=None) == pytest.approx(1e-9 / (1 + 1e-9), rel=1e-12)
    assert edges.probability("pinned_low", scenario=None) == 0.0
    assert edges.probability("pinned_high", scenario=None) == 1.0
    for dist in edges.marginals(scenario=None).values():
        assert all(math.isfinite(x) for x in dist.values())


@pytest.mark.parametrize("given", [{"never": "true"}, {"always": "false"}, {"pinned_low": "true"},
                                   {"half": "true", "table_zero": "true"}])
def test_evidence_of_probability_zero_is_a_clear_error(edges, given):
    with pytest.raises(ImpossibleEvidenceError) as info:
        edges.probability("half", given=given, scenario=None)
    message = str(info.value)
    assert "probability zero" in message and "nan" not in message.lower()
    assert all(f"{k}={v}" in message for k, v in given.items())
    with pytest.raises(ImpossibleEvidenceError):
        edges.marginals(given=given, scenario=None)
    assert edges.engine.joint_evidence(given) == 0.0


def test_impossible_evidence_from_the_cli(edges):
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(["run", str(edges.map.root), "--given", "never=true", "--json"])
    assert code == 1
    assert "probability zero" in err.getvalue() and "nan" not in (err.getvalue() + out.getvalue()).lower()
    assert out.getvalue() == ""


def test_intervening_on_an_impossible_state_is_not_an_error(edges):
    """do(never = true) cuts the claim from its credence: the result is defined."""
    assert edges.probability("leaky", set={"never": "true"}, scenario=None) == pytest.approx(0.8, abs=1e-15)


def test_batches_with_an_impossible_row_raise_and_never_return_nan(edges):
    net = edges.network
    i = net.param_index("credence:never")
    theta = np.tile(net.theta0, (3, 1))
    theta[:, i] = [0.5, 0.25, 0.0]
    with pytest.raises(ImpossibleEvidenceError):
        edges.probability("leaky", given={"never": "true"}, scenario=None, theta=theta)
    ok = edges.probability("leaky", given={"never": "true"}, scenario=None, theta=theta[:2])
    np.testing.assert_allclose(ok, [0.8, 0.8], atol=1e-15)


def test_json_output_has_no_nan(edges):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["run", str(edges.map.root), "--json"]) == 0
    text = out.getvalue()
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text)


def _assert_distribution(dist: np.ndarray, label: str) -> None:
    assert np.all(np.isfinite(dist)), label
    assert np.all(dist >= 0) and np.all(dist <= 1 + 1e-15), label
    assert abs(float(dist.sum()) - 1.0) <= 1e-12, f"{label}: sums to {dist.sum()!r}"


@pytest.mark.parametrize("seed", range(40))
def test_marginals_sum_to_one_on_random_maps(seed, tmp_path):
    rng = np.random.default_rng(5_000 + seed)
    model = Model.load(write_random_map(tmp_path / "m", rng))
    for _ in range(3):
        _, given, set_ = random_query(model.network, rng)
        try:
            margs = model.engine.marginals(given, set_)
        except ImpossibleEvidenceError:
            assert model.engine.joint_evidence(given, set_) == 0.0
            continue
        for v, dist in margs.items():
            _assert_distribution(dist, f"seed {seed}, {v} | {given}, do {set_}")
    theta = model.network.theta0[None, :].repeat(4, axis=0)
    batch = model.engine.query(model.map.target, {}, {}, theta)
    for row in batch:
        _assert_distribution(row, f"seed {seed} batch")


def test_bundled_marginals_sum_to_one():
    try:
        model = Model.load()
    except ArgmapError:
        pytest.skip("the bundled map does not load right now")
    for scenario in ("default", None):
        for v, dist in model.marginals(scenario=scenario).items():
            _assert_distribution(np.array(list(dist.values())), f"bundled {v} ({scenario})")
