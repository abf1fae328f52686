"""``argmap schema``: the JSON Schema of argument files, for editors and other tools."""

from __future__ import annotations

import json

from .common import add_out_arg, docs_hint

__all__ = ["add_parser", "run", "file_schema", "KINDS"]

KINDS = ("map", "part", "overlay", "any")


def file_schema(kind: str = "any") -> dict:
    """The JSON Schema (draft 2020-12) of a ``map.yaml``, a part file, an overlay, or any of them.

    Built from the pydantic file models in :mod:`argmap.maps.models`, so it is exactly what the loader accepts
    in shape (the loader additionally checks references between files, credences and tables).
    """
    from pydantic import BaseModel
    from pydantic.json_schema import models_json_schema

    from ..maps.overlayspecs import OverlayFile
    from ..maps.specs import MapFile, PartFile

    models: dict[str, type[BaseModel]] = {"map": MapFile, "part": PartFile, "overlay": OverlayFile}
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
    schema["$defs"] = _editor_friendly(top.get("$defs", {}))
    return schema


_SECTION = {"anyOf": [{"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)*$"}, {"type": "number"}]}
_CLAIM_REF = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$", "description": "a claim id (short for {claim: id})"}

_HELP = {
    "ClaimSpec": {
        "id": "unique claim id: lowercase letters, digits, underscores",
        "title": "short title, shown in diagrams",
        "short": "a diagram label of at most 40 characters, used where space is tight",
        "text": "a paraphrase of the claim",
        "kind": "claim | argument | critique | evidence | conclusion",
        "section": "the report section(s) it encodes, e.g. \"2.3.1\" or [\"2.1\", \"6.1\"]",
        "part": "part id from map.yaml (default: the file's part)",
        "states": "states of a categorical claim (default: binary false/true)",
        "credence": "root claims only: P(true), or state -> probability for a categorical claim",
        "concentration": "Dirichlet concentration around a categorical credence",
        "base": "P(true) when every requirement holds and no route or supporting/opposing source holds",
        "requires": "necessary conditions (claim ids, or {claim, leak, when})",
        "route": "claims this alone brings about: {claim, p} (the target is the noisy-OR of its routes)",
        "supports": "claims this raises: {claim, ratio >= 1} (declared on the source)",
        "opposes": "claims this lowers: {claim, ratio <= 1} (declared on the source)",
        "undercuts": "arguments or critiques this weakens: {claim, ratio <= 1}",
        "table": "an explicit conditional table over `given` parents; routes and arguments from other claims "
                 "compose with each row",
        "provenance": "who holds the numbers and why",
    },
    "OverlayFile": {
        "overlay": "the overlay's name (used by builds_on and in reports)",
        "author": "whose view this is; each edit is attributed to it unless it names its own",
        "source": "where the argument is made",
        "builds_on": "overlays that must be applied first",
        "add": "new claims (same fields as in part files)",
        "relate": "new relations between existing (or added) claims",
        "change": "edits of existing claims or relations, each with a reason",
    },
}


def _editor_friendly(defs: dict) -> dict:
    """Accept the loader's shorthands (a section as one string, a claim id for a relation entry) and add
    one-line descriptions, so an editor validating against the schema agrees with ``argmap check``."""
    claim = defs.get("ClaimSpec", {}).get("properties", {})
    if "section" in claim:
        claim["section"] = {"anyOf": [_SECTION, {"type": "array", "items": _SECTION}, {"type": "null"}],
                            "default": None, "title": "Section"}
    for name in ("requires", "route", "supports", "opposes", "undercuts"):
        if name in claim:
            claim[name]["items"] = {"anyOf": [claim[name]["items"], _CLAIM_REF]}
    for model, helps in _HELP.items():
        props = defs.get(model, {}).get("properties", {})
        for field, text in helps.items():
            if field in props and "description" not in props[field]:
                props[field]["description"] = text
    return defs


def add_parser(sub):
    p = sub.add_parser(
        "schema", help="print the JSON Schema of argument and overlay files",
        description="Print the JSON Schema of argument files (for editor completion and validation while "
                    f"typing; guide: {docs_hint('critique-guide')}). --kind picks map.yaml, part files or overlays.")
    p.add_argument("--kind", choices=KINDS, default="any", help="which file kind (default: any of them)")
    add_out_arg(p, "FILE", "write to FILE instead of printing")
    return p


def run(args) -> int:
    text = json.dumps(file_schema(args.kind), indent=2, sort_keys=True) + "\n"
    if args.out:
        from ..base.atomic import atomic_write

        atomic_write(args.out, text)
        print(f"wrote {args.out}")
    else:
        print(text, end="")
    return 0
