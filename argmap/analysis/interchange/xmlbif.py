"""XMLBIF 0.3 (the XML form of the interchange format), for pgmpy, pyAgrum, GeNIe, SamIam and others.

The writer escapes every piece of text, so a quote, ``<`` or ``&`` in a title cannot break the file;
titles go in a ``title = ...`` property. State names are written as identifiers, as in BIF (pgmpy
rewrites other names and GeNIe ids must be identifiers; see
:func:`~argmap.analysis.interchange.bif_state_names`). Tables list the FOR variable's states fastest, then
the GIVEN variables with the last varying fastest.

The reader drives the expat tokenizer with entity declarations refused (no "billion laughs", no
external entities or DTDs fetched), an explicit element stack (no recursion), bounded depth and
sizes, and reports every problem as ``path:line:col``.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.parsers import expat
from xml.sax.saxutils import escape

import numpy as np

from ..._version import __version__
from ...base.errors import ValidationError
from ...base.textsafe import visible
from ...inference.network import Network
from ._assemble import Declared, Definition, assemble, check_states
from ._text import MAX_NETWORK_BYTES, MAX_TOTAL_CELLS, fail, fmt, parse_probability
from .bif import bif_state_names
from .tables import BayesNet, network_tables

__all__ = ["write_xmlbif", "xmlbif_text", "read_xmlbif", "parse_xmlbif", "MAX_DEPTH"]

MAX_DEPTH = 32


# ------------------------------------------------------------------------------------- writing

def write_xmlbif(network: Network, *, name: str = "argmap", titles: dict[str, str] | None = None) -> str:
    """XMLBIF text of a compiled network at the map's own numbers (θ0). No scenario is applied.

    ``titles`` (claim id -> title) are written as ``title = ...`` properties.
    """
    return xmlbif_text(network_tables(network, name=name, titles=titles))


_EQUALS = "\uff1d"  # a full-width '=' stands in for '=' inside a title


def _text(s: str) -> str:
    return escape(" ".join(visible(s).split()))


def xmlbif_text(net: BayesNet) -> str:
    """XMLBIF text of a :class:`BayesNet`."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- XMLBIF 0.3 written by argmap {escape(__version__)}. The network at the map's own numbers: "
        "no scenario (given/set) is applied. -->",
        '<BIF VERSION="0.3">',
        "<NETWORK>",
        f"<NAME>{_text(net.name) or 'argmap'}</NAME>",
    ]
    for v in net.variables:
        out += ['<VARIABLE TYPE="nature">', f"\t<NAME>{_text(v)}</NAME>"]
        out += [f"\t<OUTCOME>{_text(s)}</OUTCOME>" for s in bif_state_names(net.states[v])]
        title = net.titles.get(v)
        if title:
            # one '=' only: pgmpy splits properties on it
            out.append(f"\t<PROPERTY>title = {_text(title.replace('=', _EQUALS))}</PROPERTY>")
        out.append("</VARIABLE>")
    for v in net.variables:
        out += ["<DEFINITION>", f"\t<FOR>{_text(v)}</FOR>"]
        out += [f"\t<GIVEN>{_text(p)}</GIVEN>" for p in net.parents[v]]
        table = net.tables[v]
        rows = [" ".join(fmt(x) for x in table[idx]) for idx in np.ndindex(*table.shape[:-1])]
        out += ["\t<TABLE>", *(f"\t\t{r}" for r in rows), "\t</TABLE>", "</DEFINITION>"]
    out += ["</NETWORK>", "</BIF>"]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------- reading

class _Refused(Exception):
    def __init__(self, message: str, pos: tuple[int, int] | None, hint: str | None = None):
        super().__init__(message)
        self.message, self.pos, self.hint = message, pos, hint


_TITLE = re.compile(r"^\s*(?:title|label)\s*=\s*(.*)$", re.DOTALL)


class _Reader:
    """Streams expat events into variables and definitions."""

    def __init__(self, path: Path):
        self.path = path
        self.parser = expat.ParserCreate()
        self.stack: list[str] = []
        self.text: list[str] = []
        self.name = "network"
        self.declared: dict[str, Declared] = {}
        self.defs: dict[str, Definition] = {}
        self.var: dict | None = None
        self.numbers = 0
        p = self.parser
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.chars
        p.EntityDeclHandler = self.refuse_entity
        p.UnparsedEntityDeclHandler = self.refuse_entity
        p.ExternalEntityRefHandler = self.refuse_external
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def pos(self) -> tuple[int, int]:
        return self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1

    def refuse_entity(self, *args) -> None:
        raise _Refused("XML entity declarations are not allowed in network files", self.pos(),
                       "entities can expand without bound; write the text out")

    def refuse_external(self, *args) -> int:
        raise _Refused("external XML entities are not allowed in network files", self.pos())

    def start(self, tag: str, attrs: dict) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise _Refused(f"elements nested more than {MAX_DEPTH} levels deep", self.pos())
        parent = self.stack[-1] if self.stack else None
        if parent is None and tag not in ("BIF", "NETWORK"):
            raise _Refused(f"expected an XMLBIF file (<BIF>), got <{tag[:40]}>", self.pos(),
                           "XMLBIF files start with <BIF VERSION=\"0.3\">")
        if tag == "VARIABLE" and parent == "NETWORK":
            kind = attrs.get("TYPE", "nature")
            if kind != "nature":
                raise _Refused(f"variable of TYPE '{kind[:40]}': argmap reads chance (nature) variables only",
                               self.pos())
            self.var = {"kind": "variable", "pos": self.pos(), "name": None, "states": [], "title": None}
        elif tag in ("DEFINITION", "PROBABILITY") and parent == "NETWORK":
            self.var = {"kind": "definition", "pos": self.pos(), "for": None, "given": [], "table": None,
                        "table_pos": None}
        self.stack.append(tag)
        self.text = []
        self.at = self.pos()

    def chars(self, data: str) -> None:
        self.text.append(data)

    def end(self, tag: str) -> None:
        self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        text = "".join(self.text)
        self.text = []
        v = self.var
        if tag == "NAME" and parent == "NETWORK":
            self.name = text.strip() or self.name
        elif v is not None and v["kind"] == "variable" and parent == "VARIABLE":
            if tag == "NAME":
                v["name"] = text.strip()
            elif tag == "OUTCOME":
                v["states"].append(text.strip())
                if len(v["states"]) > 1_000:
                    raise _Refused("a variable has too many states", self.at)
            elif tag == "PROPERTY":
                m = _TITLE.match(text)
                if m and v["title"] is None:
                    v["title"] = " ".join(m.group(1).split())
        elif v is not None and v["kind"] == "definition" and parent in ("DEFINITION", "PROBABILITY"):
            if tag == "FOR":
                v["for"] = text.strip()
            elif tag == "GIVEN":
                v["given"].append(text.strip())
                if len(v["given"]) > 1_000:
                    raise _Refused("a definition has too many GIVEN variables", self.at)
            elif tag == "TABLE":
                if v["table"] is not None:
                    raise _Refused("a definition has two TABLE elements", self.at)
                v["table"], v["table_pos"] = self._numbers(text), self.at
        elif tag == "VARIABLE" and v is not None and parent == "NETWORK":
            self._variable(v)
        elif tag in ("DEFINITION", "PROBABILITY") and v is not None and parent == "NETWORK":
            self._definition(v)

    def _numbers(self, text: str) -> list[float]:
        words = text.split()
        self.numbers += len(words)
        if self.numbers > MAX_TOTAL_CELLS:
            raise _Refused(f"the file holds more than {MAX_TOTAL_CELLS:,} numbers", self.at,
                           "argmap imports networks whose tables fit in argument files")
        return [parse_probability(w, self.path, self.at) for w in words]

    def _variable(self, v: dict) -> None:
        self.var = None
        name = v["name"]
        if not name:
            raise _Refused("a VARIABLE has no NAME", v["pos"])
        if name in self.declared:
            raise _Refused(f"variable '{name[:80]}' is declared twice", v["pos"],
                           f"the first is at line {self.declared[name].pos[0]}")
        states = check_states(self.path, name, v["states"], v["pos"])
        self.declared[name] = Declared(name, states, v["pos"], v["title"])

    def _definition(self, v: dict) -> None:
        self.var = None
        child = v["for"]
        if not child:
            raise _Refused("a DEFINITION has no FOR", v["pos"])
        if child in self.defs:
            raise _Refused(f"a second DEFINITION for '{child[:80]}'", v["pos"],
                           f"the first is at line {self.defs[child].pos[0]}")
        if v["table"] is None:
            raise _Refused(f"the DEFINITION of '{child[:80]}' has no TABLE", v["pos"])
        self.defs[child] = Definition(child, tuple(v["given"]), v["pos"], table=v["table"],
                                      table_pos=v["table_pos"], child_fastest=True)


def read_xmlbif(path: str | Path) -> BayesNet:
    """Read an XMLBIF file into a :class:`BayesNet`; raise a positioned ``ValidationError`` on any problem."""
    from ._text import read_network_raw

    path = Path(path)
    return parse_xmlbif(read_network_raw(path), path)


def parse_xmlbif(data: str | bytes, path: str | Path = "<input>") -> BayesNet:
    """Parse XMLBIF text or bytes (bytes in any encoding the XML declaration names that expat knows)."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_NETWORK_BYTES:
        raise fail(path, (1, 1), f"input is {len(raw):,} bytes; network files are limited to {MAX_NETWORK_BYTES:,}")
    if isinstance(data, str) and data.startswith("\ufeff"):
        raw = raw[3:]
    reader = _Reader(path)
    try:
        reader.parser.Parse(raw, True)
    except _Refused as err:
        raise fail(path, err.pos, err.message, err.hint) from None
    except expat.ExpatError as err:
        raise fail(path, (err.lineno, err.offset + 1), f"XML syntax error: {expat.ErrorString(err.code)}",
                   "check the tags are closed and special characters are written &lt; &amp; &gt;") from None
    except (LookupError, UnicodeError) as err:   # an encoding the declaration names but Python lacks
        raise fail(path, (1, 1), f"XML encoding problem: {str(err)[:100]}", "save the file as UTF-8") from None
    except ValidationError:
        raise
    except RecursionError:  # pragma: no cover - the element stack is explicit
        raise fail(path, reader.pos(), "XML nested too deeply") from None
    return assemble(path, reader.name, reader.declared, reader.defs)
