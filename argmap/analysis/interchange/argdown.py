"""Argdown out: an argument map (overlays applied) as an Argdown document.

Claims of kind ``argument`` and ``critique`` become Argdown arguments (``<Title>: text``), every other
claim a statement (``[Title]: text``). Each element carries its numbers in a YAML data block
(``{id: ..., credence: ..., probability: ..., section: ..., provenance: ...}``) written in the same
field names as an argument file, so ``argmap import`` reads them back exactly. Relations are drawn
under the claim that declares them: ``+>`` supports, ``->`` opposes, ``_>`` undercuts (outgoing from
the source), and each ``requires`` as an incoming support ``<+ [Required]`` under the dependent claim
(its leak lives in the data block). A route is drawn as a support ``+>`` whose source's data block lists
it under ``route`` with its ``p`` (Argdown has no noisy-OR; the data block makes the import exact).
Parts become ``#`` sections. Output is deterministic.

Argdown has no escapes inside titles, so a title is made lexable (brackets become parentheses, other
control characters dropped) and unique; when that changes it, the data block keeps the original. Text
is written on one line with Argdown's backslash escapes wherever a character would start markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import fields
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ... import __version__
from ...base.quantity import Quantity
from ...maps.models import ArgumentMap, Claim, Observation, Provenance, Relation, Table

if TYPE_CHECKING:
    from ...api import Model

DEFAULT = "default"
"""Use the map's default scenario (as :data:`argmap.api.DEFAULT`)."""

__all__ = ["ARGUMENT_KINDS", "FORMAT_VERSION", "argdown_document", "write_argdown", "readback", "claim_data",
           "argdown_title", "argdown_escape", "data_text", "observation_relations"]

FORMAT_VERSION = 1
"""Version of the data-block layout, written in the front matter as ``argmap: {format: 1}``."""
ARGUMENT_KINDS = ("argument", "critique")
"""Claim kinds written as Argdown arguments; the others are statements."""

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}
_SPECIAL_CHAR = re.compile(r"(?:\.[^\s]+?\.)|(?::[^\s]+?:)")
_ALWAYS = set("\\@#*_[<{")


# ------------------------------------------------------------------------------------------- text

def _printable(ch: str) -> bool:
    return ch.isprintable() and ch not in "\u2028\u2029"


def argdown_escape(text: str) -> str:
    r"""One line of Argdown text that Argdown's parser reads back as ``text`` (whitespace collapsed).

    A backslash goes before every character that would start markup: ``\ @ # * _ [ < {``, ``/``
    before ``/`` or ``*`` (comments), ``-`` and ``=`` before another of the same (inference lines,
    front matter), and ``.``/``:`` that would open a shortcode such as ``:happy:``.

    >>> print(argdown_escape("P(x) > 0.5. [See #2] a.v.b"))
    P(x) > 0\.5. \[See \#2] a\.v.b
    """
    line = readback(text)
    out = []
    for i, ch in enumerate(line):
        nxt = line[i + 1] if i + 1 < len(line) else ""
        if (ch in _ALWAYS or (ch == "/" and nxt in "/*") or (ch in "-=" and nxt == ch)
                or (ch in ".:" and _SPECIAL_CHAR.match(line, i))):
            out.append("\\")
        out.append(ch)
    return "".join(out)


def argdown_title(title: str) -> str:
    """A title Argdown lexes as written: one line, no brackets (they end it), no leading ``-``.

    >>> argdown_title("The [AI] <model>  - goals")
    'The (AI) (model) - goals'
    """
    clean = "".join(ch if _printable(ch) else " " for ch in title)
    clean = clean.translate(str.maketrans("[]<>", "()()"))
    clean = " ".join(clean.split()).lstrip("-+_ ") or "untitled"
    return clean


# -------------------------------------------------------------------------------------------- data

def _quote(text: str) -> str:
    """A double-quoted YAML string readable by js-yaml and PyYAML; braces and ``=`` escaped so the
    string can neither close an Argdown data block nor a front matter section."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "{}=" or not _printable(ch) or code < 0x20:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _word(text: str) -> str:
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return _quote(text)


def _number(x: float) -> str:
    if not math.isfinite(x):  # pragma: no cover - argmap numbers are finite
        raise ValueError(f"cannot write {x} in Argdown data")
    text = repr(float(x))
    if text == "-0.0":
        text = "0.0"
    if "e" in text and "." not in text.split("e")[0]:
        mant, exp = text.split("e")
        text = f"{mant}.0e{exp}"
    return text


def data_text(value: Any) -> str:
    """Flow-style YAML for ``value`` (dicts keep their order), safe inside an Argdown ``{...}`` block.

    >>> data_text({"id": "x", "credence": {"value": 0.3, "range": [0.1, 0.5]}, "states": ["true", "low"]})
    '{id: x, credence: {value: 0.3, range: [0.1, 0.5]}, states: ["true", low]}'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return _word(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_word(str(k))}: {data_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(data_text(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} in Argdown data")  # pragma: no cover


# ------------------------------------------------------------------------------- map -> data dicts

def _scalar(q: Quantity) -> Any:
    exact = q.exact
    if exact is not None and exact.denominator != 1 and float(exact) == q.value \
            and Fraction(repr(q.value)) != exact:
        return f"{exact.numerator}/{exact.denominator}"
    return q.value


def _quantity(q: Quantity) -> Any:
    if q.range is not None:
        return {"value": _scalar(q), "range": [q.range[0], q.range[1]]}
    if q.beta is not None:
        return {"value": _scalar(q), "beta": [q.beta[0], q.beta[1]]}
    return _scalar(q)


def _provenance(p: Provenance) -> dict[str, Any]:
    """Every field that is set, as an argument file writes it (a per-state band as a mapping)."""
    out: dict[str, Any] = {}
    for f in fields(p):
        value = getattr(p, f.name)
        if value is not None:
            out[f.name] = dict(value) if isinstance(value, tuple) else value
    return out


def _credence(claim: Claim) -> Any:
    assert claim.credence is not None
    if claim.binary:
        return _quantity(claim.credence[1])
    return {s: _quantity(q) for s, q in zip(claim.states, claim.credence, strict=True)}


def _table(claim: Claim, table: Table) -> dict:
    rows = []
    for combo, dist in table.rows:
        when = dict(zip(table.given, combo, strict=True))
        if claim.binary:
            rows.append({"when": when, "p": _quantity(dist[1])})
        else:
            rows.append({"when": when, "probs": {s: _quantity(q) for s, q in zip(claim.states, dist, strict=True)}})
    return {"given": list(table.given), "rows": rows}


def _when(rel: Relation) -> Any:
    return rel.when[0] if len(rel.when) == 1 else list(rel.when)


def _relation(rel: Relation, owner: Claim, amap: ArgumentMap) -> dict:
    end = rel.source if rel.type == "requires" else rel.target
    entry: dict[str, Any] = {"claim": end}
    if rel.type == "requires":
        if rel.leak is not None:
            entry["leak"] = _quantity(rel.leak)
    elif rel.ratio is not None:
        entry["ratio"] = _quantity(rel.ratio)
    elif rel.p is not None:
        entry["p"] = _quantity(rel.p)
    default_when = ("true",)
    if rel.when != default_when:
        entry["when"] = _when(rel)
    mods = [{"claim": claim, "scale": {s: _quantity(q) for s, q in scale}} for claim, scale in rel.modulators]
    if mods:
        entry["modulated_by"] = mods[0] if len(mods) == 1 else mods
    if rel.provenance != owner.provenance:
        entry["provenance"] = _provenance(rel.provenance)
    if rel.added_by and rel.added_by != owner.added_by:
        entry["overlay"] = rel.added_by
    return entry


def _observation(obs: Observation) -> dict[str, Any]:
    """An observation as an ``observe:`` entry writes it (likelihood per claim state), and when it holds."""
    out: dict[str, Any] = {"likelihood": {c: {s: _quantity(q) for s, q in dist} for c, dist in obs.likelihood}}
    if obs.reliability is not None:
        out["reliability"] = _quantity(obs.reliability)
    if obs.data:
        out["data"] = dict(obs.data)
    out["scenario"] = obs.scenario  # null: observed in every query
    return out


def observation_relations(amap: ArgumentMap) -> list[tuple[str, str, str]]:
    """(evidence, claim, "supports" | "opposes") drawn for each binary claim an observation bears on."""
    out = []
    for obs in amap.observations.values():
        for claim, dist in obs.likelihood:
            p = dict(dist)
            if set(p) == {"false", "true"}:
                out.append((obs.id, claim, "supports" if p["true"].value >= p["false"].value else "opposes"))
    return out


def _probability(dist: Mapping[str, float], binary: bool) -> Any:
    if binary:
        return round(float(dist["true"]), 6)
    return {s: round(float(p), 6) for s, p in dist.items()}


def readback(text: str) -> str:
    """What Argdown's parser returns for ``text`` written by :func:`argdown_escape`."""
    return " ".join("".join(ch if _printable(ch) else " " for ch in text).split())


def claim_data(claim: Claim, amap: ArgumentMap, shown_title: str,
               marginal: Mapping[str, float] | None) -> dict[str, Any]:
    """The data block of one claim: its argument-file fields, plus its computed probability."""
    data: dict[str, Any] = {"id": claim.id}
    default_kind = "argument" if claim.kind in ARGUMENT_KINDS else "claim"
    if claim.kind != default_kind:
        data["kind"] = claim.kind
    if shown_title != claim.title:
        data["title"] = claim.title
    if claim.text is not None and (readback(claim.text) != claim.text or claim.text == readback(claim.title)):
        data["text"] = claim.text  # the written text would not read back as this claim's text
    if claim.sections:
        data["section"] = list(claim.sections)
    if not claim.binary:
        data["states"] = list(claim.states)
    if claim.credence is not None:
        data["credence"] = _credence(claim)
    if claim.concentration is not None:
        data["concentration"] = claim.concentration
    if claim.base is not None:
        data["base"] = _quantity(claim.base)
    if claim.table is not None:
        data["table"] = _table(claim, claim.table)
    requires = [_relation(r, claim, amap) for r in amap.relations if r.type == "requires" and r.target == claim.id]
    if requires:
        data["requires"] = requires
    for kind in ("route", "supports", "opposes", "undercuts"):
        out = [_relation(r, claim, amap) for r in amap.relations if r.type == kind and r.source == claim.id]
        if out:
            data[kind] = out
    obs = amap.observations.get(claim.id)
    if obs is not None:
        data["observation"] = _observation(obs)
    if marginal is not None:
        data["probability"] = _probability(marginal, claim.binary)
    prov = _provenance(claim.provenance)
    if prov:
        data["provenance"] = prov
    if claim.url:
        data["url"] = claim.url
    if claim.added_by:
        data["overlay"] = claim.added_by
    return data


# ------------------------------------------------------------------------------------------ writer

def _unique_titles(claims: list[Claim]) -> dict[str, str]:
    """Argdown title per claim id; statements and arguments are separate namespaces in Argdown."""
    out: dict[str, str] = {}
    taken: dict[bool, set[str]] = {True: set(), False: set()}
    for c in claims:
        space = taken[c.kind in ARGUMENT_KINDS]
        base = argdown_title(c.title)
        title, k = base, 1
        while title in space:
            title = f"{base} ({c.id})" if k == 1 else f"{base} ({c.id} {k})"
            k += 1
        space.add(title)
        out[c.id] = title
    return out


def _ref(claim: Claim, titles: Mapping[str, str]) -> str:
    t = titles[claim.id]
    return f"<{t}>" if claim.kind in ARGUMENT_KINDS else f"[{t}]"


def _header(amap: ArgumentMap, conditions: Mapping[str, Any]) -> dict[str, Any]:
    head: dict[str, Any] = {"format": FORMAT_VERSION, "name": amap.name, "target": amap.target}
    if amap.title:
        head["title"] = amap.title
    if amap.source:
        head["source"] = dict(amap.source)
    if amap.parts:
        head["parts"] = dict(amap.parts)
    if amap.scenarios:
        observed = {(o.scenario, o.id) for o in amap.observations.values()}  # written in the evidence's data
        head["scenarios"] = {
            name: {k: v for k, v in (("description", sc.description),
                                     ("given", {c: st for c, st in sc.given if (name, c) not in observed}),
                                     ("set", dict(sc.set))) if v}
            for name, sc in amap.scenarios.items()}
    if amap.default_scenario:
        head["default_scenario"] = amap.default_scenario
    if amap.stated:
        head["stated"] = [s.to_spec() for s in amap.stated]
    if amap.crux_groups:
        head["crux_groups"] = {name: {"claims": list(members)} for name, members in amap.crux_groups.items()}
    if amap.overlays:
        head["overlays"] = list(amap.overlays)
    head["probability"] = {k: v for k, v in conditions.items() if v or k == "scenario"}
    return head


def write_argdown(amap: ArgumentMap, marginals: Mapping[str, Mapping[str, float]] | None = None,
                  conditions: Mapping[str, Any] | None = None) -> str:
    """Argdown text of ``amap``; ``marginals`` (claim -> state -> P) fill each data block's ``probability``.

    ``conditions`` (scenario, given, set) are recorded in the front matter so a reader knows what the
    probabilities assume.
    """
    claims = list(amap.claims.values())
    titles = _unique_titles(claims)
    conditions = dict(conditions or {"scenario": None})
    front = {"title": amap.title or amap.name, "model": {"mode": "loose"}, "argmap": _header(amap, conditions)}
    out = ["==="]
    out += [f"{_word(k)}: {data_text(v)}" for k, v in front.items()]
    out += ["===", ""]
    over = f" with {', '.join(amap.overlays)}" if amap.overlays else ""
    out.append(f"// Written by argmap {__version__} from the map '{amap.name}'{over}. Each element's numbers are in")
    out.append("// its {data}: argument-file fields (credence, base, ratio, leak, table) and its computed probability.")
    out.append("")
    groups: dict[str | None, list[Claim]] = {None: []}
    for part in amap.parts:
        groups[part] = []
    for c in claims:
        key = c.part if c.part in amap.parts else None
        groups[key].append(c)
    extra = sorted({c.part for c in claims if c.part and c.part not in amap.parts})
    for name in extra:  # parts an overlay names without a map title
        groups[name] = [c for c in groups[None] if c.part == name]
    groups[None] = [c for c in groups[None] if not c.part or c.part in amap.parts]
    for key, members in groups.items():
        if not members:
            continue
        if key is not None:
            out.append(f"# {argdown_escape(amap.parts.get(key, key))} {data_text({'part': key})}")
            out.append("")
        for c in members:
            out.extend(_element(c, amap, titles, marginals))
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _element(c: Claim, amap: ArgumentMap, titles: Mapping[str, str],
             marginals: Mapping[str, Mapping[str, float]] | None) -> list[str]:
    title = titles[c.id]
    text = argdown_escape(c.text) if c.text and readback(c.text) else argdown_escape(c.title) or title
    data = claim_data(c, amap, title, marginals.get(c.id) if marginals else None)
    opener = f"<{title}>: " if c.kind in ARGUMENT_KINDS else f"[{title}]: "
    lines = [opener + text, "  " + data_text(data)]
    for r in amap.relations:
        if r.type == "requires" and r.target == c.id:
            lines.append(f"  <+ {_ref(amap.claims[r.source], titles)}")
    symbol = {"route": "+>", "supports": "+>", "opposes": "->", "undercuts": "_>"}
    for r in amap.relations:
        if r.type in symbol and r.source == c.id:
            lines.append(f"  {symbol[r.type]} {_ref(amap.claims[r.target], titles)}")
    for source, target, kind in observation_relations(amap):  # evidence for or against what it observes
        if source == c.id:
            lines.append(f"  {symbol[kind]} {_ref(amap.claims[target], titles)}")
    return lines


def argdown_document(model: Model, *, given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
                     scenario: str | None = DEFAULT) -> str:
    """Argdown text of a loaded :class:`~argmap.api.Model`, probabilities under the given conditions."""
    c = model.conditions(given, set, scenario)
    marginals = model.marginals(c.given, c.set, scenario=None)
    return write_argdown(model.map, marginals, {"scenario": c.scenario, "given": c.given, "set": c.set})
