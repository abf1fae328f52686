"""Load a map folder (and overlays) into a validated :class:`~argmap.maps.models.ArgumentMap`.

Stages: read each file safely (:mod:`argmap.base.yamlsafe`) → validate its shape (pydantic file models)
→ resolve claims and relations (:mod:`argmap.maps.resolve`) → apply overlays (:mod:`argmap.maps.overlay`) →
map-wide checks (:mod:`argmap.maps.checks`). Problems from every file are collected and raised together.
"""

from __future__ import annotations

import itertools
import os
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic
from pydantic import BaseModel

from ..base.errors import ArgmapError, Diagnostic, QueryError, ValidationError, did_you_mean
from ..base.forked import can_fork, start
from ..base.forked import core_to_spare as _core_to_spare
from ..base.readfile import inside, resolved
from ..base.readlog import listing, note_folder
from ..base.records import dataclass
from ..base.textsafe import describe_char
from ..base.yamlsafe import YamlDoc, parse_yaml, read_bytes
from .bundled import bundled_map_path
from .checks import check_map
from .models import ArgumentMap, Origin
from .observe import observation_claim, scenario_from_spec
from .resolve import Located, resolve_claims
from .specs import MapFile, PartFile

if TYPE_CHECKING:
    from .overlayspecs import OverlayFile

__all__ = ["load_map", "load_stages", "Stage", "OverlayReader", "find_overlay", "resolve_overlay", "read_spec",
           "map_files", "MAP_FILE"]

MAP_FILE = "map.yaml"


def map_files(folder: Path) -> list[Path]:
    """The part files of a map folder, in the order they are read, from one listing of the folder —
    the listing the compiled-map cache checks (:func:`argmap.base.readlog.listing`)."""
    try:
        names = listing(folder)
    except OSError as err:
        raise ValidationError([Diagnostic(f"cannot list the map folder: {err.strerror or err}", folder)]) from err
    return [folder / n for n in names
            if fnmatchcase(n, "*.y*ml") and n != MAP_FILE and Path(n).suffix in (".yaml", ".yml")]


def _resolve_folder(path: str | Path | None) -> Path:
    if path is None:
        return bundled_map_path()
    p = Path(path)
    if p.name == MAP_FILE and os.path.lexists(p) and not p.is_dir():
        return p.parent             # reading it says what is wrong if it is not a readable file
    if p.is_dir():
        if not os.path.lexists(p / MAP_FILE):
            raise ValidationError([Diagnostic(f"no {MAP_FILE} in this folder", p, hint=(
                f"a map is a folder with a {MAP_FILE} header; overlays are applied with --with FILE"))])
        return p
    if p.exists():
        raise ValidationError([Diagnostic("not a map folder", p, hint=(
            f"give the folder that holds {MAP_FILE}; a critique or viewpoint file goes after --with"))])
    raise ValidationError([Diagnostic("no such file or folder", p)])


@dataclass(frozen=True)
class Stage:
    """The map after one overlay is applied and checked (the base map when ``spec`` is None)."""

    map: ArgumentMap
    path: Path | None = None
    spec: OverlayFile | None = None
    doc: YamlDoc | None = None


class OverlayReader:
    """Reads and validates overlay files, each at most once (share one across loads to reuse it)."""

    def __init__(self) -> None:
        self._seen: dict[Path, tuple[OverlayFile, YamlDoc]] = {}

    def read(self, path: Path) -> tuple[OverlayFile, YamlDoc]:
        key = resolved(path)
        if key not in self._seen:
            diags: list[Diagnostic] = []
            doc = _read(path, diags)
            if doc is not None and isinstance(doc.data, dict) and "overlay" not in doc.data and (
                    "argmap" in doc.data or "part" in doc.data):
                what = "a map file (map.yaml)" if "argmap" in doc.data else "a part file of a map"
                raise ValidationError([doc.diag((), f"this is {what}, not an overlay",
                                                f"give the map's folder, {path.parent}, as PATH (the first "
                                                "argument); --with takes an overlay, a file that starts with "
                                                "'overlay: NAME'")])
            from .overlayspecs import OverlayFile  # apart: a map read without overlays never makes it

            spec = read_spec(doc, OverlayFile, diags) if doc is not None else None
            if spec is None or doc is None:
                raise ValidationError(diags)
            self._seen[key] = (spec, doc)
        return self._seen[key]


def _path_like(text: str) -> bool:
    return "/" in text or "\\" in text or text.endswith((".yaml", ".yml"))


def find_overlay(name: str | Path, beside: Path | None = None) -> Path | None:
    """An overlay's file: ``name`` as a path, else ``NAME.yaml`` beside the referring file, else bundled.

    ``beside`` is the folder of the file that names it (None: the working directory, for ``--with``).
    Returns None when nothing matches.
    """
    from .bundled import bundled_overlay_path

    text = str(name)
    folder = beside if beside is not None else Path()
    note_folder(folder)             # what a name resolves to depends on this folder's listing
    direct = Path(text) if Path(text).is_absolute() else folder / text
    if direct.is_file() or isinstance(name, Path) or _path_like(text):
        return direct
    for cand in (folder / f"{text}.yaml", folder / f"{text}.yml"):
        if cand.is_file():
            return cand
    try:
        return bundled_overlay_path(text)
    except ArgmapError:
        return None


def bundled_overlay_names() -> list[str]:
    from .bundled import arguments_dir

    try:
        return sorted(p.stem for sub in ("critiques", "viewpoints") for p in (arguments_dir() / sub).glob("*.yaml"))
    except ArgmapError:
        return []


def resolve_overlay(name: str | Path, beside: Path | None = None) -> Path:
    """Like :func:`find_overlay`, but an unknown name is a :class:`~argmap.base.errors.QueryError` with did-you-mean."""
    found = find_overlay(name, beside)
    if found is not None:
        return found
    names = bundled_overlay_names()
    hint = did_you_mean(str(name), names)
    raise QueryError(f"no overlay file or bundled overlay named '{name}'" + (f"; {hint}" if hint else "")
                     + (f" (bundled: {', '.join(names)})" if names else ""))


def load_stages(path: str | Path | None = None, overlays: Iterable[str | Path] = (), *,
                start: Sequence[Stage] | None = None, reader: OverlayReader | None = None) -> list[Stage]:
    """The base map, then the map after each overlay, each applied and checked: the one loading path.

    Overlay names resolve beside the referring file (the working directory for ``overlays``), then
    among the bundled ones. An overlay's ``builds_on`` names that are not applied yet are loaded
    first, as stages of their own. ``start`` continues from stages already loaded (``path`` unused).
    Raises :class:`~argmap.base.errors.ValidationError` listing every problem found.
    """
    reader = reader or OverlayReader()
    if start is None:
        folder = _resolve_folder(path)
        diags: list[Diagnostic] = []
        amap = _load_base(folder, diags)
        if amap is not None and not diags:
            diags += check_map(amap)
        if diags or amap is None:
            raise ValidationError(diags)
        stages = [Stage(amap)]
    else:
        stages = list(start)
    for item in overlays:
        _apply_file(stages, resolve_overlay(item), reader, ())
    return stages


def _apply_file(stages: list[Stage], path: Path, reader: OverlayReader, pending: tuple[Path, ...]) -> None:
    from .overlay import apply_overlay

    spec, doc = reader.read(path)
    key = resolved(path)
    for i, need in enumerate(spec.builds_on):
        if need in stages[-1].map.overlays:
            continue
        found = find_overlay(need, path.parent)
        if found is None or not found.is_file():
            hint = (f"put {need}.yaml beside this file, or apply it first: --with <path to {need}.yaml> "
                    "before this file")
            raise ValidationError([doc.diag(("builds_on", i), f"this overlay builds on '{need}', which is not "
                                            "applied and is neither beside this file nor bundled", hint)])
        if resolved(found) in pending or resolved(found) == key:
            raise ValidationError([doc.diag(("builds_on", i), f"'{need}' builds on this overlay in turn: "
                                            "a cycle of builds_on", "remove one of the two builds_on entries")])
        dep, _ = reader.read(found)
        if dep.overlay not in stages[-1].map.overlays:
            _apply_file(stages, found, reader, pending + (key,))
    amap, diags = apply_overlay(stages[-1].map, spec, doc)
    diags = diags or check_map(amap)
    if diags:
        raise ValidationError(diags)
    stages.append(Stage(amap, path, spec, doc))


def load_map(path: str | Path | None = None, overlays: Iterable[str | Path] = ()) -> ArgumentMap:
    """Load the map at ``path`` (the bundled report map if None) and apply ``overlays`` in order.

    Raises :class:`~argmap.base.errors.ValidationError` listing every problem found.
    """
    return load_stages(path, overlays)[-1].map


def _read(path: Path, diags: list[Diagnostic], folder: Path | None = None, part: bool = True) -> YamlDoc | None:
    """Read one YAML file, or add why not to ``diags``. A map's own files (``folder`` given) must be
    files inside the folder: a folder named like a part file, or a symlink leading elsewhere, is refused."""
    raw = _read_bytes(path, diags, folder, part)
    return None if raw is None else _parse(raw, path, diags)


def _read_bytes(path: Path, diags: list[Diagnostic], folder: Path | None = None, part: bool = True) -> bytes | None:
    """:func:`_read`'s first half: the file's bytes (noted for the cache), or None with why not in ``diags``."""
    if folder is not None:
        outside = inside(path, folder)
        if outside is not None:
            diags.append(outside)
            return None
        if part and path.is_dir():
            diags.append(Diagnostic("a folder named like a part file: a map reads the *.yaml files of its own "
                                    "folder, never sub-folders", path, hint="rename the folder (or remove it)"))
            return None
    elif path.is_dir():
        diags.append(Diagnostic("expected an overlay file, got a folder", path,
                                hint="overlays are single YAML files, e.g. arguments/critiques/pope-2023.yaml"))
        return None
    try:
        return read_bytes(path, folder)
    except ValidationError as err:
        diags.extend(err.diagnostics)
        return None


def _parse(raw: bytes, path: Path, diags: list[Diagnostic]) -> YamlDoc | None:
    """:func:`_read`'s second half: the parsed file, or None with why not in ``diags``."""
    try:
        return parse_yaml(raw, path)
    except ValidationError as err:
        diags.extend(err.diagnostics)
        return None


FORK_BYTES = 512 * 1024
"""Part files of at least this many bytes in all are parsed in two halves at once, when a core is idle:
the later files in a forked child (:mod:`argmap.base.forked`) while this process parses and validates
the earlier ones."""


def _parsed_parts(paths: list[Path], folder: Path) -> Iterator[tuple[list[Diagnostic], YamlDoc | None]]:
    """Each part file read (in order, each noted for the cache here), then parsed: what went wrong and
    the document (or None), in file order and the same with or without a child."""
    read: list[tuple[Path, list[Diagnostic], bytes | None]] = []
    for path in paths:
        diags: list[Diagnostic] = []
        read.append((path, diags, _read_bytes(path, diags, folder)))
    upto = list(itertools.accumulate(len(raw or b"") for _, _, raw in read))
    split = len(read)
    if len(read) > 1 and upto[-1] >= FORK_BYTES and can_fork() and _core_to_spare():
        split = min(len(read) - 1, next(i + 1 for i, n in enumerate(upto) if 2 * n >= upto[-1]))
    later = read[split:]

    def parse_later() -> list[tuple[list[Diagnostic], YamlDoc | None]]:
        out = []
        for path, _, raw in later:
            diags: list[Diagnostic] = []
            out.append((diags, None if raw is None else _parse(raw, path, diags)))
        return out
    pending = start(parse_later) if later else None
    try:
        for path, diags, raw in read[:split]:
            yield diags, None if raw is None else _parse(raw, path, diags)
        if pending is not None:
            for (_, diags, _), (more, doc) in zip(later, pending.result(), strict=True):
                yield diags + more, doc
    finally:
        if pending is not None:
            pending.cancel()


def _load_base(folder: Path, diags: list[Diagnostic]) -> ArgumentMap | None:
    head_doc = _read(folder / MAP_FILE, diags, folder)
    head = read_spec(head_doc, MapFile, diags) if head_doc else None
    located: list[Located] = []
    part_of: dict[int, str | None] = {}
    broken: set[str] = set()
    paths = [p for p in map_files(folder) if not (head and head.toc and p.name == head.toc)]
    for read_diags, doc in _parsed_parts(paths, folder):
        diags += read_diags
        if doc is None:
            continue
        spec = read_spec(doc, PartFile, diags)
        if spec is None:
            # report this file's other, independent problems too: resolve the claims that are valid alone
            good, bad = _valid_claims(doc)
            broken |= bad
            part = doc.data.get("part") if isinstance(doc.data, dict) else None
            for i, claim in good:
                item = Located(claim, doc, ("claims", i))
                part_of[id(item)] = part if isinstance(part, str) else None
                located.append(item)
            continue
        if head and spec.part and head.parts and spec.part not in head.parts:
            diags.append(doc.diag(("part",), f"part '{spec.part}' is not listed in {MAP_FILE} parts",
                                  did_you_mean(spec.part, head.parts) or f"add it under parts: in {MAP_FILE}"))
        for i, claim in enumerate(spec.claims):
            item = Located(claim, doc, ("claims", i))
            part_of[id(item)] = spec.part
            located.append(item)
            if head and head.parts and claim.part is not None and claim.part not in head.parts:
                diags.append(item.diag(("part",), f"part '{claim.part}' is not listed in {MAP_FILE} parts",
                                       did_you_mean(claim.part, head.parts) or f"add it under parts: in {MAP_FILE}"))
    if head is None or head_doc is None:
        return None
    claims, relations, rdiags = resolve_claims(located, {}, part_of=part_of)
    # a reference to a claim that failed validation is not a second problem
    diags += [d for d in rdiags if not any(d.message.endswith(f" '{b}' is not a claim in this map") for b in broken)]
    toc = _read_toc(folder, head, diags, head_doc)
    scenarios = {}
    observations = {}
    for name, sc in head.scenarios.items():
        scenarios[name], obs = scenario_from_spec(name, sc, Located(sc, head_doc, ("scenarios", name)), claims, diags)
        for o in obs:
            claims[o.id] = observation_claim(o)
            observations[o.id] = o
    return ArgumentMap(
        name=head.name, target=head.target, claims=claims, relations=tuple(relations), title=head.title,
        source=dict(head.source), parts=dict(head.parts), scenarios=scenarios,
        default_scenario=head.default_scenario, context_sections=dict(head.context_sections), toc=toc,
        coverage=(head.coverage.from_, head.coverage.to) if head.coverage else None, root=folder,
        stated=tuple(s.to_stated() for s in head.stated), observations=observations,
        crux_groups={name: tuple(g.claims) for name, g in head.crux_groups.items()},
        scale=head.scale or "argmap",
        correlation=(head.correlation.value, head.correlation.rationale) if head.correlation else None,
        header={k: Origin(head_doc.path, *(head_doc.pos((k,)) or (None, None)))
                for k in ("target", "default_scenario", "stated", "crux_groups", "scale") if k in head_doc.data})


def _valid_claims(doc: YamlDoc) -> tuple[list[tuple[int, Any]], set[str]]:
    """The claims of a part file that failed validation which are valid on their own (with their index),
    and the ids of the others."""
    from .specs import ClaimSpec

    raw = doc.data.get("claims") if isinstance(doc.data, dict) else None
    good: list[tuple[int, Any]] = []
    bad: set[str] = set()
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        try:
            good.append((i, ClaimSpec.model_validate(item)))
        except pydantic.ValidationError:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                bad.add(item["id"])
    return good, bad


def _read_toc(folder: Path, head: MapFile, diags: list[Diagnostic],
              head_doc: YamlDoc | None = None) -> tuple[tuple[str, str], ...]:
    if not head.toc:
        return ()
    path = folder / head.toc
    if head_doc is not None:
        if Path(head.toc).name != head.toc or head.toc in (".", ".."):
            diags.append(head_doc.diag(("toc",), f"toc '{head.toc}' must be a file name in the map folder",
                                       "write just the file's name, e.g. toc: toc.yaml"))
            return ()
        if not os.path.lexists(path):
            diags.append(head_doc.diag(("toc",), f"toc file '{head.toc}' is not in the map folder",
                                       "create it, or remove the toc: line"))
            return ()
    doc = _read(path, diags, folder, part=False)
    if doc is None:
        return ()
    data = doc.data
    if not isinstance(data, list):
        diags.append(doc.diag((), "a table of contents is a list of {section, title} entries"))
        return ()
    out = []
    for i, entry in enumerate(data):
        if not (isinstance(entry, dict) and set(entry) == {"section", "title"}):
            diags.append(doc.diag((i,), "each entry needs exactly `section` and `title`"))
            continue
        out.append((str(entry["section"]), str(entry["title"])))
    return tuple(out)


# ------------------------------------------------------------------------------ pydantic errors

def read_spec(doc: YamlDoc, model: type[BaseModel], diags: list[Diagnostic]) -> Any:
    """Validate a document against a file model; append positioned diagnostics and return None on error."""
    data = doc.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        diags.append(doc.diag((), f"expected a mapping of fields at the top of the file, got a {type(data).__name__}",
                              _top_hint(model)))
        return None
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as err:
        seen = set()
        for e in err.errors():
            d = _pydantic_diag(doc, model, e)
            if (d.line, d.column, d.message) not in seen:
                seen.add((d.line, d.column, d.message))
                diags.append(d)
        return None


def _top_hint(model: type[BaseModel]) -> str:
    return {
        "MapFile": "a map.yaml starts with `argmap: 1`, `name:` and `target:`",
        "PartFile": "a part file has `part:` and a list `claims:`",
        "OverlayFile": "an overlay file starts with `overlay: NAME` and `author:`",
    }.get(model.__name__, "the format: argmap docs format")


def _clean_loc(data: Any, loc: tuple) -> tuple:
    """Keep only the loc parts that index into the data (pydantic adds union/validator labels)."""
    out: list = []
    cur = data
    for part in loc:
        if isinstance(cur, dict) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and isinstance(part, str) and part.endswith("_") and part[:-1] in cur:
            out.append(part[:-1])
            cur = cur[part[:-1]]
        else:
            if isinstance(part, str) and not any(c in part for c in "[]-") and not out[-1:] == [part]:
                out.append(part)
            break
    return tuple(out)


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The file model that holds the field at ``loc`` (for listing allowed fields)."""
    cur: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            return None
        fields = cur.model_fields
        name = part if part in fields else next((k for k, f in fields.items() if f.alias == part), None)
        if name is None:
            return None
        cur = _unwrap(fields[name].annotation)
    return cur if isinstance(cur, type) and issubclass(cur, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    for _ in range(6):
        origin = typing.get_origin(tp)
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if origin is typing.Annotated:
            tp = args[0]
        elif args and origin in (list, typing.Union, types.UnionType):
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            tp = models[0] if models else args[0]
        else:
            return tp
    return tp


def _field_names(m: type[BaseModel]) -> list[str]:
    return [f.alias or k for k, f in m.model_fields.items()]


def _pydantic_diag(doc: YamlDoc, model: type[BaseModel], e: Mapping[str, Any]) -> Diagnostic:
    loc = _clean_loc(doc.data, tuple(e["loc"]))
    kind = e["type"]
    field = loc[-1] if loc else None
    msg = str(e.get("msg", "invalid value")).removeprefix("Value error, ")
    hint = None
    if kind == "extra_forbidden":
        holder = _model_at(model, loc[:-1])
        allowed = _field_names(holder) if holder else []
        msg = f"unknown field '{field}'"
        hint = did_you_mean(str(field), allowed) or (f"allowed fields: {', '.join(allowed)}" if allowed else None)
        if " " in str(field).strip():
            hint = "this looks like text split at a ': ' — put quotes around text that contains a colon"
        return doc.diag(loc, msg, hint, key=True)
    if kind == "missing":
        msg = f"missing required field '{field}'"
        holder = _model_at(model, loc[:-1])
        if holder and field in holder.model_fields and holder.model_fields[field].description:
            hint = f"{field}: {holder.model_fields[field].description}"
        return doc.diag(loc[:-1], msg, hint)
    if kind == "string_pattern_mismatch" and field in ("id", "claim", "to", "from", "given") or (
            kind == "string_pattern_mismatch" and isinstance(field, int)):
        value = e.get("input")
        msg = f"{value!r} is not a valid claim id"
        bad = next((i for i, ch in enumerate(str(value)) if not ("a" <= ch <= "z" or "0" <= ch <= "9" or ch == "_")),
                   None)
        if bad is not None:     # name the character: a Cyrillic 'а' looks exactly like a Latin 'a'
            msg += f": character {bad + 1} is {describe_char(str(value)[bad])}"
        hint = "ids use lowercase letters, digits and underscores, and start with a letter"
    elif kind == "string_pattern_mismatch" and field == "section":
        msg = f"{e.get('input')!r} is not a section number"
        hint = "write sections like \"2.3.1.1\" (quoted)"
    elif kind == "string_pattern_mismatch" and field == "relation":
        msg = f"{e.get('input')!r} is not a relation"
        hint = "write a relation as \"source_id -> target_id\""
    elif kind == "literal_error":
        msg = f"{e.get('input')!r} is not allowed here: {msg.removeprefix('Input should be ')}"
    elif kind in ("dict_type", "list_type", "model_type", "string_type", "float_type", "int_type"):
        got = type(e.get("input")).__name__
        want = {"dict_type": "a mapping", "model_type": "a mapping", "list_type": "a list",
                "string_type": "text", "float_type": "a number", "int_type": "a whole number"}[kind]
        msg = f"'{field}' should be {want}, not {'a ' + got if got != 'NoneType' else 'empty'}"
    elif kind == "string_too_short":
        msg = f"'{field}' must not be empty"
    if field is not None and not msg.startswith(("'", "unknown", "missing")) and kind not in ("literal_error",):
        msg = f"{field}: {msg}" if isinstance(field, str) else msg
    return doc.diag(loc, msg, hint)
