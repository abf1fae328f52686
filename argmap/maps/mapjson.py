"""A resolved map as plain JSON, and an overlay as the edits it makes to that JSON.

The explorer page compiles a map in JavaScript from :func:`map_json` (the same network
:func:`argmap.inference.network.compile_map` builds), so it needs no precompiled network per overlay
combination: each offered overlay ships as :func:`map_edits`, the field-level edits that turn the map
it applies to into the map after it, which the page applies in order.

Numbers are ``value`` or ``{"v": value, "range": [lo, hi]}`` / ``{"v": value, "beta": [a, b]}``.
An edit is one of::

    ["claim", id, {field: value, ...}]       set fields of a claim (``"new"`` after: one the overlay adds)
    ["drop", id]                             remove a claim
    ["rel", "a -> b", {field: value, ...}]   set fields of a relation (``"new"``: added, so it goes last)
    ["unrel", "a -> b"]                      remove a relation
    ["remove", "a -> b"]                     an overlay's ``remove:`` of a relation, as the loader does it: a
                                             target left with nothing bearing on it keeps its base as its
                                             credence (the page's own edits use it)
    ["obs", id, scenario or null]            an observation (always observed when the scenario is null)
    ["scenario", name, {...}]                a named scenario
    ["part", id, title]                      a part
    ["stated", {...}]                        a result its author states

A value of ``null`` removes the field (e.g. a claim's ``base`` once it becomes a root).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..base.quantity import Quantity
from ..base.textsafe import safe_link
from .models import ArgumentMap, Claim, Provenance, Relation

__all__ = ["map_json", "map_edits", "quantity_json", "claim_json", "relation_json"]


def quantity_json(q: Quantity | None) -> Any:
    """A number as the page reads it (see the module docstring)."""
    if q is None:
        return None
    if q.range is not None:
        return {"v": q.value, "range": list(q.range)}
    if q.beta is not None:
        return {"v": q.value, "beta": list(q.beta)}
    return q.value


_PROV_FIELDS = tuple(f.name for f in dataclasses.fields(Provenance) if f.name != "band")


def _prov(p: Provenance) -> dict[str, Any]:
    out = {k: v for k in _PROV_FIELDS if (v := getattr(p, k))}      # plain strings: no deep copy (asdict) needed
    if p.band is not None:
        out["band"] = dict(p.band) if isinstance(p.band, tuple) else p.band
    return out


def claim_json(c: Claim) -> dict[str, Any]:
    """A claim's fields: what the page shows and what its CPT is composed from."""
    out: dict[str, Any] = {"title": c.title, "kind": c.kind, "states": list(c.states), "sections": list(c.sections),
                           "prov": _prov(c.provenance)}
    if c.text:
        out["text"] = c.text
    if c.part:
        out["part"] = c.part
    if c.added_by:
        out["added_by"] = c.added_by
    link = safe_link(c.url)             # http, https or doi: (as https://doi.org/...), the diagrams' rule
    if link:
        out["url"] = link
    if c.credence is not None:
        out["credence"] = [quantity_json(q) for q in c.credence]
    if c.concentration is not None:
        out["concentration"] = c.concentration
    if c.base is not None:
        out["base"] = quantity_json(c.base)
    if c.table is not None:
        out["table"] = {"given": list(c.table.given),
                        "rows": [[list(combo), [quantity_json(q) for q in dist]] for combo, dist in c.table.rows]}
    return out


def relation_json(r: Relation) -> dict[str, Any]:
    """A relation's fields (``ratio`` for influences, ``leak`` for requirements, ``p`` for a route)."""
    out: dict[str, Any] = {"type": r.type, "source": r.source, "target": r.target, "when": list(r.when),
                           "prov": _prov(r.provenance)}
    if r.ratio is not None:
        out["ratio"] = quantity_json(r.ratio)
    if r.leak is not None:
        out["leak"] = quantity_json(r.leak)
    if r.p is not None:
        out["p"] = quantity_json(r.p)
    if r.modulators:
        out["modulators"] = [[m, [[s, quantity_json(q)] for s, q in scale]] for m, scale in r.modulators]
    if r.added_by:
        out["added_by"] = r.added_by
    return out


def map_json(amap: ArgumentMap) -> dict[str, Any]:
    """The resolved map: claims, relations (in the map's order, which fixes the compiled parameter order),
    observations, scenarios, parts and stated results."""
    return {
        "name": amap.name,
        "title": amap.title or amap.name,
        "target": amap.target,
        "claims": {cid: claim_json(c) for cid, c in amap.claims.items()},
        "relations": [relation_json(r) for r in amap.relations],
        "observations": {oid: o.scenario for oid, o in amap.observations.items()},
        "scenarios": {name: {"given": dict(s.given), "set": dict(s.set), "description": s.description}
                      for name, s in amap.scenarios.items()},
        "default_scenario": amap.default_scenario,
        "parts": dict(amap.parts),
        "stated": [s.to_dict() for s in amap.stated],
        "overlays": list(amap.overlays),
    }


def _field_edits(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    old = old or {}
    out = {k: v for k, v in new.items() if old.get(k) != v}
    out.update({k: None for k in old if k not in new})
    return out


def map_edits(before: ArgumentMap, after: ArgumentMap) -> list[list[Any]]:
    """The edits (see the module docstring) that turn ``map_json(before)`` into ``map_json(after)``."""
    a, b = map_json(before), map_json(after)
    edits: list[list[Any]] = []
    for cid in a["claims"]:
        if cid not in b["claims"]:
            edits.append(["drop", cid])
    for cid, c in b["claims"].items():
        fields = _field_edits(a["claims"].get(cid), c)
        if fields:
            edits.append(["claim", cid, fields] + ([] if cid in a["claims"] else ["new"]))
    rels_a = {f"{r['source']} -> {r['target']}": r for r in a["relations"]}
    rels_b = {f"{r['source']} -> {r['target']}": r for r in b["relations"]}
    for key in rels_a:
        if key not in rels_b:
            edits.append(["unrel", key])
    for key, r in rels_b.items():
        fields = _field_edits(rels_a.get(key), r)
        if fields:
            edits.append(["rel", key, fields] + ([] if key in rels_a else ["new"]))
    for oid, sc in b["observations"].items():
        if oid not in a["observations"] or a["observations"][oid] != sc:
            edits.append(["obs", oid, sc])
    for name, sc in b["scenarios"].items():
        if a["scenarios"].get(name) != sc:
            edits.append(["scenario", name, sc])
    for pid, title in b["parts"].items():
        if a["parts"].get(pid) != title:
            edits.append(["part", pid, title])
    for st in b["stated"][len(a["stated"]):]:
        edits.append(["stated", st])
    return edits
