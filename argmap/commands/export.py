"""``argmap export``: files for other people and other tools.

The post bundle (diagrams, tornado chart, summary.md) belongs to the diagrams issue and is not
built yet. What exists is the network interchange branch: ``--format bif|xmlbif -o FILE``.
"""

from __future__ import annotations

from ..errors import ArgmapError
from .common import add_map_args


def add_parser(sub):
    p = sub.add_parser("export", help="export the map (BIF/XMLBIF network files for other tools)",
                       description="Export the map. With --format bif|xmlbif -o FILE, write the compiled "
                                   "Bayesian network for pgmpy, pyAgrum, GeNIe or SamIam.")
    add_map_args(p)
    # --- network interchange (issue 8: argmap.interchange) -------------------------------------
    from ..interchange.command import add_interchange_args
    add_interchange_args(p)
    return p


def run(args) -> int:
    # --- network interchange (issue 8: argmap.interchange) -------------------------------------
    from ..interchange.command import run_interchange
    code = run_interchange(args)
    if code is not None:
        return code
    raise ArgmapError("the post bundle export is not built yet; use --format bif|xmlbif -o FILE")
