"""Safe YAML reading that remembers where every value came from.

Files are composed into YAML nodes with PyYAML's ``SafeLoader`` and converted to plain Python by
this module, never by a YAML constructor, so no tag can build an object: only strings, numbers,
booleans, nulls, lists and mappings exist. Each value's 1-based ``(line, column)`` is kept in a
table keyed by its path (``("claims", 3, "credence")``), which is how every later error points at
the text (read on first use where the fast path leaves it out: :class:`YamlDoc`). Limits on size,
nesting and alias expansion keep hostile files from exhausting memory.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Diagnostic, ValidationError
from .quantity import MAX_NUMBER_CHARS, check_number_text
from .readfile import read_guarded
from .readlog import record_file
from .textsafe import UNSAFE, UNSAFE_RAW, describe_char, first_unsafe
from .yamllines import block_data
from .yamlresolve import BOOLS as _BOOLS
from .yamlresolve import RESOLVERS as _RESOLVERS

if TYPE_CHECKING:
    import yaml
else:
    class _LazyYaml:
        """PyYAML, imported on first use: a file the line reader takes needs none of it (~11 ms to import)."""

        def __getattr__(self, name: str) -> Any:
            import yaml as module
            globals()["yaml"] = module             # from now on the module itself
            return getattr(module, name)

    yaml = _LazyYaml()

__all__ = ["YamlDoc", "read_yaml", "read_bytes", "parse_yaml", "MAX_FILE_BYTES", "MAX_VALUES", "MAX_DEPTH"]

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Largest argument file read (bytes); larger files are refused before reading (docs/security.md)."""
MAX_VALUES = 200_000
"""Most values one file may hold after YAML aliases are expanded (stops "billion laughs")."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted."""

Pos = tuple[int, int]

_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_T + "str", _T + "int", _T + "float", _T + "bool", _T + "null", _T + "timestamp"}


def _complete_table(name: str) -> Any:
    """A position table of :class:`YamlDoc`, completed from the text before it is read or replaced."""
    def get(doc: YamlDoc) -> dict[tuple, Pos]:
        doc._complete()
        return getattr(doc, name)

    def put(doc: YamlDoc, value: dict[tuple, Pos]) -> None:
        doc._complete()
        setattr(doc, name, value)
    return property(get, put)


class YamlDoc:
    """A parsed file: its data, and the position of each value and each mapping key by path.

    The fast path records only where each list, mapping, list item and written top-level value starts (what
    origins and the map's header ask for); the position of any other value or key is found by reading the
    text again on the first question that needs it (an error's), so ``positions`` and ``key_positions`` are
    always complete when read."""

    def __init__(self, path: Path, data: Any, positions: dict[tuple, Pos] | None = None,
                 key_positions: dict[tuple, Pos] | None = None) -> None:
        self.path = path
        self.data = data
        self._positions: dict[tuple, Pos] = {} if positions is None else positions
        self._key_positions: dict[tuple, Pos] = {} if key_positions is None else key_positions
        self._text: str | None = None      # set while positions are partial: the text to read them from

    def _complete(self) -> None:
        text, self._text = self._text, None
        if text is not None:
            loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
            full = _plain_events(loader(text), self.path, True)
            self._positions, self._key_positions = full._positions, full._key_positions

    positions = _complete_table("_positions")
    key_positions = _complete_table("_key_positions")

    def pos(self, loc: tuple, *, key: bool = False) -> Pos | None:
        """Position of the value at ``loc`` (or of its key), falling back to the nearest parent."""
        loc = tuple(loc)
        found = self._positions.get(loc)
        if found is not None and not key:
            return found
        positions = self.positions
        if key and loc in self._key_positions:
            return self._key_positions[loc]
        while loc:
            if loc in positions:
                return positions[loc]
            loc = loc[:-1]
        return positions.get((), (1, 1))

    def diag(self, loc: tuple, message: str, hint: str | None = None, *, key: bool = False) -> Diagnostic:
        line, col = self.pos(loc, key=key) or (None, None)
        return Diagnostic(message, self.path, line, col, hint)


def read_yaml(path: Path, folder: Path | None = None) -> YamlDoc:
    """Read and parse one YAML file; raise :class:`ValidationError` with a position on any problem.

    ``folder``: the file must resolve inside it (a map's own files). The bytes read are noted for
    the compiled-map cache (:mod:`argmap.base.readlog`)."""
    path = Path(path)
    return parse_yaml(read_bytes(path, folder), path)


def read_bytes(path: Path, folder: Path | None = None) -> bytes:
    """The bytes :func:`read_yaml` parses: guarded, within the size limit, noted for the cache."""
    raw = read_guarded(path, MAX_FILE_BYTES, folder)      # regular files only, never past the limit
    record_file(path, raw, folder, MAX_FILE_BYTES)
    return raw


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
# For those, one loop over libyaml's parse events builds the data and where each collection and list
# item starts, with no node tree, no resolver call per scalar and no second walk (a 10,000-claim map:
# ~20x faster); the positions of other values and of keys, which only errors ask for, are read by the
# same loop again on first use (YamlDoc).
# Anything else — an anchor or alias, an explicit tag, a merge key, a non-scalar or duplicate key,
# several documents, a syntax error, too deep or too many values — returns None, and the reference
# path above (compose, check expansion, convert) handles the file exactly as before. The result is
# the same data and the same positions (tests/test_yamlsafe_fast.py holds this). Before the events, the
# line reader of :mod:`argmap.base.yamllines` tries the file: block YAML of one-line values, read without
# libyaml (a 10,000-claim map ~2x faster again), declining to the events whatever else it meets.

_STR, _INT, _FLOAT, _BOOL, _NULL, _TIME = (_T + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?\Z")
_INTEGER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_POINT_DECIMAL = re.compile(r"[-+]?[0-9]+\.[0-9]+\Z")


class _NotPlain(Exception):
    """The file needs the reference path."""


def _plain_doc(text: str, path: Path) -> YamlDoc | None:
    if UNSAFE_RAW.search(text):                         # the reference path names the character
        return None
    try:
        lines = block_data(text, _plain_value, MAX_VALUES, MAX_DEPTH)
        if lines is not None:
            doc = YamlDoc(path, lines[0], lines[1])
        else:
            loader_cls = getattr(yaml, "CSafeLoader", None)
            if loader_cls is None:
                return None
            doc = _plain_events(loader_cls(text), path, False)
    except (_NotPlain, yaml.YAMLError):
        return None
    doc._text = text
    return doc


def _plain_scalar(ev: Any) -> Any:
    """The value of an untagged scalar event, resolved and constructed as the reference path does."""
    return _plain_value(ev.value) if ev.implicit[0] else ev.value      # quoted: always text


def _plain_value(value: str) -> Any:
    """The value of an unquoted, untagged scalar's text (raises :class:`_NotPlain` where the reference
    path must decide)."""
    if len(value) <= MAX_NUMBER_CHARS and _POINT_DECIMAL.match(value):
        return float(value)                            # resolves to float, and reads as below: the common number
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


def _plain_events(loader: Any, path: Path, full: bool) -> YamlDoc:
    """The data of a plain file from its parse events; positions of every value and key (``full``), or
    only of each list, mapping, list item and written top-level value (the rest are read again when asked for:
    :class:`YamlDoc`)."""
    get = loader.get_event
    _E = yaml.events
    doc = YamlDoc(path, None)
    positions, key_positions = doc._positions, doc._key_positions
    scalar_t, map_t, seq_t = _E.ScalarEvent, _E.MappingStartEvent, _E.SequenceStartEvent
    map_end, seq_end = _E.MappingEndEvent, _E.SequenceEndEvent
    unsafe = UNSAFE.search
    memo: dict[str, Any] = {}                          # plain scalar text -> its value (keys repeat)
    no_key = _NO_KEY
    ev = get()
    if type(ev) is not _E.StreamStartEvent:
        raise _NotPlain
    ev = get()
    if type(ev) is _E.StreamEndEvent:
        positions[()] = (1, 1)
        return doc
    if type(ev) is not _E.DocumentStartEvent:
        raise _NotPlain
    # the open collection: its container, path, whether a mapping, its pending key (mappings) or next
    # index (lists); the ones around it on the stack. A new collection joins its parent when it starts.
    root: Any = _NO_KEY
    cont: Any = None
    is_map = False
    key: Any = no_key
    loc: tuple = ()
    idx = 0
    stack: list[tuple] = []
    count = 0
    while True:
        ev = get()
        t = type(ev)
        if t is scalar_t:
            tag = ev.tag
            if ev.anchor is not None or (tag is not None and tag != "!"):
                raise _NotPlain
            text = ev.value
            if tag == "!" or not ev.implicit[0]:
                if ev.style == '"' and unsafe(text):
                    raise _NotPlain                    # an escape such as "\e" made a control character
                value = text
            else:
                value = memo.get(text, no_key)
                if value is no_key:
                    value = memo[text] = _plain_scalar(ev)
            if is_map:
                if key is no_key:                      # this scalar is a key
                    if value is True or value is False:
                        value = "true" if value else "false"
                    elif value is None or type(value) is float:
                        raise _NotPlain
                    if value in cont:
                        raise _NotPlain
                    if full:
                        mark = ev.start_mark
                        key_positions[loc + (value,)] = (mark.line + 1, mark.column + 1)
                    key = value
                    continue
                if full or not loc and ev.end_mark.index > ev.start_mark.index:   # top level: if written
                    mark = ev.start_mark
                    positions[loc + (key,)] = (mark.line + 1, mark.column + 1)
                cont[key] = value
                key = no_key
            elif cont is not None:
                mark = ev.start_mark
                positions[loc + (idx,)] = (mark.line + 1, mark.column + 1)
                cont.append(value)
                idx += 1
            else:                                      # the document is one scalar
                mark = ev.start_mark
                positions[()] = (mark.line + 1, mark.column + 1)
                root = value
                break
            count += 1
            if count > MAX_VALUES or len(stack) > MAX_DEPTH:
                raise _NotPlain
        elif t is map_t or t is seq_t:
            tag = ev.tag
            if ev.anchor is not None or (tag is not None and tag != "!"):
                raise _NotPlain
            new: Any = {} if t is map_t else []
            if is_map:
                if key is no_key:
                    raise _NotPlain                    # a collection as a key
                sub = loc + (key,)
                cont[key] = new
            elif cont is not None:
                sub = loc + (idx,)
                cont.append(new)
            else:
                sub = ()
                root = new
            mark = ev.start_mark
            positions[sub] = (mark.line + 1, mark.column + 1)
            count += 1
            if count > MAX_VALUES or len(stack) > MAX_DEPTH:
                raise _NotPlain
            stack.append((cont, is_map, key, loc, idx))
            cont, is_map, key, loc, idx = new, t is map_t, no_key, sub, 0
        elif t is map_end or t is seq_end:
            cont, is_map, key, loc, idx = stack.pop()
            if cont is None:
                break
            if is_map:
                key = no_key
            else:
                idx += 1
        else:
            raise _NotPlain                            # an alias or anything unexpected
    if type(get()) is not _E.DocumentEndEvent or type(get()) is not _E.StreamEndEvent:
        raise _NotPlain                                # a second document: the reference path says so
    doc.data = root
    return doc


_NO_KEY = object()
