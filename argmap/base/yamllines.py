"""The quickest reading of plain block YAML: its lines split by one regular expression, then one loop.

Most argument files are block mappings and lists of plain or one-line quoted scalars, with perhaps
one-line flow collections (``{id: a, title: A}``, ``[0.1, 0.3]``). :func:`block_data` reads exactly
those, giving the data and where each collection, list item and top-level value starts, and returns None
for anything else — a multi-line or block scalar, an anchor, a tag, a tab, a carriage return, a line it
does not recognise — which :mod:`argmap.base.yamlsafe` then reads from libyaml's events as before. It never
decides what YAML means where libyaml could differ: what it accepts, libyaml parses to the same data
and positions (tests/test_yamllines.py holds this).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["block_data"]

# indent, "- " (a list item), "key:" (plain, or quoted without escapes) and the spaces after it, then a
# decimal number (read as :func:`argmap.base.yamlsafe` reads one: a float) or the rest of the line
_LINE = re.compile(r"^( *)(-(?: +|$))?(?:([A-Za-z0-9_][A-Za-z0-9_.+-]*|\"[^\"\\\\\n]{1,200}\"|'(?:[^'\n]|''){1,200}')"
                   r"(:(?: +|$)))?"
                   r"(?:([-+]?[0-9]{1,30}\.[0-9]{1,30}) *$|(.*)$)", re.M)
_REFUSED = re.compile("[\t\r\ufeff\ud800-\udfff\ufffe\uffff]")    # read by libyaml's events instead
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")                   # cannot start a plain scalar
_FLOW_PLAIN = re.compile(r"(?:[^\s,\[\]{}#&*!|>'\"%@`?:-]|-(?=[^\s,\[\]{}]))[^,\[\]{}#:?\n]*")
_FLOW_HARD = re.compile(r"[\[\]{}#?'\"&*!|>%@`\\]")                  # left to the full flow reader
_NO = object()
_BLOCK = object()
_HEADERS = frozenset((">", ">-", "|", "|-"))


def _flow_plain(text: str) -> bool:
    """Whether ``text`` (no flow indicators, no colon) starts as a plain scalar may start."""
    return text[0] != "-" or (len(text) > 1 and text[1] != " ")


class _Declined(Exception):
    """Not a file this module reads."""


def block_data(text: str, plain: Callable[[str], Any], max_values: int,
               max_depth: int) -> tuple[Any, dict[tuple, tuple[int, int]]] | None:
    """The data of ``text`` and the 1-based (line, column) of each collection, list item and written top-level
    value by path, or None. ``plain`` gives the value of an unquoted scalar (it may raise to decline the file)."""
    breaks = text.count("\n")
    if breaks > 2 * max_values or _REFUSED.search(text):
        return None                            # (so many lines: left to the paths that stop at the limit)
    lines = _LINE.findall(text)
    if len(lines) != breaks + 1:
        return None
    try:
        return _read(text, lines, plain, max_values, max_depth)
    except _Declined:
        return None


def _read(text: str, lines: list[tuple[str, str, str, str, str, str]], plain: Callable[[str], Any],
          max_values: int, max_depth: int) -> tuple[Any, dict[tuple, tuple[int, int]]]:
    positions: dict[tuple, tuple[int, int]] = {}
    memo: dict[str, Any] = {}                  # plain scalar text (always valid as a value) -> its value
    keys: dict[str, Any] = {}                  # key text -> the mapping key it makes
    no = _NO
    reader = _Values(text, positions, memo, plain, max_depth)
    value_of, map_value = reader.value, reader.map_value
    root: Any = no
    # the open collection: its container, whether a mapping, the column of its keys or dashes, its path,
    # whether a list written at its mapping key's column; the ones around it on the stack
    cont: Any = None
    is_map = False
    col = -1
    loc: tuple = ()
    indentless = False
    key: Any = no                              # a mapping's key whose value starts on a later line
    stack: list[tuple] = []
    count = 0                                  # values, as the reference path counts them
    keys_at = items_at = None                  # the open mapping's (list's) indent, while nothing is pending
    skip = 0                                   # the last line of a block scalar read ahead
    for n, (ind, dash, k, sep, num, rest) in enumerate(lines, 1):
        if n <= skip:
            continue
        if ind == keys_at and k and not dash:  # the commonest line: the open mapping's next key and its value
            kv = keys.get(k, no)
            if kv is no:
                kv = keys[k] = _key(k, memo, plain)
            if kv in cont:
                raise _Declined                # a duplicate key: the reference path names it
            if num:
                cont[kv] = float(num)
            elif rest:
                value = memo.get(rest, no)
                if value is no:
                    value = map_value(rest, n, col, len(k) + len(sep), loc + (kv,), len(stack))
                    skip = reader.skip
                cont[kv] = value
            else:
                key = kv
                keys_at = None
                continue
            if not loc:                        # a top-level value: where it starts (the loader's header asks)
                positions[(kv,)] = (n, col + len(k) + len(sep) + 1)
            count += 1
            continue
        if ind == items_at and dash and not k and (num or rest):   # the open list's next scalar item
            c = col + len(dash)
            sub = loc + (len(cont),)
            positions[sub] = (n, c + 1)
            value = float(num) if num else memo.get(rest, no)
            if value is no:
                value = value_of(rest, n, c, sub, len(stack))
                skip = reader.skip
            cont.append(value)
            count += 1
            continue
        if not dash and not k:
            if num or rest and rest[0] != "#":
                raise _Declined                # a scalar on a line of its own: continued text, or none of ours
            continue                           # blank or a comment
        keys_at = items_at = None
        i = len(ind)
        if key is not no:
            if i > col or (i == col and dash):  # the value is a collection starting here
                new: Any = [] if dash else {}
                sub = loc + (key,)
                cont[key] = new
                positions[sub] = (n, i + 1)
                stack.append((cont, is_map, col, loc, indentless))
                cont, is_map, indentless, col, loc = new, not dash, i == col, i, sub
                if len(stack) >= max_depth:
                    raise _Declined
            else:
                cont[key] = None
            count += 1
            key = no
        while col > i or (indentless and col == i and not dash):
            cont, is_map, col, loc, indentless = stack.pop()
        if col != i:
            if root is not no:
                raise _Declined                # misaligned, or a second top-level block
            root = [] if dash else {}
            positions[()] = (n, i + 1)
            count += 1
            stack.append((None, False, -1, (), False))
            cont, is_map, col, loc, indentless = root, not dash, i, (), False
        if is_map:
            if dash:
                raise _Declined
            c = i
        else:
            if not dash:
                raise _Declined
            c = i + len(dash)
            sub = loc + (len(cont),)
            positions[sub] = (n, c + 1)
            count += 1
            if not k:
                if not (num or rest):
                    raise _Declined            # "-" alone: what follows is the item
                value = float(num) if num else memo.get(rest, no)
                if value is no:
                    value = value_of(rest, n, c, sub, len(stack))
                    skip = reader.skip
                cont.append(value)
                items_at = ind
                continue
            new = {}                           # "- key: ...": a mapping as the item
            cont.append(new)
            stack.append((cont, is_map, col, loc, indentless))
            cont, is_map, col, loc, indentless = new, True, c, sub, False
            if len(stack) >= max_depth:
                raise _Declined
        kv = keys.get(k, no)
        if kv is no:
            kv = keys[k] = _key(k, memo, plain)
        if kv in cont:
            raise _Declined                    # a duplicate key: the reference path names it
        if num or rest:
            value = float(num) if num else memo.get(rest, no)
            if value is no:
                value = map_value(rest, n, c, len(k) + len(sep), loc + (kv,), len(stack))
                skip = reader.skip
            cont[kv] = value
            if not loc:
                positions[(kv,)] = (n, c + len(k) + len(sep) + 1)
            count += 1
            keys_at = " " * c
        else:
            key = kv
    if key is not no:
        cont[key] = None
        count += 1
    if root is no or count + reader.count > max_values:
        raise _Declined
    return root, positions


def _key(text: str, memo: dict[str, Any], plain: Callable[[str], Any]) -> Any:
    """The mapping key a plain or quoted scalar makes, as the reference path makes it, or decline."""
    if text[0] == "'" or text[0] == '"':
        return _quoted(text)                   # always text
    value = memo.get(text, _NO)
    if value is _NO:
        value = memo[text] = plain(text)
    if value is True or value is False:
        return "true" if value else "false"
    if value is None or type(value) is float:
        raise _Declined
    return value


class _Values:
    """Values written on one line: plain, quoted, or flow collections of those."""

    def __init__(self, text: str, positions: dict[tuple, tuple[int, int]], memo: dict[str, Any],
                 plain: Callable[[str], Any], max_depth: int) -> None:
        self.text, self.positions, self.memo, self.plain, self.max_depth = text, positions, memo, plain, max_depth
        self.count = 0
        self.raw: list[str] = []               # the text's lines, once a block scalar needs them
        self.skip = 0                          # the last line of the last block scalar or flow collection read
        self._segs: list[tuple[int, int, int]] = []   # the flow text's lines: where each starts, its number, column

    def map_value(self, rest: str, n: int, col: int, key: int, loc: tuple, depth: int) -> Any:
        """The value of a mapping whose keys are at column ``col``, written from ``key`` characters past
        it: :meth:`value`, or a block scalar with the lines that follow (:attr:`skip`: its last)."""
        value = self.value(rest, n, col + key, loc, depth, True)
        if value is _BLOCK:
            self.raw = self.raw or self.text.split("\n")
            value, self.skip = _block_scalar(self.raw, n, col, rest)
        return value

    def value(self, rest: str, n: int, c: int, loc: tuple, depth: int, block: bool = False) -> Any:
        """The value that ``rest`` (a line from column ``c``, 0-based, past any spaces) holds; counted by
        the caller (the values within a flow collection: here). With ``block``, a block scalar's header
        (``>``, ``>-``, ``|``, ``|-``) gives ``_BLOCK``: the caller reads the lines that follow. A flow
        collection whose line ends with a comma goes on over the lines that follow (:attr:`skip`: its last)."""
        ch = rest[0]
        if ch == "[" or ch == "{":
            simple = self._simple(rest, n, c, loc, depth + 1)
            if simple is not None:
                return simple
            self.count -= 1                    # counted by the caller
            self._segs = [(0, n, c)]
            if rest.rstrip(" ")[-1] == ",":
                rest = self._lines_on(rest, n, c)
            value, end = self._flow(rest, 0, loc, depth + 1)
            if rest[end:].strip(" "):
                raise _Declined                # a comment or more after it
            return value
        if ch == "'" or ch == '"':
            return _quoted(rest.rstrip(" "))
        if block and (ch == ">" or ch == "|") and rest.rstrip(" ") in _HEADERS:
            return _BLOCK
        if ch in _INDICATORS and not (ch == "-" and len(rest) > 1 and rest[1] != " "):
            raise _Declined
        cut = rest.find(" #")
        if cut >= 0:
            rest = rest[:cut]
        rest = rest.rstrip(" ")
        if ": " in rest or rest[-1] == ":":
            raise _Declined
        value = self.memo.get(rest, _NO)
        if value is _NO:
            value = self.memo[rest] = self.plain(rest)
        return value

    def _lines_on(self, rest: str, n: int, c: int) -> str:
        """``rest`` and the lines after line ``n`` while each ends with a comma (and the one after the last
        that does), joined by line breaks, each past its indent: more than ``c``, and none empty."""
        self.raw = self.raw or self.text.split("\n")
        j = n
        while True:
            if j >= len(self.raw):
                raise _Declined
            line = self.raw[j]
            body = line.lstrip(" ")
            k = len(line) - len(body)
            if not body.strip(" ") or k <= c:
                raise _Declined
            self._segs.append((len(rest) + 1, j + 1, k))
            rest += "\n" + body
            j += 1
            if body.rstrip(" ")[-1] != ",":
                self.skip = j
                return rest

    def _at(self, p: int) -> tuple[int, int]:
        """The 1-based (line, column) of the flow text's character ``p``."""
        for start, n, c in reversed(self._segs):
            if p >= start:
                return n, c + p - start + 1
        raise AssertionError(p)

    def _simple(self, rest: str, n: int, c: int, loc: tuple, depth: int) -> Any:
        """A flow collection of plain scalars, unnested, split at its commas (the large maps' form:
        ``{id: c1, title: Claim 1, credence: 0.2}``); None for any other, which :meth:`_flow` reads."""
        text = rest.rstrip(" ")
        inner = text[1:-1]
        is_map = text[0] == "{"
        if text[-1] != ("}" if is_map else "]") or _FLOW_HARD.search(inner) or depth >= self.max_depth:
            return None
        parts = inner.split(",")
        memo, plain, no = self.memo, self.plain, _NO
        out: Any
        if is_map:
            out = {}
            for part in parts:
                k, colon, v = part.partition(": ")
                k = k.lstrip(" ")
                v = v.strip(" ")
                if (not colon or not k or not v or ":" in k or ":" in v or k[-1] == " " or not _flow_plain(k)
                        or not _flow_plain(v)):
                    return None
                key = _key(k, memo, plain)
                if key in out:
                    return None
                value = memo.get(v, no)
                out[key] = memo.setdefault(v, plain(v)) if value is no else value
        else:
            out = []
            items = []
            at = c + 2                         # the 1-based column after the bracket
            for part in parts:
                v = part.strip(" ")
                if not v or ":" in v or not _flow_plain(v):
                    return None
                items.append((at + len(part) - len(part.lstrip(" ")), v))
                at += len(part) + 1
            for i, (column, v) in enumerate(items):
                self.positions[loc + (i,)] = (n, column)
                value = memo.get(v, no)
                out.append(memo.setdefault(v, plain(v)) if value is no else value)
        self.positions[loc] = (n, c + 1)
        self.count += len(parts)
        return out

    def _scalar(self, s: str, p: int) -> tuple[Any, int, str | None]:
        """A scalar in a flow collection at ``s[p]``: its value, where it ends, its text if unquoted."""
        ch = s[p:p + 1]
        if ch == "'" or ch == '"':
            end = s.find(ch, p + 1)
            if ch == "'":
                while end >= 0 and s[end + 1:end + 2] == "'":
                    end = s.find("'", end + 2)
            if end < 0 or "\n" in s[p:end]:
                raise _Declined                # not closed, or over lines: left to libyaml
            return _quoted(s[p:end + 1]), end + 1, None
        m = _FLOW_PLAIN.match(s, p)
        if m is None:
            raise _Declined
        text = m.group().rstrip(" ")
        value = self.memo.get(text, _NO)
        if value is _NO:
            value = self.memo[text] = self.plain(text)
        return value, p + len(text), text

    def _flow(self, s: str, p: int, loc: tuple, depth: int) -> tuple[Any, int]:
        """The flow collection opening at ``s[p]``, and where it ends."""
        if depth >= self.max_depth:
            raise _Declined
        self.count += 1
        self.positions[loc] = self._at(p)
        is_map = s[p] == "{"
        close = "}" if is_map else "]"
        out: Any = {} if is_map else []
        p = _skip(s, p + 1)
        if s[p:p + 1] == close:
            return out, p + 1
        while True:
            if is_map:
                key, p, text = self._scalar(s, p)
                if text is not None:
                    key = _key(text, self.memo, self.plain)
                if s[p:p + 2] != ": " or key in out:
                    raise _Declined
                p = _skip(s, p + 2)
                sub = loc + (key,)
            else:
                sub = loc + (len(out),)
                self.positions[sub] = self._at(p)
            if s[p:p + 1] in ("[", "{"):
                value, p = self._flow(s, p, sub, depth + 1)
            else:
                value, p, _ = self._scalar(s, p)
                self.count += 1
            if is_map:
                out[key] = value
            else:
                out.append(value)
            p = _skip(s, p)
            ch = s[p:p + 1]
            if ch == close:
                return out, p + 1
            if ch != ",":
                raise _Declined
            p = _skip(s, p + 1)
            if s[p:p + 1] in (close, ","):
                raise _Declined                # a trailing or empty entry: left to libyaml


def _block_scalar(raw: list[str], n: int, col: int, header: str) -> tuple[str, int]:
    """The text of the block scalar whose header ends line ``n`` (1-based), the value of a mapping whose
    keys are at column ``col``; and its last line. Only the plain form: every line at one indent, without
    trailing spaces, empty lines empty (their spaces would decide the indent); anything else declines."""
    parts: list[str | None] = []               # each line's text past the indent; None: an empty line
    indent = -1
    last = n
    for j in range(n, len(raw)):
        line = raw[j]
        body = line.lstrip(" ")
        if not body:
            if line or indent < 0:
                raise _Declined
            parts.append(None)
            continue
        k = len(line) - len(body)
        if indent < 0:
            if k <= col:
                raise _Declined                # an empty block scalar
            indent = k
        elif k < indent:
            break
        if k != indent or line[-1] == " ":
            raise _Declined                    # more indented (kept apart when folded), or trailing spaces
        parts.append(body)
        last = j + 1
    if indent < 0 or last == len(raw):
        raise _Declined                        # no text, or no line break after it (chomping would differ)
    del parts[last - n:]                       # empty lines after the text: chomped
    if header[0] == "|":
        out = "\n".join("" if p is None else p for p in parts)
    else:                                      # folded: a line break is a space, unless empty lines follow it
        pieces = [parts[0] or ""]
        empty = 0
        for p in parts[1:]:
            if p is None:
                empty += 1
                continue
            pieces.append("\n" * empty if empty else " ")
            pieces.append(p)
            empty = 0
        out = "".join(pieces)
    return (out if header.rstrip(" ").endswith("-") else out + "\n"), last


def _skip(s: str, p: int) -> int:
    while s[p:p + 1] in (" ", "\n"):
        p += 1
    return p


def _quoted(text: str) -> str:
    """A one-line quoted scalar (its quotes included) without escapes, or decline."""
    q = text[0]
    inner = text[1:-1]
    if len(text) < 2 or text[-1] != q:
        raise _Declined
    if q == "'":
        if "'" in inner.replace("''", ""):
            raise _Declined
        return inner.replace("''", "'")
    if '"' in inner or "\\" in inner:
        raise _Declined
    return inner
