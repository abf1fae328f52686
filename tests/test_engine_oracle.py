"""The engine against brute-force enumeration on random maps (the oracle lives in tests only)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from randmaps import (
    brute_force,
    exact,
    observation_weight,
    random_map_files,
    random_observations,
    random_query,
    reference_marginals,
    write_random_map,
)

from argmap import Engine, ImpossibleEvidenceError, Model, compile_map, load_map

N_MAPS = 240


@pytest.fixture(scope="module")
def random_networks(tmp_path_factory):
    rng = np.random.default_rng(20231115)
    nets = []
    for i in range(N_MAPS):
        folder = write_random_map(tmp_path_factory.mktemp(f"m{i}"), rng)
        nets.append(compile_map(load_map(folder)))
    return nets


def test_random_maps_cover_the_format(random_networks):
    kinds = {p.kind for net in random_networks for p in net.params}
    assert kinds == {"probability", "simplex", "ratio", "scale"}
    assert any(len(s) == 3 for net in random_networks for s in net.states.values())
    assert sum(len(net.variables) for net in random_networks) > 4 * N_MAPS


def test_random_maps_cover_routes_and_arguments_into_tables(random_networks):
    routes = [p for net in random_networks for p in net.params if p.name.startswith("route:")]
    assert len(routes) > N_MAPS // 4 and any(p.value == 1.0 for p in routes)
    into_tables = [net for net in random_networks for v in net.variables
                   if net.specs and (c := net.specs[v].composed) is not None and c.table is not None]
    assert len(into_tables) > 10
    assert any(s.composed.routes and s.composed.terms for net in random_networks for s in net.specs.values()
               if s.composed is not None)


def test_engine_matches_the_formats_meaning(tmp_path):
    """The engine's marginals equal enumeration over CPTs computed from each random map's own text by the
    formulas of docs/format.md (noisy-OR routes with the base as leak, ratios on each row's odds, routes
    and ratios into a table's rows, leaky requirements, modulators): an oracle independent of the compiler."""
    rng = np.random.default_rng(20261207)
    for i in range(150):
        files = random_map_files(rng)
        folder = tmp_path / f"r{i}"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text)
        model = Model.load(folder)
        want = reference_marginals(files)
        got = model.marginals(scenario=None)
        for v, dist in want.items():
            np.testing.assert_allclose([got[v][s] for s in model.network.states[v]], dist, rtol=0, atol=1e-12,
                                       err_msg=f"map {i}, claim {v}")


def test_engine_matches_enumeration(random_networks):
    rng = np.random.default_rng(7)
    checked = 0
    for net in random_networks:
        engine = Engine(net)
        for _ in range(4):
            target, given, set_ = random_query(net, rng)
            expected = brute_force(net, target, given, set_)
            if expected is None:
                with pytest.raises(ImpossibleEvidenceError):
                    engine.query(target, given, set_)
                continue
            got = engine.query(target, given, set_)
            np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
            assert abs(got.sum() - 1) < 1e-12
            checked += 1
    assert checked >= 3 * N_MAPS


def test_batched_equals_one_at_a_time(random_networks):
    rng = np.random.default_rng(11)
    for net in random_networks[:60]:
        engine = Engine(net)
        theta = np.repeat(net.theta0[None, :], 5, axis=0)
        for j, p in enumerate(net.params):
            if p.kind == "probability":
                theta[:, j] = rng.uniform(0.05, 0.95, size=5)
            elif p.kind == "ratio":
                theta[:, j] = np.exp(rng.normal(0, 1, size=5))
        target, given, set_ = random_query(net, rng)
        try:
            batch = engine.query(target, given, set_, theta)
        except ImpossibleEvidenceError:
            continue
        for b in range(5):
            expected = exact(net, target, given, set_, theta[b])
            np.testing.assert_allclose(batch[b], expected, rtol=0, atol=1e-12)


def test_marginals_of_every_claim(random_networks):
    for net in random_networks[:40]:
        engine = Engine(net)
        margs = engine.marginals()
        for v, m in margs.items():
            np.testing.assert_allclose(m, exact(net, v, {}, {}), rtol=0, atol=1e-12)


def test_several_modulators_are_covered(random_networks):
    scales = [p for net in random_networks for p in net.params if p.kind == "scale"]
    per_relation: dict[tuple[int, str], set[str]] = {}
    for i, net in enumerate(random_networks):
        for p in net.params:
            if p.kind == "scale":
                per_relation.setdefault((i, p.relation), set()).add(p.name.rsplit("@", 1)[1].split("=")[0])
    assert scales and any(len(mods) > 1 for mods in per_relation.values())


def test_observations_match_enumeration_with_their_likelihoods(tmp_path_factory):
    """Observations in an overlay against brute force over the map without them, each assignment weighted
    by the reports' likelihoods read straight from the file: exact Bayes, reliability included."""
    rng = np.random.default_rng(20241218)
    checked = 0
    for i in range(80):
        folder = write_random_map(tmp_path_factory.mktemp(f"o{i}"), rng)
        base = compile_map(load_map(folder))
        observations = random_observations(rng, base.states)
        overlay = folder.parent / f"obs{i}.yaml"
        overlay.write_text(yaml.safe_dump({"overlay": "obs", "author": "Oracle", "observe": observations}))
        model = Model.load(folder, [overlay])
        weight = observation_weight(observations)
        for _ in range(3):
            target, given, set_ = random_query(base, rng)
            expected = brute_force(base, target, given, set_, weight=weight)
            if expected is None:
                with pytest.raises(ImpossibleEvidenceError):
                    model.distribution(target, given, set_, scenario=None)
                continue
            got = model.distribution(target, given, set_, scenario=None)
            np.testing.assert_allclose(np.array([got[s] for s in base.states[target]]), expected, rtol=0, atol=1e-12)
            checked += 1
        margs = model.marginals(scenario=None)
        for v in base.variables[:3]:
            want = brute_force(base, v, {}, {}, weight=weight)
            assert want is not None
            np.testing.assert_allclose(np.array([margs[v][s] for s in base.states[v]]), want, rtol=0, atol=1e-12)
    assert checked >= 200
