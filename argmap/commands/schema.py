"""``argmap schema``: the JSON Schema of argument files, for editors and other tools."""

from __future__ import annotations

import json

__all__ = ["add_parser", "run", "file_schema", "KINDS"]

KINDS = ("map", "part", "overlay", "any")


def file_schema(kind: str = "any") -> dict:
    """The JSON Schema (draft 2020-12) of a ``map.yaml``, a part file, an overlay, or any of them.

    Built from the pydantic file models in :mod:`argmap.models`, so it is exactly what the loader accepts
    in shape (the loader additionally checks references between files, credences and tables).
    """
    from pydantic.json_schema import models_json_schema

    from ..models import MapFile, OverlayFile, PartFile

    models = {"map": MapFile, "part": PartFile, "overlay": OverlayFile}
    titles = {"map": "argmap map header (map.yaml)", "part": "argmap part file (claims)",
              "overlay": "argmap overlay (critique or viewpoint)", "any": "argmap argument file"}
    if kind not in KINDS:
        raise ValueError(kind)
    chosen = list(models.values()) if kind == "any" else [models[kind]]
    refs, top = models_json_schema([(m, "validation") for m in chosen], ref_template="#/$defs/{model}")
    schema: dict = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": titles[kind]}
    if kind == "any":
        schema["anyOf"] = [refs[(m, "validation")] for m in chosen]
    else:
        schema["$ref"] = refs[(chosen[0], "validation")]["$ref"]
    schema["$defs"] = top.get("$defs", {})
    return schema


def add_parser(sub):
    p = sub.add_parser(
        "schema", help="print the JSON Schema of argument and overlay files",
        description="Print the JSON Schema of argument files (for editor completion and validation while "
                    "typing; see docs/critique-guide.md). --kind picks map.yaml, part files or overlays.")
    p.add_argument("--kind", choices=KINDS, default="any", help="which file kind (default: any of them)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")
    return p


def run(args) -> int:
    text = json.dumps(file_schema(args.kind), indent=2, sort_keys=True) + "\n"
    if args.output:
        from ..atomic import atomic_write

        atomic_write(args.output, text)
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0
