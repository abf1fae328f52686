"""Apply a critique or viewpoint overlay to a map, recording every change with its attribution.

Pure: the input map is never modified; a new :class:`~argmap.maps.models.ArgumentMap` is returned.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

from ..base.errors import Diagnostic, did_you_mean
from ..base.quantity import Quantity
from ..base.yamlsafe import YamlDoc
from .checks import stated_given_problems
from .models import ArgumentMap, Change, Observation, Provenance, Relation
from .observe import describe_observation, observation_claim, resolve_observation, scenario_from_spec
from .overlayspecs import ChangeSpec, OverlayFile, RelateSpec, RemoveSpec
from .resolve import (
    Located,
    _check_when,
    _strength,
    resolve_claims,
    resolve_credence,
    resolve_modulators,
    resolve_relation,
    resolve_table,
)
from .specs import ObserveSpec

__all__ = ["apply_overlay"]

_CLAIM_FIELDS = ("credence", "concentration", "base", "table", "compose")
_RELATION_FIELDS = ("ratio", "weight", "leak", "p", "type", "when", "modulated_by")


def apply_overlay(amap: ArgumentMap, spec: OverlayFile, doc: YamlDoc | None = None
                  ) -> tuple[ArgumentMap, list[Diagnostic]]:
    """Return ``amap`` with the overlay applied, and the problems found (empty when it applies cleanly)."""
    diags: list[Diagnostic] = []
    at = Located(spec, doc, ())
    if spec.overlay in amap.overlays:
        diags.append(at.diag(("overlay",), f"overlay '{spec.overlay}' is already applied",
                             "give each overlay once after --with"))
    if diags:        # builds_on is resolved and applied first by the loader (argmap.maps.loader.load_stages)
        return amap, diags

    added = [Located(c, doc, ("add", i)) for i, c in enumerate(spec.add)]
    new_claims, new_rels, rdiags = resolve_claims(added, amap.claims, added_by=spec.overlay)
    diags += rdiags
    parts = {**amap.parts, **spec.parts}
    for item in added:
        if item.spec.part is not None and item.spec.part not in parts:
            diags.append(item.diag(("part",), f"part '{item.spec.part}' is not a part of the map",
                                   did_you_mean(item.spec.part, parts)
                                   or "name a part of the map, or add it under the overlay's parts: with a title"))
    claims = {**amap.claims, **new_claims}
    relations = list(amap.relations) + new_rels
    changes: list[Change] = []
    all_states = {cid: c.states for cid, c in claims.items()}

    for i, rel in enumerate(spec.relate):
        item = Located(rel, doc, ("relate", i))
        made = _relate(rel, item, all_states, spec, diags)
        if made is None:
            continue
        if any(r.source == made.source and r.target == made.target for r in relations):
            diags.append(item.diag((), f"relation {made.key} already exists",
                                   "use change: with `relation: a -> b` to edit its strength"))
            continue
        relations.append(made)
        changes.append(Change(spec.overlay, made.key, "relation", None, _describe(made), rel.reason,
                              rel.author or spec.author, rel.source or spec.source, None, item.origin()))

    seen: dict[tuple[str, str], int] = {}
    for i, ch in enumerate(spec.change):
        item = Located(ch, doc, ("change", i))
        fields = [f for f in _CLAIM_FIELDS + _RELATION_FIELDS if getattr(ch, f) is not None]
        if (ch.claim is None) == (ch.relation is None):
            diags.append(item.diag((), "a change names exactly one of `claim:` or `relation:`"))
            continue
        if not fields:
            diags.append(item.diag((), "this change changes nothing",
                                   "give a new credence, base, table, compose, ratio, weight, leak or p"))
            continue
        target = ch.claim or " -> ".join(p.strip() for p in (ch.relation or "").split("->"))
        for f in fields:
            if (target, f) in seen:
                diags.append(item.diag((f,), f"conflict: '{target}' {f} is changed twice in this overlay "
                                             f"(first in change #{seen[(target, f)] + 1})", "keep one change"))
        if any((target, f) in seen for f in fields):
            continue
        for f in fields:
            seen[(target, f)] = i
        if ch.claim is not None:
            out = _change_claim(ch, ch.claim, item, fields, claims, all_states, spec, diags)
            if out:
                claims[ch.claim] = out[0]
                changes += out[1]
        else:
            out = _change_relation(ch, item, target, fields, relations, all_states, spec, diags)
            if out:
                relations = out[0]
                changes += out[1]

    for i, rm in enumerate(spec.remove):
        item = Located(rm, doc, ("remove", i))
        out = _remove(rm, item, amap, claims, relations, diags)
        if out is not None:
            claims, relations, what = out
            changes.append(Change(spec.overlay, what, "removed", "present", "removed", rm.reason,
                                  rm.author or spec.author, rm.source or spec.source, None, item.origin()))

    observations = dict(amap.observations)
    for i, ob in enumerate(spec.observe):
        item = Located(ob, doc, ("observe", i))
        seen_obs = _observe(ob, item, claims, spec, diags)
        if seen_obs is not None:
            claims[seen_obs.id] = observation_claim(seen_obs, ob.text, tuple(ob.section or ()))
            observations[seen_obs.id] = seen_obs
            changes.append(Change(spec.overlay, seen_obs.id, "observation", None, describe_observation(seen_obs),
                                  ob.reason or ob.title, ob.author or spec.author, ob.source or spec.source, None,
                                  item.origin()))
    scenarios = dict(amap.scenarios)
    for name, sc in spec.scenarios.items():
        item = Located(sc, doc, ("scenarios", name))
        if name in scenarios:
            diags.append(item.diag((), f"scenario '{name}' already exists (at {scenarios[name].origin})",
                                   "give the overlay's scenario its own name", key=True))
            continue
        made_sc, obs = scenario_from_spec(name, sc, item, claims, diags, added_by=spec.overlay,
                                          author=spec.author, source=spec.source)
        scenarios[name] = made_sc
        for o in obs:
            claims[o.id] = observation_claim(o)
            observations[o.id] = o

    stated = list(amap.stated)
    for i, st in enumerate(spec.stated):
        item = Located(st, doc, ("stated", i))
        if st.claim not in claims:
            diags.append(item.diag(("claim",), f"stated result names unknown claim '{st.claim}'",
                                   did_you_mean(st.claim, claims)))
        elif st.scenario is not None and st.scenario not in scenarios:
            diags.append(item.diag(("scenario",), f"stated result names unknown scenario '{st.scenario}'",
                                   did_you_mean(st.scenario, scenarios)))
        else:
            said = st.to_stated(overlay=spec.overlay, holder=st.holder or spec.author, source=st.source or spec.source)
            problems = stated_given_problems(dataclasses.replace(amap, claims=claims), said)
            diags += [item.diag(("given",), f"stated result for '{st.claim}': {msg}", hint) for msg, hint in problems]
            if not problems:
                stated.append(said)

    prior = {(c.target, c.field): c.overlay for c in amap.changes}
    changes = [dataclasses.replace(c, overrides=prior.get((c.target, c.field))) for c in changes]
    new = dataclasses.replace(amap, claims=claims, relations=tuple(relations), observations=observations,
                              scenarios=scenarios, stated=tuple(stated), parts=parts,
                              overlays=amap.overlays + (spec.overlay,), changes=amap.changes + tuple(changes))
    return new, diags


def _remove(rm: RemoveSpec, item: Located, amap: ArgumentMap, claims: dict, relations: list, diags):
    """Claims and relations without the removed one; a claim left with nothing bearing on it keeps its base
    as its credence (the same probability absent those arguments)."""
    if (rm.claim is None) == (rm.relation is None):
        diags.append(item.diag((), "a removal names exactly one of `claim:` or `relation:`"))
        return None
    if rm.claim is not None:
        cid = rm.claim
        if cid not in claims:
            diags.append(item.diag(("claim",), f"cannot remove '{cid}': no such claim in the map",
                                   did_you_mean(cid, claims)))
            return None
        if cid == amap.target:
            diags.append(item.diag(("claim",), f"'{cid}' is the map's target and cannot be removed"))
            return None
        users = [c for c, cl in claims.items() if cl.table is not None and cid in cl.table.given]
        users += [r.key for r in relations if any(m == cid for m, _ in r.modulators)]
        if users:
            diags.append(item.diag(("claim",), f"cannot remove '{cid}': {', '.join(users)} depend on it through "
                                   "a table or a modulator", "change those first"))
            return None
        touched = {r.target for r in relations if r.source == cid}
        relations = [r for r in relations if cid not in (r.source, r.target)]
        claims = {k: v for k, v in claims.items() if k != cid}
        what = cid
    else:
        key = " -> ".join(p.strip() for p in (rm.relation or "").split("->"))
        found = [r for r in relations if r.key == key]
        if not found:
            diags.append(item.diag(("relation",), f"cannot remove '{key}': no such relation in the map",
                                   did_you_mean(key, [r.key for r in relations])
                                   or "check the direction: relations read source -> target"))
            return None
        touched = {found[0].target}
        relations = [r for r in relations if r.key != key]
        what = key
    for t in touched:
        c = claims.get(t)
        if c is not None and c.base is not None and c.table is None and not any(r.target == t for r in relations):
            claims = {**claims, t: dataclasses.replace(c, credence=(Quantity(1.0 - c.base.value), c.base),
                                                        base=None)}
    return claims, relations, what


def _observe(ob: ObserveSpec, item: Located, claims, spec: OverlayFile, diags) -> Observation | None:
    states = {cid: c.states for cid, c in claims.items()}
    return resolve_observation(ob, item, states, diags, added_by=spec.overlay, author=spec.author,
                               source=spec.source)


def _provenance(ch, spec: OverlayFile) -> Provenance:
    return Provenance(ch.author or spec.author, ch.basis or "illustrative", ch.source or spec.source, ch.reason)


def _relate(rel: RelateSpec, item: Located, all_states, spec: OverlayFile, diags) -> Relation | None:
    if rel.type == "requires" and (rel.ratio is not None or rel.weight is not None or rel.modulated_by
                                   or rel.p is not None):
        diags.append(item.diag(("type",), "a requires relation takes `leak`, not a ratio, weight or p"))
        return None
    if rel.type != "requires" and rel.leak is not None:
        diags.append(item.diag(("leak",), f"`leak` belongs to requires relations, not {rel.type}"))
        return None
    return resolve_relation(rel.type, rel.from_, rel.to, rel, item, (), all_states, diags,
                            default_prov=_provenance(rel, spec), added_by=spec.overlay,
                            source_sub=("from",), target_sub=("to",))


def _change_claim(ch: ChangeSpec, cid: str, item: Located, fields, claims, all_states, spec, diags):
    claim = claims.get(cid)
    if claim is None:
        diags.append(item.diag(("claim",), f"cannot change '{cid}': no such claim in the map",
                               did_you_mean(cid, claims) or "add it under `add:` instead"))
        return None
    bad = [f for f in fields if f in _RELATION_FIELDS]
    if bad:
        diags.append(item.diag((bad[0],), f"`{bad[0]}` belongs to a relation, not a claim",
                               f"write `relation: source -> {cid}` to change a relation's strength"))
        return None
    n0 = len(diags)
    updates: dict = {}
    if ch.credence is not None:
        if claim.credence is None:
            diags.append(item.diag(("credence",), f"'{cid}' is not a root claim, so it has no credence",
                                   "change its base or table instead"))
        else:
            updates["credence"] = resolve_credence(ch.credence, claim.states, item, ("credence",), diags)
    if ch.base is not None:
        if claim.base is None and claim.table is not None and ch.compose is None:
            diags.append(item.diag(("base",), f"'{cid}' has a table, so it has no base",
                                   "change its table instead, or drop it with compose: relations"))
        updates["base"] = ch.base
    if ch.concentration is not None:
        updates["concentration"] = ch.concentration
    if ch.table is not None and ch.compose is not None:
        diags.append(item.diag(("compose",), "a change either gives a table or composes the claim from its "
                               "relations, not both", "keep one of `table:` and `compose:`"))
    elif ch.table is not None:
        if claim.table is None and claim.credence is not None:
            diags.append(item.diag(("table",), f"'{cid}' is a root claim with a credence, so it has no table",
                                   "change its credence instead"))
        else:      # a composed claim switched to a table: relations from its parents are then only drawn
            updates["table"] = resolve_table(ch.table, cid, claim.states, all_states, item, ("table",), diags)
            if claim.base is not None and ch.base is None:
                updates["base"] = None
    elif ch.compose is not None:
        if claim.table is None:
            diags.append(item.diag(("compose",), f"'{cid}' has no table: it is already composed from its relations",
                                   "change its base or its relations instead"))
        else:
            updates["table"] = None
            if ch.base is None and claim.binary:
                diags.append(item.diag(("compose",), f"'{cid}' needs a base once its table is dropped",
                                       "give base: its probability when none of its routes or arguments holds"))
    if len(diags) > n0 or any(v is None for f, v in updates.items() if f not in ("table", "base")):
        return None
    if ch.table is not None and updates.get("table") is None:
        return None
    new_claim = dataclasses.replace(claim, provenance=_provenance(ch, spec), **updates)
    def show(f: str, v) -> str | None:
        if f == "table" and v is None:
            return "composed from its relations"
        if f == "credence" and v is not None:   # a binary credence is P(true); else state by state
            return _fmt(v[1]) if claim.binary else ", ".join(f"{s} {q.value:.4g}"
                                                             for s, q in zip(claim.states, v, strict=False))
        return _fmt(v)

    records = [Change(spec.overlay, cid, f, show(f, getattr(claim, f)), show(f, v) or "", ch.reason,
                      ch.author or spec.author, ch.source or spec.source, None, item.origin((f,)))
               for f, v in updates.items()]
    return new_claim, records


def _change_relation(ch: ChangeSpec, item: Located, key: str, fields, relations, all_states, spec, diags):
    idx = next((i for i, r in enumerate(relations) if r.key == key), None)
    if idx is None:
        keys = [r.key for r in relations]
        diags.append(item.diag(("relation",), f"cannot change '{key}': no such relation in the map",
                               did_you_mean(key, keys) or "check the direction: relations read source -> target"))
        return None
    rel = relations[idx]
    bad = [f for f in fields if f in _CLAIM_FIELDS]
    if bad:
        diags.append(item.diag((bad[0],), f"`{bad[0]}` belongs to a claim, not a relation"))
        return None
    n0 = len(diags)
    updates: dict = {}
    kind = ch.type or rel.type
    if ch.type is not None and ch.type != rel.type and "requires" in (ch.type, rel.type):
        diags.append(item.diag(("type",), f"{key} is a {rel.type} relation and cannot become {ch.type}",
                               "remove it (remove: - relation: ...) and add the new one under relate:"))
        return None
    if ch.type is not None and ch.type != rel.type:
        updates["type"] = ch.type
        if "route" in (ch.type, rel.type):      # a route's p and an argument's ratio are different numbers
            updates["ratio" if rel.type != "route" else "p"] = None
            if ch.type == "route" and ch.p is None:
                diags.append(item.diag(("type",), f"{key} becomes a route: give its p",
                                       "p: the chance that the source alone brings the target about"))
            if rel.type == "route" and ch.ratio is None and ch.weight is None:
                diags.append(item.diag(("type",), f"{key} becomes a {ch.type} relation: give its ratio",
                                       "ratio: how much the source, if it holds, multiplies the target's odds"))
        elif ch.ratio is None and ch.weight is None and rel.ratio is not None and \
                (ch.type == "supports") != (rel.type == "supports"):
            # the same strength pointing the other way: ratio r becomes 1/r
            updates["ratio"] = Quantity(1.0 / rel.ratio.value, None,
                                        (1.0 / rel.ratio.range[1], 1.0 / rel.ratio.range[0])
                                        if rel.ratio.range else None)
    if kind == "requires":
        if ch.ratio is not None or ch.weight is not None or ch.modulated_by is not None or ch.p is not None:
            bad_f = next(f for f in ("ratio", "weight", "modulated_by", "p") if getattr(ch, f) is not None)
            diags.append(item.diag((bad_f,), f"{key} is a requires relation: change its leak"))
        if ch.leak is not None:
            updates["leak"] = ch.leak
    elif kind == "route":
        for f in ("leak", "ratio", "weight"):
            if getattr(ch, f) is not None:
                diags.append(item.diag((f,), f"{key} is a route: change its p (the chance it alone brings "
                                             f"'{rel.target}' about)"))
        if ch.p is not None:
            updates["p"] = ch.p
        if ch.modulated_by is not None:
            updates["modulators"] = resolve_modulators(ch.modulated_by, item, ("modulated_by",), all_states, diags,
                                                       rel.source)
    else:
        if ch.leak is not None:
            diags.append(item.diag(("leak",), f"{key} is a {kind} relation: change its ratio or weight"))
        if ch.p is not None:
            diags.append(item.diag(("p",), f"{key} is a {kind} relation: `p` belongs to a route",
                                   "change its ratio, or make it type: route with a p"))
        ratio = _strength(kind, ch, item, (), diags)
        if ratio is not None:
            updates["ratio"] = ratio
        elif "ratio" not in updates and rel.ratio is not None and ch.type is not None:
            _strength(kind, SimpleNamespace(ratio=rel.ratio, weight=None), item, ("type",), diags)
        if ch.modulated_by is not None:
            updates["modulators"] = resolve_modulators(ch.modulated_by, item, ("modulated_by",), all_states, diags,
                                                       rel.source)
    if ch.when is not None:
        updates["when"] = _check_when(item, (), list(ch.when), rel.source, all_states[rel.source], diags)
    if len(diags) > n0 or not updates:
        return None
    new_rel = dataclasses.replace(rel, provenance=_provenance(ch, spec), **updates)
    out = list(relations)
    out[idx] = new_rel
    records = [Change(spec.overlay, key, f, _fmt(getattr(rel, f)), _fmt(v) or "", ch.reason,
                      ch.author or spec.author, ch.source or spec.source, None,
                      item.origin((f if f != "modulators" else "modulated_by",)))
               for f, v in updates.items()]
    return out, records



def _describe(r: Relation) -> str:
    if r.type == "requires":
        return f"requires (leak {_fmt(r.leak) or 0})"
    if r.type == "route":
        return f"route (p {_fmt(r.p)})"
    return f"{r.type} (ratio {_fmt(r.ratio)})"


def _fmt(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, tuple) and all(isinstance(x, str) for x in v):
        return ", ".join(v)
    if isinstance(v, tuple) and all(isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) for x in v):
        return "; ".join(f"{m}: " + ", ".join(f"{s} ×{q.value:.3g}" for s, q in sc) for m, sc in v) or "none"
    if isinstance(v, Quantity):
        return str(v)
    if isinstance(v, tuple) and v and isinstance(v[0], Quantity):
        return "{" + ", ".join(f"{q.value:.4g}" for q in v) + "}"
    if isinstance(v, float):
        return f"{v:.4g}" if math.isfinite(v) else str(v)
    return type(v).__name__
