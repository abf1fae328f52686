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

Each row names the claim's **role**: an ``input`` (a root: its own credence), an ``argument`` (a claim
with a base of its own that other claims bear on: a hypothesis or argument a person argues about
directly) or ``composed`` (a stage fixed by its parents: an explicit table, an "any of these routes"
claim or a bare conjunction; learning it is learning what its inputs already decide, so it is listed
apart, not ranked).
:func:`group_cruxes` gives the same measures for learning several claims at once (a named group).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...api import DEFAULT, Model
from ...base.errors import QueryError, did_you_mean
from ._query import resolve

__all__ = ["cruxes", "claim_effects", "group_cruxes", "crux_role", "ARGUABLE"]

ARGUABLE = ("input", "argument")
"""The roles :func:`cruxes` ranks: what a person can argue about."""


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
    of it, such as a taxonomy), so that learning it is largely learning the answer itself; ``role``
    (:func:`crux_role`) and ``rank`` (1, 2, … among the arguable rows that are not downstream; None for
    the others).
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
                     "mutual_information": float(max(mi, 0.0)), "downstream": c in below,
                     "role": crux_role(model, c)})
    rows.sort(key=lambda r: (-r["expected_shift"], -r["mutual_information"], r["claim"]))
    n = 0
    for r in rows:
        ranked = r["role"] in ARGUABLE and not r["downstream"]
        n += ranked
        r["rank"] = n if ranked else None
    return rows


def crux_role(model: Model, claim: str) -> str:
    """``input`` (a root: its own credence), ``composed`` (fixed by its parents: an explicit table, an "any
    of these routes" claim, or a conjunction of requirements with no base of its own; what a person argues
    about is its inputs) or ``argument`` (a claim with a base of its own that arguments or requirements
    bear on: a hypothesis or an argument, which a person can argue about directly)."""
    if not model.network.parents.get(claim):
        return "input"
    c = model.map.claims[claim]
    into = [r for r in model.map.relations_into(claim) if not r.decorative]
    if c.table is not None or any(r.type == "route" for r in into):
        return "composed"
    if c.base is None and all(r.type == "requires" for r in into):
        return "composed"
    return "argument"


def group_cruxes(model: Model, groups: Mapping[str, Sequence[str]], target: str | None = None, given=None,
                 set=None, scenario: str | None = DEFAULT) -> list[dict]:
    """Value of information of learning each named group of claims together (every joint state).

    Each row: ``name``, ``claims``, ``states`` (list of dicts ``state`` = {claim: state}, ``probability``,
    ``p_target`` or None, ``shift``), ``expected_shift``, ``max_shift``, ``mutual_information`` (bits),
    ``alone`` ({claim: its own expected shift}) and ``rank_among_cruxes`` (where the group's expected
    shift would rank among the single arguable cruxes). Exact: each joint probability is a ratio of
    two evidence probabilities from the engine.
    """
    q = resolve(model, target, given, set, scenario)
    net = model.network
    fixed = {q.target, *q.given, *q.set}
    k = net.states[q.target].index(q.state)
    eng = model.engine
    norm = float(eng.joint_evidence(q.given, q.set))
    base = float(eng.query(q.target, q.given, q.set)[k])
    singles = cruxes(model, q.target, q.given, q.set, None)
    single = {r["claim"]: r["expected_shift"] for r in singles}
    ranked = sorted((r["expected_shift"] for r in singles if r["rank"] is not None), reverse=True)
    out: list[dict[str, Any]] = []
    for name, members in groups.items():
        members = list(dict.fromkeys(members))
        for c in members:
            if c not in net.states:
                hint = did_you_mean(c, net.states)
                raise QueryError(f"group '{name}' names '{c}', which is not a claim" + (f"; {hint}" if hint else ""))
            if c in fixed:
                raise QueryError(f"group '{name}': '{c}' is fixed by the conditions (or is the target), so there is "
                                 "nothing to learn about it; drop it from the group")
        states, exp_shift, max_shift, mi = [], 0.0, 0.0, 0.0
        for combo in itertools.product(*(net.states[c] for c in members)):
            ev = {**q.given, **dict(zip(members, combo, strict=True))}
            p_s = float(eng.joint_evidence(ev, q.set)) / norm if norm > 0 else 0.0
            if p_s <= 1e-300:
                states.append({"state": dict(ev.items() - q.given.items()), "probability": 0.0, "p_target": None,
                               "shift": None})
                continue
            cond = float(eng.query(q.target, ev, q.set)[k])
            shift = cond - base
            exp_shift += p_s * abs(shift)
            max_shift = max(max_shift, abs(shift))
            for pt, pt_s in ((base, cond), (1.0 - base, 1.0 - cond)):
                if pt_s > 0 and pt > 0:
                    mi += p_s * pt_s * math.log2(pt_s / pt)
            states.append({"state": dict(zip(members, combo, strict=True)), "probability": p_s, "p_target": cond,
                           "shift": shift})
        out.append({"name": name, "claims": members, "states": states, "expected_shift": float(exp_shift),
                    "max_shift": float(max_shift), "mutual_information": float(max(mi, 0.0)),
                    "alone": {c: single.get(c, 0.0) for c in members},
                    "rank_among_cruxes": 1 + sum(1 for x in ranked if x > exp_shift)})
    return out


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
