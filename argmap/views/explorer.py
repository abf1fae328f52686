"""``argmap explore``: one self-contained HTML page where readers push on a map's numbers.

The page holds everything it needs (no request to any server): a small JavaScript evaluator
(``assets/evaluator.js``) that computes every marginal exactly from :func:`argmap.inference.netjson.network_json`,
the interface (``assets/explore.js``, ``assets/explore.css``), the map's diagrams rendered here by
Graphviz with the static diagrams' palette and shapes, and the data below.

**Overlays are switched by swapping networks.** Every combination of the offered overlays that
``builds_on`` allows is loaded and compiled here, exactly as ``argmap run --with ...`` would, and
shipped as its own network; so an overlay switched off gives exactly what the map gives without it.
The diagrams are drawn once for the map with every offered overlay applied; claims and relations
absent from the current combination are hidden by the page.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..api import DEFAULT, Model
from ..base.errors import ArgmapError, ValidationError
from ..inference.netjson import network_json
from ..maps.models import ArgumentMap, Claim, Provenance

__all__ = ["explorer_html", "offered_overlays", "overlay_combinations", "MAX_COMBINATIONS", "PAGE_FORMAT"]

MAX_COMBINATIONS = 64
"""The most overlay combinations a page ships (each is one compiled network)."""
PAGE_FORMAT = 1
_ASSETS = Path(__file__).resolve().parent / "assets"


@dataclasses.dataclass(frozen=True)
class Offered:
    """An overlay the page can switch: how the command line names it, its file, and its header."""

    arg: str
    path: str
    name: str
    title: str
    author: str
    source: str | None
    description: str | None
    builds_on: tuple[str, ...]
    on: bool


def offered_overlays(path: str | Path | None, overlays: Sequence[str | Path],
                     bundled: bool | None = None) -> list[Offered]:
    """The overlays a page offers: ``overlays`` (switched on) and, for the bundled map, every bundled
    critique and viewpoint (switched off), ordered so each comes after what it builds on."""
    from ..maps.bundled import arguments_dir
    from ..maps.loader import OverlayReader, resolve_overlay

    reader = OverlayReader()
    bundled_dir = arguments_dir().resolve()

    def cli_name(o: str | Path, found: Path) -> str:
        """How the page's reproduce command names an overlay: a bundled one by its name, which works
        for any reader; another by the path it was given as."""
        where = found.resolve()
        return where.stem if where.parent.parent == bundled_dir and where.parent.name in ("critiques", "viewpoints") \
            else str(o)

    items: list[tuple[str, str, bool]] = [(cli_name(o, f), str(f), True)
                                          for o in overlays for f in [resolve_overlay(o)]]
    if bundled if bundled is not None else path is None:
        have = {Path(p).resolve() for _, p, _ in items}
        for sub in ("critiques", "viewpoints"):
            for found in sorted((arguments_dir() / sub).glob("*.yaml")):
                if found.resolve() not in have:
                    items.append((found.stem, str(found), False))
    specs = []
    for arg, p, on in items:
        spec, _ = reader.read(Path(p))
        specs.append(Offered(arg, p, spec.overlay, spec.title or spec.overlay, spec.author, spec.source,
                             spec.description, tuple(spec.builds_on), on))
    names = [o.name for o in specs]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ArgmapError(f"overlay '{dup}' is offered twice; give each overlay once")
    ordered: list[Offered] = []
    todo = list(specs)
    while todo:       # stable topological order by builds_on (missing dependencies are left in place)
        ready = next((o for o in todo if all(b in {x.name for x in ordered} or b not in names for b in o.builds_on)),
                     todo[0])
        ordered.append(ready)
        todo.remove(ready)
    return ordered


def overlay_combinations(offered: Sequence[Offered]) -> list[tuple[int, ...]]:
    """Index tuples of the overlay subsets that ``builds_on`` allows (each dependency included)."""
    out = []
    for mask in range(1 << len(offered)):
        idx = tuple(i for i in range(len(offered)) if mask >> i & 1)
        names = {offered[i].name for i in idx}
        if all(b in names for i in idx for b in offered[i].builds_on):
            out.append(idx)
    return out


def _prov(p: Provenance) -> dict[str, str]:
    return {k: v for k, v in dataclasses.asdict(p).items() if v}


def _claim_meta(c: Claim) -> dict[str, Any]:
    meta: dict[str, Any] = {"title": c.title, "kind": c.kind, "states": list(c.states),
                            "sections": list(c.sections), "prov": _prov(c.provenance)}
    if c.text:
        meta["text"] = c.text
    if c.added_by:
        meta["added_by"] = c.added_by
    if c.url and c.url.startswith(("https://", "http://")):
        meta["url"] = c.url
    return meta


class _Interner:
    """Shares equal JSON objects between combinations (most claims and numbers are the same in each)."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._index: dict[str, int] = {}

    def __call__(self, obj: Any) -> int:
        key = json.dumps(obj, sort_keys=True)
        if key not in self._index:
            self._index[key] = len(self.items)
            self.items.append(obj)
        return self._index[key]


def _pack_cells(net: dict[str, Any], pnames: dict[str, int], intern: _Interner) -> dict[str, Any]:
    """Share each claim's cell formulas between combinations: parameter indices become ids into one
    list of parameter names (``pnames``), so a claim unchanged by the overlays is stored once
    (the page maps them back before compiling)."""
    gid = [pnames.setdefault(n, len(pnames)) for n in net["params"]]

    def g(k: int) -> int:
        return gid[k] if k >= 0 else -1

    cells = [intern({"copy": [[pos, g(k)] for pos, k in c["copy"]],
                     "direct": [[t, f, g(k)] for t, f, k in c["direct"]],
                     "composed": [[t, f, g(b), [[g(x) for x in term] for term in terms], [g(x) for x in leaks]]
                                  for t, f, b, terms, leaks in c["composed"]]})
             for c in net["cells"]]
    return {**net, "cells": cells}


def _param_meta(model: Model) -> list[dict[str, Any]]:
    """What the page shows and lets a reader move for each entry of θ (``null``: not adjustable)."""
    amap = model.map
    rels = {r.key: r for r in amap.relations}
    out: list[dict[str, Any]] = []
    net = model.network
    for p in net.params:
        if p.field == "scale":        # a modulator's scale has no overlay field, so it is shown, not moved
            out.append({"name": p.name, "claim": p.claim, "field": p.field, "fixed": True})
            continue
        meta: dict[str, Any] = {"name": p.name, "claim": p.claim, "field": p.field, "kind": p.kind}
        if p.state is not None and p.kind == "simplex":
            meta["state"] = p.state
        if p.group:
            meta["group"] = [net.params[g].name for g in p.group]
        if p.quantity.range:
            meta["range"] = list(p.quantity.range)
        if p.relation is not None:
            r = rels[p.relation]
            meta.update(relation=p.relation, type=r.type, source=r.source, prov=_prov(r.provenance))
        else:
            meta["prov"] = _prov(amap.claims[p.claim].provenance)
        if p.field == "table":
            meta["row"] = p.name[p.name.index("[") + 1:p.name.rindex("]")]
        out.append(meta)
    return out


def _tables(amap: ArgumentMap) -> dict[str, dict[str, Any]]:
    return {cid: {"given": list(c.table.given), "rows": [list(combo) for combo, _ in c.table.rows]}
            for cid, c in amap.claims.items() if c.table is not None}


def _scenarios(amap: ArgumentMap) -> dict[str, dict[str, Any]]:
    return {name: {"given": dict(s.given), "set": dict(s.set), "description": s.description}
            for name, s in amap.scenarios.items()}


def explorer_data(path: str | Path | None = None, overlays: Sequence[str | Path] = (), *, bundled: bool | None = None,
                  given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
                  scenario: str | None = DEFAULT) -> dict[str, Any]:
    """Everything the page needs, as JSON-ready data (networks, numbers' metadata, diagrams).

    The page starts at ``argmap run`` with ``overlays`` and these conditions."""
    from ..render.views import effective_parts

    offered = offered_overlays(path, overlays, bundled)
    combos = overlay_combinations(offered)
    if len(combos) > MAX_COMBINATIONS:
        raise ArgmapError(f"{len(offered)} overlays make {len(combos)} combinations; a page ships at most "
                          f"{MAX_COMBINATIONS}: offer fewer overlays")
    from ..maps.loader import OverlayReader, load_stages

    reader = OverlayReader()
    start = load_stages(path)
    intern = _Interner()
    pnames: dict[str, int] = {}
    shipped: list[dict[str, Any]] = []
    union: ArgumentMap | None = None
    base_model = None
    for idx in combos:
        try:
            model = Model(load_stages(overlays=[offered[i].path for i in idx], start=start, reader=reader)[-1].map)
            net = model.network
        except ValidationError as err:
            if not idx:
                raise
            shipped.append({"overlays": [offered[i].name for i in idx],
                            "error": err.diagnostics[0].message if err.diagnostics else str(err)})
            continue
        amap = model.map
        if union is None or len(idx) > len(union.overlays):
            union = amap
        if all(offered[i].on for i in idx) and len(idx) == sum(o.on for o in offered):
            base_model = model
        shipped.append({
            "overlays": [offered[i].name for i in idx],
            "net": _pack_cells(network_json(net, model.engine), pnames, intern),
            "params": [intern(m) for m in _param_meta(model)],
            "claims": {cid: intern(_claim_meta(c)) for cid, c in amap.claims.items()},
            "tables": _tables(amap),
            "scenarios": _scenarios(amap),
            "observed": dict(amap.observed),
            "observations": sorted(amap.observations),
            "default_scenario": amap.default_scenario,
            "edges": sorted({f"{r.source}->{r.target}" for r in amap.relations}
                            | {f"{m}->{r.target}" for r in amap.relations for m, _ in r.modulators}
                            | {f"{g}->{cid}" for cid, c in amap.claims.items() if c.table for g in c.table.given}),
        })
    assert union is not None and base_model is not None
    parts = effective_parts(union)
    part_titles = [[p, union.parts.get(p, p)] for p in
                   list(union.parts) + sorted({p for p in parts.values() if p and p not in union.parts})]
    base = base_model.run(given=given, set=set, scenario=scenario)
    sc = base.conditions.scenario
    sc_cond = base_model.conditions(scenario=sc) if sc else None
    start_given = {k: v for k, v in base.conditions.given.items() if not sc_cond or sc_cond.given.get(k) != v}
    start_set = {k: v for k, v in base.conditions.set.items() if not sc_cond or sc_cond.set.get(k) != v}
    return {
        "format": PAGE_FORMAT,
        "map": union.name,
        "map_arg": None if path is None else str(path),
        "title": union.title or union.name,
        "target": union.target,
        "overlays": [dataclasses.asdict(o) | {"path": None} for o in offered],
        "combos": shipped,
        "shared": intern.items,
        "pnames": list(pnames),
        "parts": part_titles,
        "part_of": {c: parts[c] for c in union.claims},
        "diagrams": _diagrams(union, base_model, part_titles),
        "start": {"overlays": [o.name for o in offered if o.on], "scenario": sc, "given": start_given,
                  "set": start_set, "probability": base.probability},
    }


def _diagrams(union: ArgumentMap, model: Model, parts: list[list[str]]) -> dict[str, Any]:
    """The overview (every part collapsed but the target's) and one view per expanded part, as SVG."""
    from ..render import render_dot
    from ..render.dot import NodeLook, assemble, binary_p
    from ..render.style import fill_for_probability, fmt_p
    from ..render.views import make_view

    claims = {cid: dataclasses.replace(c, url=None) for cid, c in union.claims.items()}
    amap = dataclasses.replace(union, claims=claims)
    marg = Model(union).marginals()        # placeholder numbers only: the page repaints every label
    target_part = model.map.claims[amap.target].part if amap.target in model.map.claims else None
    all_parts = [p for p, _ in parts]
    out: dict[str, Any] = {}
    views = [("overview", None)] + [(f"part:{p}", p) for p in all_parts if p != target_part]
    for key, expand in views:
        collapse = [p for p in all_parts if p not in (expand, target_part)]
        overview = key == "overview"
        view = make_view(amap, collapse=collapse, keep=(amap.target,), clusters=not overview)
        looks, tips = {}, {}
        for n in view.nodes:
            if n.claim:
                p = binary_p(marg, n.claim)
                lines = ["P = 0.000" if n.claim == amap.target else fmt_p(p)] if p is not None else \
                    [" · ".join(f"{s} {fmt_p(q)}" for s, q in marg[n.claim].items())]
                looks[n.id] = NodeLook(fill_for_probability(p), tuple(lines))
                tips[n.id] = f"{amap.claims[n.claim].title} (click to observe or set it)"
            else:
                title = amap.parts.get(n.part or "", n.part or "")
                looks[n.id] = NodeLook(fill_for_probability(None), (f"{len(n.members)} claims", "click to expand"))
                tips[n.id] = f"{title}: click to expand this part"
        dot = assemble(amap, view, looks, title=amap.title or amap.name, legend=False, tooltips=tips,
                       rankdir="TB" if overview else "LR", large=overview)
        svg = render_dot(dot, "svg").decode("utf-8")
        svg = svg[svg.index("<svg"):]
        out[key] = {"svg": svg, "parts": {n.id: list(n.members) for n in view.nodes if not n.claim}}
    return out


def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def _packed(data: Any) -> str:
    """The page data as gzip-compressed JSON in base64 (the page inflates it with DecompressionStream):
    a third of the size of plain JSON, and nothing in it can close the <script> element holding it."""
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def explorer_html(path: str | Path | None = None, overlays: Sequence[str | Path] = (), *, bundled: bool | None = None,
                  given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
                  scenario: str | None = DEFAULT) -> str:
    """The explorer page for the map at ``path`` offering ``overlays`` (and, for the bundled map, the
    bundled critiques and viewpoints), as one HTML document with no external references."""
    data = explorer_data(path, overlays, bundled=bundled, given=given, set=set, scenario=scenario)
    return page_html(data)


def page_html(data: Any, scripts: Iterable[str] = ("evaluator.js", "explore.js")) -> str:
    """Fill the page template with ``data`` and the inlined assets."""
    import html

    values = {"TITLE": html.escape(f"Explore: {data['title']}"), "CSS": _asset("explore.css"),
              "DATA": _packed(data), "JS": "\n".join(_asset(s) for s in scripts)}
    return re.sub(r"\{\{(TITLE|CSS|DATA|JS)\}\}", lambda m: values[m.group(1)], _asset("explore.html"))
