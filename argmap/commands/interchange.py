"""The ``--format bif|xmlbif -o FILE`` branch of ``argmap export`` (kept here, apart from the post bundle)."""

from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_write, refuse_map_folder
from ..errors import ArgmapError

__all__ = ["FORMATS", "add_interchange_args", "run_interchange"]

FORMATS = ("bif", "xmlbif")
_SUFFIX = {".bif": "bif", ".xml": "xmlbif", ".xmlbif": "xmlbif", ".bifxml": "xmlbif"}


def add_interchange_args(p) -> None:
    """Add ``--format bif|xmlbif`` to an export parser (the file is its ``-o/--out``)."""
    g = p.add_argument_group(
        "network interchange",
        "Write the compiled Bayesian network for pgmpy, pyAgrum, GeNIe or SamIam instead of a post bundle. "
        "The network is written at the map's own numbers with NO scenario applied (enter the scenario's "
        "conditions as evidence in the other tool to reproduce 'argmap run').")
    g.add_argument("--format", choices=FORMATS, default=None, help="bif or xmlbif (default: from -o's suffix)")


def run_interchange(args) -> int | None:
    """Write the network if the arguments ask for BIF/XMLBIF; return None when they do not."""
    fmt = getattr(args, "format", None)
    out = getattr(args, "out", None)
    if fmt is None and out is not None:
        fmt = _SUFFIX.get(Path(out).suffix.lower())
    if fmt is None:
        return None
    if out is None:
        raise ArgmapError(f"--format {fmt} needs -o FILE (for example -o network.{'bif' if fmt == 'bif' else 'xml'})")
    from ..interchange import export_model
    from .common import model_from_args

    target = Path(out)
    refuse_map_folder(target)
    model = model_from_args(args)
    text = export_model(model, fmt)
    try:
        atomic_write(target, text)
    except OSError as err:
        raise ArgmapError(f"cannot write {out}: {err.strerror or err}") from err
    print(f"wrote {out} ({fmt.upper()}, {len(model.network.variables)} variables; the map's own numbers, "
          "no scenario applied)")
    return 0
