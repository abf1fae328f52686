"""``argmap fit``: the smallest change to chosen numbers that makes the map reach a stated value or bound."""

from __future__ import annotations

import sys
from pathlib import Path

from ..base.errors import QueryError
from .common import add_condition_args, add_map_args, conditions_from_args, print_json

__all__ = ["add_parser", "run"]


def add_parser(sub):
    p = sub.add_parser(
        "fit", help="find the smallest change that makes the map reach a stated value or bound",
        description="Change the freed numbers as little as possible (summed squared change in log-odds) so that "
                    "P(target) reaches a value, a bound or an interval: by default the one the last overlay "
                    "states (stated:). Prints the changes; with -o writes them as an overlay that builds on the "
                    "ones given (never over an existing file, never into a map folder).")
    add_map_args(p)
    add_condition_args(p)
    goal = p.add_mutually_exclusive_group()
    goal.add_argument("--value", type=float, metavar="P", help="reach exactly this probability")
    goal.add_argument("--below", type=float, metavar="P", help="reach at most this probability")
    goal.add_argument("--above", type=float, metavar="P", help="reach at least this probability")
    goal.add_argument("--range", metavar="LO,HI", help="reach this interval")
    p.add_argument("--free", action="append", default=[], metavar="NUMBER",
                   help="a claim id, a relation 'a -> b' or a parameter name to free (repeatable; default: every "
                        "number the last overlay adds or changes)")
    p.add_argument("-o", "--out", metavar="FILE", help="write the fitted numbers as an overlay here")
    p.add_argument("--name", metavar="NAME", help="the written overlay's name (default: the file's stem)")
    p.add_argument("--author", default="argmap fit", help="the written overlay's author (default: argmap fit)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def _goal(args, model):
    from ..maps.models import Stated

    target = args.target or model.map.target
    kw = {"claim": target}
    if args.value is not None:
        kw["value"] = args.value
    elif args.below is not None:
        kw["below"] = args.below
    elif args.above is not None:
        kw["above"] = args.above
    elif args.range:
        lo, _, hi = args.range.partition(",")
        try:
            kw["range"] = (float(lo), float(hi))
        except ValueError:
            raise QueryError(f"--range '{args.range}' should look like LO,HI (e.g. 0.2,0.3)") from None
    else:
        last = model.map.overlays[-1] if model.map.overlays else None
        stated = [s for s in model.map.stated if s.claim == target and s.overlay == last and last and not s.verdict]
        if not stated:
            raise QueryError("no goal: give --value, --below, --above or --range, or apply an overlay that states "
                             f"a result for '{target}' (stated:)")
        return stated[-1]
    numbers = [v for k, v in kw.items() if k != "claim"]
    flat = [x for v in numbers for x in (v if isinstance(v, tuple) else (v,))]
    if not all(0.0 <= float(x) <= 1.0 for x in flat) or ("range" in kw and kw["range"][0] > kw["range"][1]):
        raise QueryError("the goal must be a probability in [0, 1] (a range as LO,HI with LO <= HI)")
    return Stated(**kw)


def run(args) -> int:
    from ..analysis.fit import fit, fit_overlay_yaml, relative_builds_on, write_fit
    from ..api import Model
    from ..maps.loader import load_stages

    stages = load_stages(args.path, args.overlays)
    model = Model(stages[-1].map)
    goal = _goal(args, model)
    result = fit(model, goal, args.free, **conditions_from_args(args))
    written = None
    if args.out:
        out = Path(args.out)
        builds = relative_builds_on([s.path for s in stages[1:] if s.path is not None], out)
        text = fit_overlay_yaml(model, result, args.name or out.stem, args.author, builds)
        written = write_fit(out, text)
    if args.json:
        print_json({**result.to_dict(), "written": str(written) if written else None})
        return 0
    print(f"P({result.target}) = {result.before:.4g}; goal {goal.describe()}"
          + (f" (stated by {goal.overlay})" if goal.overlay else ""))
    if not result.changes:
        print("already met: nothing to change")
    else:
        print(f"reached {result.after:.4g} with a change of {result.distance:.3g} in log-odds:")
        for c in result.changes:
            unit = "log" if c.param.field == "ratio" else "log-odds"
            print(f"  {c.param.name:<48} {c.old:>10.4g} -> {c.new:<10.4g} ({c.shift:+.3f} {unit})")
    if written:
        print(f"wrote {written}", file=sys.stderr)
    return 0
