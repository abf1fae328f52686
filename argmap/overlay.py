"""Apply a critique or viewpoint overlay to a map, recording every change with its attribution.

Pure: the input map is never modified; a new :class:`~argmap.models.ArgumentMap` is returned.
"""

from __future__ import annotations

import dataclasses
import math

from .errors import Diagnostic, did_you_mean
from .models import ArgumentMap, Change, Provenance, Relation
from .quantity import Quantity
from .resolve import Located, _strength, resolve_claims, resolve_credence, resolve_relation, resolve_table
from .specs import ChangeSpec, OverlayFile, RelateSpec
from .yamlsafe import YamlDoc

__all__ = ["apply_overlay"]

_CLAIM_FIELDS = ("credence", "concentration", "base", "table")
_RELATION_FIELDS = ("ratio", "weight", "leak")


def apply_overlay(amap: ArgumentMap, spec: OverlayFile, doc: YamlDoc | None = None
                  ) -> tuple[ArgumentMap, list[Diagnostic]]:
    """Return ``amap`` with the overlay applied, and the problems found (empty when it applies cleanly)."""
    diags: list[Diagnostic] = []
    at = Located(spec, doc, ())
    if spec.overlay in amap.overlays:
        diags.append(at.diag(("overlay",), f"overlay '{spec.overlay}' is already applied",
                             "give each overlay once after --with"))
    for i, need in enumerate(spec.builds_on):
        if need not in amap.overlays:
            diags.append(at.diag(("builds_on", i), f"this overlay builds on '{need}', which is not applied",
                                 f"apply '{need}' first: --with <path to {need}.yaml> before this file"))
    if diags:
        return amap, diags

    added = [Located(c, doc, ("add", i)) for i, c in enumerate(spec.add)]
    new_claims, new_rels, rdiags = resolve_claims(added, amap.claims, added_by=spec.overlay)
    diags += rdiags
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
                                   "give a new credence, base, table, ratio, weight or leak"))
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
            out = _change_relation(ch, item, target, fields, relations, spec, diags)
            if out:
                relations = out[0]
                changes += out[1]

    prior = {(c.target, c.field): c.overlay for c in amap.changes}
    changes = [dataclasses.replace(c, overrides=prior.get((c.target, c.field))) for c in changes]
    new = dataclasses.replace(amap, claims=claims, relations=tuple(relations),
                              overlays=amap.overlays + (spec.overlay,), changes=amap.changes + tuple(changes))
    return new, diags


def _provenance(ch, spec: OverlayFile) -> Provenance:
    return Provenance(ch.author or spec.author, ch.basis or "illustrative", ch.source or spec.source, ch.reason)


def _relate(rel: RelateSpec, item: Located, all_states, spec: OverlayFile, diags) -> Relation | None:
    if rel.type == "requires" and (rel.ratio is not None or rel.weight is not None or rel.modulated_by):
        diags.append(item.diag(("type",), "a requires relation takes `leak`, not a ratio or weight"))
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
        if claim.base is None and claim.table is not None:
            diags.append(item.diag(("base",), f"'{cid}' has a table, so it has no base",
                                   "change its table instead"))
        updates["base"] = ch.base
    if ch.concentration is not None:
        updates["concentration"] = ch.concentration
    if ch.table is not None:
        if claim.table is None:
            diags.append(item.diag(("table",), f"'{cid}' has no table to change",
                                   "change its credence or base, or its relations' strengths"))
        else:
            updates["table"] = resolve_table(ch.table, cid, claim.states, all_states, item, ("table",), diags)
    if len(diags) > n0 or any(v is None for v in updates.values()):
        return None
    new_claim = dataclasses.replace(claim, provenance=_provenance(ch, spec), **updates)
    def show(f: str, v) -> str | None:
        if f == "credence" and v is not None:   # a binary credence is P(true); else state by state
            return _fmt(v[1]) if claim.binary else ", ".join(f"{s} {q.value:.4g}"
                                                             for s, q in zip(claim.states, v, strict=False))
        return _fmt(v)

    records = [Change(spec.overlay, cid, f, show(f, getattr(claim, f)), show(f, v) or "", ch.reason,
                      ch.author or spec.author, ch.source or spec.source, None, item.origin((f,)))
               for f, v in updates.items()]
    return new_claim, records


def _change_relation(ch: ChangeSpec, item: Located, key: str, fields, relations, spec, diags):
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
    if rel.type == "requires":
        if ch.ratio is not None or ch.weight is not None:
            diags.append(item.diag(("ratio" if ch.ratio is not None else "weight",),
                                   f"{key} is a requires relation: change its leak"))
        if ch.leak is not None:
            updates["leak"] = ch.leak
    else:
        if ch.leak is not None:
            diags.append(item.diag(("leak",), f"{key} is a {rel.type} relation: change its ratio or weight"))
        ratio = _strength(rel.type, ch, item, (), diags)
        if ratio is not None:
            updates["ratio"] = ratio
    if len(diags) > n0 or not updates:
        return None
    new_rel = dataclasses.replace(rel, provenance=_provenance(ch, spec), **updates)
    out = list(relations)
    out[idx] = new_rel
    records = [Change(spec.overlay, key, f, _fmt(getattr(rel, f)), _fmt(v) or "", ch.reason,
                      ch.author or spec.author, ch.source or spec.source, None, item.origin((f,)))
               for f, v in updates.items()]
    return out, records


def _describe(r: Relation) -> str:
    if r.type == "requires":
        return f"requires (leak {_fmt(r.leak) or 0})"
    return f"{r.type} (ratio {_fmt(r.ratio)})"


def _fmt(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, Quantity):
        return str(v)
    if isinstance(v, tuple) and v and isinstance(v[0], Quantity):
        return "{" + ", ".join(f"{q.value:.4g}" for q in v) + "}"
    if isinstance(v, float):
        return f"{v:.4g}" if math.isfinite(v) else str(v)
    return type(v).__name__
