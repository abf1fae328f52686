"""``argmap sections``: the report's table of contents against the claims that encode it."""

from __future__ import annotations

import sys

from ..base.errors import ArgmapError
from ..base.texttable import clip
from .common import add_map_args, model_from_args, print_json


def add_parser(sub):
    p = sub.add_parser("sections", help="coverage of the source's sections; exit 1 if a section is missing",
                       description="Print each section of the source's table of contents with the claims "
                                   "that encode it, or the reason it is context only. Exit status 1 if a "
                                   "section in the map's coverage range is neither, or a claim cites a "
                                   "section that does not exist.")
    add_map_args(p)
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    p.add_argument("--missing", action="store_true", help="show only sections that are not covered")
    return p


def run(args) -> int:
    from ..maps.sections import coverage_table, unknown_sections

    amap = model_from_args(args).map
    if not amap.toc:
        raise ArgmapError(f"map '{amap.name}' has no table of contents (add `toc: toc.yaml` to map.yaml)")
    rows = coverage_table(amap)
    unknown = unknown_sections(amap)
    missing = [r for r in rows if not r.covered]
    if args.json:
        print_json({"coverage": list(amap.coverage) if amap.coverage else None,
                    "sections": [{"section": r.section, "title": r.title, "claims": list(r.claims),
                                  "context_only": r.reason, "via_subsections": r.via_subsections,
                                  "covered": r.covered} for r in rows],
                    "unknown_sections": [{"claim": c, "section": s} for c, s in unknown]})
    else:
        lo, hi = amap.coverage or (rows[0].section, rows[-1].section) if rows else ("", "")
        print(f"{amap.title or amap.name}: sections {lo} to {hi}")
        for r in rows:
            if args.missing and r.covered:
                continue
            if r.claims:
                what = ", ".join(r.claims)
            elif r.reason:
                what = f"context only: {r.reason}"
            elif r.via_subsections:
                what = "(covered by its subsections)"
            else:
                what = "MISSING: cite it in a claim's section, or list it under context_sections"
            label = "  " * r.section.count(".") + r.section
            title = clip(r.title, 46)
            print(f"{label:<18} {title:<46}  {what}")
        encoded = sum(bool(r.claims) for r in rows)
        context = sum(bool(r.reason) and not r.claims for r in rows)
        print(f"\n{len(rows)} sections: {encoded} encoded by claims, {context} context only, "
              f"{len(rows) - encoded - context - len(missing)} via subsections, {len(missing)} missing")
    for cid, s in unknown:
        print(f"error: '{cid}' cites section {s}, which is not in the table of contents", file=sys.stderr)
    return 1 if missing or unknown else 0
