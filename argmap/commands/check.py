"""``argmap check``: validate a map and overlays; report every problem with file:line:col."""

from __future__ import annotations

import sys

from ..errors import ValidationError
from .common import add_map_args, model_from_args


def add_parser(sub):
    p = sub.add_parser("check", help="validate argument files; exit 1 on any error",
                       description="Validate a map and its overlays. Every problem is printed as "
                                   "path:line:col: error: message, with a hint. Exit status 1 on any error.")
    add_map_args(p)
    return p


def run(args) -> int:
    try:
        model = model_from_args(args)
        plan = model.engine.plan(model.map.target, {}, {})
    except ValidationError as err:
        print(err.format(), file=sys.stderr)
        return 1
    amap = model.map
    over = f", overlays: {', '.join(amap.overlays)}" if amap.overlays else ""
    print(f"ok: {amap.name}: {len(amap.claims)} claims, {len(amap.relations)} relations, "
          f"{len(model.network.params)} parameters, elimination width {plan.width}{over}")
    return 0
