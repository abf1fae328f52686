"""``argmap check``: validate a map and overlays; report every problem with file:line:col."""

from __future__ import annotations

import sys

from ..base.errors import ArgmapError, Diagnostic, ValidationError
from .common import add_map_args, model_from_args, print_json


def add_parser(sub):
    p = sub.add_parser("check", help="validate argument files; exit 1 on any error",
                       description="Validate a map and its overlays. Every problem is printed as "
                                   "path:line:col: error: message, with a hint. Exit status 1 on any error.")
    add_map_args(p)
    p.add_argument("--json", action="store_true",
                   help="print one JSON object: ok, the map's size, and every problem with path, line and column")
    return p


def _diag_dict(d: Diagnostic) -> dict:
    return {"path": None if d.path is None else str(d.path), "line": d.line, "column": d.column,
            "severity": d.severity, "message": d.message, "hint": d.hint}


def todo_notes(overlays) -> list[str]:
    """``path:line: note: ...`` for each TODO placeholder left in an overlay (outside comments): a fresh
    skeleton from ``argmap new critique`` is valid but says nothing yet."""
    from ..maps.loader import resolve_overlay

    notes = []
    for name in overlays:
        try:
            path = resolve_overlay(name)
            lines = path.read_text(encoding="utf-8").splitlines()
        except (ArgmapError, OSError, UnicodeDecodeError):
            continue
        for i, line in enumerate(lines, 1):
            if "TODO" in line and not line.lstrip().startswith("#"):
                notes.append(f"{path}:{i}: note: a TODO placeholder is still here; fill it in (the skeleton "
                             "changes nothing until you edit its numbers)")
    return notes


def run(args) -> int:
    try:
        model = model_from_args(args)
        width = model.plan_width()      # the whole map, as run plans it: check refuses what run would
    except ValidationError as err:
        if args.json:
            print_json({"ok": False, "errors": [_diag_dict(d) for d in err.diagnostics]})
        else:
            print(err.format(), file=sys.stderr)
        return 1
    except ArgmapError as err:
        if not args.json:
            raise
        print_json({"ok": False, "errors": [{"path": None, "line": None, "column": None, "severity": "error",
                                             "message": str(err), "hint": None}]})
        return 1
    amap = model.map
    from ..maps.checks import map_warnings

    warns = map_warnings(amap)
    notes = todo_notes(args.overlays)
    if args.json:
        print_json({"ok": True, "errors": [], "warnings": [_diag_dict(w) for w in warns], "notes": notes,
                    "map": amap.name, "claims": len(amap.claims), "relations": len(amap.relations),
                    "parameters": len(model.network.params), "elimination_width": width,
                    "overlays": list(amap.overlays)})
        return 0
    for w in warns:
        print(w.format(), file=sys.stderr)
    over = f", overlays: {', '.join(amap.overlays)}" if amap.overlays else ""
    print(f"ok: {amap.name}: {len(amap.claims)} claims, {len(amap.relations)} relations, "
          f"{len(model.network.params)} parameters, elimination width {width}{over}")
    for note in notes:
        print(note, file=sys.stderr)
    return 0
