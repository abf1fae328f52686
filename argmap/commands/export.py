"""``argmap export``: the post bundle (diagrams, tornado chart, summary.md), or a network file.

The post bundle is built by :func:`argmap.views.bundle.write_bundle`. With ``--format bif|xmlbif``
(or an ``-o`` ending in .bif/.xml) the command instead writes the compiled network for other tools,
and with ``--format argdown`` (or ``-o FILE.argdown``) the map as Argdown (:mod:`argmap.analysis.interchange`).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from .common import (
    add_condition_args,
    add_diagram_args,
    add_map_args,
    add_offer_arg,
    add_out_arg,
    add_scale_arg,
    add_spread_args,
    conditions_from_args,
    diagram_options,
    docs_hint,
    spread_options,
)

__all__ = ["add_parser", "run", "default_out"]


def add_parser(sub):
    p = sub.add_parser(
        "export", help="write a post bundle (diagrams, tornado, summary.md), a BIF/XMLBIF network or Argdown",
        description="Write everything a post needs into one folder: the map diagram (SVG and a post-sized PNG; "
                    "for a large map the part-collapsed overview, plus the full map as SVG), the diff diagram "
                    "when overlays are given, the tornado chart, summary.md with the headline, top claims, "
                    "cruxes, alt text for every image and the headline as a LaTeX formula, and explore.html (the "
                    "page of 'argmap explore', offering the same overlays for the same --offer). Output is "
                    "deterministic. With --format bif|xmlbif (or -o FILE.bif / FILE.xml), write the compiled "
                    "Bayesian network instead; with --format argdown (or -o FILE.argdown), the map as an Argdown "
                    f"document. Guides: {docs_hint('diagrams')}, {docs_hint('interchange')}.")
    add_map_args(p)
    add_condition_args(p)
    add_out_arg(p, "DIR|FILE", "the bundle folder (default: exports/NAME, NAME from the map and overlays); "
                               "with --format bif|xmlbif|argdown, the network or Argdown file")
    add_diagram_args(p)
    add_offer_arg(p)
    add_scale_arg(p)
    add_spread_args(p)
    # --- network interchange (argmap.analysis.interchange) ------------------------------------------------
    from .interchange import add_interchange_args
    add_interchange_args(p)
    return p


def default_out(map_name: str, overlays) -> str:
    """``exports/scheming`` or ``exports/scheming+pope-2023`` for the bundled map with Pope's critique.

    >>> default_out("scheming", ["arguments/critiques/pope-2023.yaml"])
    'exports/scheming+pope-2023'
    """
    from ..base.textsafe import safe_component

    return "exports/" + "+".join(safe_component(n) for n in [map_name] + [Path(o).stem for o in overlays])


def _progress():
    """Steps on standard error when it is a terminal; nothing when piped or redirected."""
    if not sys.stderr.isatty():
        return None
    return lambda msg: print(f"  {msg}…", file=sys.stderr, flush=True)


def run(args) -> int:
    from .interchange import run_interchange
    code = run_interchange(args)
    if code is not None:
        return code
    from ..api import Model
    from ..base.atomic import refuse_map_folder
    from ..views.bundle import write_bundle

    cond = conditions_from_args(args)
    shown = diagram_options(args)
    # without --collapse-all a large map still gets the overview (as exports/README.md says): None = automatic
    shown["collapse_all"] = shown["collapse_all"] or None
    if args.out:
        refuse_map_folder(args.out)
    entry = None
    if args.overlays:
        models = Model.load_with_base(args.path, args.overlays, scale=args.scale)
    else:       # its own base: loaded as `run` loads it (from the compiled-map cache while its files are unchanged)
        from ..inference.cache import hit_signature

        model = Model.load(args.path, scale=args.scale)
        models = (model, model)
        entry = hit_signature(args.path)        # the entry it was just read from, if any: the spread is kept under it
    out = args.out or default_out(models[1].map.name, args.overlays)
    refuse_map_folder(out)
    command = " ".join(["argmap", "export"] + [shlex.quote(a) for a in _argv_for(args, out)])
    # the page's process reads the overlays it offers (argmap.views.explorer.offering), not this one before the forks
    bundle = write_bundle(args.path, out, args.overlays, command=command, models=models, target=args.target,
                          offer=args.offer, dpi=args.dpi, legend=args.legend, progress=_progress(), **shown, **cond,
                          **spread_options(args), entry=entry)
    for f in bundle.files:
        print(f"wrote {f}", file=sys.stderr)
    head = f"P = {bundle.probability:.3f}"
    if bundle.base_probability is not None:
        head = f"P = {bundle.base_probability:.3f} -> {bundle.probability:.3f}"
    print(f"{out}: {head}")
    return 0


def _portable(path: str) -> str:
    """``path`` relative to the current folder when it lies inside it, else just its name: summary.md
    records the command that regenerates a bundle, and must not carry one machine's absolute paths."""
    import os

    p = Path(path)
    if not p.is_absolute():
        return path
    rel = os.path.relpath(p, Path.cwd())
    return p.name if rel.startswith("..") else rel


def _argv_for(args, out: str) -> list[str]:
    """The arguments that regenerate this bundle (recorded in summary.md)."""
    argv = [_portable(args.path)] if args.path else []
    for o in args.overlays:
        argv += ["--with", _portable(o)]
    for g in args.given:
        argv += ["--given", g]
    for s in args.set:
        argv += ["--set", s]
    if args.scenario is not None:
        argv += ["--scenario", args.scenario]
    if args.target:
        argv += ["--target", args.target]
    if args.focus:
        argv += ["--focus", args.focus]
    if args.depth is not None:
        argv += ["--depth", str(args.depth)]
    for c in args.collapse:
        argv += ["--collapse", c]
    if args.collapse_all:
        argv += ["--collapse-all"]
    if args.dpi:
        argv += ["--dpi", str(args.dpi)]
    if args.legend != "strip":
        argv += ["--legend", args.legend]
    if args.offer is not None:
        argv += ["--offer", args.offer]
    if args.scale:
        argv += ["--scale", args.scale]
    if args.correlation is not None:
        argv += ["--correlation", f"{args.correlation:g}"]
    if args.words:
        argv += ["--words"]
    if args.shared_factor != "map":
        argv += ["--shared-factor", args.shared_factor]
    if args.samples != 10_000:
        argv += ["--samples", str(args.samples)]
    if args.seed:
        argv += ["--seed", str(args.seed)]
    return argv + ["--out", _portable(out)]
