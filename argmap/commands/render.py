"""``argmap render``: draw the map as a Graphviz diagram (SVG, PNG, PDF or DOT)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..base.errors import QueryError
from .common import (
    add_condition_args,
    add_diagram_args,
    add_map_args,
    add_out_arg,
    conditions_from_args,
    diagram_options,
    docs_hint,
    model_from_args,
    write_diagram,
)

__all__ = ["add_parser", "run"]

FORMATS = ("svg", "png", "pdf", "dot")


def add_parser(sub):
    p = sub.add_parser(
        "render", help="draw the map: fill = probability, shape = kind, edges = relations",
        description="Draw the map with Graphviz. Node fill shows each claim's probability (viridis: dark = "
                    "unlikely, yellow = likely), shape its kind, edge colour and dash the relation, edge width "
                    "its strength; boxes group the report's parts; SVG tooltips carry each claim's text and "
                    "provenance. Output is deterministic. Renders without a system Graphviz (the pygraphviz "
                    f"wheel bundles the engine); a 'dot' on PATH is used when present. Guide: {docs_hint('diagrams')}.")
    add_map_args(p)
    add_condition_args(p)
    p.add_argument("--format", choices=FORMATS, help="output format (default: from -o's suffix, else svg)")
    add_out_arg(p, "FILE", "write here (default: standard output)")
    add_diagram_args(p)
    p.add_argument("--view", choices=("plain", "sensitivity", "diff"), default="plain",
                   help="plain; sensitivity (outline width = how far learning a claim would move P(target)); "
                        "diff (colour = change made by the --with overlays, against the map without them)")
    p.add_argument("--rankdir", choices=("LR", "TB", "BT", "RL"),
                   help="layout direction (default LR; TB with --collapse-all)")
    return p


def _format(args) -> str:
    if args.format:
        return args.format
    if args.out:
        suffix = Path(args.out).suffix.lower().lstrip(".")
        if suffix in FORMATS:
            return suffix
        if suffix == "gv":
            return "dot"
        raise QueryError(f"cannot tell the format from '{args.out}': use --format svg|png|pdf|dot")
    return "svg"


def run(args) -> int:
    from ..api import Model
    from ..base.atomic import refuse_map_folder
    from ..render import render_dot
    from ..views.diagrams import model_diff_dot, model_dot

    fmt = _format(args)
    shown = diagram_options(args)
    if args.out:
        refuse_map_folder(args.out)
    if fmt in ("png", "pdf") and not args.out and sys.stdout.isatty():
        raise QueryError(f"refusing to write {fmt.upper()} bytes to a terminal: use -o FILE")
    cond = conditions_from_args(args)
    if args.view == "diff":
        if not args.overlays:
            raise QueryError("the diff view compares the map with and without overlays: give --with OVERLAY")
        base, model = Model.load_with_base(args.path, args.overlays)
        for claim in (*cond["given"], *cond["set"]):
            if claim not in base.map.claims and claim in model.map.claims:
                raise QueryError(f"'{claim}' is added by an overlay, so the map without the overlays (the diff's "
                                 "other side) lacks it; to assume it, give the overlay a scenario (scenarios:) or an "
                                 "observation (observe:)")
    else:
        model = model_from_args(args)
    opts = dict(target=args.target, rankdir=args.rankdir, **shown, **cond)

    def make(legend: str) -> str:
        if args.view == "diff":
            return model_diff_dot(base, model, legend=legend, **opts)
        return model_dot(model, view=args.view, legend=legend, **opts)

    if args.out:
        for line in write_diagram(args.out, make, dpi=args.dpi, legend=args.legend, fmt=fmt):
            print(line, file=sys.stderr)
    else:
        if args.legend == "separate":
            raise QueryError("--legend separate writes a second image: give -o FILE")
        data = render_dot(make(args.legend), fmt, dpi=args.dpi)
        out = sys.stdout.buffer
        out.write(data)
        out.flush()
    return 0
