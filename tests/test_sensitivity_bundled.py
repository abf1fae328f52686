"""Sensitivity on the bundled report map: every part is produced and the exact parts are exact."""

from __future__ import annotations

import numpy as np
import pytest

from argmap import Model
from argmap.analysis.sensitivity import report
from argmap.analysis.sensitivity._query import resolve, with_value


@pytest.fixture(scope="module")
def bundled():
    return Model.load()


@pytest.fixture(scope="module")
def rep(bundled):
    return report(bundled, samples=500, sobol_samples=32, seed=0)


def test_one_way_functions_match_brute_recomputation(bundled, rep):
    q = resolve(bundled)
    net = bundled.network
    batches, expected = [], []
    for f in rep.one_way:
        v = np.array([0.2, 0.55, 0.9]) * (1.0 if f.domain[1] == 1.0 else 4.0) + (0.0 if f.domain[1] == 1.0 else 0.05)
        batches.append(with_value(net.theta0, net.params[f.index], f.index, v))
        expected.append(f(v))
    brute = bundled.engine.query(q.target, q.given, q.set, np.concatenate(batches))[:, -1]
    assert np.max(np.abs(brute - np.concatenate(expected))) < 1e-12
    assert len(rep.one_way) == len(net.params)


def test_thresholds_when_applied_give_their_bound(bundled, rep):
    q = resolve(bundled)
    net = bundled.network
    rows, found = [], []
    for r in rep.thresholds:
        i = net.param_index(r["param"])
        for c in r["crossings"]:
            if c["value"] is not None:
                rows.append(with_value(net.theta0, net.params[i], i, [c["value"]]))
                found.append(c["bound"])
    assert found, "expected at least one reachable threshold on the bundled map"
    got = bundled.engine.query(q.target, q.given, q.set, np.concatenate(rows))[:, -1]
    assert got == pytest.approx(found, abs=1e-9)


def test_every_section_is_produced(rep):
    assert 0.0 <= rep.baseline <= 1.0
    assert rep.cruxes and rep.tornado and rep.thresholds
    assert rep.monte_carlo.samples == 500 and rep.sobol.rows
    assert all(r["sections"] for r in rep.tornado), "every tornado row cites a report section"
    top = [r for r in rep.cruxes if not r["downstream"]][0]
    assert top["expected_shift"] > 0 and top["mutual_information"] > 0
