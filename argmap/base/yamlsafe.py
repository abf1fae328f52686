"""Safe YAML reading that remembers where every value came from.

Files are composed into YAML nodes with PyYAML's ``SafeLoader`` and converted to plain Python by
this module, never by a YAML constructor, so no tag can build an object: only strings, numbers,
booleans, nulls, lists and mappings exist. Each value's 1-based ``(line, column)`` is kept in a
table keyed by its path (``("claims", 3, "credence")``), which is how every later error points at
the text. Limits on size, nesting and alias expansion keep hostile files from exhausting memory.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic, ValidationError
from .quantity import check_number_text
from .readfile import read_guarded
from .readlog import record_file
from .textsafe import UNSAFE, UNSAFE_RAW, describe_char, first_unsafe

__all__ = ["YamlDoc", "read_yaml", "parse_yaml", "MAX_FILE_BYTES", "MAX_VALUES", "MAX_DEPTH"]

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Largest argument file read (bytes); larger files are refused before reading (docs/security.md)."""
MAX_VALUES = 200_000
"""Most values one file may hold after YAML aliases are expanded (stops "billion laughs")."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted."""

Pos = tuple[int, int]

_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_T + "str", _T + "int", _T + "float", _T + "bool", _T + "null", _T + "timestamp"}


@dataclass
class YamlDoc:
    """A parsed file: its data, and the position of each value and each mapping key by path."""

    path: Path
    data: Any
    positions: dict[tuple, Pos] = field(default_factory=dict)
    key_positions: dict[tuple, Pos] = field(default_factory=dict)

    def pos(self, loc: tuple, *, key: bool = False) -> Pos | None:
        """Position of the value at ``loc`` (or of its key), falling back to the nearest parent."""
        loc = tuple(loc)
        if key and loc in self.key_positions:
            return self.key_positions[loc]
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (1, 1))

    def diag(self, loc: tuple, message: str, hint: str | None = None, *, key: bool = False) -> Diagnostic:
        line, col = self.pos(loc, key=key) or (None, None)
        return Diagnostic(message, self.path, line, col, hint)


def read_yaml(path: Path, folder: Path | None = None) -> YamlDoc:
    """Read and parse one YAML file; raise :class:`ValidationError` with a position on any problem.

    ``folder``: the file must resolve inside it (a map's own files). The bytes read are noted for
    the compiled-map cache (:mod:`argmap.base.readlog`)."""
    path = Path(path)
    raw = read_guarded(path, MAX_FILE_BYTES, folder)      # regular files only, never past the limit
    record_file(path, raw, folder, MAX_FILE_BYTES)
    return parse_yaml(raw, path)


def parse_yaml(raw: bytes | str, path: Path | str = "<input>") -> YamlDoc:
    """Parse YAML text (bytes are decoded as UTF-8) into a :class:`YamlDoc`."""
    path = Path(path)
    if isinstance(raw, bytes):
        if len(raw) > MAX_FILE_BYTES:
            raise ValidationError([Diagnostic(
                f"input is {len(raw):,} bytes; argument files are limited to {MAX_FILE_BYTES:,}", path, 1, 1)])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = raw[: err.start].count(b"\n") + 1
            col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
            raise ValidationError([Diagnostic(
                f"file is not valid UTF-8 (byte 0x{raw[err.start]:02x})", path, line, col,
                "save the file as UTF-8")]) from err
    else:
        text = raw
    if text.startswith("\ufeff"):
        text = text[1:]
    fast = _plain_doc(text, path)
    return fast if fast is not None else _reference_doc(text, path)


def _reference_doc(text: str, path: Path) -> YamlDoc:
    """Compose nodes, refuse alias bombs, then convert: every file the fast path declines comes here."""
    try:
        nodes = _compose(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        msg = f"YAML syntax error: {err.problem or err.context}"
        at = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ValidationError([Diagnostic(msg, path, at[0], at[1],
                                          "check indentation, colons and quoting near this point")]) from err
    except yaml.reader.ReaderError as err:  # a character YAML forbids (NUL, other controls): point at it
        pos = min(max(int(err.position), 0), len(text))
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        char = err.character if isinstance(err.character, str) else chr(err.character)
        raise ValidationError([Diagnostic(f"character U+{ord(char):04X} is not allowed in YAML", path, line, col,
                                          "remove it; argument files are plain text")]) from err
    except yaml.YAMLError as err:
        raise ValidationError([Diagnostic(f"YAML error: {err}", path, 1, 1)]) from err
    except RecursionError as err:
        raise ValidationError([Diagnostic("YAML nesting is too deep", path, 1, 1)]) from err
    if len(nodes) > 1:
        n = nodes[1]
        raise ValidationError([Diagnostic("file holds more than one YAML document", path,
                                          n.start_mark.line + 1, n.start_mark.column + 1,
                                          "remove the '---' separator; use one file per document")])
    doc = YamlDoc(path, None)
    if not nodes or nodes[0] is None:
        doc.positions[()] = (1, 1)
        return doc
    _check_expansion(nodes[0], path)
    conv = _Converter(doc)
    doc.data = conv.convert(nodes[0], (), 0)
    if conv.problems:
        raise ValidationError(conv.problems)
    return doc


def _compose(text: str) -> list:
    """Compose YAML nodes with libyaml when available (tens of times faster); on any error, parse
    again with the pure-Python loader so messages and positions are always the same."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return list(yaml.compose_all(text, Loader=fast))
        except yaml.YAMLError:
            pass
    return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


def _children(node: yaml.Node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_expansion(root: yaml.Node, path: Path) -> None:
    """Refuse alias bombs before converting anything: count the expanded size of each distinct node once.

    A file of a few hundred bytes can alias its way to billions of values; counting shared nodes
    once (memoised, iteratively) takes time proportional to the file, not to the expansion.
    """
    size: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in size:
            continue
        kids = _children(node)
        if not done:
            active.add(key)
            stack.append((node, True))
            for k in kids:
                if id(k) in active:
                    raise ValidationError([Diagnostic(
                        "a YAML alias refers to the block that contains it (a recursive structure)", path,
                        k.start_mark.line + 1, k.start_mark.column + 1, "write the values out")])
                if id(k) not in size:
                    stack.append((k, False))
            continue
        active.discard(key)
        total = min(1 + sum(size[id(k)] for k in kids), MAX_VALUES + 1)
        size[key] = total
        if total > MAX_VALUES and all(size[id(k)] <= MAX_VALUES for k in kids):
            raise ValidationError([Diagnostic(
                f"file expands to more than {MAX_VALUES:,} values", path,
                node.start_mark.line + 1, node.start_mark.column + 1,
                "YAML aliases (*name) that repeat large blocks can explode in size; write values out")])


class _Converter:
    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self.count = 0
        self.problems: list[Diagnostic] = []
        self._scalar_loader = yaml.SafeLoader("")

    def _diag(self, node: yaml.Node, message: str, hint: str | None = None) -> Diagnostic:
        return Diagnostic(message, self.doc.path, node.start_mark.line + 1, node.start_mark.column + 1, hint)

    def _bad_tag(self, node: yaml.Node) -> Diagnostic:
        tag = node.tag.replace(_T, "!!", 1)
        return self._diag(node, f"unsupported YAML tag {tag}; it is not constructed",
                          "argument files hold plain data (text, numbers, true/false, lists, mappings): "
                          "remove the tag")

    def convert(self, node: yaml.Node, loc: tuple, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise ValidationError([self._diag(
                node, f"file expands to more than {MAX_VALUES:,} values",
                "YAML aliases (*name) that repeat large blocks can explode in size; write values out")])
        if depth > MAX_DEPTH:
            raise ValidationError([self._diag(node, f"values nested more than {MAX_DEPTH} levels deep")])
        self.doc.positions.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _T + "seq":
                self.problems.append(self._bad_tag(node))
            return [self.convert(item, loc + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != _T + "map":
                self.problems.append(self._bad_tag(node))
            out: dict = {}
            for knode, vnode in node.value:
                if knode.tag == _T + "merge":
                    self.problems.append(self._diag(knode, "YAML merge keys ('<<') are not supported",
                                                    "write the fields out in full"))
                    continue
                if not isinstance(knode, yaml.ScalarNode):
                    self.problems.append(self._diag(knode, "mapping keys must be plain names"))
                    continue
                key = self._scalar(knode)
                if isinstance(key, bool):
                    key = "true" if key else "false"
                if not isinstance(key, (str, int, float)) or key is None:
                    self.problems.append(self._diag(knode, "mapping keys must be plain names"))
                    continue
                if isinstance(key, float):
                    key = repr(key)
                if key in out:
                    self.problems.append(self._diag(knode, f"duplicate key {key!r}",
                                                    "each key may appear once in a mapping"))
                    continue
                self.doc.key_positions[loc + (key,)] = (knode.start_mark.line + 1, knode.start_mark.column + 1)
                out[key] = self.convert(vnode, loc + (key,), depth + 1)
            return out
        raise ValidationError([self._diag(node, "unsupported YAML node")])  # pragma: no cover

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self.problems.append(self._bad_tag(node))
            return node.value
        if node.tag in (_T + "str", _T + "timestamp"):
            bad = first_unsafe(node.value)
            if bad is not None:
                self.problems.append(self._diag(
                    node, f"text holds {describe_char(bad[1])} at character {bad[0] + 1}",
                    "control and bidirectional-formatting characters are refused: a terminal would obey "
                    "them or a reader would see the text reordered; remove it"))
            return node.value
        if node.tag in (_T + "int", _T + "float"):
            try:
                check_number_text(node.value)
            except ValueError:
                return node.value     # kept as text: where a number is expected, the message names the limit
        try:
            value = self._scalar_loader.construct_object(node)
        except (ValueError, OverflowError, yaml.YAMLError):
            return node.value
        if isinstance(value, float) and not math.isfinite(value):
            return value  # NaN/inf reach validation, which names them
        return value


# ------------------------------------------------------------------------------- the fast path
# Nearly every argument file is plain block YAML: mappings with plain keys, lists and untagged scalars.
# For those, one loop over libyaml's parse events builds the data and the position tables directly,
# with no node tree, no resolver call per scalar and no second walk (a 10,000-claim map: ~20x faster).
# Anything else — an anchor or alias, an explicit tag, a merge key, a non-scalar or duplicate key,
# several documents, a syntax error, too deep or too many values — returns None, and the reference
# path above (compose, check expansion, convert) handles the file exactly as before. The result is
# the same data and the same positions (tests/test_yamlsafe_fast.py holds this).

_E = yaml.events
_RESOLVERS = {first: tuple(rs) for first, rs in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}
_STR, _INT, _FLOAT, _BOOL, _NULL, _TIME = (_T + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?\Z")
_INTEGER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_BOOLS = yaml.constructor.SafeConstructor.bool_values


class _NotPlain(Exception):
    """The file needs the reference path."""


def _plain_doc(text: str, path: Path) -> YamlDoc | None:
    loader_cls = getattr(yaml, "CSafeLoader", None)
    if loader_cls is None or UNSAFE_RAW.search(text):     # the reference path names the character
        return None
    try:
        return _plain_events(loader_cls(text), path)
    except (_NotPlain, yaml.YAMLError):
        return None


def _plain_scalar(ev: Any) -> Any:
    """The value of an untagged scalar event, resolved and constructed as the reference path does."""
    value = ev.value
    if not ev.implicit[0]:
        return value                                   # quoted: always text
    rs = _RESOLVERS.get(value[:1])
    if rs is None:
        return value
    tag = next((t for t, rx in rs if rx.match(value)), _STR)
    if tag == _STR or tag == _TIME:
        return value                                   # timestamps stay text, as in the reference path
    if tag == _FLOAT and _DECIMAL.match(value):
        try:
            check_number_text(value)
        except ValueError:
            raise _NotPlain from None                  # the reference path keeps it as text, refused where used
        return float(value)
    if tag == _INT and len(value) < 19 and _INTEGER.match(value):
        return int(value)
    if tag == _BOOL:
        return _BOOLS[value.lower()]
    if tag == _NULL:
        return None
    raise _NotPlain                                    # octal, sexagesimal, .inf, merge, timestamp...


def _plain_events(loader: Any, path: Path) -> YamlDoc:
    get = loader.get_event
    doc = YamlDoc(path, None)
    positions, key_positions = doc.positions, doc.key_positions
    scalar_t, map_t, seq_t = _E.ScalarEvent, _E.MappingStartEvent, _E.SequenceStartEvent
    map_end, seq_end = _E.MappingEndEvent, _E.SequenceEndEvent
    unsafe = UNSAFE.search
    memo: dict[str, Any] = {}                          # plain scalar text -> its value (keys repeat)
    ev = get()
    if type(ev) is not _E.StreamStartEvent:
        raise _NotPlain
    ev = get()
    if type(ev) is _E.StreamEndEvent:
        positions[()] = (1, 1)
        return doc
    if type(ev) is not _E.DocumentStartEvent:
        raise _NotPlain
    # one frame per open collection: [container, loc, is_map, pending key (maps), next index (lists)]
    stack: list[list] = []
    parent: list | None = None
    count = 0
    root: Any = None
    while True:
        ev = get()
        t = type(ev)
        if t is map_end or t is seq_end:
            value = stack.pop()[0]
            parent = stack[-1] if stack else None
        else:
            if t is not scalar_t and t is not map_t and t is not seq_t:
                raise _NotPlain                        # alias or anything unexpected
            tag = ev.tag
            if ev.anchor is not None or (tag is not None and tag != "!"):
                raise _NotPlain
            if t is scalar_t:
                text = ev.value
                if tag == "!" or not ev.implicit[0]:
                    if ev.style == '"' and unsafe(text):
                        raise _NotPlain                # an escape such as "\e" made a control character
                    value = text
                else:
                    value = memo.get(text, _NO_KEY)
                    if value is _NO_KEY:
                        value = memo[text] = _plain_scalar(ev)
            mark = ev.start_mark
            pos = (mark.line + 1, mark.column + 1)
            if parent is not None:
                if parent[2]:
                    key = parent[3]
                    if key is _NO_KEY:                 # this event is a key
                        if t is not scalar_t:
                            raise _NotPlain
                        key = value
                        if key is True or key is False:
                            key = "true" if key else "false"
                        elif key is None or type(key) is float:
                            raise _NotPlain
                        if key in parent[0]:
                            raise _NotPlain
                        key_positions[parent[1] + (key,)] = pos
                        parent[3] = key
                        continue
                    loc = parent[1] + (key,)
                else:
                    loc = parent[1] + (parent[4],)
            else:
                loc = ()
            count += 1
            if count > MAX_VALUES or len(stack) > MAX_DEPTH:
                raise _NotPlain
            positions[loc] = pos
            if t is not scalar_t:
                parent = [{} if t is map_t else [], loc, t is map_t, _NO_KEY, 0]
                stack.append(parent)
                continue
        if parent is None:
            root = value
            break
        if parent[2]:
            parent[0][parent[3]] = value
            parent[3] = _NO_KEY
        else:
            parent[0].append(value)
            parent[4] += 1
    if type(get()) is not _E.DocumentEndEvent or type(get()) is not _E.StreamEndEvent:
        raise _NotPlain                                # a second document: the reference path says so
    doc.data = root
    return doc


_NO_KEY = object()
