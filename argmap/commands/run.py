"""``argmap run``: propagate the map and print P(target) and every claim's marginal."""

from __future__ import annotations

from .common import add_condition_args, add_map_args, conditions_from_args, model_from_args, print_json


def add_parser(sub):
    p = sub.add_parser("run", help="propagate credences; print P(target) and all marginals",
                       description="Propagate the map's credences exactly and print P(target) with a table "
                                   "of every claim's probability and the report section it encodes.")
    add_map_args(p)
    add_condition_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object (see README: JSON output)")
    return p


def run(args) -> int:
    from ..analysis.report import format_result

    model = model_from_args(args)
    result = model.run(args.target, **conditions_from_args(args))
    if args.json:
        print_json(result.to_dict())
    else:
        print(format_result(model.map, result))
    return 0
