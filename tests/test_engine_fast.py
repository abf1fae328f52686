"""The engine's fast paths: the vectorised CPT program, the one-pass marginals, wide maps refused.

The oracle tests (test_engine_oracle.py) check queries against enumeration; these check what they do
not reach: every CPT cell the program fills against the builders, at extreme parameter values;
all marginals under evidence and interventions, batched; a claim with more children than one
einsum can take; and a map too wide for exact elimination refused before any table is built.
"""

from __future__ import annotations

import numpy as np
import pytest
from mapkit import write_map
from randmaps import brute_force, exact, random_query, write_random_map

from argmap import Engine, ImpossibleEvidenceError, WidthError, compile_map, load_map
from argmap.commands.cli import main


@pytest.fixture(scope="module")
def networks(tmp_path_factory):
    rng = np.random.default_rng(424242)
    return [compile_map(load_map(write_random_map(tmp_path_factory.mktemp(f"f{i}"), rng))) for i in range(50)]


def _random_theta(net, rng, n: int) -> np.ndarray:
    theta = np.repeat(net.theta0[None, :], n, axis=0)
    for j, p in enumerate(net.params):
        if p.kind == "probability":
            theta[1:, j] = rng.uniform(0, 1, n - 1)
            theta[-1, j] = rng.choice([0.0, 1.0])        # the exact ends
        elif p.kind == "ratio":
            theta[1:, j] = np.exp(rng.normal(0, 3, n - 1))
        elif p.kind == "scale":
            theta[1:, j] = rng.uniform(0, 2, n - 1)
    return theta


def test_program_fills_every_cell_like_the_builders(networks):
    rng = np.random.default_rng(1)
    for net in networks:
        theta = _random_theta(net, rng, 6)
        prog = net.program()
        tables = prog.tables(prog.run(np.ascontiguousarray(theta.T)))
        for v, ref in net.cpts(theta).items():
            got = np.moveaxis(tables[v], -1, 0)
            assert got.shape == ref.shape
            np.testing.assert_allclose(got, ref, rtol=0, atol=1e-13)


def test_claims_of_one_shape_share_their_indexing_and_keep_their_own_numbers(tmp_path):
    """Claims with the same parents' cards and relations' layout are indexed once per shape (formulas,
    unmet requirements); each must still read its own base, ratios and leaks, in its own cells, with
    shapes interleaved so a shape's claims are not contiguous."""
    roots = [{"id": r, "title": r, "credence": 0.2 + 0.1 * i} for i, r in enumerate("abc")]
    kids = []
    for i in range(24):
        requires: list[dict] = [{"claim": "a", "leak": round(0.05 + 0.01 * i, 2)} if i % 3 else {"claim": "a"}]
        if i % 2:                                    # two shapes, alternating
            requires.append({"claim": "c", "leak": round(0.5 - 0.01 * i, 2)})
        kids.append({"id": f"k{i}", "title": f"K{i}", "base": round(0.1 + 0.03 * i, 2), "requires": requires})
    roots[1]["supports"] = [{"claim": f"k{i}", "ratio": round(1.5 + 0.25 * i, 2)} for i in range(0, 24, 2)]
    net = compile_map(load_map(write_map(tmp_path / "shapes", roots + kids, "k0")))
    rng = np.random.default_rng(7)
    theta = _random_theta(net, rng, 5)
    prog = net.program()
    assert prog is not None
    tables = prog.tables(prog.run(np.ascontiguousarray(theta.T)))
    for v, ref in net.cpts(theta).items():
        np.testing.assert_allclose(np.moveaxis(tables[v], -1, 0), ref, rtol=0, atol=1e-13)


def test_marginals_in_one_pass_match_enumeration(networks):
    rng = np.random.default_rng(2)
    checked = 0
    for net in networks:
        engine = Engine(net)
        _, given, set_ = random_query(net, rng)
        theta = _random_theta(net, rng, 3)[:2]
        try:
            batch = engine.marginals(given, set_, theta)
        except ImpossibleEvidenceError:
            assert brute_force(net, net.variables[0], given, set_, theta[0]) is None \
                or brute_force(net, net.variables[0], given, set_, theta[1]) is None
            continue
        for b in range(2):
            for v in net.variables:
                np.testing.assert_allclose(batch[v][b], exact(net, v, given, set_, theta[b]), rtol=0, atol=1e-12)
        single = engine.marginals(given, set_)
        for v in net.variables:
            np.testing.assert_allclose(single[v], exact(net, v, given, set_), rtol=0, atol=1e-12)
            assert abs(single[v].sum() - 1) < 1e-12
        checked += 1
    assert checked >= 35


def test_a_claim_with_many_children(tmp_path):
    # 40 children of one root: more factors meet at the root than one einsum call accepts
    kids = [{"id": f"k{i}", "title": f"Kid {i}", "base": 0.5,
             "requires": [{"claim": "root", "leak": 0.2 + 0.01 * i}]} for i in range(40)]
    folder = write_map(tmp_path / "hub", [{"id": "root", "title": "Root", "credence": 0.3}] + kids, "k0")
    net = compile_map(load_map(folder))
    engine = Engine(net)
    given = {f"k{i}": "true" for i in range(1, 31)}
    like_t = np.prod([0.5 for _ in range(1, 31)])
    like_f = np.prod([0.5 * (0.2 + 0.01 * i) for i in range(1, 31)])
    post = 0.3 * like_t / (0.3 * like_t + 0.7 * like_f)
    np.testing.assert_allclose(engine.query("root", given)[1], post, rtol=1e-12)
    margs = engine.marginals(given)
    np.testing.assert_allclose(margs["root"][1], post, rtol=1e-12)
    p39 = post * 0.5 + (1 - post) * 0.5 * 0.59
    np.testing.assert_allclose(margs["k39"][1], p39, rtol=1e-12)


def _grid_claims(k: int = 26) -> list[dict]:
    # a k-by-k grid (each claim requires its left and upper neighbours) has treewidth k
    claims = []
    for i in range(k):
        for j in range(k):
            req = [f"g{i - 1}_{j}"] * (i > 0) + [f"g{i}_{j - 1}"] * (j > 0)
            c: dict[str, object] = {"id": f"g{i}_{j}", "title": f"G{i},{j}"}
            c.update({"requires": [{"claim": r, "leak": 0.3} for r in req], "base": 0.9} if req else {"credence": 0.5})
            claims.append(c)
    return claims


def test_too_wide_is_refused_before_building_tables(tmp_path, capsys):
    folder = write_map(tmp_path / "grid", _grid_claims(), "g25_25")
    engine = Engine(compile_map(load_map(folder)))
    with pytest.raises(WidthError) as err:
        engine.query("g25_25")
    assert err.value.width >= 24 and len(err.value.claims) == err.value.width + 1
    assert f"width {err.value.width}" in str(err.value) and err.value.claims[0] in str(err.value)
    with pytest.raises(WidthError):
        engine.marginals()
    assert main(["check", str(folder)]) == 1
    assert "too densely connected" in capsys.readouterr().err
