"""Cruxes: which finding would move P(target) most (value of information).

For every claim C that the conditions leave open, learning its state s would move P(target) from
its current value p to P(target | C = s). Before we learn it, C = s has probability P(C = s), so

- the **expected shift** Σ_s P(C = s) · |P(target | C = s) − p| is how far, on average, the finding
  would move the headline;
- the **mutual information** I(C; target) (in bits) is how much uncertainty about the target the
  finding would remove;
- P(target | C = s) for each state shows the direction.

All are exact: for each target state t one conditional query gives P(C = s | target = t) for every
C, and Bayes' rule turns those into the joint P(C = s, target = t).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...api import DEFAULT, Model
from ._query import resolve

__all__ = ["cruxes", "claim_effects"]


def _joints(model: Model, q, claims: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """P(target = t) and, per claim, the joint P(C = s, target = t) as an array (states, target states)."""
    eng = model.engine
    pt = eng.query(q.target, q.given, q.set)
    joints: dict[str, np.ndarray] = {c: np.zeros((len(model.network.states[c]), pt.size)) for c in claims}
    for t, p_t in enumerate(pt):
        if p_t <= 0 or not claims:
            continue
        g = {**q.given, q.target: model.network.states[q.target][t]}
        for c, dist in eng.marginals(g, q.set, claims=tuple(claims)).items():
            joints[c][:, t] = dist * p_t
    return pt, joints


def cruxes(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
           claims=None) -> list[dict]:
    """Every open claim ranked by how much learning it would move P(target), largest first.

    Each row: ``claim``, ``title``, ``sections``, ``kind``, ``states`` (list of dicts ``state``,
    ``probability`` = P(C = s), ``p_target`` = P(target | C = s) or None if impossible, ``shift`` =
    P(target | C = s) − P(target)), ``expected_shift``, ``max_shift``, ``mutual_information`` (bits),
    and ``downstream``: True when the claim depends on the target (a consequence or a re-description
    of it, such as a taxonomy), so that learning it is largely learning the answer itself.
    """
    q = resolve(model, target, given, set, scenario)
    net = model.network
    fixed = {q.target, *q.given, *q.set, *model.map.observations}     # an observation is a report, not a claim
    todo = [c for c in (claims or net.variables) if c not in fixed]
    k = net.states[q.target].index(q.state)
    pt, joints = _joints(model, q, todo)
    base = float(pt[k])
    below = _descendants(net, q.target)
    rows: list[dict[str, Any]] = []
    for c in todo:
        j = joints[c]
        pc = j.sum(axis=1)
        states, exp_shift, max_shift, mi = [], 0.0, 0.0, 0.0
        for s, name in enumerate(net.states[c]):
            if pc[s] <= 0:
                states.append({"state": name, "probability": 0.0, "p_target": None, "shift": None})
                continue
            cond = float(j[s, k] / pc[s])
            shift = cond - base
            exp_shift += pc[s] * abs(shift)
            max_shift = max(max_shift, abs(shift))
            for t in range(pt.size):
                if j[s, t] > 0:
                    mi += j[s, t] * math.log2(j[s, t] / (pc[s] * pt[t]))
            states.append({"state": name, "probability": float(pc[s]), "p_target": cond, "shift": shift})
        claim = model.map.claims[c]
        rows.append({"claim": c, "title": claim.title, "sections": list(claim.sections), "kind": claim.kind,
                     "states": states, "expected_shift": float(exp_shift), "max_shift": float(max_shift),
                     "mutual_information": float(max(mi, 0.0)), "downstream": c in below})
    rows.sort(key=lambda r: (-r["expected_shift"], -r["mutual_information"], r["claim"]))
    return rows


def _descendants(net, target: str) -> set[str]:
    children: dict[str, list[str]] = {v: [] for v in net.variables}
    for v, ps in net.parents.items():
        for p in ps:
            children[p].append(v)
    out: set[str] = set()
    stack = list(children[target])
    while stack:
        v = stack.pop()
        if v not in out:
            out.add(v)
            stack.extend(children[v])
    return out


def claim_effects(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
                  measure: str = "expected_shift") -> dict[str, float]:
    """Claim → size of its effect on P(target), for drawing (e.g. node outline width).

    ``measure`` is ``expected_shift`` (default: how far learning the claim would move P(target) on
    average), ``max_shift`` or ``mutual_information``. Claims fixed by the conditions, the target itself,
    and claims downstream of the target (left out of the crux ranking that ``argmap sensitivity`` prints:
    learning them is largely learning the answer) get 0.
    """
    if measure not in ("expected_shift", "max_shift", "mutual_information"):
        raise ValueError(f"unknown measure {measure!r}")
    rows = cruxes(model, target, given, set, scenario)
    out = {c: 0.0 for c in model.network.variables}
    out.update({r["claim"]: r[measure] for r in rows if not r["downstream"]})
    return out
