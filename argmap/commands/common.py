"""Options shared by subcommands, and building library objects from them."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..api import Model

__all__ = ["add_map_args", "add_offer_arg", "offering_from_args",
           "add_condition_args", "add_out_arg", "add_diagram_args", "diagram_options", "write_diagram",
           "model_from_args", "conditions_from_args", "print_json", "docs_hint", "add_scale_arg", "add_spread_args",
           "spread_options", "count_arg", "json_text"]


def docs_hint(name: str) -> str:
    """Where a help text sends the reader: a guide shipped with the package (``argmap docs NAME``)."""
    return f"'argmap docs {name}'"


def add_out_arg(p: argparse.ArgumentParser, metavar: str, help: str) -> None:
    """The one output option of every command that writes: ``-o/--out`` (never into a map folder)."""
    p.add_argument("-o", "--out", metavar=metavar, help=help)


def add_diagram_args(p: argparse.ArgumentParser) -> None:
    """What a diagram shows, the same in render, export, compare and watch."""
    g = p.add_argument_group("diagram")
    g.add_argument("--focus", metavar="CLAIM", help="show only the neighbourhood of this claim")
    g.add_argument("--depth", type=int, metavar="N", help="links from --focus to include (default 2)")
    g.add_argument("--collapse", action="append", default=[], metavar="PART",
                   help="draw a part of the map as one node (repeatable; 'argmap parts' lists them)")
    g.add_argument("--collapse-all", action="store_true",
                   help="the post overview: every part but the target's as one node, observed claims left out "
                        "(named in the title), top to bottom")
    g.add_argument("--dpi", type=int, metavar="N",
                   help="PNG resolution (default: fit a post, at most 1600 px wide with a note when its text "
                        "would be too small)")
    g.add_argument("--legend", choices=("strip", "separate", "none"), default="strip",
                   help="strip: title and a compact key on top (default); separate: the key as its own image "
                        "FILE-legend.EXT; none: no title and no key")


def diagram_options(args) -> dict:
    """The keyword arguments of the drawing functions from :func:`add_diagram_args`'s options."""
    from ..base.errors import QueryError

    if args.depth is not None and not args.focus:
        raise QueryError("--depth needs --focus CLAIM")
    return dict(focus=args.focus, depth=args.depth, collapse=list(args.collapse), collapse_all=args.collapse_all)


def write_diagram(out: str | Path, make: Callable[[str], str], *, dpi: int | None = None,
                  legend: str = "strip", fmt: str | None = None) -> list[str]:
    """Render ``make(legend)`` (a DOT source) into ``out`` and, with ``legend="separate"``, the key into
    ``OUT-legend.EXT``; return the lines to show: what was written and, for a PNG whose text would be too
    small for a post, what to do about it."""
    from ..base.atomic import atomic_write
    from ..render import render_dot, render_png

    out = Path(out)
    fmt = fmt or out.suffix.lstrip(".").lower() or "svg"
    jobs = [(out, make(legend))]
    if legend == "separate":
        jobs.append((out.with_name(f"{out.stem}-legend{out.suffix}"), make("key")))
    wrote, notes = [], []
    for path, source in jobs:
        if fmt == "png":
            data, fit = render_png(source, dpi=dpi)
            advice = fit.advice()
            if advice and path == out:
                notes.append(f"note: {path}: {advice}")
        else:
            data = render_dot(source, fmt, dpi=dpi)
        atomic_write(path, data)
        wrote.append(f"wrote {path}")
    return wrote + notes


def add_map_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", metavar="PATH",
                   help="map folder (with map.yaml); default: the bundled 'Scheming AIs' map")
    p.add_argument("--with", dest="overlays", action="append", default=[], metavar="OVERLAY",
                   help="apply a critique or viewpoint file, or a bundled one by name such as "
                        "pope-2023 (repeatable; applied in order)")
    p.add_argument("--no-cache", action="store_true",
                   help="read and compile the files even if the compiled-map cache holds them "
                        "(the cache is keyed by the content of every file read)")


def add_offer_arg(p: argparse.ArgumentParser) -> None:
    """Which overlays an explorer page offers: the same option in explore and export
    (:func:`argmap.views.explorer.offering` decides)."""
    p.add_argument("--offer", metavar="all|none|OVERLAY,...", default=None,
                   help="which overlays the explorer page offers switched off, besides the --with ones (switched "
                        "on): 'all' (default): with the bundled map, named or implied, every bundled critique and "
                        "viewpoint; 'none': only the --with ones; or a comma-separated list (bundled names or files)")
    p.add_argument("--no-bundled", dest="offer", action="store_const", const="none", help=argparse.SUPPRESS)


def offering_from_args(args):
    """The overlays the page offers (:func:`argmap.views.explorer.offering`)."""
    from ..views.explorer import offering

    return offering(args.path, args.overlays, args.offer)


def add_condition_args(p: argparse.ArgumentParser, target: bool = True) -> None:
    p.add_argument("--given", action="append", default=[], metavar="CLAIM=STATE",
                   help="condition on an observation (repeatable)")
    p.add_argument("--set", action="append", default=[], metavar="CLAIM=STATE",
                   help="intervene: fix a claim, cutting it from its causes (repeatable)")
    p.add_argument("--scenario", default=None, metavar="NAME",
                   help="scenario to apply ('none' for none; default: the map's default scenario)")
    if target:
        p.add_argument("--target", metavar="CLAIM", help="claim to report on (default: the map's target)")


def add_scale_arg(p: argparse.ArgumentParser) -> None:
    """``--scale NAME``: re-read every word-read number on another verbal scale (the same in every command)."""
    from ..base.scales import SCALES

    p.add_argument("--scale", choices=SCALES, default=None, metavar="NAME",
                   help=f"re-read every number read from a word on this verbal scale: {', '.join(SCALES)} "
                        f"(default: the map's own; rule and tables: {docs_hint('sensitivity')})")


def _rank_correlation(text: str) -> float:
    try:
        rho = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0.0 <= rho <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a rank correlation between 0 and 1")
    return rho


def count_arg(text: str) -> int:
    """An argparse type: a whole number, zero or more."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{n} must be zero or more")
    return n


def add_dependence_args(g) -> None:
    """``--correlation RHO`` and ``--shared-factor map|part``: the dependence of the headline's joint draws
    (run --spread, sensitivity, compare, export, and the explorer page's interval)."""
    g.add_argument("--correlation", type=_rank_correlation, default=None, metavar="RHO",
                   help="rank correlation of any two of the author's hedges, leaning together toward or away from "
                        "the conclusion (Gaussian copula, one shared factor); default: the map's stated value")
    g.add_argument("--shared-factor", choices=("map", "part"), default="map",
                   help="the hedges' shared lean: one for the whole map (default), or one per part of the map "
                        "(rank correlation within a part, parts independent)")


def add_spread_args(p: argparse.ArgumentParser, draws: bool = True) -> None:
    """How the headline's spread is drawn: ``--correlation``, ``--words`` and, with ``draws``, ``--samples``
    and ``--seed`` (commands that already have those pass ``draws=False``)."""
    g = p.add_argument_group("spread (joint draws of the uncertain numbers)")
    add_dependence_args(g)
    g.add_argument("--words", action="store_true",
                   help="draw each number read from a word from that word's spread on the scale, instead of its "
                        "stated range")
    if draws:
        g.add_argument("--samples", type=count_arg, default=10_000, metavar="N",
                       help="joint draws (default 10000; 0 skips)")
        g.add_argument("--seed", type=int, default=0, metavar="S",
                       help="random seed (default 0): same seed, same numbers")


def spread_options(args) -> dict:
    """The keyword arguments of :func:`argmap.analysis.sensitivity.spread` from :func:`add_spread_args`."""
    return dict(samples=args.samples, seed=args.seed, correlation=args.correlation, words=args.words,
                shared_factor=args.shared_factor)


EARLY_READ_MAX_BYTES = 1 << 20
"""Largest map (bytes of YAML in its folder, plus overlay files) whose files :func:`model_from_args` reads in a
forked child: the map comes back pickled, and unpickling a larger one costs more than overlapping the reading
with numpy's import saves (10,000 claims, 2.5 MB of YAML: 0.2-0.4 s against ~0.1 s; the bundled map: 1 ms)."""


def _map_bytes(args) -> int:
    """The bytes of YAML in the map's folder and of the overlay files named (for :data:`EARLY_READ_MAX_BYTES`)."""
    from ..base.errors import ArgmapError
    from ..maps.bundled import bundled_map_path

    total = 0
    try:
        with os.scandir(bundled_map_path() if args.path is None else args.path) as listing:
            total = sum(e.stat().st_size for e in listing if e.name.endswith((".yaml", ".yml")))
    except (OSError, ArgmapError):
        pass
    for overlay in args.overlays:
        try:
            total += os.stat(overlay).st_size
        except OSError:
            pass                                # a bundled overlay's name: small
    return total


def model_from_args(args, then: tuple[str, ...] = ()) -> Model:
    """The map the options name. Importing numpy and argmap's layers creates tens of thousands of objects and
    none of them is garbage: the cyclic collector is paused for the imports as it is for the load
    (:func:`argmap.base.gcpause.paused_gc`; ``import numpy`` alone otherwise runs it some forty times).

    When the compiled-map cache will not answer, the files of a map up to :data:`EARLY_READ_MAX_BYTES` are
    read (YAML, pydantic's file models, resolving) in a forked child while this process imports numpy and the
    engine: on two cores a cold run then waits for the longer of the two, not their sum
    (:mod:`argmap.base.forked`; ``ARGMAP_JOBS=1`` or one core: in line). This process, done first, also imports
    meanwhile the modules named in ``then``, which the command needs after the map (its report's)."""
    from ..base.forked import can_fork, start
    from ..base.gcpause import paused_gc

    with paused_gc():
        reading = None
        if can_fork():
            from ..inference import cache

            if cache.reads_files(args.path, args.overlays) and _map_bytes(args) <= EARLY_READ_MAX_BYTES:
                reading = start(partial(cache.read_files, args.path, args.overlays))
        try:
            from ..api import Model

            if reading is not None:
                import importlib

                for name in then:
                    importlib.import_module(name)

            model = Model.load(args.path, args.overlays, files=reading.result if reading else None)
        finally:
            if reading is not None:
                reading.cancel()        # if an entry appeared meanwhile and answered, the child is not waited for
        return model.on_scale(getattr(args, "scale", None))


def conditions_from_args(args) -> dict:
    from ..api import DEFAULT, parse_assignment

    scenario = DEFAULT if args.scenario is None else None if str(args.scenario).lower() == "none" else args.scenario
    return {
        "given": dict(parse_assignment(a) for a in args.given),
        "set": dict(parse_assignment(a) for a in args.set),
        "scenario": scenario,
    }


def json_text(obj) -> str:
    """What :func:`print_json` prints for ``obj``."""
    return json.dumps(obj, indent=2, sort_keys=False) + "\n"


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")
