"""``argmap explore``: one self-contained HTML page where readers push on a map's numbers.

The page holds everything it needs (no request to any server): a small JavaScript evaluator
(``assets/evaluator.js``) that computes every marginal exactly from :func:`argmap.inference.netjson.network_json`,
the interface (``assets/explore.js``, ``assets/explore.css``), the map's diagrams rendered here by
Graphviz with the static diagrams' palette and shapes, and the data below.

**Which overlays are offered** is decided by :func:`offering` alone (the ``--with`` ones always, then
the bundled ones that fit; ``--offer`` chooses), the same for ``explore`` and ``export`` whether the
bundled map is named or implied.

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
from ..base.errors import ArgmapError, QueryError, ValidationError
from ..inference.netjson import network_json
from ..maps.models import ArgumentMap, Claim, Provenance

__all__ = ["explorer_html", "offering", "Offering", "offered_overlays", "overlay_combinations", "MAX_COMBINATIONS",
           "PAGE_FORMAT"]

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


@dataclasses.dataclass(frozen=True)
class Offering:
    """What a page offers: the overlays (in page order) and the bundled ones left out to fit."""

    overlays: list[Offered]
    dropped: list[str]

    def note(self) -> str | None:
        """What to tell the user when bundled overlays were left out (None when none were)."""
        if not self.dropped:
            return None
        return (f"note: the page offers at most {MAX_COMBINATIONS} overlay combinations, so it leaves out the "
                f"bundled {', '.join(self.dropped)} (kept while they fit: your --with overlays, then bundled ones "
                "that build on no other, then those that do); choose the offered set with --offer NAME,NAME "
                "or --offer none")


def _is_bundled_map(path: str | Path | None) -> bool:
    """The bundled map, implied (no PATH) or named by its folder or map.yaml."""
    from ..maps.bundled import bundled_map_path

    if path is None:
        return True
    here = Path(path).resolve()
    return bundled_map_path().resolve() in (here, here.parent if here.name == "map.yaml" else None)


def offering(path: str | Path | None, overlays: Sequence[str | Path],
             offer: str | Sequence[str | Path] | None = None) -> Offering:
    """The one place that decides which overlays a page offers.

    ``overlays`` (the ``--with`` ones) are always offered, switched on. ``offer``: ``None`` or ``"all"``
    adds, for the bundled map (named by its folder or implied), every bundled critique and viewpoint,
    switched off; when the combinations ``builds_on`` allows would exceed :data:`MAX_COMBINATIONS`,
    bundled ones are kept while they fit, first those that build on no other overlay, then those that do
    (each with what it builds on), in page order (critiques, then viewpoints, alphabetically) within
    each, and the rest are listed in ``dropped``. ``"none"`` adds nothing; a list
    (or a comma-separated string) names the overlays to add, by bundled name or file, and is an error
    when it does not fit."""
    from ..maps.bundled import arguments_dir
    from ..maps.loader import resolve_overlay

    if isinstance(offer, str):
        offer = None if offer == "all" else [] if offer == "none" else [o for o in offer.split(",") if o.strip()]
    mine = [(o, resolve_overlay(o), True) for o in overlays]
    if offer is None:
        extra = [(f.stem, f, False) for sub in ("critiques", "viewpoints")
                 for f in sorted((arguments_dir() / sub).glob("*.yaml"))] if _is_bundled_map(path) else []
    else:
        extra = [(str(o).strip(), resolve_overlay(str(o).strip()), False) for o in offer]
    have = {f.resolve() for _, f, _ in mine}
    for item in extra:
        if item[1].resolve() not in have:
            have.add(item[1].resolve())
            mine.append(item)
    specs = _read_offered(mine)
    chosen = [o for o in specs if o.on]
    dropped: list[str] = []
    if not _fits(specs):
        if offer is not None:
            raise QueryError(f"{len(specs)} overlays make more than {MAX_COMBINATIONS} combinations, the most a "
                              "page ships: name fewer with --offer (or --offer none)")
        by_name = {o.name: o for o in specs}
        for cand in sorted(specs, key=lambda o: bool(o.builds_on)):     # stable: page order within each
            if cand in chosen:
                continue
            group = [cand]
            for o in group:         # what it builds on, among the offered (transitively)
                group += [by_name[b] for b in o.builds_on if b in by_name and by_name[b] not in chosen + group]
            trial = chosen + [o for o in specs if o in group and o not in chosen]
            if _fits(trial):
                chosen = trial
        dropped = [o.arg for o in specs if o not in chosen]
        specs = [o for o in specs if o in chosen]
    return Offering(_page_order(specs), dropped)


def _read_offered(items: Sequence[tuple[str | Path, Path, bool]]) -> list[Offered]:
    from ..maps.bundled import arguments_dir
    from ..maps.loader import OverlayReader

    reader = OverlayReader()
    bundled_dir = arguments_dir().resolve()
    specs = []
    for given, found, on in items:
        where = found.resolve()
        # how the page's reproduce command names it: a bundled overlay by its name, which works for any
        # reader; another by the path it was given as
        arg = where.stem if where.parent.parent == bundled_dir and where.parent.name in ("critiques", "viewpoints") \
            else str(given)
        spec, _ = reader.read(found)
        specs.append(Offered(arg, str(found), spec.overlay, spec.title or spec.overlay, spec.author, spec.source,
                             spec.description, tuple(spec.builds_on), on))
    names = [o.name for o in specs]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ArgmapError(f"overlay '{dup}' is offered twice; give each overlay once")
    return specs


def _page_order(specs: Sequence[Offered]) -> list[Offered]:
    """Stable topological order by ``builds_on`` (dependencies not offered are left in place)."""
    names = [o.name for o in specs]
    ordered: list[Offered] = []
    todo = list(specs)
    while todo:
        ready = next((o for o in todo if all(b in {x.name for x in ordered} or b not in names for b in o.builds_on)),
                     todo[0])
        ordered.append(ready)
        todo.remove(ready)
    return ordered


def offered_overlays(path: str | Path | None, overlays: Sequence[str | Path],
                     offer: str | Sequence[str | Path] | None = None) -> list[Offered]:
    """The overlays a page offers, in page order (:func:`offering`)."""
    return offering(path, overlays, offer).overlays


def _fits(offered: Sequence[Offered]) -> bool:
    """Whether the combinations ``builds_on`` allows are at most :data:`MAX_COMBINATIONS` (counted with
    a cut-off, so a long list of overlays costs no more than the limit)."""
    ordered = _page_order(offered)
    names = {o.name for o in ordered}
    count = 0

    def walk(i: int, on: frozenset[str]) -> None:
        nonlocal count
        if count > MAX_COMBINATIONS:
            return
        if i == len(ordered):
            count += 1
            return
        walk(i + 1, on)
        o = ordered[i]
        if all(b in on for b in o.builds_on if b in names):
            walk(i + 1, on | {o.name})

    walk(0, frozenset())
    return count <= MAX_COMBINATIONS


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
                     "composed": [[t, f, g(b), [[g(x) for x in term] for term in terms], [g(x) for x in leaks],
                                   [[g(x) for x in r] for r in routes]]
                                  for t, f, b, terms, leaks, routes in c["composed"]]})
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


def explorer_data(path: str | Path | None = None, overlays: Sequence[str | Path] = (), *,
                  offer: str | Sequence[str | Path] | Offering | None = None,
                  given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
                  scenario: str | None = DEFAULT) -> dict[str, Any]:
    """Everything the page needs, as JSON-ready data (networks, numbers' metadata, diagrams).

    The page starts at ``argmap run`` with ``overlays`` and these conditions; ``offer`` chooses the other
    overlays it offers (:func:`offering`, or its result)."""
    from ..render.views import effective_parts

    offered = (offer if isinstance(offer, Offering) else offering(path, overlays, offer)).overlays
    combos = overlay_combinations(offered)
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


def explorer_html(path: str | Path | None = None, overlays: Sequence[str | Path] = (), *,
                  offer: str | Sequence[str | Path] | Offering | None = None,
                  given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
                  scenario: str | None = DEFAULT) -> str:
    """The explorer page for the map at ``path`` offering ``overlays`` (and, by ``offer``, others: for the
    bundled map, the bundled critiques and viewpoints that fit; :func:`offering`), as one HTML document
    with no external references."""
    data = explorer_data(path, overlays, offer=offer, given=given, set=set, scenario=scenario)
    return page_html(data)


def page_html(data: Any, scripts: Iterable[str] = ("evaluator.js", "explore.js")) -> str:
    """Fill the page template with ``data`` and the inlined assets."""
    import html

    values = {"TITLE": html.escape(f"Explore: {data['title']}"), "CSS": _asset("explore.css"),
              "DATA": _packed(data), "JS": "\n".join(_asset(s) for s in scripts)}
    return re.sub(r"\{\{(TITLE|CSS|DATA|JS)\}\}", lambda m: values[m.group(1)], _asset("explore.html"))
