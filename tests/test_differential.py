"""Differential tests: argmap's exports read by pgmpy and pyAgrum give argmap's marginals.

Every marginal must agree to 1e-9 (pyAgrum reading *BIF*: 1e-6, because its BIF parser reads
numbers as single-precision floats; its XMLBIF reader is exact, and a test below checks the
float32 rounding is the whole difference). Covered: the bundled map with and without its
default scenario (entered as evidence in the peers), the bundled map with every overlay stack,
and 120 random maps (binary and categorical claims, requires/routes/supports/opposes/undercuts,
modulators, tables, routes and arguments into tables) unconditionally and with random evidence, and
routes against pyAgrum's own noisy-OR nodes. pyAgrum gets a fresh
LazyPropagation per network. Networks written by the peers are imported back as argument maps.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml
from randmaps import write_random_map

from argmap import Model
from argmap.analysis.interchange import bif_state_names, export_model, import_network
from argmap.analysis.interchange.bif import bif_names
from argmap.base.errors import ArgmapError

ROOT = Path(__file__).resolve().parent.parent
TOL = 1e-9
AGRUM_BIF_TOL = 1e-6
N_RANDOM = 120


# ------------------------------------------------------------------------------------- peers

@functools.cache
def _pgmpy():
    pytest.importorskip("pgmpy")
    warnings.filterwarnings("ignore", category=FutureWarning)
    from pgmpy.readwrite import BIF

    # pgmpy builds its pyparsing grammar anew for every BIFReader (seconds each); the grammar
    # is stateless, so build it once.
    for name in ("get_variable_grammar", "get_probability_grammar"):
        original = getattr(BIF.BIFReader, name)
        if getattr(original, "_cached", False):
            continue
        memo: dict = {}

        def cached(self, _original=original, _memo=memo):
            if "g" not in _memo:
                _memo["g"] = _original(self)
            return _memo["g"]
        setattr(cached, "_cached", True)  # noqa: B010 - marks the wrapper so a second call does not wrap it again
        setattr(BIF.BIFReader, name, cached)
    return BIF


def _names(model: Model, fmt: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Peer-side variable and state names of each claim, in argmap's state order."""
    net = model.network
    states = {v: bif_state_names(net.states[v]) for v in net.variables}
    if fmt == "xmlbif":
        return {v: v for v in net.variables}, states
    return bif_names(net.variables), states


def pgmpy_marginals(model: Model, fmt: str, given: dict[str, str] | None = None) -> dict[str, np.ndarray]:
    BIF = _pgmpy()
    from pgmpy.inference import VariableElimination
    from pgmpy.readwrite import XMLBIFReader

    text = export_model(model, fmt)
    reader = BIF.BIFReader(string=text) if fmt == "bif" else XMLBIFReader(string=text)
    peer = reader.get_model()
    var, states = _names(model, fmt)
    evidence = {var[v]: states[v][model.network.states[v].index(s)] for v, s in (given or {}).items()}
    ve = VariableElimination(peer)
    out = {}
    for v in model.network.variables:
        if v in (given or {}):
            continue
        q = ve.query([var[v]], evidence=evidence or None, show_progress=False)
        out[v] = np.array([q.get_value(**{var[v]: s}) for s in states[v]])
    return out


def agrum_marginals(model: Model, fmt: str, tmp: Path, given: dict[str, str] | None = None) -> dict[str, np.ndarray]:
    gum = pytest.importorskip("pyagrum")
    path = tmp / ("net.bif" if fmt == "bif" else "net.bifxml")
    path.write_text(export_model(model, fmt), encoding="utf-8")
    bn = gum.loadBN(str(path))
    var, states = _names(model, fmt)
    ie = gum.LazyPropagation(bn)          # a fresh engine per network: a kept one misses CPT edits
    if given:
        ie.setEvidence({var[v]: states[v][model.network.states[v].index(s)] for v, s in given.items()})
    ie.makeInference()
    out = {}
    for v in model.network.variables:
        if v in (given or {}):
            continue
        post = ie.posterior(var[v]).toarray()
        labels = bn.variable(var[v]).labels()
        out[v] = np.array([post[labels.index(s)] for s in states[v]])
    return out


def argmap_marginals(model: Model, given: dict[str, str] | None = None) -> dict[str, np.ndarray]:
    raw = model.marginals(given=given, scenario=None)
    return {v: np.array(list(d.values())) for v, d in raw.items() if v not in (given or {})}


def assert_agree(ours: dict, theirs: dict, tol: float, label: str) -> None:
    assert set(ours) == set(theirs), label
    worst = max(float(np.max(np.abs(ours[v] - theirs[v]))) for v in ours)
    assert worst <= tol, f"{label}: a marginal differs by {worst:.3g} (tolerance {tol:g})"


PEERS = [
    pytest.param("pgmpy", "bif", TOL, id="pgmpy-bif"),
    pytest.param("pgmpy", "xmlbif", TOL, id="pgmpy-xmlbif"),
    pytest.param("pyagrum", "bif", AGRUM_BIF_TOL, id="pyagrum-bif"),
    pytest.param("pyagrum", "xmlbif", TOL, id="pyagrum-xmlbif"),
]


def peer_marginals(peer: str, model: Model, fmt: str, tmp: Path, given=None) -> dict[str, np.ndarray]:
    if peer == "pgmpy":
        return pgmpy_marginals(model, fmt, given)
    return agrum_marginals(model, fmt, tmp, given)


# ------------------------------------------------------------------------------------- maps

@functools.cache
def bundled() -> Model | None:
    try:
        return Model.load()
    except ArgmapError:
        return None


def _overlay_stacks() -> list[tuple[str, tuple[Path, ...]]]:
    """Every overlay under arguments/, each preceded by the overlays it builds on."""
    args = ROOT / "arguments"
    files = sorted(args.glob("critiques/*.y*ml")) + sorted(args.glob("viewpoints/*.y*ml"))
    by_name, needs = {}, {}
    for f in files:
        try:
            data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            data = {}
        name = str(data.get("overlay", f.stem))
        by_name[name] = f
        needs[name] = [str(x) for x in data.get("builds_on") or []]

    def stack(name: str, seen=()) -> tuple[Path, ...]:
        out: list[Path] = []
        for dep in needs.get(name, []):
            if dep in by_name and dep not in seen:
                out += [p for p in stack(dep, seen + (name,)) if p not in out]
        return tuple(out) + (by_name[name],)
    return [(name, stack(name)) for name in by_name]


OVERLAYS = _overlay_stacks()


@pytest.mark.parametrize("peer,fmt,tol", PEERS)
def test_bundled_map_agrees(peer, fmt, tol, tmp_path):
    model = bundled()
    if model is None:
        pytest.skip("the bundled map does not load right now")
    assert_agree(argmap_marginals(model), peer_marginals(peer, model, fmt, tmp_path), tol, f"bundled/{peer}/{fmt}")


@pytest.mark.parametrize("peer", ["pgmpy", "pyagrum"])
def test_bundled_default_scenario_as_peer_evidence(peer, tmp_path):
    """The export carries no scenario; entering the scenario as evidence reproduces argmap's run."""
    model = bundled()
    if model is None or model.map.default_scenario is None:
        pytest.skip("the bundled map has no default scenario right now")
    cond = model.conditions()
    if cond.set:
        pytest.skip("the default scenario intervenes (set); peers have no do() on a plain network")
    ours = {v: np.array(list(d.values())) for v, d in model.marginals().items() if v not in cond.given}
    theirs = peer_marginals(peer, model, "xmlbif", tmp_path, given=cond.given)
    assert_agree(ours, theirs, TOL, f"bundled default scenario/{peer}")
    assert model.probability() != pytest.approx(model.probability(scenario=None), abs=1e-6)


@pytest.mark.parametrize("name,stack", OVERLAYS or [pytest.param("none", (), marks=pytest.mark.skip("no overlays"))],
                         ids=[n for n, _ in OVERLAYS] or None)
@pytest.mark.parametrize("peer,fmt,tol", [PEERS[1], PEERS[3]])
def test_every_overlay_agrees(name, stack, peer, fmt, tol, tmp_path):
    try:
        model = Model.load(None, stack)
    except ArgmapError as err:
        pytest.skip(f"overlay {name} does not load right now: {err}")
    assert_agree(argmap_marginals(model), peer_marginals(peer, model, fmt, tmp_path), tol, f"{name}/{peer}/{fmt}")


def _random_model(seed: int, tmp: Path) -> Model:
    return Model.load(write_random_map(tmp / f"m{seed}", np.random.default_rng(seed)))


def _random_evidence(model: Model, rng: np.random.Generator) -> dict[str, str]:
    vs = list(model.network.variables)
    for _ in range(10):
        v = str(rng.choice(vs))
        s = model.network.states[v][int(rng.integers(len(model.network.states[v])))]
        if model.engine.joint_evidence({v: s}) > 1e-6:
            return {v: s}
    return {}


@pytest.mark.parametrize("chunk", range(4))
def test_random_maps_agree(chunk, tmp_path):
    """120 random maps: pgmpy and pyAgrum each read every map (formats alternate), with and without evidence."""
    pytest.importorskip("pgmpy")
    pytest.importorskip("pyagrum")
    per = N_RANDOM // 4
    for seed in range(chunk * per, (chunk + 1) * per):
        model = _random_model(seed, tmp_path)
        rng = np.random.default_rng(10_000 + seed)
        given = _random_evidence(model, rng) if seed % 2 else None
        ours = argmap_marginals(model, given)
        fmt_pg, fmt_ag = ("bif", "xmlbif") if seed % 2 else ("xmlbif", "bif")
        assert_agree(ours, pgmpy_marginals(model, fmt_pg, given), TOL, f"seed {seed}/pgmpy/{fmt_pg}")
        ag_tol = AGRUM_BIF_TOL if fmt_ag == "bif" else TOL
        assert_agree(ours, agrum_marginals(model, fmt_ag, tmp_path, given), ag_tol, f"seed {seed}/pyagrum/{fmt_ag}")
        if seed % 3 == 0:   # and the other format too, now and then
            other = "xmlbif" if fmt_ag == "bif" else "bif"
            tol = AGRUM_BIF_TOL if other == "bif" else TOL
            assert_agree(ours, agrum_marginals(model, other, tmp_path, given), tol, f"seed {seed}/pyagrum/{other}")
            assert_agree(ours, pgmpy_marginals(model, fmt_ag, given), TOL, f"seed {seed}/pgmpy/{fmt_ag}")


def test_pyagrum_bif_difference_is_single_precision(tmp_path):
    """pyAgrum's BIF reader stores float32(x) for every number x we write: the only source of its 1e-6."""
    gum = pytest.importorskip("pyagrum")
    model = Model.load(ROOT / "tests" / "data" / "maps" / "tiny")
    path = tmp_path / "tiny.bif"
    path.write_text(export_model(model, "bif"))
    bn = gum.loadBN(str(path))
    for v in model.network.variables:
        ours = model.network.builders[v](model.network.theta0[None, :])[0]
        theirs = bn.cpt(v).toarray()           # axes: (parents in reverse) ..., child
        theirs = np.transpose(theirs, tuple(range(theirs.ndim - 2, -1, -1)) + (theirs.ndim - 1,)) \
            if theirs.ndim > 1 else theirs
        np.testing.assert_array_equal(theirs, ours.astype(np.float32).astype(float))


# ------------------------------------------------------------------------------------- peers' files in

def _pgmpy_network(seed: int):
    _pgmpy()
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    rng = np.random.default_rng(seed)
    names = ["Smoker", "X-ray", "lung cancer", "dysp", "either"]
    cards = {n: int(rng.integers(2, 4)) for n in names}
    edges = [("Smoker", "lung cancer"), ("lung cancer", "either"), ("X-ray", "either"), ("either", "dysp")]
    model = DiscreteBayesianNetwork(edges)
    model.name = "peer_net"
    for n in names:
        parents = [a for a, b in edges if b == n]
        cols = int(np.prod([cards[p] for p in parents])) if parents else 1
        values = rng.dirichlet(np.ones(cards[n]), size=cols).T
        states = {n: [f"{n[:3].strip()}_{i}" for i in range(cards[n])]}
        for p in parents:
            states[p] = [f"{p[:3].strip()}_{i}" for i in range(cards[p])]
        model.add_cpds(TabularCPD(n, cards[n], values, evidence=parents or None,
                                  evidence_card=[cards[p] for p in parents] or None, state_names=states))
    assert model.check_model()
    return model


@pytest.mark.parametrize("writer", ["pgmpy-bif", "pgmpy-xmlbif", "pyagrum-bif", "pyagrum-bifxml"])
def test_peer_written_networks_import(writer, tmp_path):
    """Files the peers write import as maps that `argmap check` accepts and give the peers' marginals."""
    peer = _pgmpy_network(3)
    from pgmpy.inference import VariableElimination
    from pgmpy.readwrite import BIFWriter, XMLBIFWriter

    if writer == "pgmpy-bif":
        path = tmp_path / "net.bif"
        w = BIFWriter(peer)
        (w.write if hasattr(w, "write") else w.write_bif)(str(path))
    elif writer == "pgmpy-xmlbif":
        path = tmp_path / "net.xml"
        w = XMLBIFWriter(peer)
        (w.write if hasattr(w, "write") else w.write_xmlbif)(str(path))
    else:
        gum = pytest.importorskip("pyagrum")
        bn = gum.BayesNet("peer_net")
        ident = {v: v.replace(" ", "_").replace("-", "_") for v in peer.nodes()}
        for cpd in peer.get_cpds():
            v = cpd.variable
            bn.add(gum.LabelizedVariable(ident[v], v, [s.replace("-", "_") for s in cpd.state_names[v]]))
        for a, b in peer.edges():
            bn.addArc(ident[a], ident[b])
        for cpd in peer.get_cpds():
            v = cpd.variable
            arr = cpd.get_values().T.reshape(*(cpd.cardinality[1:]), cpd.cardinality[0])
            for idx in np.ndindex(*arr.shape[:-1]):
                inst = {ident[p]: int(i) for p, i in zip(cpd.variables[1:], idx, strict=False)}
                bn.cpt(ident[v])[inst] = list(arr[idx])
        path = tmp_path / ("net.bif" if writer == "pyagrum-bif" else "net.bifxml")
        gum.saveBN(bn, str(path))
    folder = import_network(path, tmp_path / "imported")
    model = Model.load(folder)
    from argmap.commands.cli import main
    assert main(["check", str(folder)]) == 0
    tol = 1e-5 if writer.startswith("pyagrum") else TOL     # pyAgrum writes 6-digit (XMLBIF) or rounded numbers
    ve = VariableElimination(peer)
    ids = {"Smoker": "smoker", "X-ray": "x_ray", "lung cancer": "lung_cancer", "dysp": "dysp", "either": "either"}
    for name, cid in ids.items():
        q = ve.query([name], show_progress=False)
        ours = model.distribution(cid, scenario=None)
        assert isinstance(ours, dict)
        theirs = {s: q.get_value(**{name: s}) for s in q.state_names[name]}
        assert len(ours) == len(theirs)             # pgmpy's XMLBIF writer rewrites some state names
        assert np.max(np.abs(np.array(list(ours.values())) - np.array(list(theirs.values())))) <= tol


# ------------------------------------------------------------------------------------- real networks

BNLEARN = ["asia", "cancer", "earthquake", "survey", "sachs", "child", "alarm", "insurance", "win95pts"]


@pytest.mark.parametrize("name", BNLEARN)
def test_bnlearn_networks_import_and_agree(name, tmp_path):
    """Classic networks from the bnlearn repository (shipped with pgmpy) import and match pgmpy.

    Tolerance 1e-7: some files round their numbers so rows sum to 1 +- 1e-6; argmap renormalises
    those rows on import, pgmpy uses them as written.
    """
    import gzip

    BIF = _pgmpy()
    import pgmpy
    from pgmpy.inference import VariableElimination

    from argmap.analysis.interchange.tomap import claim_ids

    src = Path(pgmpy.__file__).parent / "utils" / "example_models" / f"{name}.bif.gz"
    if not src.exists():
        pytest.skip(f"pgmpy does not ship {name}.bif here")
    path = tmp_path / f"{name}.bif"
    path.write_bytes(gzip.decompress(src.read_bytes()))
    model = Model.load(import_network(path, tmp_path / name))
    ours = model.marginals(scenario=None)
    peer = BIF.BIFReader(str(path)).get_model()
    ids = claim_ids(tuple(peer.nodes()))
    ve = VariableElimination(peer)
    for v in peer.nodes():
        q = ve.query([v], show_progress=False)
        for s in q.state_names[v]:
            assert ours[ids[v]][s] == pytest.approx(q.get_value(**{v: s}), abs=1e-7), (name, v, s)


# ------------------------------------------------------------------------------------- routes: pyAgrum's noisy-OR

def test_routes_agree_with_pyagrums_own_noisy_or(tmp_path):
    """Random layered maps of noisy-OR claims against pyAgrum's native noisy-OR nodes (built by its API, not
    read from our export). pyAgrum weighs each arc by P(claim | that parent alone), leak included, so a
    route's p maps to 1 − (1 − leak)(1 − p); its CPTs are otherwise its own."""
    gum = pytest.importorskip("pyagrum")
    from mapkit import write_map

    rng = np.random.default_rng(22)
    for m in range(25):
        n_roots, n_or = int(rng.integers(2, 5)), int(rng.integers(1, 5))
        claims: dict[str, dict] = {}
        bn = gum.BayesNet()
        ids: dict[str, int] = {}
        for i in range(n_roots):
            cid = f"r{i}"
            p = float(rng.uniform(0.05, 0.95))
            claims[cid] = {"id": cid, "title": cid, "credence": p}
            ids[cid] = bn.add(gum.LabelizedVariable(cid, "", 2))
            bn.cpt(ids[cid]).fillWith([1 - p, p])
        for j in range(n_or):
            cid = f"o{j}"
            earlier = list(claims)
            parents = [str(x) for x in rng.choice(earlier, size=int(rng.integers(1, min(4, len(earlier)) + 1)),
                                                  replace=False)]
            leak = float(rng.choice([0.0, rng.uniform(0.0, 0.3)]))
            claims[cid] = {"id": cid, "title": cid, "base": leak}
            ids[cid] = bn.addNoisyOR(gum.LabelizedVariable(cid, "", 2), leak)
            for par in parents:
                p = float(rng.uniform(0.05, 1.0))
                claims[par].setdefault("route", []).append({"claim": cid, "p": p})
                bn.addWeightedArc(ids[par], ids[cid], 1 - (1 - leak) * (1 - p))
        target = f"o{n_or - 1}"
        model = Model.load(write_map(tmp_path / f"n{m}", list(claims.values()), target))
        ie = gum.LazyPropagation(bn)
        ie.makeInference()
        ours = model.marginals(scenario=None)
        for cid in claims:
            assert ours[cid]["true"] == pytest.approx(float(ie.posterior(cid).toarray()[1]), abs=TOL), (m, cid)


@pytest.mark.parametrize("peer, fmt, tol", PEERS)
def test_the_routes_map_agrees(peer, fmt, tol, tmp_path):
    """Routes, a drawn route from a table parent, and (with the overlay) an argument into a table, in the peers."""
    data = ROOT / "tests" / "data" / "maps"
    for overlays in ([], [data / "routes_overlays" / "more-routes.yaml"]):
        model = Model.load(data / "routes", overlays)
        assert_agree(argmap_marginals(model), peer_marginals(peer, model, fmt, tmp_path), tol, f"routes/{peer}/{fmt}")
