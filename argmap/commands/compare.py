"""``argmap compare``: the base map against viewpoints, with Shapley attribution and pooling."""

from __future__ import annotations

from pathlib import Path

from ..base.errors import QueryError
from .common import (
    add_condition_args,
    add_diagram_args,
    add_map_args,
    add_out_arg,
    add_scale_arg,
    add_spread_args,
    conditions_from_args,
    diagram_options,
    docs_hint,
    print_json,
    write_diagram,
)

__all__ = ["add_parser", "run", "parse_viewpoint"]


def add_parser(sub):
    p = sub.add_parser(
        "compare", help="compare viewpoints side by side and attribute each change to its edits",
        description="Compare the map with one or more viewpoints (stacks of overlays): P(target) for each, "
                    "the claims that moved most, and the change in P(target) split among the overlays' edits "
                    "by Shapley values (exact up to --exact-limit edits, sampled beyond). With only --with, the "
                    "overlays given are the one viewpoint; with --viewpoint, --with overlays join the base. "
                    f"Guide: {docs_hint('critique-guide')}.")
    add_map_args(p)
    p.add_argument("--viewpoint", action="append", default=[], metavar="NAME=OVERLAY[,OVERLAY...]",
                   help="a named stack of overlay files applied in order (repeatable); a bare name such as "
                        "pope-2023 names a bundled critique or viewpoint")
    add_condition_args(p)
    add_scale_arg(p)
    p.add_argument("--top", type=int, default=8, metavar="N", help="claims to list per viewpoint (default 8)")
    p.add_argument("--pool", action="store_true",
                   help="also pool the base and the viewpoints (linear and log-odds) and rank disagreements")
    p.add_argument("--weight", action="append", default=[], metavar="NAME=W",
                   help="pooling weight of a viewpoint ('base' for the map; default 1 each)")
    p.add_argument("--no-attribution", dest="attribution", action="store_false",
                   help="skip the Shapley attribution")
    p.add_argument("--exact-limit", type=int, default=None, metavar="N",
                   help="compute Shapley values exactly up to N edits, else sample (default 12; 8 when edits "
                        "must be re-applied one subset at a time)")
    p.add_argument("--permutations", type=int, default=1000, metavar="N",
                   help="permutations for sampled Shapley values (default 1000)")
    p.add_argument("--seed", type=int, default=0,
                   help="random seed for sampled Shapley values and the shift's joint draws")
    add_spread_args(p, draws=False)
    add_out_arg(p, "FILE", "write the diff diagram (.svg, .png, .pdf or .dot); with several viewpoints, one "
                           "file per viewpoint named FILE-NAME.ext")
    add_diagram_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object with everything")
    return p


def parse_viewpoint(text: str) -> tuple[str, list[str]]:
    """``NAME=a.yaml,b.yaml`` -> ("NAME", ["a.yaml", "b.yaml"]).

    >>> parse_viewpoint("pope=arguments/critiques/pope-2023.yaml")
    ('pope', ['arguments/critiques/pope-2023.yaml'])
    """
    name, sep, files = text.partition("=")
    paths = [f.strip() for f in files.split(",") if f.strip()]
    if not sep or not name.strip() or not paths:
        raise QueryError(f"--viewpoint '{text}' should look like NAME=OVERLAY[,OVERLAY...]")
    return name.strip(), paths


def _viewpoints(args) -> tuple[dict[str, list[str]], list[str]]:
    overlays = list(args.overlays)
    if not args.viewpoint:
        if not overlays:
            raise QueryError("nothing to compare: give --viewpoint NAME=OVERLAY or at least one --with OVERLAY")
        name = "+".join(Path(f).stem for f in overlays)
        return {name: overlays}, []
    out: dict[str, list[str]] = {}
    for text in args.viewpoint:
        name, files = parse_viewpoint(text)
        if name in out:
            raise QueryError(f"viewpoint '{name}' is given twice")
        out[name] = files
    return out, overlays


def _weights(args, names: list[str]) -> list[float] | None:
    if not args.weight:
        return None
    given = {}
    for text in args.weight:
        name, _, w = text.partition("=")
        try:
            given[name.strip()] = float(w)
        except ValueError:
            raise QueryError(f"--weight '{text}' should look like NAME=NUMBER") from None
    unknown = set(given) - set(names)
    if unknown:
        raise QueryError(f"--weight names no viewpoint: {', '.join(sorted(unknown))} (viewpoints: {', '.join(names)})")
    return [given.get(n, 1.0) for n in names]


def _diagrams(comparison, target_file: str, shown: dict | None = None, dpi: int | None = None,
              legend: str = "strip") -> list[str]:
    """Write the diff diagram of each viewpoint; ``shown`` as from :func:`diagram_options`. Returns the
    lines to show (what was written, notes on legibility)."""
    from ..base.atomic import refuse_map_folder
    from ..base.textsafe import safe_component
    from ..render import diff_dot

    path = Path(target_file)
    refuse_map_folder(path)
    lines = []
    cond = comparison.conditions
    base = comparison.base_model
    base_margs = base.marginals(cond.given, cond.set, scenario=None)
    for v in comparison.viewpoints:
        out = path if len(comparison.viewpoints) == 1 else path.with_name(
            f"{path.stem}-{safe_component(v.name)}{path.suffix}")
        margs = v.model.marginals(cond.given, cond.set, scenario=None)

        def make(mode: str, new_map=v.model.map, margs=margs) -> str:
            return diff_dot(base.map, new_map, base_margs, margs, comparison.target, observed=cond.given,
                            intervened=cond.set, legend=mode, **(shown or {}))

        lines += write_diagram(out, make, dpi=dpi, legend=legend)
    return lines


def run(args) -> int:
    from ..analysis.compare import compare, format_comparison

    shown = diagram_options(args)
    if args.out:
        from ..base.atomic import refuse_map_folder

        refuse_map_folder(args.out)
    views, base_overlays = _viewpoints(args)
    names = ["base", *views]
    comparison = compare(args.path, views, base_overlays, args.target, **conditions_from_args(args),
                         top=args.top, attribution=args.attribution, max_exact=args.exact_limit,
                         permutations=args.permutations, seed=args.seed, pooling=args.pool, scale=args.scale,
                         weights=_weights(args, names), correlation=args.correlation, words=args.words,
                         shared_factor=args.shared_factor)
    lines = _diagrams(comparison, args.out, shown, args.dpi, args.legend) if args.out else []
    written = [ln.removeprefix("wrote ") for ln in lines if ln.startswith("wrote ")]
    if args.json:
        print_json({**comparison.to_dict(), "diagrams": written})
    else:
        print(format_comparison(comparison))
        for line in lines:
            print(line)
    return 0
