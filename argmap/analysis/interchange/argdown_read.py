"""Argdown in: a reader for the subset of Argdown that maps onto an argument map.

Read: front matter (``=== ... ===``), ``#`` headings (sections), statements (``[Title]: text``,
``[Title]`` references, untitled text), arguments (``<Title>: text``, ``<Title>``), relation trees below
them (``+ - _`` and ``<+ <- <_ +> -> _> ><``), premise–conclusion structures (``(1) ...``, ``----``),
``#tags``, backslash escapes, comments, and YAML data blocks ``{...}`` (parsed with argmap's safe YAML
reader: no tags, no objects, bounded size). Nothing is evaluated. Every element, relation and problem
keeps its ``line:col`` in the file.

The result is an :class:`ArgdownDoc`; :mod:`argmap.analysis.interchange.argdown_import` turns it into a map.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import field
from pathlib import Path
from typing import Any

from ...base.errors import Diagnostic, ValidationError
from ...base.records import dataclass
from ...base.yamlsafe import YamlDoc, parse_yaml
from ._text import decode, fail, read_network_raw

__all__ = ["ArgdownDoc", "Element", "Link", "PcsItem", "parse_argdown", "read_argdown"]

Pos = tuple[int, int]
Ref = tuple[str, str]
"""("statement" | "argument", title)."""

_RELATION = re.compile(r"^([ \t]*)(<\+|<-|<_|\+>|->|_>|><|\+|-|_(?=\s))[ \t]*")
_HEADING = re.compile(r"^(#+) ")
_PCS_ITEM = re.compile(r"^([ \t]*)\((\d+)\)[ \t]*")
_INFERENCE = re.compile(r"^[ \t]*-{2,}[ \t]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:\*|\d+\.)[ \t]+")
_STATEMENT_DEF = re.compile(r"\[(.+?)\]:")
_STATEMENT_REF = re.compile(r"\[([^-].*?)\]")
_ARGUMENT_DEF = re.compile(r"<(.+?)>:")
_ARGUMENT_REF = re.compile(r"<([^-].*?)>")
_LINK = re.compile(r"\[([^\]]+?)\]\(([^)]+?)\)")
_TAG = re.compile(r"#(?:\(([^)]+)\)|([A-Za-z0-9\-\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]+))")
_EMPHASIS = (re.compile("(?<![\\w\x00])(\\*\\*|__)(?=\\S)(.+?)(?<=\\S)(?<!\x00)\\1(?!\\w)"),
             re.compile("(?<![\\w\x00])([*_])(?=\\S)(.+?)(?<=\\S)(?<!\x00)\\1(?!\\w)"))
"""Bold and italic markers (escaped characters are marked by a preceding NUL while text is assembled)."""
_MASK_STOP = re.compile(r"[\\{\[</]")
_LINE_STOP = re.compile(r"[\\{\[<]")
_INLINE_STOP = re.compile(r"[\\{#\[]")
_DATA_BLOCK = re.compile(r"\}\s[^,}]")
_DATA_END_OK = re.compile(r"\s*[,}]")
MAX_ELEMENTS = 10_000
"""Most statements and arguments one Argdown file may define."""


@dataclass
class Element:
    """A statement's equivalence class or an argument, with everything said about it in the file."""

    kind: str                       # "statement" | "argument"
    title: str
    pos: Pos
    titled: bool = True
    texts: list[tuple[str, Pos]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    data_docs: list[tuple[YamlDoc, Pos]] = field(default_factory=list)
    section: str | None = None      # part id of the section where it first appears
    tags: list[str] = field(default_factory=list)
    in_relation: bool = False
    pcs: list[PcsItem] = field(default_factory=list)
    pcs_pos: Pos | None = None

    @property
    def ref(self) -> Ref:
        return (self.kind, self.title)

    def data_pos(self, key: str) -> Pos:
        """Where ``key`` of the data was written (the last block giving it), else the element."""
        for doc, _ in reversed(self.data_docs):
            if isinstance(doc.data, dict) and key in doc.data:
                return doc.pos((key,)) or self.pos
        return self.pos


@dataclass(frozen=True)
class PcsItem:
    number: int
    ref: Ref
    conclusion: bool
    pos: Pos


@dataclass(frozen=True)
class Link:
    """A relation as drawn: ``source`` supports / attacks / undercuts / contradicts ``target``."""

    source: Ref
    target: Ref
    type: str                      # "support" | "attack" | "undercut" | "contradiction"
    pos: Pos


@dataclass
class ArgdownDoc:
    path: Path
    front: dict[str, Any] = field(default_factory=dict)
    front_doc: YamlDoc | None = None
    elements: dict[Ref, Element] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    sections: dict[str, tuple[str, Pos]] = field(default_factory=dict)   # part id -> (title, position)
    left_as_text: list[tuple[Pos, str]] = field(default_factory=list)


def read_argdown(path: str | Path) -> ArgdownDoc:
    """Read and parse an Argdown file (size-limited, UTF-8)."""
    path = Path(path)
    if path.is_dir():
        raise fail(path, None, "expected an Argdown file, got a folder")
    return parse_argdown(decode(read_network_raw(path), path), path)


def parse_argdown(text: str, path: str | Path = "<input>") -> ArgdownDoc:
    """Parse Argdown ``text``; raise :class:`ValidationError` with ``path:line:col`` on the first problem."""
    return _Parser(text.replace("\r\n", "\n").replace("\r", "\n"), Path(path)).run()


def _slug(text: str) -> str:
    base = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_") or "part"
    return base if base[0].isalpha() else f"p_{base}"


class _Braces:
    """Where a data block opening at each ``{`` of one text ends, by Argdown's lexer rule: the block runs
    to the last ``}`` not followed by a comma or another ``}``, before the first ``}`` that is followed by
    a space and other text. Computed once per text, so many braces cost linear time."""

    def __init__(self, text: str):
        self.size = len(text)
        self.blocks = [m.start() for m in _DATA_BLOCK.finditer(text)]
        self.closes = [m.start() for m in re.finditer(r"\}", text) if not _DATA_END_OK.match(text, m.start() + 1)]

    def end(self, start: int) -> int | None:
        b = bisect.bisect_right(self.blocks, start)
        limit = self.blocks[b] if b < len(self.blocks) else self.size - 1
        c = bisect.bisect_right(self.closes, limit) - 1
        return self.closes[c] + 1 if c >= 0 and self.closes[c] > start else None


class _Parser:
    def __init__(self, text: str, path: Path):
        self._braces: dict[int, tuple[str, _Braces]] = {}
        self.path = path
        self.doc = ArgdownDoc(path)
        self.section: str | None = None
        self.untitled = 0
        self.text = self._front_matter(text)
        self.text = self._mask_comments(self.text)
        self.lines = self.text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    # ------------------------------------------------------------------ helpers
    def _fail(self, pos: Pos, message: str, hint: str | None = None) -> ValidationError:
        return fail(self.path, pos, message, hint)

    def _note(self, pos: Pos, what: str) -> None:
        self.doc.left_as_text.append((pos, what))

    def _yaml(self, raw: str, pos: Pos) -> YamlDoc:
        """Parse YAML written at ``pos`` with the safe reader; positions (and errors) point into the file."""
        line0, col0 = pos

        def shift(p: Pos) -> Pos:
            return (line0 + p[0] - 1, col0 + p[1] - 1 if p[0] == 1 else p[1])
        try:
            doc = parse_yaml(raw, self.path)
        except ValidationError as err:
            raise ValidationError([Diagnostic(d.message, self.path, *shift((d.line or 1, d.column or 1)), d.hint)
                                   for d in err.diagnostics]) from err
        doc.positions = {k: shift(v) for k, v in doc.positions.items()}
        doc.key_positions = {k: shift(v) for k, v in doc.key_positions.items()}
        return doc

    def _front_matter(self, text: str) -> str:
        m = re.match(r"\s*(===+)([\s\S]*?)(===+)", text)
        if not m:
            return text
        start = m.start(2)
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        doc = self._yaml(m.group(2), (line, col))
        if doc.data is not None and not isinstance(doc.data, dict):
            raise self._fail(doc.pos(()) or (line, col), "the front matter must be a YAML mapping (key: value lines)")
        self.doc.front = doc.data or {}
        self.doc.front_doc = doc
        return "".join(ch if ch == "\n" else " " for ch in text[: m.end()]) + text[m.end():]

    def _data_end(self, text: str, start: int) -> int | None:
        """End (exclusive) of the data block opening at ``start``, by Argdown's own rule, or None."""
        braces = self._braces.get(id(text))
        if braces is None or braces[0] is not text:
            braces = (text, _Braces(text))
            self._braces = {id(text): braces}
        return braces[1].end(start)

    @staticmethod
    def _title_end(text: str, i: int) -> int | None:
        """End of a title token (``[T]:``, ``[T]``, ``<T>:``, ``<T>``) starting at ``i``: Argdown lexes it
        whole, so braces or slashes inside it open no data block and no comment."""
        if text.startswith("<!--", i):
            return None
        for pattern in (_LINK, _STATEMENT_DEF, _STATEMENT_REF, _ARGUMENT_DEF, _ARGUMENT_REF):
            m = pattern.match(text, i)
            if m and "\n" not in m.group(0):
                return m.end()
        return None

    def _mask_comments(self, text: str) -> str:
        """Blank out comments (keeping line breaks, so positions stay), skipping escapes, links and data."""
        spans: list[tuple[int, int]] = []
        i, n = 0, len(text)
        while i < n:
            m = _MASK_STOP.search(text, i)
            if m is None:
                break
            i = m.start()
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "{":
                end = self._data_end(text, i)
                i = end if end else i + 1
                continue
            if ch in "[<":
                skip = self._title_end(text, i)
                if skip is not None:
                    i = skip
                    continue
            end = None
            if text.startswith("<!--", i):
                end = text.find("-->", i + 4)
                end = n if end < 0 else end + 3
            elif text.startswith("/*", i):
                end = text.find("*/", i + 2)
                end = n if end < 0 else end + 2
            elif text.startswith("//", i):
                end = text.find("\n", i)
                end = n if end < 0 else end
            if end is None:
                i += 1
                continue
            spans.append((i, end))
            i = end
        if not spans:
            return text
        pieces, last = [], 0
        for start, end in spans:
            pieces.append(text[last:start])
            pieces.append(re.sub(r"[^\n]", " ", text[start:end]))
            last = end
        pieces.append(text[last:])
        return "".join(pieces)

    # ------------------------------------------------------------------ blocks
    def run(self) -> ArgdownDoc:
        blocks: list[list[int]] = []
        current: list[int] = []
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            if line.strip():
                current.append(i)
                end = self._data_span_lines(i)
                for j in range(i + 1, end + 1):
                    current.append(j)
                i = end + 1
                continue
            if current:
                blocks.append(current)
                current = []
            i += 1
        if current:
            blocks.append(current)
        previous: Element | None = None
        for block in blocks:
            previous = self._block(block, previous)
        return self.doc

    def _data_span_lines(self, i: int) -> int:
        """Last line index of a data block that opens on line ``i`` (block-format data may hold blank lines)."""
        line = self.lines[i]
        j = 0
        while True:
            m = _LINE_STOP.search(line, j)
            if m is None:
                return i
            j = m.start()
            if line[j] == "\\":
                j += 2
                continue
            if line[j] in "[<":
                skip = self._title_end(line, j)
                j = skip if skip is not None else j + 1
                continue
            end = self._data_end(self.text, self.starts[i] + j)
            if end is None:
                return i
            return bisect.bisect_right(self.starts, end - 1) - 1

    def _block(self, block: list[int], previous: Element | None) -> Element | None:
        first = self.lines[block[0]]
        pos = (block[0] + 1, len(first) - len(first.lstrip()) + 1)
        heading = _HEADING.match(first)
        if heading:
            self._heading(first, pos, len(heading.group(1)))
            rest = block[1:]
            return self._block(rest, None) if rest else None
        if _PCS_ITEM.match(first):
            self._pcs(block, previous, pos)
            return None
        if _LIST_ITEM.match(first):
            for idx in block:
                m = _LIST_ITEM.match(self.lines[idx])
                if m:
                    self._tree([idx], strip=m.end())
            return None
        return self._tree(block)

    def _heading(self, line: str, pos: Pos, level: int) -> None:
        text, data, _tags = self._inline(line[level + 1:], (pos[0], pos[1] + level + 1))
        part = data.data.get("part") if data is not None and isinstance(data.data, dict) else None
        title = text or "Section"
        pid = str(part) if isinstance(part, (str, int)) and str(part).strip() else _slug(title)
        self.doc.sections.setdefault(pid, (title, pos))
        self.section = pid

    # ------------------------------------------------------------------ relation trees
    def _chunks(self, block: list[int], strip: int = 0) -> list[tuple[int, str, str | None, Pos]]:
        """Split a block into (indent, text, relation symbol or None, position), joining continuation lines."""
        parts: list[tuple[int, list[str], str | None, Pos]] = []
        for n, idx in enumerate(block):
            line = self.lines[idx]
            if n == 0 and strip:
                parts.append((0, [line[strip:]], None, (idx + 1, strip + 1)))
                continue
            m = _RELATION.match(line) if n else None
            if m:
                indent = len(m.group(1).expandtabs(4))
                parts.append((indent, [line[m.end():]], m.group(2), (idx + 1, m.end() + 1)))
            elif parts:
                parts[-1][1].append(line)
            else:
                col = len(line) - len(line.lstrip()) + 1
                parts.append((0, [line.strip()], None, (idx + 1, col)))
        return [(indent, "\n".join(lines), sym, pos) for indent, lines, sym, pos in parts]

    def _tree(self, block: list[int], strip: int = 0) -> Element | None:
        chunks = self._chunks(block, strip)
        root: Element | None = None
        stack: list[tuple[int, Element]] = []
        for indent, text, sym, pos in chunks:
            el = self._element(text, pos)
            if sym is None:
                root = el
                stack = [(-1, el)]
                continue
            while len(stack) > 1 and stack[-1][0] >= indent:
                stack.pop()
            parent = stack[-1][1]
            self._relate(parent, el, sym, pos)
            stack.append((indent, el))
        return root if root is not None and root.kind == "argument" else None

    def _relate(self, parent: Element, child: Element, sym: str, pos: Pos) -> None:
        kind = {"+": "support", "-": "attack", "_": "undercut"}
        parent.in_relation = child.in_relation = True
        if sym == "><":
            self.doc.links.append(Link(parent.ref, child.ref, "contradiction", pos))
        elif sym.endswith(">"):
            self.doc.links.append(Link(parent.ref, child.ref, kind[sym[0]], pos))
        else:
            self.doc.links.append(Link(child.ref, parent.ref, kind[sym[-1]], pos))

    # ------------------------------------------------------------------ elements
    def _element(self, text: str, pos: Pos) -> Element:
        body = text.lstrip()
        pos = (pos[0], pos[1] + len(text) - len(body))
        kind, title, defines = "statement", None, True
        for pattern, k, d in ((_STATEMENT_DEF, "statement", True), (_ARGUMENT_DEF, "argument", True),
                              (_STATEMENT_REF, "statement", False), (_ARGUMENT_REF, "argument", False)):
            m = pattern.match(body)
            if m and not (k == "statement" and not d and _LINK.match(body)):
                kind, title, defines = k, m.group(1), d
                body_pos = self._advance(pos, body[: m.end()])
                body = body[m.end():]
                break
        else:
            body_pos = pos
        inline, data, tags = self._inline(body, body_pos)
        if title is None:
            if not inline:
                raise self._fail(pos, "expected a statement or an argument here",
                                 "write [Title]: text, <Title>: text, or a reference [Title] / <Title>")
            self.untitled += 1
            title, titled = f"Untitled {self.untitled}", False
        else:
            titled = True
        ref = (kind, title)
        el = self.doc.elements.get(ref)
        if el is None:
            if len(self.doc.elements) >= MAX_ELEMENTS:
                raise self._fail(pos, f"the file defines more than {MAX_ELEMENTS:,} statements and arguments")
            el = Element(kind, title, pos, titled=titled, section=self.section)
            self.doc.elements[ref] = el
        if defines and inline:
            if not el.texts:  # Argdown places an element in the section of its first definition
                el.section = self.section
            el.texts.append((inline, body_pos))
        if data is not None:
            if data.data is not None and not isinstance(data.data, dict):
                raise self._fail(body_pos, "a data block must be a YAML mapping, like {credence: 0.7}")
            if data.data:
                el.data.update(data.data)
                el.data_docs.append((data, body_pos))
        el.tags += [t for t in tags if t not in el.tags]
        return el

    def _advance(self, pos: Pos, consumed: str) -> Pos:
        lines = consumed.split("\n")
        if len(lines) == 1:
            return (pos[0], pos[1] + len(consumed))
        return (pos[0] + len(lines) - 1, len(lines[-1]) + 1)

    def _inline(self, body: str, pos: Pos) -> tuple[str, YamlDoc | None, list[str]]:
        """Text (escapes resolved, markup dropped), data block and tags of an element's body."""
        data: YamlDoc | None = None
        text: list[str] = []
        tags: list[str] = []
        i = 0
        while i < len(body):
            m = _INLINE_STOP.search(body, i)
            if m is None:
                text.append(body[i:])
                break
            text.append(body[i:m.start()])
            i = m.start()
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                text.append("\x00" + body[i + 1])
                i += 2
                continue
            if ch == "{":
                end = self._data_end(body, i)
                if end is not None:
                    if data is not None:
                        raise self._fail(self._advance(pos, body[:i]), "an element has a second data block here",
                                         "merge the two {...} blocks into one")
                    raw = body[i:end]
                    inner = re.match(r"\{[ \t]*\n", raw)
                    at = self._advance(pos, body[:i])
                    if inner:
                        data = self._yaml(raw[inner.end():-1], (at[0] + 1, 1))
                    else:
                        data = self._yaml(raw, at)
                    i = end
                    continue
            if ch == "#":
                m = _TAG.match(body, i)
                if m and (i == 0 or not body[i - 1].isalnum()):
                    tags.append(m.group(1) or m.group(2))
                    text.append(m.group(0))           # Argdown keeps a tag in the text, too
                    i = m.end()
                    continue
            if ch == "[":
                m = _LINK.match(body, i)
                if m:
                    text.append(m.group(1))
                    i = m.end()
                    continue
            text.append(ch)
            i += 1
        joined = "".join(text)
        for pattern in _EMPHASIS:
            joined = pattern.sub(lambda m: m.group(2), joined)
        joined = joined.replace("\x00", "")
        return " ".join(joined.split()), data, tags

    # ------------------------------------------------------------------ premise-conclusion structures
    def _pcs(self, block: list[int], owner: Element | None, pos: Pos) -> None:
        if owner is None:
            self.untitled += 1
            owner = Element("argument", f"Untitled {self.untitled}", pos, titled=False, section=self.section)
            self.doc.elements[owner.ref] = owner
        if owner.pcs:
            first = owner.pcs_pos[0] if owner.pcs_pos else "?"
            raise self._fail(pos, f"argument <{owner.title}> already has a premise-conclusion structure",
                             f"Argdown allows one per argument (the first is at line {first})")
        owner.pcs_pos = pos
        items: list[PcsItem] = []
        after_inference = False
        lines = block
        k = 0
        stack: list[tuple[int, Element]] = []
        while k < len(lines):
            idx = lines[k]
            line = self.lines[idx]
            if _INFERENCE.match(line):
                after_inference = True
                if len(line.strip()) < 4:  # an expanded inference: rules and data up to the closing hyphens
                    close = k + 1
                    while close < len(lines) and not _INFERENCE.match(self.lines[lines[close]]):
                        close += 1
                    if close >= len(lines):
                        raise self._fail((idx + 1, 1), "this inference is not closed by a line of hyphens")
                    if close > k + 1:
                        self._note((idx + 2, 1), f"inference rules and data of <{owner.title}>")
                    k = close
                k += 1
                stack = [(-1, owner)]
                continue
            m = _PCS_ITEM.match(line)
            if m:
                group = [idx]
                while k + 1 < len(lines) and not (_PCS_ITEM.match(self.lines[lines[k + 1]])
                                                   or _INFERENCE.match(self.lines[lines[k + 1]])
                                                   or _RELATION.match(self.lines[lines[k + 1]])):
                    k += 1
                    group.append(lines[k])
                text = line[m.end():] + "".join("\n" + self.lines[j] for j in group[1:])
                current = self._element(text, (idx + 1, m.end() + 1))
                items.append(PcsItem(int(m.group(2)), current.ref, after_inference, (idx + 1, len(m.group(1)) + 1)))
                after_inference = False
                stack = [(len(m.group(1)), current)]
                k += 1
                continue
            rel = _RELATION.match(line)
            if rel and stack:
                chunk = [idx]
                while k + 1 < len(lines) and not (_PCS_ITEM.match(self.lines[lines[k + 1]])
                                                   or _INFERENCE.match(self.lines[lines[k + 1]])
                                                   or _RELATION.match(self.lines[lines[k + 1]])):
                    k += 1
                    chunk.append(lines[k])
                text = line[rel.end():] + "".join("\n" + self.lines[j] for j in chunk[1:])
                child = self._element(text, (idx + 1, rel.end() + 1))
                indent = len(rel.group(1).expandtabs(4))
                while len(stack) > 1 and stack[-1][0] >= indent:
                    stack.pop()
                self._relate(stack[-1][1], child, rel.group(2), (idx + 1, rel.end() + 1))
                stack.append((indent, child))
                k += 1
                continue
            raise self._fail((idx + 1, 1), "expected a numbered statement (1), an inference line ----, or a relation",
                             "a premise-conclusion structure is a numbered list without empty lines")
        if len(items) < 2 or not items[-1].conclusion:
            raise self._fail(pos, f"the premise-conclusion structure of <{owner.title}> needs premises, an "
                             "inference line (----) and a conclusion last")
        owner.pcs = items
