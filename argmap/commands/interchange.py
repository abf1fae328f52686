"""The ``--format bif|xmlbif|argdown -o FILE`` branch of ``argmap export`` (kept here, apart from the post bundle)."""

from __future__ import annotations

from pathlib import Path

from ..base.atomic import atomic_write, refuse_map_folder
from ..base.errors import ArgmapError

__all__ = ["FORMATS", "add_interchange_args", "run_interchange"]

FORMATS = ("bif", "xmlbif", "argdown")
_SUFFIX = {".bif": "bif", ".xml": "xmlbif", ".xmlbif": "xmlbif", ".bifxml": "xmlbif", ".argdown": "argdown"}


def add_interchange_args(p) -> None:
    """Add ``--format bif|xmlbif|argdown`` to an export parser (the file is its ``-o/--out``)."""
    g = p.add_argument_group(
        "network interchange",
        "Write the compiled Bayesian network for pgmpy, pyAgrum, GeNIe or SamIam instead of a post bundle. "
        "The network is written at the map's own numbers with NO scenario applied (enter the scenario's "
        "conditions as evidence in the other tool to reproduce 'argmap run'). Or write the map as an Argdown "
        "document (claims, arguments, relations and sections, each element's numbers in its data block; "
        "probabilities under --given/--set/--scenario).")
    g.add_argument("--format", choices=FORMATS, default=None,
                   help="bif, xmlbif or argdown (default: from -o's suffix)")


def run_interchange(args) -> int | None:
    """Write the network (BIF/XMLBIF) or Argdown if the arguments ask for it; return None when they do not."""
    fmt = getattr(args, "format", None)
    out = getattr(args, "out", None)
    if fmt is None and out is not None:
        fmt = _SUFFIX.get(Path(out).suffix.lower())
    if fmt is None:
        return None
    if out is None:
        example = {"bif": "network.bif", "xmlbif": "network.xml", "argdown": "map.argdown"}[fmt]
        raise ArgmapError(f"--format {fmt} needs -o FILE (for example -o {example})")
    from ..analysis.interchange import export_model
    from .common import model_from_args

    target = Path(out)
    refuse_map_folder(target)
    model = model_from_args(args)
    if fmt == "argdown":
        from ..analysis.interchange.argdown import argdown_document
        from .common import conditions_from_args

        text = argdown_document(model, **conditions_from_args(args))
    else:
        text = export_model(model, fmt)
    try:
        atomic_write(target, text)
    except OSError as err:
        raise ArgmapError(f"cannot write {out}: {err.strerror or err}") from err
    if fmt == "argdown":
        amap = model.map
        n_args = sum(c.kind in ("argument", "critique") for c in amap.claims.values())
        print(f"wrote {out} (Argdown: {len(amap.claims) - n_args} statements, {n_args} arguments, "
              f"{len(amap.relations)} relations; numbers in each element's data block)")
        return 0
    print(f"wrote {out} ({fmt.upper()}, {len(model.network.variables)} variables; the map's own numbers, "
          "no scenario applied)")
    return 0
