"""``argmap explore``: write the self-contained explorer page (:mod:`argmap.views.explorer`)."""

from __future__ import annotations

import sys

from .common import (
    add_condition_args,
    add_dependence_args,
    add_map_args,
    add_offer_arg,
    add_out_arg,
    add_scale_arg,
    conditions_from_args,
    offering_from_args,
)

__all__ = ["add_parser", "run"]


def add_parser(sub):
    p = sub.add_parser(
        "explore", help="write one self-contained HTML page where readers move the numbers and see exact results",
        description="Write one HTML file (no network requests; opens from disk or any static host) where a reader "
                    "moves every adjustable number, switches overlays on and off, picks a scenario, observes or "
                    "sets claims, and sees every probability recomputed exactly in the page. Overlays given with "
                    "--with start switched on; with the bundled map (named or implied), every bundled critique and "
                    "viewpoint that fits is offered too (switched off; --offer chooses). The page starts at what "
                    "'argmap run' prints for the same options.")
    add_map_args(p)
    add_condition_args(p, target=False)
    add_out_arg(p, "FILE.html", "the page to write (default: explore.html)")
    add_offer_arg(p)
    add_scale_arg(p)
    add_dependence_args(p.add_argument_group("the headline's interval (joint draws of the uncertain numbers)"))
    return p


def run(args) -> int:
    from ..base.atomic import atomic_write, refuse_map_folder
    from ..views.explorer import explorer_html

    target = args.out or "explore.html"
    refuse_map_folder(target)
    page = explorer_html(args.path, args.overlays, offer=offering_from_args(args),
                         **conditions_from_args(args), scale=args.scale, correlation=args.correlation,
                         shared_factor=args.shared_factor)
    out = atomic_write(target, page)
    print(f"wrote {out} ({len(page.encode('utf-8')) / 1e6:.2f} MB)", file=sys.stderr)
    return 0
