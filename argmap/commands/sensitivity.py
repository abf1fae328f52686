"""``argmap sensitivity``: which numbers and findings move P(target), and how far."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..base.atomic import atomic_write, refuse_map_folder
from ..base.errors import ArgmapError, QueryError
from .common import (
    add_condition_args,
    add_map_args,
    add_out_arg,
    add_scale_arg,
    add_spread_args,
    conditions_from_args,
    count_arg,
    docs_hint,
    model_from_args,
    print_json,
)


def _bounds(text: str) -> tuple[float, float]:
    try:
        lo, hi = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' should be two probabilities like 0.1,0.5") from None
    if not (0.0 <= lo <= 1.0 and 0.0 <= hi <= 1.0):
        raise argparse.ArgumentTypeError(f"bounds {text} must lie in [0, 1]")
    if not lo < hi:
        raise argparse.ArgumentTypeError(f"'{text}': give the lower bound first, as LOW,HIGH (e.g. "
                                         f"{min(lo, hi):g},{max(lo, hi):g})")
    return lo, hi


def add_parser(sub):
    p = sub.add_parser(
        "sensitivity", help="which numbers and findings move P(target): cruxes, tornado, Monte Carlo, Sobol",
        description="Sensitivity of P(target): cruxes (which finding would move it most), a tornado of the "
                    "numbers that matter, exact one-way functions and thresholds, Monte Carlo over the credences "
                    f"and Sobol indices. What each number means: {docs_hint('sensitivity')}.")
    add_map_args(p)
    add_condition_args(p)
    add_scale_arg(p)
    add_spread_args(p)
    p.add_argument("--json", action="store_true", help="print everything as one JSON object")
    add_out_arg(p, "DIR", "also write report.md, sensitivity.json and the charts (PNG, SVG) to DIR")
    p.add_argument("--threshold", type=_bounds, default=(0.10, 0.50), metavar="LOW,HIGH",
                   help="bounds for thresholds (default 0.1,0.5)")
    p.add_argument("--top", type=count_arg, default=10, metavar="N",
                   help="rows per section in the text report (default 10)")
    p.add_argument("--sobol-samples", type=count_arg, default=512, metavar="N",
                   help="base sample size N of the Sobol (Saltelli) design (default 512; 0 skips)")
    p.add_argument("--sobol-factors", default=None, metavar="K|all",
                   help="vary the K numbers with the largest tornado swing and hold the rest at their points (the "
                        "report says what share of the Monte Carlo variance the held ones leave; default 32), or "
                        "'all' (N × (numbers + 2) evaluations)")
    p.add_argument("--group", action="append", default=[], metavar="NAME=CLAIM,CLAIM,...",
                   help="also report the joint value of information of learning these claims together "
                        "(repeatable; adds to the map's crux_groups)")
    return p


def _groups(items: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for text in items:
        name, sep, rest = text.partition("=")
        claims = [c.strip() for c in rest.split(",") if c.strip()]
        if not sep or not name.strip() or len(claims) < 2:
            raise QueryError(f"--group '{text}' should look like NAME=CLAIM,CLAIM (two claims or more)")
        out[name.strip()] = claims
    return out


def _progress(args):
    if args.json or not sys.stderr.isatty():
        return None
    return lambda msg: print(f"  {msg}", file=sys.stderr, flush=True)


def _write_out(rep, out: Path, top: int, overlays=()) -> list[Path]:
    from ..analysis.sensitivity import format_markdown
    from ..render.charts import chart_context, histogram_chart, prepare, tornado_charts

    prepare(docstrings=False)        # a command that only draws: matplotlib without its help() tables
    q = rep.query
    label = q.label
    written = []
    charts = {}
    context = chart_context(overlays, q.scenario)
    for fmt, data in tornado_charts(rep.tornado, rep.baseline, ("png", "svg"), target_label=label,
                                    context=context).items():
        written.append(atomic_write(out / f"tornado.{fmt}", data))
    for fmt in ("png", "svg"):
        if rep.monte_carlo:
            mc = rep.monte_carlo
            written.append(histogram_chart(mc.values, out / f"histogram.{fmt}", baseline=mc.point,
                                           quantiles=mc.quantiles, target_label=label))
    charts["tornado"] = "tornado.png"
    if rep.monte_carlo:
        charts["histogram"] = "histogram.png"
    written.append(atomic_write(out / "report.md", format_markdown(rep, top, charts)))
    written.append(atomic_write(out / "sensitivity.json", json.dumps(rep.to_dict(), indent=2) + "\n"))
    return written


def run(args) -> int:
    if args.out:
        refuse_map_folder(args.out)
    model = model_from_args(args)
    from ..analysis.sensitivity import format_text, report
    from ..analysis.sensitivity.sobol import DEFAULT_TOP

    text = str(DEFAULT_TOP if args.sobol_factors is None else args.sobol_factors).strip().lower()
    if text != "all" and not text.isdigit():
        raise QueryError(f"--sobol-factors must be a number or 'all', not '{args.sobol_factors}'")
    cond = conditions_from_args(args)
    rep = report(model, args.target, cond["given"], cond["set"], cond["scenario"], samples=args.samples,
                 seed=args.seed, bounds=args.threshold, sobol_samples=args.sobol_samples,
                 sobol_factors=None if text == "all" else int(text), groups=_groups(args.group),
                 progress=_progress(args), correlation=args.correlation, words=args.words,
                 shared_factor=args.shared_factor)
    try:
        written = _write_out(rep, Path(args.out), args.top, model.map.overlays) if args.out else []
    except OSError as err:
        raise ArgmapError(f"cannot write the report to '{args.out}': {err.strerror or err}") from err
    if args.json:
        print_json(rep.to_dict())
    else:
        print(format_text(rep, args.top))
        for path in written:
            print(f"wrote {path}")
    return 0
