"""``argmap watch``: re-check, re-run and re-render on every save, with the result on one screen.

Polls the files' modification times with the standard library (no extra dependency; argument maps
are a handful of small files, so a poll every half second costs nothing). Every pass that sees a
change loads and checks the map and overlays, prints P(target) — with overlays, against the map
without them, the claims that moved and the attribution to each edit — and, with ``--render``,
redraws the diagram. An error in a file is shown in place of the result; watching goes on (``--once``
exits 1 after one).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from ..base.errors import ArgmapError
from ..base.textsafe import visible
from .common import (
    add_condition_args,
    add_diagram_args,
    add_map_args,
    add_out_arg,
    conditions_from_args,
    diagram_options,
    write_diagram,
)

__all__ = ["add_parser", "run", "watched_files", "fingerprint", "watch_loop", "snapshot"]

CLEAR = "\033[2J\033[H"


def add_parser(sub):
    p = sub.add_parser(
        "watch", help="re-check, re-run and re-render on every save",
        description="Watch the map's files and the overlays; on every save, validate them, propagate, and "
                    "show P(target) (with overlays: the change against the map without them and its "
                    "attribution to each edit) on one screen. Ctrl-C stops.")
    add_map_args(p)
    add_condition_args(p)
    add_out_arg(p, "FILE", "also redraw this diagram (.svg, .png, .pdf, .dot) on change; with overlays it is "
                           "the diff diagram")
    add_diagram_args(p)
    p.add_argument("--interval", type=float, default=0.5, metavar="SECONDS", help="poll interval (default 0.5)")
    p.add_argument("--top", type=int, default=6, metavar="N", help="claims and edits to show (default 6)")
    p.add_argument("--once", action="store_true", help="run one pass and exit (for scripts): status 1 on an error")
    p.add_argument("--max-seconds", type=float, default=None, metavar="SECONDS",
                   help="stop after this long (default: run until Ctrl-C)")
    return p


def watched_files(path: str | None, overlays: Iterable[str]) -> list[Path]:
    """The files a change to which re-runs: the map folder's YAML files and the overlay files."""
    from ..maps.bundled import bundled_map_path

    folder = bundled_map_path() if path is None else Path(path)
    if folder.is_file():
        folder = folder.parent
    files = sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml")) if folder.is_dir() else [folder]
    from ..maps.loader import find_overlay

    return files + [find_overlay(o) or Path(o) for o in overlays]


def fingerprint(files: Iterable[Path]) -> tuple:
    """(name, mtime_ns, size) per file; a missing file counts as (name, None, None)."""
    out: list[tuple[str, int | None, int | None]] = []
    for f in files:
        try:
            st = f.stat()
            out.append((str(f), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(f), None, None))
    return tuple(out)


def watch_loop(files: Callable[[], list[Path]], on_change: Callable[[int], None], *, interval: float = 0.5,
               max_passes: int | None = None, max_seconds: float | None = None,
               sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> int:
    """Call ``on_change(n)`` at once and after every change of ``files()``; return the number of passes.

    Stops after ``max_passes`` passes or ``max_seconds`` (either may be None: run until interrupted).
    """
    start = clock()
    seen = fingerprint(files())
    passes = 0
    on_change(passes)
    passes += 1
    while (max_passes is None or passes < max_passes) and (max_seconds is None or clock() - start < max_seconds):
        sleep(interval)
        now = fingerprint(files())
        if now != seen:
            seen = now
            on_change(passes)
            passes += 1
    return passes


def snapshot(args) -> str:
    """One screen: the check result, P(target), and with overlays the change and its attribution."""
    from ..api import Model

    cond = conditions_from_args(args)
    shown = diagram_options(args)
    overlays = list(args.overlays)
    lines = []
    model = Model.load(args.path, overlays)
    plan = model.engine.plan(args.target or model.map.target, {}, {})
    amap = model.map
    over = f", overlays: {', '.join(amap.overlays)}" if amap.overlays else ""
    lines.append(f"ok: {amap.name}: {len(amap.claims)} claims, {len(amap.relations)} relations, "
                 f"elimination width {plan.width}{over}")
    if overlays:
        from ..analysis.compare import compare, format_comparison

        name = "+".join(Path(o).stem for o in overlays)
        comparison = compare(args.path, {name: overlays}, (), args.target, **cond, top=args.top)
        lines.append(format_comparison(comparison, compact=True, edits=args.top))
        if args.out:
            from .compare import _diagrams

            lines += _diagrams(comparison, args.out, shown, args.dpi, args.legend)
    else:
        result = model.run(args.target, **cond)
        lines.append(f"P({result.target}) = {result.probability:.4f}   {amap.claims[result.target].title}")
        if args.out:
            from ..views.diagrams import model_dot

            lines += write_diagram(args.out, lambda mode: model_dot(model, target=args.target, legend=mode,
                                                                     **shown, **cond), dpi=args.dpi, legend=args.legend)
    return visible("\n".join(lines))


def _screen(args, out: TextIO, failed: list[bool] | None = None) -> Callable[[int], None]:
    """The pass function; ``failed[0]`` (if given) tells whether the last pass ended in an error."""
    failed = failed if failed is not None else [False]
    tty = hasattr(out, "isatty") and out.isatty()

    def show(n: int) -> None:
        failed[0] = False
        try:
            body = snapshot(args)
        except ArgmapError as err:
            failed[0] = True
            body = err.format()
        stamp = datetime.now().strftime("%H:%M:%S")
        head = f"argmap watch — pass {n + 1} at {stamp} — Ctrl-C to stop"
        out.write((CLEAR if tty else "") + head + "\n" + body + "\n" + ("" if tty else "-" * 60 + "\n"))
        out.flush()
    return show


def run(args, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if args.out:
        from ..base.atomic import refuse_map_folder

        refuse_map_folder(args.out)
    failed = [False]
    show = _screen(args, out, failed)
    if args.once:
        show(0)
        return 1 if failed[0] else 0
    try:
        watch_loop(lambda: watched_files(args.path, args.overlays), show, interval=args.interval,
                   max_seconds=args.max_seconds)
    except KeyboardInterrupt:
        out.write("stopped\n")
    return 0
