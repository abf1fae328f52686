"""``argmap import``: turn a BIF or XMLBIF network into an argument map folder."""

from __future__ import annotations

from pathlib import Path

from .common import add_out_arg


def add_parser(sub):
    p = sub.add_parser(
        "import", help="turn a BIF/XMLBIF network into an argument map folder",
        description="Read a Bayesian network in BIF or XMLBIF (as written by pgmpy, pyAgrum, GeNIe or "
                    "SamIam) and write it as an argument map folder: one claim per variable with its "
                    "conditional table written out, ready for 'argmap check' and 'argmap run'. The file is "
                    "parsed as data (nothing in it is evaluated; XML entities are refused). An existing "
                    "folder is never overwritten.")
    p.add_argument("file", metavar="FILE", help="a .bif file, or an XMLBIF file (.xml, .xmlbif, .bifxml)")
    add_out_arg(p, "FOLDER", "folder to create (must not exist; default: the file's name without its suffix)")
    p.add_argument("--target", metavar="VARIABLE",
                   help="the map's target (default: the last declared variable nothing depends on)")
    return p


def run(args) -> int:
    src = Path(args.file)
    folder = Path(args.out) if args.out else Path(src.stem or "imported")
    from ..interchange import import_network

    out = import_network(src, folder, target=args.target)
    print(f"wrote {out}/ (check it with: argmap check {out})")
    return 0
