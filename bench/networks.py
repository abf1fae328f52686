"""Seeded synthetic argument maps for the benchmarks, written as real argmap map folders.

The maps look like argument maps rather than random DAGs: mostly binary claims, a third of them roots
with an uncertain credence (a point and a 90% range), the rest built from typed relations to one to
three earlier claims — ``requires`` (often leaky), ``supports`` / ``opposes`` with uncertain likelihood
ratios, ``undercuts`` aimed at arguments — plus a few explicit tables and a few three-state
"slack-like" modulators that scale how much an argument counts. Parents are drawn from a window of
recent claims, which keeps the induced width bounded (``low``: about 5-6; ``moderate``: about 7-10)
however many claims there are. A claim about to leave the window unused becomes a parent of the next
claim, so almost every claim bears on the conclusion (the last claim) and a query of the target
touches the whole map.

Writing YAML and loading it with :func:`argmap.load_map` means the benchmark measures the whole
pipeline (parsing, validation, compilation, planning and inference), not the engine alone.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import yaml

__all__ = ["WIDTHS", "synthetic_map", "write_synthetic_map"]

WIDTHS = {
    # name: (window of earlier claims parents are drawn from, max parents)
    "low": (5, 3),
    "moderate": (16, 3),
    "dense": (300, 3),      # too wide for exact elimination: the refusal probe
}

_PER_FILE = 500


def _r(x: float) -> float:
    return float(f"{x:.4g}")


def _prob(rng, lo=0.05, hi=0.95) -> dict:
    v = _r(rng.uniform(lo, hi))
    a, b = _r(max(0.0, v - rng.uniform(0.03, 0.2))), _r(min(1.0, v + rng.uniform(0.03, 0.2)))
    return {"value": v, "range": [a, b]}


def _ratio(rng, up: bool) -> dict:
    r = float(np.exp(rng.uniform(0.2, 1.6)))
    lo, hi = r / np.exp(rng.uniform(0.2, 0.7)), r * np.exp(rng.uniform(0.2, 0.7))
    if not up:
        r, lo, hi = 1 / r, 1 / hi, 1 / lo
    # a strength range stays on its side of 1, as the format requires (a ratio is >= e^0.2 from 1)
    lo, hi = lo * 0.999, hi * 1.001
    lo, hi = (max(lo, 1.0), hi) if up else (lo, min(hi, 1.0))
    return {"value": _r(r), "range": [_r(lo), _r(hi)]}


def synthetic_map(n: int, width: str = "low", seed: int = 0) -> dict[str, dict]:
    """Return ``{filename: yaml data}`` for a map of ``n`` claims (``n`` ≥ 4)."""
    window, max_par = WIDTHS[width]
    rng = np.random.default_rng([seed, n, list(WIDTHS).index(width)])
    claims: list[dict] = []
    states: dict[str, list[str]] = {}
    used: set[str] = set()
    by_id: dict[str, dict] = {}
    n_mod = max(1, n // 60)
    mods = []
    for i in range(n_mod):  # three-state modulators ("slack"), all roots
        cid = f"slack{i}"
        p = rng.dirichlet(np.full(3, 4.0))
        vals = [round(float(x), 2) for x in p[:2]]
        vals.append(round(1.0 - sum(vals), 2))
        claims.append({"id": cid, "title": f"Slack {i}", "states": ["low", "medium", "high"],
                       "credence": dict(zip(["low", "medium", "high"], vals, strict=False)), "concentration": 20})
        states[cid] = ["low", "medium", "high"]
        mods.append(cid)
    body = n - n_mod - 1
    for i in range(body):
        cid = f"c{i}"
        prev = [c["id"] for c in claims[max(n_mod, len(claims) - window):] if c["id"] not in mods]
        n_par = 0 if (i < 3 or rng.random() < 0.33) else int(rng.integers(1, max_par + 1))
        stale = [x for x in prev[:2] if x not in used]
        if stale and i >= 3:   # a claim about to leave the window with no use bears on this one
            n_par = max(n_par, 1)
        n_par = min(n_par, len(prev))
        kind = "argument" if rng.random() < 0.35 else "claim"
        c: dict = {"id": cid, "title": f"Claim {i}", "kind": kind}
        claims.append(c)
        by_id[cid] = c
        states[cid] = ["false", "true"]
        if n_par == 0:
            c["credence"] = _prob(rng)
            continue
        weight = np.array([8.0 if x not in used else 1.0 for x in prev])   # unused claims first
        parents = [str(p) for p in rng.choice(prev, size=n_par, replace=False, p=weight / weight.sum())]
        if stale and stale[0] not in parents:
            parents[0] = stale[0]
        used.update(parents)
        if rng.random() < 0.12:
            rows = [{"when": dict(zip(parents, combo, strict=False)), "p": _r(rng.uniform(0.02, 0.98))}
                    for combo in itertools.product(*(states[p] for p in parents))]
            c["table"] = {"given": parents, "rows": rows}
            continue
        influenced = False
        for p in parents:
            roll = rng.random()
            if roll < 0.35:
                req: dict = {"claim": p}
                if rng.random() < 0.6:
                    req["leak"] = _prob(rng, 0.02, 0.4)
                c.setdefault("requires", []).append(req)
                continue
            influenced = True
            src = by_id[p]
            if roll < 0.75:
                kind_rel, up = "supports", True
            elif roll < 0.9 or kind != "argument":
                kind_rel, up = "opposes", False
            else:
                kind_rel, up = "undercuts", False
            entry: dict = {"claim": cid, "ratio": _ratio(rng, up)}
            if kind_rel in ("supports", "opposes") and rng.random() < 0.1:
                m = mods[min(i // 60, n_mod - 1)]    # local, so widths stay bounded
                entry["modulated_by"] = {"claim": m, "scale": {"low": 1.3, "medium": 1.0, "high": 0.5}}
            src.setdefault(kind_rel, []).append(entry)
        if influenced:
            c["base"] = _prob(rng)
    # the conclusion requires the last few claims that nothing else uses
    loose = [c["id"] for c in claims if c["id"] not in used and c["id"] not in mods][-4:]
    target = "conclusion"
    claims.append({"id": target, "title": "Conclusion", "kind": "conclusion",
                   "requires": [{"claim": t, "leak": 0.2} for t in loose]})
    head = {"argmap": 1, "name": f"synthetic-{n}-{width}", "target": target,
            "parts": {"main": "Synthetic claims"}}
    files = {"map.yaml": head}
    for k in range(0, len(claims), _PER_FILE):
        files[f"{k // _PER_FILE:03d}-claims.yaml"] = {"part": "main", "claims": claims[k:k + _PER_FILE]}
    return files


def write_synthetic_map(folder: str | Path, n: int, width: str = "low", seed: int = 0) -> Path:
    """Write :func:`synthetic_map` into ``folder`` (created) and return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in synthetic_map(n, width, seed).items():
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        (folder / name).write_text(yaml.dump(data, Dumper=dumper, sort_keys=False, width=120))
    return folder
