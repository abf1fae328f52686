"""Observations: evidence stated as likelihoods, compiled as an observed child so updating is exact Bayes.

An observation E names one or more claims and, for each, P(E | claim = s) per state (``likelihood:``)
or, for a binary claim, a Bayes factor k = P(E | true) / P(E | false) (``factor:``, stored as
P(E | true) = k/(1+k), P(E | false) = 1/(1+k)). Given several claims, P(E | states) is the product
of their likelihoods. With ``reliability`` q the report is right with chance q and says the opposite
otherwise: P(report | s) = q·P(E | s) + (1 − q)·(1 − P(E | s)).

E becomes a binary claim of kind ``evidence`` with that table, conditioned on (E = true) in every
query (or only under its scenario). Conditioning on a child is Bayes' rule, so with one binary claim
and factor k the claim's posterior odds are exactly its prior odds × k.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

from ..base.errors import Diagnostic, did_you_mean
from ..base.quantity import Quantity
from .models import Claim, Observation, Provenance, Scenario, Table

if TYPE_CHECKING:       # the file models need pydantic; describing a resolved observation does not
    from .resolve import Located
    from .specs import ObserveSpec, ScenarioSpec

BINARY = ("false", "true")

__all__ = ["resolve_observation", "observation_claim", "effective_factor", "scenario_from_spec",
           "describe_observation"]


def resolve_observation(spec: ObserveSpec, item: Located, states: dict[str, tuple[str, ...]],
                        diags: list[Diagnostic], *, added_by: str | None = None, scenario: str | None = None,
                        author: str | None = None, source: str | None = None) -> Observation | None:
    """Check an ``observe:`` entry against the claims' states; None (with diagnostics) when it is wrong."""
    n0 = len(diags)
    if spec.id in states:
        diags.append(item.diag(("id",), f"observation id '{spec.id}' is already a claim",
                               "give the observation its own id"))
    if not spec.likelihood and not spec.factor:
        diags.append(item.diag((), "this observation bears on no claim",
                               "give factor: {claim: k} (a Bayes factor) or likelihood: {claim: {state: P(E|state)}}"))
    both = set(spec.likelihood) & set(spec.factor)
    for cid in sorted(both):
        diags.append(item.diag(("factor", cid), f"'{cid}' has both a likelihood and a factor here", "keep one",
                               key=True))
    lik: list[tuple[str, tuple[tuple[str, Quantity], ...]]] = []
    for cid, per_state in spec.likelihood.items():
        if not _known(cid, states, item, ("likelihood", cid), diags):
            continue
        bad = [s for s in per_state if s not in states[cid]]
        for s in bad:
            diags.append(item.diag(("likelihood", cid, s), f"'{cid}' has no state '{s}' (states: {list(states[cid])})",
                                   did_you_mean(s, states[cid]), key=True))
        missing = [s for s in states[cid] if s not in per_state]
        if missing:
            diags.append(item.diag(("likelihood", cid), f"likelihood gives no P(evidence | {cid} = s) for {missing}",
                                   "give the evidence's probability under every state of the claim"))
        if bad or missing:
            continue
        if all(_q(per_state[s]).value == 0 for s in states[cid]):
            diags.append(item.diag(("likelihood", cid), "the evidence is impossible under every state",
                                   "at least one state must give it a chance above 0"))
            continue
        lik.append((cid, tuple((s, _q(per_state[s])) for s in states[cid])))
    factors: list[tuple[str, Quantity]] = []
    for cid, k in spec.factor.items():
        if not _known(cid, states, item, ("factor", cid), diags):
            continue
        if states[cid] != BINARY:
            diags.append(item.diag(("factor", cid), f"'{cid}' has states {list(states[cid])}; a Bayes factor "
                                   "needs a true/false claim", "give likelihood: {" + cid + ": {state: P(E|state)}}",
                                   key=True))
            continue
        k = _q(k)
        if k.value == 0:
            diags.append(item.diag(("factor", cid), "a Bayes factor of 0 makes the claim impossible",
                                   "give a positive factor"))
            continue
        factors.append((cid, k))
        lik.append((cid, (("false", Quantity(1.0 / (1.0 + k.value))), ("true", Quantity(k.value / (1.0 + k.value))))))
    if len(diags) > n0:
        return None
    prov = Provenance(spec.author or author, "stated" if spec.data else "illustrative", spec.source or source,
                      spec.reason)
    return Observation(spec.id, spec.title, tuple(lik), tuple(factors), spec.reliability,
                       tuple(spec.data.items()), scenario, prov, item.origin(), added_by)


def _q(v: object) -> Quantity:
    assert isinstance(v, Quantity)       # pydantic parsed it (models.Prob / models.Ratio)
    return v


def _known(cid: str, states: dict[str, tuple[str, ...]], item: Located, sub: tuple, diags: list[Diagnostic]) -> bool:
    if cid in states:
        return True
    diags.append(item.diag(sub, f"observed claim '{cid}' is not a claim in this map",
                           did_you_mean(cid, states) or "name a claim of the map or of an overlay", key=True))
    return False


def observation_claim(obs: Observation, text: str | None = None, sections: tuple[str, ...] = ()) -> Claim:
    """The observed node: a binary ``evidence`` claim whose table is P(report | the claims' states)."""
    given = obs.claims
    q = obs.reliability.value if obs.reliability is not None else 1.0
    rows = []
    for combo in itertools.product(*(range(len(ls)) for _, ls in obs.likelihood)):
        p = math.prod(ls[i][1].value for (_, ls), i in zip(obs.likelihood, combo, strict=True))
        p = q * p + (1.0 - q) * (1.0 - p)
        rows.append((tuple(ls[i][0] for (_, ls), i in zip(obs.likelihood, combo, strict=True)),
                     (Quantity(1.0 - p), Quantity(p))))
    return Claim(obs.id, obs.title, kind="evidence", text=text, sections=sections,
                 table=Table(given, tuple(rows)), provenance=obs.provenance, origin=obs.origin,
                 added_by=obs.added_by)


def effective_factor(obs: Observation, claim: str) -> float | None:
    """The Bayes factor the observation applies to a binary claim (reliability included), others held."""
    for cid, ls in obs.likelihood:
        if cid == claim and len(ls) == 2:
            q = obs.reliability.value if obs.reliability is not None else 1.0
            pf, pt = ls[0][1].value, ls[1][1].value
            num, den = q * pt + (1 - q) * (1 - pt), q * pf + (1 - q) * (1 - pf)
            return num / den if den > 0 else math.inf
    return None


def scenario_from_spec(name: str, spec: ScenarioSpec, item: Located, claims: dict[str, Claim],
                       diags: list[Diagnostic], *, added_by: str | None = None, author: str | None = None,
                       source: str | None = None) -> tuple[Scenario, list[Observation]]:
    """A scenario and its own observations (each given as observed under it)."""
    states = {cid: c.states for cid, c in claims.items()}
    obs = []
    for i, ob in enumerate(spec.observe):
        from .resolve import Located

        made = resolve_observation(ob, Located(ob, item.doc, item.loc + ("observe", i)), states, diags,
                                   added_by=added_by, scenario=name, author=author, source=source)
        if made is not None:
            obs.append(made)
            states[made.id] = BINARY
    given = tuple(spec.given.items()) + tuple((o.id, "true") for o in obs)
    return Scenario(name, spec.description, given, tuple(spec.set.items()), item.origin()), obs


def describe_observation(o: Observation) -> str:
    """One line: the factor or likelihoods, the reliability and the observed figures."""
    factors = dict(o.factors)
    bits = []
    for cid, ls in o.likelihood:
        if cid in factors:
            bits.append(f"Bayes factor {factors[cid]} on {cid}")
        else:
            bits.append(f"P(E | {cid}) " + ", ".join(f"{s} {q.value:.3g}" for s, q in ls))
    if o.reliability is not None:
        bits.append(f"reliability {o.reliability}")
    if o.data:
        bits.append("data: " + ", ".join(f"{k} {v}" for k, v in o.data))
    return "observes " + "; ".join(bits)
