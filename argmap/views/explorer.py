"""``argmap explore``: one self-contained HTML page where readers push on a map's numbers.

The page holds everything it needs (no request to any server): the resolved map as JSON
(:func:`argmap.maps.mapjson.map_json`), each offered overlay as the edits it makes to that map
(:func:`argmap.maps.mapjson.map_edits`), a JavaScript compiler (``assets/compile.js``) that builds from
the map the same network and elimination plan as :func:`argmap.inference.network.compile_map` and the
engine, the evaluator (``assets/evaluator.js``) that computes every marginal exactly from it, the
headline's interval on the model of ``argmap run --spread`` (``assets/spread.js``: the map's ranges drawn
jointly through its stated correlation), the interface (``assets/explore.js``, ``assets/explore.css``)
and the map's diagrams rendered here by Graphviz with the static diagrams' palette and shapes.

**Which overlays are offered** is decided by :func:`offering` alone (the ``--with`` ones always, then
the bundled ones that fit; ``--offer`` chooses), the same for ``explore`` and ``export`` whether the
bundled map is named or implied.

**Overlays are edits the page applies.** Switching overlays, and a reader's own edits, change the map
in the page, which compiles it again; so any number of overlays can be offered, and an overlay switched
off gives exactly what the map gives without it. The diagrams are drawn once for the map with every
offered overlay applied; claims and relations absent from the current map are hidden by the page.
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
from ..base.errors import ArgmapError, Diagnostic, QueryError, ValidationError
from ..base.readfile import resolved
from ..base.scales import MAP_SCALE, get_scale
from ..base.verbal import PROBABILITY_BANDS, STRENGTH_BANDS
from ..maps.mapjson import map_edits, map_json
from ..maps.models import ArgumentMap

__all__ = ["explorer_html", "explorer_data", "offering", "Offering", "offered_overlays", "overlay_combinations",
           "overlay_edits",
           "PAGE_FORMAT"]

PAGE_FORMAT = 2
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
    """What a page offers: the overlays, in page order (any number: the page compiles each combination
    itself)."""

    overlays: list[Offered]


def _is_bundled_map(path: str | Path | None) -> bool:
    """The bundled map, implied (no PATH) or named by its folder or map.yaml."""
    from ..maps.bundled import bundled_map_path

    if path is None:
        return True
    here = resolved(path)
    return bundled_map_path().resolve() in (here, here.parent if here.name == "map.yaml" else None)


def offering(path: str | Path | None, overlays: Sequence[str | Path],
             offer: str | Sequence[str | Path] | None = None) -> Offering:
    """The one place that decides which overlays a page offers.

    ``overlays`` (the ``--with`` ones) are always offered, switched on. ``offer``: ``None`` or ``"all"``
    adds, for the bundled map (named by its folder or implied), every bundled critique and viewpoint,
    switched off, in page order (critiques, then viewpoints, alphabetically; each after what it builds
    on); ``"none"`` adds nothing; a list (or a comma-separated string) names the overlays to add, by
    bundled name or file."""
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
    have = {resolved(f) for _, f, _ in mine}       # resolved(): a symlink loop is reported when read
    for item in extra:
        if resolved(item[1]) not in have:
            have.add(resolved(item[1]))
            mine.append(item)
    return Offering(_page_order(_read_offered(mine)))


def _read_offered(items: Sequence[tuple[str | Path, Path, bool]]) -> list[Offered]:
    from ..maps.bundled import arguments_dir
    from ..maps.loader import OverlayReader

    reader = OverlayReader()
    bundled_dir = arguments_dir().resolve()
    specs = []
    for given, found, on in items:
        where = resolved(found)
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


def overlay_combinations(offered: Sequence[Offered]) -> list[tuple[int, ...]]:
    """Index tuples of the overlay subsets that ``builds_on`` allows (each dependency included)."""
    out = []
    for mask in range(1 << len(offered)):
        idx = tuple(i for i in range(len(offered)) if mask >> i & 1)
        names = {offered[i].name for i in idx}
        if all(b in names for i in idx for b in offered[i].builds_on):
            out.append(idx)
    return out


def overlay_edits(offered: Sequence[Offered], start, scale: str | None = None
                  ) -> tuple[list[dict[str, Any]], ArgumentMap]:
    """Each offered overlay as the edits it makes to the map it applies to (its ``builds_on`` applied
    first), or the error it raises; and the map with every offered overlay that applies cleanly (in
    order) applied, which the diagrams draw. ``scale``: the edits between the maps re-read on that verbal
    scale (:func:`argmap.inference.words.reread_map`), so the page's map with an overlay switched on is
    ``run --scale``'s."""
    from ..maps.loader import OverlayReader, load_stages

    reader = OverlayReader()
    out: list[dict[str, Any]] = []
    union = list(start)
    for o in offered:
        item = dataclasses.asdict(o) | {"path": None}
        try:
            stages = load_stages(overlays=[o.path], start=start, reader=reader)
            item["edits"] = map_edits(_on_scale(stages[-2].map, scale), _on_scale(stages[-1].map, scale))
        except ValidationError as err:
            item["error"] = err.diagnostics[0].message if err.diagnostics else str(err)
        out.append(item)
        if "edits" in item:
            try:
                union = load_stages(overlays=[o.path], start=union, reader=reader)
            except ValidationError:
                pass        # clashes with an overlay offered before it: drawn without it
    return out, union[-1].map


def _probability_words(scale: str) -> dict[str, list[float]]:
    """The probability words the page offers a reader, with their bands: the map's own (``band:`` words),
    or on another scale that scale's terms (the reader's word is then written as a ``qualifier``, so
    ``run --scale`` keeps the number the page used; docs/sensitivity.md)."""
    if scale == MAP_SCALE:
        return {w: list(b) for w, b in PROBABILITY_BANDS.items()}
    return {name: list(term.band) for name, term in get_scale(scale).terms.items()}


def _on_scale(amap: ArgumentMap, scale: str | None) -> ArgumentMap:
    """The map re-read on ``scale`` (None: as it is), as :meth:`Model.on_scale` reads it."""
    return amap if scale is None else Model(amap).on_scale(scale).map


def _beta_fits(amap: ArgumentMap, shipped: list[dict[str, Any]]) -> dict[str, list[float]]:
    """The beta (a, b) of every 90% range within [0, 1] that the map or an offered overlay writes, keyed
    "lo,hi" (the page samples the headline's interval from them; a ratio's log-normal it fits itself), kept for the
    next page of the same ranges (:func:`argmap.views.keptquantiles.beta_fits`)."""
    from .keptquantiles import beta_fits

    found: set[tuple[float, float]] = set()

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            if "range" in x and "v" in x and len(x) == 2:
                lo, hi = x["range"]
                if 0 <= lo < hi <= 1:
                    found.add((lo, hi))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(map_json(amap))
    walk([o.get("edits", []) for o in shipped])
    return beta_fits(sorted(found))


def _correlation(model: Model, correlation: float | None = None, shared_factor: str = "map") -> dict[str, Any]:
    """The dependence between the map's hedges that the page's interval draws with: ``correlation`` if
    given, else the map's stated rank correlation ρ (:func:`argmap.analysis.sensitivity.spread.correlation_of`,
    as ``argmap run --spread``), with one shared factor for the map or one per part (``shared_factor``)."""
    from ..analysis.sensitivity.spread import SHARED_FACTORS, correlation_of

    if shared_factor not in SHARED_FACTORS:
        raise QueryError(f"--shared-factor '{shared_factor}': choose one of {', '.join(SHARED_FACTORS)}")
    value, source, why = correlation_of(model, correlation)
    return {"value": value, "source": source, "rationale": why, "shared_factor": shared_factor}


GUIDED_QUESTIONS = 10
"""How many cruxes the page's guided mode ("State your view") asks about at most."""


def guided_cruxes(model: Model, **conditions: Any) -> list[dict[str, Any]]:
    """The claims the guided mode asks about: ``argmap sensitivity``'s ranked cruxes in order (value of
    information for the target at the page's start, among what a person can argue about: inputs and
    arguments, not downstream of the target)."""
    from ..analysis.sensitivity import cruxes

    rows = sorted((r for r in cruxes(model, **conditions) if r["rank"] is not None), key=lambda r: r["rank"])
    return [{"claim": r["claim"], "expected_shift": r["expected_shift"]} for r in rows[:GUIDED_QUESTIONS]]


def explorer_data(path: str | Path | None = None, overlays: Sequence[str | Path] = (), *,
                  offer: str | Sequence[str | Path] | Offering | None = None,
                  given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
                  scenario: str | None = DEFAULT, scale: str | None = None,
                  correlation: float | None = None, shared_factor: str = "map") -> dict[str, Any]:
    """Everything the page needs, as JSON-ready data: the map, each offered overlay as edits to it,
    the diagrams, and where the page starts (``argmap run`` with ``overlays`` and these conditions);
    ``offer`` chooses the other overlays it offers (:func:`offering`, or its result). ``scale``: the map
    and every overlay's edits re-read on that verbal scale (:func:`argmap.inference.words.reread_map`, the
    rule of :meth:`Model.on_scale`), so the page starts where ``argmap run --scale`` does. ``correlation``
    and ``shared_factor``: how the headline's interval draws (None: the map's stated rank correlation; one
    shared factor for the map or one per part), as ``argmap run --spread --correlation --shared-factor``."""
    from ..maps.loader import load_stages
    from ..render.views import effective_parts

    offered = (offer if isinstance(offer, Offering) else offering(path, overlays, offer)).overlays
    start = load_stages(path)
    load_stages(overlays=overlays, start=start)     # the overlays switched on load as in run: its positioned errors
    shipped, union = overlay_edits(offered, start, scale)
    for o, item in zip(offered, shipped, strict=True):
        if o.on and "error" in item:
            raise ValidationError([Diagnostic(f"overlay '{o.name}': {item['error']}")])
    base_model = Model(load_stages(overlays=[o.path for o in offered if o.on], start=start)[-1].map).on_scale(scale)
    base_map = _on_scale(start[-1].map, scale)
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
        "base": map_json(base_map),
        "scale": base_map.scale,
        "scale_arg": None if base_map.scale == start[-1].map.scale else base_map.scale,
        "overlays": shipped,
        "bands": {"probability": _probability_words(base_map.scale),
                  "strength": {w: [b[0], None if b[1] == float("inf") else b[1]] for w, b in STRENGTH_BANDS.items()}},
        "words_scale": None if base_map.scale == MAP_SCALE else base_map.scale,
        "parts": part_titles,
        "part_of": {c: parts[c] for c in union.claims},
        "diagrams": _diagrams(union, base_model, part_titles),
        "betas": _beta_fits(base_map, shipped),
        "correlation": _correlation(base_model, correlation, shared_factor),
        "cruxes": guided_cruxes(base_model, given=given, set=set, scenario=scenario),
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
                  scenario: str | None = DEFAULT, scale: str | None = None,
                  correlation: float | None = None, shared_factor: str = "map") -> str:
    """The explorer page for the map at ``path`` offering ``overlays`` (and, by ``offer``, others: for the
    bundled map, the bundled critiques and viewpoints that fit; :func:`offering`), as one HTML document
    with no external references; ``scale``: every word-read number re-read on that verbal scale;
    ``correlation``, ``shared_factor``: how the headline's interval draws (:func:`explorer_data`)."""
    data = explorer_data(path, overlays, offer=offer, given=given, set=set, scenario=scenario, scale=scale,
                         correlation=correlation, shared_factor=shared_factor)
    return page_html(data)


def page_html(data: Any, scripts: Iterable[str] = ("compile.js", "evaluator.js", "spread.js", "explore.js")) -> str:
    """Fill the page template with ``data`` and the inlined assets."""
    import html

    values = {"TITLE": html.escape(f"Explore: {data['title']}"), "CSS": _asset("explore.css"),
              "DATA": _packed(data), "JS": "\n".join(_asset(s) for s in scripts)}
    return re.sub(r"\{\{(TITLE|CSS|DATA|JS)\}\}", lambda m: values[m.group(1)], _asset("explore.html"))
