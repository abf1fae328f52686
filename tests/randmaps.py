"""Seeded random argument maps for oracle and differential tests, plus a brute-force oracle.

``random_map_yaml(rng)`` writes a valid map folder's files (as text) using every construct of the
format: binary and categorical claims, requires with leaks, routes (noisy-OR) and
supports/opposes/undercuts with ``when`` and ``modulated_by``, explicit tables, and routes and
arguments into claims with a table. ``brute_force`` enumerates the full joint distribution of a
compiled network: exponential, so it lives here in the tests only. ``reference_marginals`` does the
same from the map's own text with the formulas of docs/format.md, never the compiler's CPTs: the
oracle for what the format means.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import yaml

__all__ = ["random_map_files", "write_random_map", "brute_force", "random_query", "random_observations",
           "observation_weight", "reference_marginals"]


def _fmt(x: float) -> float:
    return float(f"{x:.6g}")


def _dist(rng, k: int) -> list[float]:
    raw = rng.dirichlet(np.ones(k))
    vals = [_fmt(v) for v in raw[:-1]]
    vals.append(1.0 - sum(vals))
    return vals


def random_map_files(rng: np.random.Generator, n_min: int = 2, n_max: int = 8) -> dict[str, str]:
    """Return {filename: yaml text} for a random valid map."""
    n = int(rng.integers(n_min, n_max + 1))
    ids = [f"c{i}" for i in range(n)]
    states = {}
    claims: dict[str, dict] = {}
    for i, cid in enumerate(ids):
        k = 2 if rng.random() < 0.7 else 3
        states[cid] = ["false", "true"] if k == 2 else ["s0", "s1", "s2"]
        c: dict = {"id": cid, "title": f"Claim {i}"}
        if k == 3:
            c["states"] = states[cid]
        kind = rng.choice(["claim", "argument", "critique"])
        c["kind"] = str(kind)
        claims[cid] = c
    undercut_targets: set[str] = set()
    for i, cid in enumerate(ids):
        c = claims[cid]
        earlier = ids[:i]
        n_par = int(rng.integers(0, min(3, len(earlier)) + 1)) if earlier else 0
        parents = list(rng.choice(earlier, size=n_par, replace=False)) if n_par else []
        parents = [str(p) for p in parents]
        k = len(states[cid])
        if not parents:
            if k == 2:
                r = rng.random()
                c["credence"] = 0.0 if r < 0.03 else 1.0 if r < 0.06 else _fmt(rng.uniform(0.02, 0.98))
            else:
                c["credence"] = dict(zip(states[cid], _dist(rng, k), strict=False))
            continue
        use_table = k == 3 or rng.random() < 0.3
        if use_table:
            rows = []
            for combo in itertools.product(*(states[p] for p in parents)):
                row: dict[str, object] = {"when": dict(zip(parents, combo, strict=False))}
                if k == 2:
                    row["p"] = _fmt(rng.uniform(0, 1))
                else:
                    row["probs"] = dict(zip(states[cid], _dist(rng, k), strict=False))
                rows.append(row)
            c["table"] = {"given": parents, "rows": rows}
            others = [p for p in earlier if p not in parents]
            if k == 2 and others and rng.random() < 0.5:       # routes and arguments into a table claim
                for p in (str(x) for x in rng.choice(others, size=min(len(others), 2), replace=False)):
                    _influence(rng, claims, states, undercut_targets, p, cid, earlier, parents,
                               ["route", "supports", "opposes"])
            continue
        influenced = routed = False
        for p in parents:
            kind = str(rng.choice(["requires", "route", "supports", "opposes", "undercuts"]))
            if kind == "requires":
                req: dict = {"claim": p}
                when = _when(rng, states[p])
                if when is not None:
                    req["when"] = when
                if rng.random() < 0.6:
                    req["leak"] = _fmt(rng.uniform(0, 0.5))
                c.setdefault("requires", []).append(req)
                continue
            _influence(rng, claims, states, undercut_targets, p, cid, earlier, parents, [kind])
            influenced = True
            routed = routed or kind == "route"
        if influenced:
            r = rng.random()
            if routed and r < 0.15:
                c["base"] = 0.0                     # nothing but the routes brings it about
            else:
                c["base"] = 0.0 if r < 0.03 else 1.0 if r < 0.06 else _fmt(rng.uniform(0.02, 0.98))
    # a claim with only outgoing influences keeps its root credence; undercut targets must be arguments
    for t in undercut_targets:
        claims[t]["kind"] = "argument"
    target = ids[-1]
    head = {"argmap": 1, "name": "random", "target": target}
    return {"map.yaml": yaml.safe_dump(head, sort_keys=False),
            "claims.yaml": yaml.safe_dump({"claims": list(claims.values())}, sort_keys=False)}


def _when(rng, pstates: list[str]):
    """A random ``when`` for a relation from a claim with ``pstates`` (always for a categorical one)."""
    pk = len(pstates)
    if pk == 3 or rng.random() < 0.2:
        chosen = [s for s in pstates if rng.random() < 0.5]
        if not chosen or len(chosen) == pk:
            chosen = [pstates[int(rng.integers(pk))]]
        return chosen if len(chosen) > 1 else chosen[0]
    return None


def _influence(rng, claims, states, undercut_targets, p: str, cid: str, earlier, parents, kinds) -> None:
    """Declare on ``p`` a route or an argument of a random kind among ``kinds`` bearing on ``cid``."""
    kind = str(rng.choice(kinds))
    entry: dict = {"claim": cid}
    when = _when(rng, states[p])
    if when is not None:
        entry["when"] = when
    if kind == "route":
        r = rng.random()
        entry["p"] = 1.0 if r < 0.04 else _fmt(rng.uniform(0.05, 0.95))
    else:
        if kind == "undercuts":
            claims[cid]["kind"] = "argument"
            undercut_targets.add(cid)
        ratio = _fmt(np.exp(rng.uniform(0.05, 2.5)))
        if kind != "supports":
            ratio = _fmt(1.0 / ratio)
        if rng.random() < 0.5:
            entry["ratio"] = ratio
        else:
            entry["weight"] = _fmt(float(np.log(ratio)))
    modulator_pool = [m for m in earlier if m not in parents and m != p]
    if modulator_pool and rng.random() < 0.25:
        n_mod = 2 if len(modulator_pool) > 1 and rng.random() < 0.4 else 1     # several modulators
        mods = [str(m) for m in rng.choice(modulator_pool, size=n_mod, replace=False)]
        entries = [{"claim": m, "scale": {s: _fmt(rng.uniform(0, 1.5)) for s in states[m]}} for m in mods]
        entry["modulated_by"] = entries[0] if n_mod == 1 else entries
    claims[p].setdefault(kind, []).append(entry)


def write_random_map(folder: Path, rng: np.random.Generator, **kw) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in random_map_files(rng, **kw).items():
        (folder / name).write_text(text)
    return folder


def random_query(network, rng: np.random.Generator):
    """A random (target, given, set) over a network's variables."""
    vs = list(network.variables)
    target = str(rng.choice(vs))
    others = [v for v in vs if v != target]
    rng.shuffle(others)
    given: dict[str, str] = {}
    set_: dict[str, str] = {}
    for v in others[: int(rng.integers(0, min(3, len(others)) + 1))]:
        st = network.states[v][int(rng.integers(len(network.states[v])))]
        (given if rng.random() < 0.5 else set_)[v] = st
    return target, given, set_


def exact(network, target: str, given: dict, set_: dict, theta: np.ndarray | None = None) -> np.ndarray:
    """:func:`brute_force` for conditions that are possible."""
    p = brute_force(network, target, given, set_, theta)
    assert p is not None, "P(given) = 0"
    return p


def random_observations(rng: np.random.Generator, states: dict[str, tuple[str, ...]], n: int = 2) -> list[dict]:
    """``observe:`` entries: a Bayes factor or likelihoods over one or two random claims, maybe a reliability."""
    out = []
    names = sorted(states)
    for i in range(n):
        claims = [str(c) for c in rng.choice(names, size=min(len(names), int(rng.integers(1, 3))), replace=False)]
        ob: dict = {"id": f"obs{i}", "title": f"Observation {i}"}
        for c in claims:
            if states[c] == ("false", "true") and rng.random() < 0.5:
                ob.setdefault("factor", {})[c] = _fmt(float(np.exp(rng.uniform(-2, 2))))
            else:
                ob.setdefault("likelihood", {})[c] = {s: _fmt(rng.uniform(0.05, 1)) for s in states[c]}
        if rng.random() < 0.4:
            ob["reliability"] = _fmt(rng.uniform(0.5, 1))
        out.append(ob)
    return out


def observation_weight(observations: list[dict]):
    """P(every report | an assignment), straight from the ``observe:`` entries (the oracle's own reading)."""
    def weight(assign: dict[str, str]) -> float:
        total = 1.0
        for ob in observations:
            p = 1.0
            for c, k in ob.get("factor", {}).items():
                p *= k / (1 + k) if assign[c] == "true" else 1 / (1 + k)
            for c, per_state in ob.get("likelihood", {}).items():
                p *= per_state[assign[c]]
            q = ob.get("reliability", 1.0)
            total *= q * p + (1 - q) * (1 - p)
        return total
    return weight


def brute_force(network, target: str, given: dict, set_: dict, theta: np.ndarray | None = None,
                weight=None) -> np.ndarray | None:
    """P(target | given, do(set)) by enumerating every joint assignment; None if P(given) = 0.

    ``weight(assignment)`` multiplies each assignment's probability (observations' likelihoods)."""
    th = network.theta0 if theta is None else theta
    cpts = {v: a[0] for v, a in network.cpts(th[None, :]).items()}
    vs = list(network.variables)
    idx = {v: i for i, v in enumerate(vs)}
    ranges: list[Sequence[int]] = []
    for v in vs:
        st = network.states[v]
        if v in set_:
            ranges.append([st.index(set_[v])])
        elif v in given:
            ranges.append([st.index(given[v])])
        else:
            ranges.append(range(len(st)))
    out = np.zeros(len(network.states[target]))
    for combo in itertools.product(*ranges):
        p = 1.0
        for v in vs:
            if v in set_:
                continue
            key = tuple(combo[idx[u]] for u in network.parents[v]) + (combo[idx[v]],)
            p *= cpts[v][key]
            if p == 0.0:
                break
        if weight is not None and p:
            p *= weight({v: network.states[v][combo[idx[v]]] for v in vs})
        out[combo[idx[target]]] += p
    total = out.sum()
    if total <= 0:
        return None
    return out / total


# ------------------------------------------------------------------ the format's meaning, from the text

def _as_list(x) -> list:
    return x if isinstance(x, list) else [x]


def _state(x) -> str:
    return ("true" if x else "false") if isinstance(x, bool) else str(x)


def _number(x) -> float:
    if isinstance(x, dict):
        return float(x["value"])
    return float(x)


def reference_marginals(files: dict[str, str], given: dict[str, str] | None = None) -> dict[str, np.ndarray]:
    """Every claim's marginal (given observations), enumerating the joint with CPTs read straight from
    the map's text by docs/format.md's formulas: b' = 1 − (1 − b)·Π(1 − p)^s over the active routes
    (b: the base, or the row of the claim's table, or 1), odds(P) = odds(b')·Π ratio^s over the active
    arguments, then × the leak of each unmet requirement (0 without one)."""
    claims = {c["id"]: c for c in yaml.safe_load(files["claims.yaml"])["claims"]}
    states = {cid: [_state(s) for s in c.get("states", ["false", "true"])] for cid, c in claims.items()}
    into: dict[str, list[tuple[str, str, dict]]] = {cid: [] for cid in claims}
    for src, c in claims.items():
        for kind in ("route", "supports", "opposes", "undercuts"):
            for e in c.get(kind, []):
                into[e["claim"]].append((kind, src, e))

    def scale(e: dict, a: dict) -> float:
        m = 1.0
        for mod in _as_list(e.get("modulated_by", [])):
            m *= float(mod["scale"][a[mod["claim"]]])
        return m

    def active(src: str, e: dict, a: dict) -> bool:
        when = e.get("when")
        return a[src] in ([_state(w) for w in _as_list(when)] if when is not None else ["true"])

    def p_state(cid: str, a: dict) -> float:
        c = claims[cid]
        s = a[cid]
        rels = into[cid]
        table = c.get("table")
        if not rels and not c.get("requires"):
            if table is None:
                cred = c["credence"]
                if isinstance(cred, dict):
                    return float(cred[s])
                return float(cred) if s == "true" else 1.0 - float(cred)
            row = next(r for r in table["rows"] if all(_state(v) == a[g] for g, v in r["when"].items()))
            if "probs" in row:
                return float(row["probs"][s])
            return float(row["p"]) if s == "true" else 1.0 - float(row["p"])
        if table is not None:
            row = next(r for r in table["rows"] if all(_state(v) == a[g] for g, v in r["when"].items()))
            b = float(row["p"])
        else:
            b = _number(c["base"]) if "base" in c else 1.0
        fail = 1.0 - b
        for kind, src, e in rels:
            if kind == "route" and active(src, e, a):
                fail *= (1.0 - float(e["p"])) ** scale(e, a)
        b = 1.0 - fail if any(k == "route" and active(src, e, a) for k, src, e in rels) else b
        odds_mult = 1.0
        for kind, src, e in rels:
            if kind != "route" and active(src, e, a):
                ratio = float(np.exp(float(e["weight"]))) if "weight" in e else float(e["ratio"])
                odds_mult *= ratio ** scale(e, a)
        u = b * odds_mult
        p = u / (u + fail) if u + fail > 0 else 0.0
        for req in c.get("requires", []):
            if not active(req["claim"], req, a):
                p *= float(req.get("leak", 0.0))
        return p if s == "true" else 1.0 - p

    order = list(claims)            # random maps list parents before children
    out = {cid: np.zeros(len(states[cid])) for cid in claims}
    for combo in itertools.product(*(range(len(states[c])) for c in order)):
        a = {c: states[c][i] for c, i in zip(order, combo, strict=True)}
        if given and any(a[k] != v for k, v in given.items()):
            continue
        w = 1.0
        for cid in order:
            w *= p_state(cid, a)
            if w == 0.0:
                break
        for cid, i in zip(order, combo, strict=True):
            out[cid][i] += w
    total = next(iter(out.values())).sum()
    return {cid: v / total for cid, v in out.items()}
