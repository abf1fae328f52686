"""``argmap run``: propagate the map and print P(target) and every claim's marginal."""

from __future__ import annotations

import sys
from functools import partial
from typing import TYPE_CHECKING

from .common import (
    add_condition_args,
    add_map_args,
    add_scale_arg,
    add_spread_args,
    conditions_from_args,
    docs_hint,
    json_text,
    model_from_args,
    spread_options,
)

if TYPE_CHECKING:
    from ..analysis.sensitivity.spread import Spread
    from ..api import Result
    from ..maps.models import ArgumentMap


def add_parser(sub):
    p = sub.add_parser("run", help="propagate credences; print P(target) and all marginals",
                       description="Propagate the map's credences exactly and print P(target) with a table "
                                   "of every claim's probability and the report section it encodes. With "
                                   "--spread, also the headline's spread over joint draws of the uncertain "
                                   f"numbers, independent and correlated ({docs_hint('sensitivity')}).")
    add_map_args(p)
    add_condition_args(p)
    add_scale_arg(p)
    p.add_argument("--spread", action="store_true",
                   help="also show P(target)'s median, mean and 90%% interval over joint draws, independent and "
                        "with correlated hedges, and where the source's stated figure falls")
    add_spread_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object (see README: JSON output)")
    return p


def run(args) -> int:
    from ..base.formatting import terminal_columns
    from . import runkept

    columns = terminal_columns(100)     # read once: the report is formatted at the width its material names
    material = runkept.material(args, columns)
    kept = runkept.lookup(material)     # this run's report, made from the same entry, options and width
    if kept is None:                    # or made now from that entry's kept figures, without numpy
        kept = runkept.from_entry(args, material, partial(_text, args, columns=columns))
    if kept is not None:
        sys.stdout.write(kept)
        return 0
    model = model_from_args(args, then=() if args.json else ("argmap.analysis.report",))
    before = runkept.figures(args, material, model, columns)
    cond = conditions_from_args(args)
    result = model.run(args.target, **cond)
    sp = None
    if args.spread:
        from ..analysis.sensitivity.spread import spread

        sp = spread(model, args.target, **cond, **spread_options(args))
    text = _text(args, model.map, result, sp, columns=columns)
    sys.stdout.write(text)
    runkept.keep(material, model, before, text)
    return 0


def _text(args, amap: ArgumentMap, result: Result, sp: Spread | None = None, *, columns: int) -> str:
    """What the run prints: the report (or JSON) of ``result`` on ``amap``, with the spread ``sp`` if any."""
    if args.json:
        out = result.to_dict()
        if sp is not None:
            out["spread"] = sp.to_dict()
        return json_text(out)
    from ..analysis.report import format_result

    text = format_result(amap, result, columns) + "\n"
    if sp is not None:
        from ..analysis.sensitivity.spreadtext import spread_text

        text += "\n" + "\n".join(spread_text(sp)) + "\n"
    return text
