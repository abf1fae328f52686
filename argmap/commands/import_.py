"""``argmap import``: turn a BIF/XMLBIF network or an Argdown map into an argument map folder."""

from __future__ import annotations

from pathlib import Path

from .common import add_out_arg, docs_hint

ARGDOWN_SUFFIXES = (".argdown", ".ad")


def add_parser(sub):
    p = sub.add_parser(
        "import", help="turn a BIF/XMLBIF network or an Argdown map into an argument map folder",
        description="Read a Bayesian network in BIF or XMLBIF (as written by pgmpy, pyAgrum, GeNIe or "
                    "SamIam) and write it as an argument map folder: one claim per variable with its "
                    "conditional table written out, ready for 'argmap check' and 'argmap run'. Or read an "
                    "Argdown file (.argdown): statements and arguments become claims, relations become "
                    "supports/opposes/undercuts (premises: requires), numbers come from data blocks, and "
                    "missing ones get placeholders marked in provenance; the command prints what it mapped "
                    "and what it left as text. Files are parsed as data (nothing in them is evaluated; XML "
                    "entities are refused). The folder is assembled beside its destination, checked, then "
                    f"renamed in; an existing folder is never overwritten. Guide: {docs_hint('interchange')}.")
    p.add_argument("file", metavar="FILE",
                   help="a .bif file, an XMLBIF file (.xml, .xmlbif, .bifxml) or an Argdown file (.argdown)")
    add_out_arg(p, "FOLDER", "folder to create (must not exist; default: the file's name without its suffix)")
    p.add_argument("--target", metavar="VARIABLE",
                   help="the map's target (default: the file's own, else the last claim nothing depends on)")
    return p


def run(args) -> int:
    src = Path(args.file)
    folder = Path(args.out) if args.out else Path(src.stem or "imported")
    if src.suffix.lower() in ARGDOWN_SUFFIXES:
        from ..analysis.interchange.argdown_import import import_argdown

        out, report = import_argdown(src, folder, target=args.target)
        print(report.format())
    else:
        from ..analysis.interchange import import_network

        out = import_network(src, folder, target=args.target)
    print(f"wrote {out}/ (check it with: argmap check {out})")
    return 0
