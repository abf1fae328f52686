"""BIF (the Bayesian network Interchange Format 0.15), for pgmpy, pyAgrum and other BIF readers.

The writer emits one block per line structure that every common reader accepts: a ``network``
block, one ``variable`` block per claim and one ``probability`` block per claim, roots as ``table``
and other claims as one ``(parent states) values;`` row per combination, numbers printed so they
read back as exactly the same floats. State names are written as identifiers (letters, digits and
underscores); a name that is not one is rewritten (see :func:`bif_state_names`).

The reader is a small tokenizer and a flat parser of its own: nothing in the file is evaluated,
nesting cannot recurse, sizes are bounded (:mod:`argmap.analysis.interchange._text`), and every error names
``path:line:col``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..._version import __version__
from ...base.textsafe import visible
from ...inference.network import Network
from ._assemble import Declared, Definition, assemble, check_states
from ._text import MAX_TOTAL_CELLS, decode, fail, fmt, parse_probability, read_network_bytes
from .tables import BayesNet, identifier, network_tables

__all__ = ["write_bif", "bif_text", "read_bif", "parse_bif", "bif_state_names", "bif_names", "KEYWORDS"]

KEYWORDS = frozenset({"network", "variable", "probability", "property", "type", "discrete", "table", "default"})
"""Words of the format that some readers (pyAgrum) refuse as names; names equal to one get a ``_``."""


# ------------------------------------------------------------------------------------- writing

def _unique(names, fallback: str) -> tuple[str, ...]:
    out: list[str] = []
    taken = set(names)
    for raw in names:
        name = identifier(raw, fallback)
        if name in KEYWORDS:
            name += "_"
        base, k = name, 2
        while name in out or (name != raw and name in taken):
            name, k = f"{base}_{k}", k + 1
        out.append(name)
    return tuple(out)


def bif_state_names(states: tuple[str, ...]) -> tuple[str, ...]:
    """The names under which a variable's states are written: identifiers, unique, order kept.

    >>> bif_state_names(("low", "2.5", "very high", "very-high", "default"))
    ('low', 's_2_5', 'very_high', 'very_high_2', 'default_')
    """
    return _unique(states, "state")


def bif_names(variables: tuple[str, ...]) -> dict[str, str]:
    """The name each variable is written under: itself, unless it is a keyword of the format.

    >>> bif_names(("table", "table_", "scheming"))
    {'table': 'table__2', 'table_': 'table_', 'scheming': 'scheming'}
    """
    return dict(zip(variables, _unique(variables, "v"), strict=False))


def write_bif(network: Network, *, name: str = "argmap", titles: dict[str, str] | None = None) -> str:
    """BIF text of a compiled network at the map's own numbers (θ0). No scenario is applied.

    ``name`` becomes the network's name (rewritten as an identifier); ``titles`` is accepted for
    symmetry with :func:`~argmap.analysis.interchange.write_xmlbif` and written as comments.
    """
    return bif_text(network_tables(network, name=name, titles=titles))


def bif_text(net: BayesNet) -> str:
    """BIF text of a :class:`BayesNet`."""
    out = [
        f"// BIF 0.15 written by argmap {__version__}.",
        "// The network at the map's own numbers: no scenario (given/set) is applied.",
        f"network {identifier(net.name, 'argmap')} {{",
        "}",
    ]
    names = {v: bif_state_names(net.states[v]) for v in net.variables}
    var = bif_names(net.variables)
    for v in net.variables:
        if var[v] != v:
            out.append(f"// argmap claim '{v}' (renamed: a keyword of the format)")
        out += [f"variable {var[v]} {{", f"  type discrete [ {len(names[v])} ] {{ {', '.join(names[v])} }};"]
        title = net.titles.get(v)
        if title:
            out.append(f'  property title = "{_property(title)}" ;')
        out.append("}")
    for v in net.variables:
        parents = net.parents[v]
        table = net.tables[v]
        if not parents:
            out += [f"probability ( {var[v]} ) {{", f"  table {', '.join(fmt(x) for x in table)};", "}"]
            continue
        out.append(f"probability ( {var[v]} | {', '.join(var[p] for p in parents)} ) {{")
        for idx in np.ndindex(*table.shape[:-1]):
            key = ", ".join(names[p][i] for p, i in zip(parents, idx, strict=False))
            out.append(f"  ({key}) {', '.join(fmt(x) for x in table[idx])};")
        out.append("}")
    return "\n".join(out) + "\n"


_PROPERTY_SAFE = str.maketrans({'"': "'", ";": ",", "{": "(", "}": ")", "=": "\uff1d", "/": "\u2215"})


def _property(text: str) -> str:
    """Title text that every reader keeps inside a quoted property (no quote, ';', braces or '=')."""
    text = " ".join(visible(text).split())
    return text.translate(_PROPERTY_SAFE)


# ------------------------------------------------------------------------------------- reading

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"[^"\n]*")
  | (?P<punct>[{}()\[\];,|])
  | (?P<word>[^\s{}()\[\];,|"/]+(?:/(?![/*])[^\s{}()\[\];,|"/]*)*)
""", re.VERBOSE | re.DOTALL)


class _Tokens:
    """A lazy stream of tokens with positions and one token of lookahead (memory stays flat)."""

    def __init__(self, text: str, path: Path):
        self.text, self.path = text, path
        self.offset = 0
        self._line, self._line_start, self._counted = 1, 0, 0
        self.numbers = 0
        self.cur: tuple[str, str, int] | None = None
        self._advance()

    def _advance(self) -> None:
        text, i, n = self.text, self.offset, len(self.text)
        while i < n:
            m = _TOKEN.match(text, i)
            if m is None:
                what = "an unterminated comment" if text.startswith("/*", i) else (
                    "an unterminated string" if text[i] == '"' else f"an unexpected character {text[i]!r}")
                raise fail(self.path, self._where(i), f"BIF syntax error: {what}")
            kind = m.lastgroup
            assert kind is not None  # every alternative of the token pattern is a named group
            self.offset = i = m.end()
            if kind not in ("space", "comment"):
                tok = m.group()
                self.cur = (kind, tok[1:-1] if kind == "string" else tok, m.start())
                return
        self.offset = n
        self.cur = None

    def _where(self, offset: int) -> tuple[int, int]:
        """(line, column) of ``offset``; offsets only move forward, so counting stays linear."""
        if offset > self._counted:
            nl = self.text.count("\n", self._counted, offset)
            if nl:
                self._line += nl
                self._line_start = self.text.rfind("\n", self._counted, offset) + 1
            self._counted = offset
        return self._line, offset - self._line_start + 1

    def pos(self) -> tuple[int, int]:
        return self._where(self.cur[2] if self.cur else len(self.text))

    def peek(self) -> str | None:
        return self.cur[1] if self.cur else None

    def take(self, what: str = "a token") -> tuple[str, str]:
        if self.cur is None:
            raise fail(self.path, self.pos(), f"BIF syntax error: the file ends where {what} was expected")
        kind, tok, _ = self.cur
        self._advance()
        return kind, tok

    def expect(self, text: str) -> None:
        at = self.pos()
        kind, tok = self.take(f"'{text}'")
        if tok != text or kind == "string":
            raise fail(self.path, at, f"BIF syntax error: expected '{text}', got '{tok[:40]}'")

    def name(self, what: str) -> str:
        at = self.pos()
        kind, tok = self.take(what)
        if kind not in ("word", "string") or not tok.strip():
            raise fail(self.path, at, f"BIF syntax error: expected {what}, got '{tok[:40]}'")
        return tok.strip()

    def words(self, what: str) -> list[str]:
        """A run of words (a name may contain spaces, as pgmpy writes them); at least one."""
        out = [self.name(what)]
        while self.cur is not None and self.cur[0] in ("word", "string"):
            out.append(self.name(what))
            if len(out) > 1_000:
                raise fail(self.path, self.pos(), f"BIF syntax error: too many words in {what}")
        return out

    def groups(self, what: str, stop: str) -> list[list[str]]:
        """Comma- or ``|``-separated runs of words up to ``stop`` (consumed); separators are recorded."""
        out: list[list[str]] = []
        while self.peek() != stop:
            if self.cur is not None and self.cur[0] == "punct" and self.peek() in (",", "|"):
                out.append([self.take()[1]])
                continue
            out.append(self.words(what))
            if len(out) > 2_000:
                raise fail(self.path, self.pos(), f"BIF syntax error: too many entries in {what}")
        self.take()
        return out

    def skip_property(self) -> list[tuple[str, str]]:
        """Read ``property ... ;`` (free text the format attaches to a block) and return its tokens."""
        toks: list[tuple[str, str]] = []
        while True:
            at = self.pos()
            kind, tok = self.take("';' ending the property")
            if kind == "punct" and tok == ";":
                return toks
            if len(toks) < 100:
                toks.append((kind, tok))
            if kind == "punct" and tok in "{}":
                raise fail(self.path, at, f"BIF syntax error: '{tok}' inside a property; end it with ';'")


def read_bif(path: str | Path) -> BayesNet:
    """Read a BIF file into a :class:`BayesNet`; raise a positioned ``ValidationError`` on any problem."""
    path = Path(path)
    return parse_bif(read_network_bytes(path), path)


def parse_bif(text: str | bytes, path: str | Path = "<input>") -> BayesNet:
    """Parse BIF text (bytes are decoded as UTF-8)."""
    path = Path(path)
    if isinstance(text, bytes):
        text = decode(text, path)
    t = _Tokens(text, path)
    declared: dict[str, Declared] = {}
    defs: dict[str, Definition] = {}
    name = "network"
    if t.peek() == "network":
        t.take()
        name = t.name("the network's name") if t.peek() != "{" else name
        _network_body(t)
    while t.peek() is not None:
        at = t.pos()
        kind, tok = t.take()
        if tok == "variable" and kind == "word":
            _variable(t, at, declared)
        elif tok == "probability" and kind == "word":
            d = _probability(t, at, declared)
            if d.child in defs:
                raise fail(path, at, f"a second probability block for '{d.child}'",
                           f"the first is at line {defs[d.child].pos[0]}")
            defs[d.child] = d
        elif tok == "network" and kind == "word":
            raise fail(path, at, "BIF syntax error: a second network block")
        else:
            raise fail(path, at, f"BIF syntax error: expected 'variable' or 'probability', got '{tok[:40]}'")
    return assemble(path, name, declared, defs)


def _network_body(t: _Tokens) -> None:
    t.expect("{")
    while t.peek() != "}":
        at = t.pos()
        kind, tok = t.take("'}' closing the network block")
        if tok == "property" and kind == "word":
            t.skip_property()
        else:
            raise fail(t.path, at, f"BIF syntax error: unexpected '{tok[:40]}' in the network block")
    t.take()


def _variable(t: _Tokens, at: tuple[int, int], declared: dict[str, Declared]) -> None:
    name = " ".join(t.words("a variable name"))
    if name in declared:
        raise fail(t.path, at, f"variable '{name}' is declared twice",
                   f"the first is at line {declared[name].pos[0]}")
    t.expect("{")
    states: list[str] | None = None
    title = None
    while t.peek() != "}":
        k_at = t.pos()
        kind, tok = t.take("'}' closing the variable block")
        if tok == "property" and kind == "word":
            prop = t.skip_property()
            if len(prop) == 3 and prop[0][1] in ("title", "label") and prop[1][1] == "=" and prop[2][0] == "string":
                title = " ".join(prop[2][1].split()) or None
        elif tok == "type" and kind == "word":
            if states is not None:
                raise fail(t.path, k_at, f"variable '{name}' has two type declarations")
            states = _states(t, name, k_at)
        else:
            raise fail(t.path, k_at, f"BIF syntax error: unexpected '{tok[:40]}' in variable '{name}'",
                       "a variable block holds 'type discrete [ N ] { states };' and properties")
    t.take()
    if states is None:
        raise fail(t.path, at, f"variable '{name}' has no 'type discrete [ N ] {{ ... }};' declaration")
    declared[name] = Declared(name, check_states(t.path, name, states, at), at, title)


def _states(t: _Tokens, name: str, at: tuple[int, int]) -> list[str]:
    d_at = t.pos()
    kind, tok = t.take("'discrete'")
    if tok != "discrete":
        raise fail(t.path, d_at, f"variable '{name}' is of type '{tok[:40]}'; argmap reads discrete variables only")
    t.expect("[")
    n_at = t.pos()
    _, count = t.take("the number of states")
    if not count.isdigit() or len(count) > 6:
        raise fail(t.path, n_at, f"expected the number of states, got '{count[:40]}'")
    t.expect("]")
    t.expect("{")
    runs = t.groups("a state name", "}")
    if any(r == ["|"] for r in runs):
        raise fail(t.path, n_at, f"BIF syntax error: '|' among the states of '{name}'")
    named = [r for r in runs if r != [","]]
    commas = len(named) != len(runs)
    states = [" ".join(r) for r in named] if commas else [w for r in named for w in r]
    if t.peek() == ";":
        t.take()
    if not commas and len(named) == 1 and int(count) == 1:
        states = [" ".join(named[0])]
    if int(count) != len(states):
        raise fail(t.path, n_at, f"variable '{name}' says it has {int(count)} states but lists {len(states)}")
    return states


def _probability(t: _Tokens, at: tuple[int, int], declared: dict[str, Declared]) -> Definition:
    t.expect("(")
    runs = t.groups("a variable name", ")")
    if not runs or runs[0] in ([","], ["|"]):
        raise fail(t.path, at, "BIF syntax error: the probability block names no variable")
    if ["|"] in runs:
        bar = runs.index(["|"])
        child = " ".join(w for r in runs[:bar] if r != [","] for w in r)
        after = runs[bar + 1:]
        if ["|"] in after:
            raise fail(t.path, at, "BIF syntax error: two '|' in a probability header")
        groups = [r for r in after if r != [","]]
        parents = [" ".join(r) for r in groups] if len(groups) != len(after) or len(groups) == 1 else \
            [w for r in groups for w in r]
        if len(groups) == 1 and len(groups[0]) > 1 and " ".join(groups[0]) not in declared:
            parents = list(groups[0])
    else:
        words = [w for r in runs if r != [","] for w in r]
        joined = " ".join(words)
        child, parents = (joined, []) if joined in declared or len(words) == 1 else (words[0], words[1:])
    d = Definition(child, tuple(parents), at, child_fastest=False)
    t.expect("{")
    while t.peek() != "}":
        e_at = t.pos()
        kind, tok = t.take("'}' closing the probability block")
        if kind == "word" and tok == "property":
            t.skip_property()
        elif kind == "word" and tok == "table":
            if d.table is not None or d.rows or d.default is not None:
                raise fail(t.path, e_at, f"the probability block of '{child}' mixes 'table' with other entries")
            d.table, d.table_pos = _numbers(t), e_at
        elif kind == "word" and tok == "default":
            if d.default is not None or d.table is not None:
                raise fail(t.path, e_at, f"the probability block of '{child}' has a second 'default' or a 'table'")
            d.default, d.default_pos = _numbers(t), e_at
        elif kind == "punct" and tok == "(":
            if d.table is not None:
                raise fail(t.path, e_at, f"the probability block of '{child}' mixes 'table' with rows")
            runs = t.groups("a parent state", ")")
            if ["|"] in runs:
                raise fail(t.path, e_at, "BIF syntax error: '|' in a row's parent states")
            named = [r for r in runs if r != [","]]
            key = [" ".join(r) for r in named] if len(named) == len(parents) else [w for r in named for w in r]
            values = _numbers(t)
            if tuple(key) in d.rows:
                raise fail(t.path, e_at, f"a second row for ({', '.join(key)}) in the table of '{child}'")
            d.rows[tuple(key)] = (values, e_at)
        else:
            raise fail(t.path, e_at, f"BIF syntax error: unexpected '{tok[:40]}' in the probability block of '{child}'",
                       "entries are 'table ...;', 'default ...;' or '(parent states) ...;'")
    t.take()
    if t.peek() == ";":
        t.take()
    return d


def _numbers(t: _Tokens) -> list[float]:
    values: list[float] = []
    while True:
        at = t.pos()
        kind, tok = t.take("';' ending the numbers")
        if kind == "punct" and tok == ";":
            return values
        if kind == "punct" and tok == ",":
            continue
        if kind != "word":
            raise fail(t.path, at, f"BIF syntax error: expected a number or ';', got '{tok[:40]}'")
        t.numbers += 1
        if t.numbers > MAX_TOTAL_CELLS:
            raise fail(t.path, at, f"the file holds more than {MAX_TOTAL_CELLS:,} numbers",
                       "argmap imports networks whose tables fit in argument files")
        values.append(parse_probability(tok, t.path, at))
