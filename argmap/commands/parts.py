"""``argmap parts``: the map's parts (the ids ``--collapse`` takes) with their titles and claims."""

from __future__ import annotations

from typing import Any

from .common import add_map_args, model_from_args, print_json


def add_parser(sub):
    p = sub.add_parser("parts", help="list the map's parts: the ids --collapse takes",
                       description="List the map's parts in order: the id (what --collapse PART takes), "
                                   "the title, and how many claims each holds. The part holding the target "
                                   "is marked; --collapse-all collapses every other part.")
    add_map_args(p)
    p.add_argument("--json", action="store_true", help="print the parts as JSON")
    return p


def run(args) -> int:
    from ..base.texttable import text_table

    amap = model_from_args(args).map
    counts = {name: 0 for name in amap.parts}
    for claim in amap.claims.values():
        if claim.part is not None:
            counts[claim.part] = counts.get(claim.part, 0) + 1
    target_part = amap.claims[amap.target].part
    rows: list[dict[str, Any]] = [
        {"id": name, "title": amap.parts.get(name, ""), "claims": n, "holds_target": name == target_part}
        for name, n in counts.items()]
    if args.json:
        print_json({"map": amap.name, "parts": rows})
        return 0
    if not rows:
        print(f"{amap.name}: no parts (every claim is drawn on its own)")
        return 0
    print(text_table(["part", "claims", "title"],
                     [[r["id"] + (" *" if r["holds_target"] else ""), str(r["claims"]), r["title"]] for r in rows],
                     align="lrl"))
    print(f"* holds the target ({amap.target}); --collapse PART draws a part as one box, "
          "--collapse-all all but the target's")
    return 0
