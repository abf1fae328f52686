"""``argmap sources``: every number in the map with where it comes from."""

from __future__ import annotations

from collections import Counter

from .common import add_map_args, add_scale_arg, docs_hint, model_from_args, print_json


def add_parser(sub):
    p = sub.add_parser("sources", help="list every number: stated in a source, or illustrative",
                       description="List every number of the map (credences, bases, ratios, leaks, table "
                                   "entries) with its holder, source and rationale, whether a source "
                                   "states it or it is the map authors' illustrative reading, and the "
                                   f"source's word for it with its verbal band (see {docs_hint('format')}).")
    add_map_args(p)
    add_scale_arg(p)
    p.add_argument("--basis", choices=["stated", "illustrative", "unspecified"], help="show only this basis")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    return p


def run(args) -> int:
    model = model_from_args(args)
    from ..analysis.provenance import number_sources

    rows = number_sources(model.map, model.network)
    reread = {r.param: r for r in model.rereads}
    if args.basis:
        rows = [r for r in rows if r.basis == args.basis]
    if args.json:
        print_json([{**r.__dict__, **({"scale": _scale_json(reread[r.param])} if r.param in reread else {})}
                    for r in rows])
        return 0
    if reread:
        n = sum(1 for r in model.rereads if r.new is not None)
        print(f"scale {model.scale}: {n} of {len(model.rereads)} numbers re-read from the map's words "
              f"(the map's reading -> this scale's; 'kept' says why a number is not)\n")
    for r in rows:
        rng = f" [{r.range[0]:.3g}, {r.range[1]:.3g}]" if r.range else ""
        who = ", ".join(x for x in (r.holder, r.source) if x)
        over = f" (overlay {r.overlay})" if r.overlay else ""
        band = (f"  <{r.band}>" if r.band else "") + ("  (structural: catch-all base)" if r.structural else "")
        rr = reread.get(r.param)
        if rr is not None and rr.new is not None:
            band += f"  was {rr.old:.4g}; {model.scale}: '{rr.term}'"
        elif rr is not None and rr.word not in (None, "definitional"):
            band += f"  kept: {rr.why}"
        print(f"{r.basis:<12} {r.param:<60} {r.value:.4g}{rng}{band}{over}")
        if r.qualifier:
            print(f"{'':<12}   word: {r.qualifier}")
        if who or r.rationale:
            print(f"{'':<12}   {who}{': ' if who and r.rationale else ''}{r.rationale or ''}")
    counts = Counter(r.basis for r in rows)
    print("\n" + ", ".join(f"{n} {b}" for b, n in sorted(counts.items())) + f" ({len(rows)} numbers)")
    return 0


def _scale_json(r) -> dict:
    return {"word": r.word, "term": r.term, "map_value": r.old, "value": r.new if r.new is not None else r.old,
            "reread": r.new is not None, "why": r.why}
