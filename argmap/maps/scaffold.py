"""Write a commented, valid overlay skeleton for a new critique (``argmap new critique``).

The skeleton is valid as written: its one active change sets the criticised claim's number to its
current value (so it moves nothing until edited), and everything else is commented examples fitted
to that claim (its current numbers, its relations, the kind of argument that may bear on it).
Nothing is ever overwritten.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..base.atomic import atomic_write
from ..base.errors import ArgmapError, QueryError, did_you_mean
from ..base.quantity import Quantity
from .checks import drawn_only
from .models import ArgumentMap, Claim

__all__ = ["critique_skeleton", "new_critique", "default_critique_dir", "NAME_PATTERN"]

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def _q(q: Quantity | None) -> str:
    """A Quantity as YAML flow text that reads back to the same point value and range."""
    if q is None:
        return "0.5"
    point = repr(float(q.value))
    if q.exact is not None and q.exact.denominator <= 1000 and len(point) > 8:
        point = f'"{q.exact.numerator}/{q.exact.denominator}"'   # e.g. 1/3, kept exact
    if q.range is not None:
        lo, hi = q.range
        return f"{{value: {point}, range: [{lo!r}, {hi!r}]}}"
    if q.beta is not None:
        a, b = q.beta
        return f"{{value: {point}, beta: [{a!r}, {b!r}]}}"
    return point


def _yaml_text(text: str) -> str:
    return '"' + " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _active_change(claim: Claim, amap: ArgumentMap) -> list[str]:
    """The one live entry: the claim's current number, restated (a no-op until edited)."""
    reason = f'    reason: "TODO: say why you hold a different number for {claim.id}"'
    if claim.credence is not None:
        if claim.binary:
            value = f"    credence: {_q(claim.credence[1])}     # now: P(true) in the map; put yours here"
        else:
            pairs = ", ".join(f"{s}: {q.value!r}" for s, q in zip(claim.states, claim.credence, strict=False))
            value = f"    credence: {{{pairs}}}     # must sum to 1"
        return ["change:", f"  - claim: {claim.id}", value, reason]
    if claim.base is not None:
        return ["change:", f"  - claim: {claim.id}",
                f"    base: {_q(claim.base)}     # now: P(true) when no argument bearing on it holds", reason]
    where = f" ({claim.origin.path.name}:{claim.origin.line})" if claim.origin.path else ""
    if claim.table is None:
        return ["change: []   # to change something, delete the [] and add entries as in the examples",
                f"#  '{claim.id}' holds exactly when its requirements do{where} (it has no base): give it one",
                f"#  below 1 (- {{claim: {claim.id}, base: 0.9, reason: ...}}), or change a relation below."]
    return ["change: []   # to change something, delete the [] and add entries as in the examples",
            f"#  '{claim.id}' is set by an explicit table{where}: restate it",
            "#  under a change with `table:` (the same `given` and rows, with your numbers)."]


def _relation_examples(claim: Claim, amap: ArgumentMap) -> list[str]:
    out = []
    for r in amap.relations:
        if r.target != claim.id or drawn_only(amap, r):
            continue
        if r.type == "requires":
            out += [f"#  - relation: {r.key}          # {claim.id} requires {r.source}",
                    f"#    leak: {_q(r.leak) if r.leak else '0.1'}     # chance it holds anyway if {r.source} fails",
                    "#    reason: ..."]
        elif r.type == "route" and r.p is not None:
            out += [f"#  - relation: {r.key}          # a route: {r.source} alone brings {claim.id} about",
                    f"#    p: {_q(r.p)}     # the chance it does; 0 = no route", "#    reason: ..."]
        else:
            out += [f"#  - relation: {r.key}          # {r.type}",
                    f"#    ratio: {_q(r.ratio)}     # odds ratio; 1 = no effect", "#    reason: ..."]
    return out[:9]


def critique_skeleton(name: str, amap: ArgumentMap, against: str, author: str = "Your Name",
                      schema: str | None = None) -> str:
    """The YAML text of a new critique of claim ``against`` in ``amap``."""
    if not re.match(NAME_PATTERN, name):
        raise QueryError(f"'{name}' is not a valid overlay name (letters, digits, '.', '_' and '-')")
    if against not in amap.claims:
        hint = did_you_mean(against, amap.claims)
        raise QueryError(f"'{against}' is not a claim in map '{amap.name}'" + (f"; {hint}" if hint else ""))
    claim = amap.claims[against]
    sec = f" (report {', '.join(claim.sections)})" if claim.sections else ""
    point_id = re.sub(r"[^a-z0-9_]", "_", name.lower()).strip("_")
    point_id = point_id if re.match(r"^[a-z]", point_id) else f"c_{point_id}"
    relation = "undercuts" if claim.kind in ("argument", "critique") else "opposes"
    composed = claim.binary      # arguments bear on any binary claim (a root's credence becomes its base)
    certain = claim.table is None and claim.base is None and claim.credence is None  # an AND: holds with them
    lines = []
    if schema:
        lines.append(f"# yaml-language-server: $schema={schema}")
    else:
        lines += ["# Editor completion: `argmap schema --kind overlay -o overlay.schema.json`, then make the first",
                  "# line:  # yaml-language-server: $schema=overlay.schema.json"]
    lines += [
        f"# A critique of '{claim.id}': {claim.title}{sec}.",
        "# Valid as written, and it changes nothing yet: edit the numbers and reasons below.",
        "#   argmap check   --with THIS_FILE       validate (every problem with file:line:col)",
        "#   argmap compare --with THIS_FILE       effect on the target, attribution to each edit",
        "#   argmap watch   --with THIS_FILE       re-check and re-run on every save",
        "# Format: argmap docs format; walkthrough: argmap docs critique-guide",
        f"overlay: {name}",
        f"title: {_yaml_text('Critique of: ' + claim.title)}",
        f"author: {_yaml_text(author)}",
        'source: "TODO: where the argument is made (post, paper, comment)"',
        *([f"builds_on: [{', '.join(amap.overlays)}]   # apply these first: argmap ... "
           + " ".join(f"--with {o}.yaml" for o in amap.overlays) + " --with THIS_FILE"] if amap.overlays else []),
        "",
        "# 1. Change a number the map already has. Each change needs a reason; author and source",
        "#    default to the ones above.",
        *_active_change(claim, amap),
    ]
    rel = _relation_examples(claim, amap)
    if rel:
        lines += ["#  Or change the strength of a relation into it (append under change:):", *rel]
    if composed:
        lines += ["", f"# 2. Add your own argument as a new claim that {relation} '{claim.id}'."]
        if claim.table is not None:
            lines += [f"#    It multiplies the odds of every row of '{claim.id}''s table where it holds."]
        if certain:
            lines += [f"#    '{claim.id}' holds whenever its requirements do, so an argument needs it to have a base",
                      f"#    below 1 first: under change:, - {{claim: {claim.id}, base: 0.9, reason: \"...\"}}."]
        lines += [
            "add: []   # to add a claim, delete the [] and uncomment these lines",
            f"#  - id: {point_id}",
            '#    title: "Short title of your point"',
            "#    kind: critique",
            '#    text: "One or two sentences: what the point says."',
            f'#    section: "{claim.sections[0] if claim.sections else "1"}"',
            "#    credence: {value: 0.6, range: [0.3, 0.85]}   # how likely your point is to be right",
            f"#    {relation}: [{{claim: {claim.id}, ratio: \"1/2\"}}]   # when it holds, {claim.id}'s odds × 1/2",
            f"#    provenance: {{holder: {_yaml_text(author)}, basis: illustrative, rationale: \"why these numbers\"}}",
        ]
    else:
        feeds = sorted({r.target for r in amap.relations if r.source == claim.id})
        into = f" ({', '.join(feeds[:3])})" if feeds else ""
        how = "change its numbers above" if claim.credence is not None or claim.base is not None else \
            "restate its table as described above"
        lines += [
            "",
            f"# 2. '{claim.id}' has named states, so no new claim can bear on it directly:",
            f"#    {how}, or add one that bears on a claim it feeds into{into}.",
            "add: []",
        ]
    feeds = sorted({r.target for r in amap.relations if r.source == claim.id})
    to = claim.id if composed else feeds[0] if feeds else "another_claim"
    lines += ["", "# 3. Relate two claims that exist (or that you added above).",
              "relate: []   # to relate, delete the [] and uncomment the line below",
              f"#  - {{from: some_claim, to: {to}, type: opposes, ratio: \"1/2\", reason: \"...\"}}", ""]
    return "\n".join(lines)


def default_critique_dir(amap: ArgumentMap) -> Path:
    """``critiques/`` beside the map's folder (``arguments/critiques`` for the bundled map); for a map
    installed inside the package, ``arguments/critiques`` under the current folder."""
    root = amap.root
    if root is None or "_bundled" in root.parts or "site-packages" in root.parts:
        return Path.cwd() / "arguments" / "critiques"
    return root.parent / "critiques"


def _schema_ref(out_dir: Path) -> str | None:
    """A relative path from ``out_dir`` to the repository's committed overlay schema, if any."""
    from .bundled import arguments_dir

    try:
        schema = arguments_dir().parent / "docs" / "schema" / "overlay.schema.json"
    except ArgmapError:
        return None
    if not schema.exists():
        return None
    try:
        return os.path.relpath(schema, out_dir.resolve())
    except ValueError:
        return str(schema)


def new_critique(amap: ArgumentMap, name: str, against: str, author: str | None = None,
                 directory: str | Path | None = None, schema: str | None = None) -> Path:
    """Write ``NAME.yaml`` (refusing to overwrite) and return its path."""
    out_dir = Path(directory) if directory else default_critique_dir(amap)
    path = out_dir / f"{name}.yaml"
    if path.exists():
        raise ArgmapError(f"{path} already exists; argmap new never overwrites a file (pick another name)")
    text = critique_skeleton(name, amap, against, author or os.environ.get("ARGMAP_AUTHOR") or "Your Name",
                             schema or _schema_ref(out_dir))
    return atomic_write(path, text)
