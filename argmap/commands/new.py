"""``argmap new critique NAME [PATH] --against CLAIM``: write a commented, valid overlay skeleton."""

from __future__ import annotations

from pathlib import Path

from .common import add_out_arg, docs_hint

__all__ = ["add_parser", "run"]


def add_parser(sub):
    p = sub.add_parser(
        "new", help="start a new critique file from a commented skeleton",
        description="Write NAME.yaml, a valid overlay that criticises one claim: its current numbers restated "
                    "(so it changes nothing until you edit them) and commented examples fitted to that claim. "
                    "It goes in critiques/ beside the map's folder (arguments/critiques/ for the bundled map) "
                    "or in -o DIR (never inside a map folder). An existing file is never overwritten. "
                    f"Guide: {docs_hint('critique-guide')}.")
    p.add_argument("what", choices=["critique"], help="what to create (only 'critique' for now)")
    p.add_argument("name", metavar="NAME", help="overlay name, also the file name (e.g. smith-2025)")
    p.add_argument("path", nargs="?", metavar="PATH",
                   help="map folder (with map.yaml); default: the bundled 'Scheming AIs' map")
    p.add_argument("--against", required=True, metavar="CLAIM", help="the claim the critique is about")
    p.add_argument("--author", help="your name (default: $ARGMAP_AUTHOR, else a placeholder)")
    add_out_arg(p, "DIR", "folder to write NAME.yaml into (default: critiques/ beside the map)")
    p.add_argument("--schema", metavar="PATH_OR_URL",
                   help="JSON Schema for the editor modeline (default: the committed overlay schema when run in a "
                        "checkout; 'argmap schema --kind overlay -o FILE' writes one)")
    p.add_argument("--with", dest="overlays", action="append", default=[], metavar="OVERLAY",
                   help="overlays the critique builds on (applied first, so their claims can be named)")
    return p


def run(args) -> int:
    from ..maps.loader import load_map
    from ..maps.scaffold import new_critique

    if args.out:
        from ..base.atomic import refuse_map_folder

        refuse_map_folder(Path(args.out) / f"{args.name}.yaml")
    amap = load_map(args.path, args.overlays)
    path = new_critique(amap, args.name, args.against, args.author, args.out, args.schema)
    try:
        path = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        pass
    print(f"wrote {path}")
    print(f"next: edit it, then  argmap compare {args.path + ' ' if args.path else ''}"
          + "".join(f"--with {o} " for o in args.overlays) + f"--with {path}")
    return 0
