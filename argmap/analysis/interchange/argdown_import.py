"""Turn an Argdown document into an argument map folder, with an account of what was mapped.

Statements and arguments become claims (arguments keep kind ``argument``); support, attack and undercut
relations become ``supports``, ``opposes`` and ``undercuts`` declared on their source; a support into
a claim whose data block lists the source under ``requires`` becomes that requirement, and a support
whose source's data block lists the target under ``route`` becomes that route. A
premise–conclusion structure maps its premises to ``requires`` of the argument and its main conclusion
to a ``supports`` from it. Numbers come from the data blocks in argument-file field names
(``credence``, ``base``, ``table``, ``ratio``/``weight`` per relation under ``supports``/``opposes``/
``undercuts``, ``leak`` under ``requires``, or one ``ratio`` for an element's single relation).
A relation without a strength gets a placeholder ratio (2 for support, 1/2 against) and a root without
a credence a placeholder 0.5, each said so in its provenance. What has no counterpart in a map
(contradictions, intermediary conclusions, inference rules, other formulations of a statement,
unused data, prose) is listed as left as text. Every problem points at ``file:line:col``.
"""

from __future__ import annotations

import re
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

from ...base.atomic import refuse_map_folder
from ...base.errors import ArgmapError, Diagnostic, ValidationError, did_you_mean
from ...base.records import dataclass
from ...maps.models import ID_PATTERN, KINDS
from ._text import fail
from .argdown import readback
from .argdown_read import ArgdownDoc, Element, Link, Ref, read_argdown
from .tomap import claim_ids, place_map_folder

__all__ = ["ImportReport", "argdown_to_map", "import_argdown", "PLACEHOLDER_RATIO", "PLACEHOLDER_CREDENCE"]

PLACEHOLDER_RATIO = {"supports": 2, "opposes": "1/2", "undercuts": "1/2"}
PLACEHOLDER_CREDENCE = 0.5
_ID = re.compile(ID_PATTERN)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_CLAIM_KEYS = ("kind", "title", "text", "section", "states", "credence", "concentration", "base", "table",
               "provenance", "url")
_USED_KEYS = set(_CLAIM_KEYS) | {"id", "requires", "route", "supports", "opposes", "undercuts", "ratio", "weight",
                                 "probability", "overlay", "part", "observation"}
_INFLUENCE = {"support": "supports", "attack": "opposes", "undercut": "undercuts"}
_RELATION_KEYS = {"claim", "ratio", "weight", "leak", "p", "when", "modulated_by", "provenance"}


@dataclass
class ImportReport:
    """What an import mapped, which numbers are placeholders, and what it left as text."""

    path: Path
    mapped: dict[str, int] = field(default_factory=dict)
    placeholders: list[str] = field(default_factory=list)
    left_as_text: list[str] = field(default_factory=list)
    """Each entry reads ``file:line:col: what``; :meth:`format` lists them in file order."""

    def count(self, what: str, n: int = 1) -> None:
        self.mapped[what] = self.mapped.get(what, 0) + n

    def format(self) -> str:
        parts = [f"{n} {what}" for what, n in self.mapped.items() if n]
        lines = ["mapped: " + (", ".join(parts) or "nothing")]
        if self.placeholders:
            lines.append(f"placeholders ({len(self.placeholders)}; replace them, see each claim's provenance):")
            lines += [f"  {p}" for p in sorted(self.placeholders, key=_file_order)]
        if self.left_as_text:
            lines.append(f"left as text ({len(self.left_as_text)}; no counterpart in an argument map):")
            lines += [f"  {t}" for t in sorted(self.left_as_text, key=_file_order)]
        return "\n".join(lines)


def _file_order(entry: str) -> tuple[int, int, str]:
    m = re.search(r":(\d+):(\d+): ", entry)
    return (int(m.group(1)), int(m.group(2)), entry) if m else (0, 0, entry)


class _Mapper:
    def __init__(self, doc: ArgdownDoc, target: str | None):
        self.doc = doc
        self.path = doc.path
        self.report = ImportReport(doc.path)
        self.target_arg = target
        self.claims: dict[Ref, Element] = {}
        self.ids: dict[Ref, str] = {}
        self.lines: dict[str, list[tuple[int, int, Element, str | None]]] = {}
        self.claims_by_id: dict[str, Element] = {}
        self.observations: dict[Ref, Element] = {}
        """Elements whose data holds an ``observation`` (evidence written by ``argmap export``)."""
        head = doc.front.get("argmap")
        self.from_argmap = isinstance(head, dict) and "format" in head
        """Written by ``argmap export``: elements without provenance had none (no source line is added)."""

    def at(self, pos: tuple[int, int]) -> str:
        return f"{self.path}:{pos[0]}:{pos[1]}"

    def cite(self, pos: tuple[int, int]) -> str:
        """Where a number came from, for provenance: the file's name (not the path it was read by)."""
        return f"{self.path.name}:{pos[0]}:{pos[1]}"

    def label(self, el: Element) -> str:
        if not el.titled:
            text = el.texts[0][0] if el.texts else ""
            return f"the untitled {el.kind} '{text[:40]}{'...' if len(text) > 40 else ''}'"
        return f"<{el.title}>" if el.kind == "argument" else f"[{el.title}]"

    # ----------------------------------------------------------------- which elements are claims
    def choose(self) -> None:
        in_pcs: dict[Ref, bool] = {}
        for el in self.doc.elements.values():
            for i, item in enumerate(el.pcs):
                main = i == len(el.pcs) - 1
                if item.conclusion and not main:
                    in_pcs.setdefault(item.ref, False)
                    if not self.doc.elements[item.ref].titled:
                        self.report.left_as_text.append(
                            f"{self.at(item.pos)}: intermediary conclusion ({item.number}) of {self.label(el)}")
                else:
                    in_pcs[item.ref] = True
        ordered = sorted(self.doc.elements.items(), key=lambda kv: kv[1].texts[0][1] if kv[1].texts else kv[1].pos)
        scenarios = self.front_scenarios()
        for ref, el in ordered:  # claims in the order they are defined (a reference may come first)
            obs = el.data.get("observation")
            if isinstance(obs, dict):
                self.observations[ref] = el
                if obs.get("scenario") in scenarios:
                    continue            # observed under a scenario: an observe: entry of that scenario
                self.report.left_as_text.append(
                    f"{self.at(el.pos)}: {self.label(el)} is observed in every query of the exported map; a map "
                    "file observes only within a scenario, so it is imported as an unobserved claim (add it to "
                    "a scenario's or an overlay's observe: list)")
            if el.titled or el.in_relation or in_pcs.get(ref) or el.pcs:
                self.claims[ref] = el
            elif ref not in in_pcs:
                text = el.texts[0][0] if el.texts else ""
                self.report.left_as_text.append(f"{self.at(el.pos)}: untitled statement in no relation: "
                                                f"{text[:60]}{'...' if len(text) > 60 else ''}")
        for pos, what in self.doc.left_as_text:
            self.report.left_as_text.append(f"{self.at(pos)}: {what}")
        if not self.claims:
            raise fail(self.path, (1, 1), "the file has no statements or arguments to map",
                       "write statements [Title]: text and arguments <Title>: text")

    def front_scenarios(self) -> dict[str, Any]:
        head = self.doc.front.get("argmap")
        scenarios = head.get("scenarios") if isinstance(head, dict) else None
        return scenarios if isinstance(scenarios, dict) else {}

    def observe_entries(self) -> dict[str, list[dict[str, Any]]]:
        """Scenario name -> the ``observe:`` entries of the observations written for it."""
        out: dict[str, list[dict[str, Any]]] = {}
        scenarios = self.front_scenarios()
        for ref, el in self.observations.items():
            obs = el.data["observation"]
            if ref in self.claims or obs.get("scenario") not in scenarios:
                continue
            cid = el.data.get("id")
            if not isinstance(cid, str):
                raise fail(self.path, el.data_pos("id"), f"observation {self.label(el)} needs an id in its data")
            entry: dict[str, Any] = {"id": cid, "title": el.data.get("title", el.title)}
            if isinstance(el.data.get("text"), str):
                entry["text"] = el.data["text"]
            likelihood = obs.get("likelihood")
            if not isinstance(likelihood, dict):
                raise fail(self.path, el.data_pos("observation"), f"observation {self.label(el)} has no likelihood",
                           "write likelihood: {claim: {state: P(evidence | state), ...}}")
            entry["likelihood"] = {self.ref_id(c, el, "observation"): dist for c, dist in likelihood.items()}
            for key in ("reliability", "data"):
                if key in obs:
                    entry[key] = obs[key]
            out.setdefault(str(obs["scenario"]), []).append(entry)
            self.report.count("observations")
        return out

    def assign_ids(self) -> None:
        used: set[str] = set()
        wanted: dict[Ref, str] = {}
        for ref, el in self.claims.items():
            cid = el.data.get("id")
            if isinstance(cid, str) and _ID.match(cid) and len(cid) <= 80 and cid not in used:
                wanted[ref] = cid
                used.add(cid)
            elif cid is not None:
                raise fail(self.path, el.data_pos("id"), f"id {cid!r} of {self.label(el)} is not usable",
                           "ids are unique lowercase letters, digits and underscores, starting with a letter"
                           if cid not in used else f"'{cid}' is already the id of another element")
        rest = [ref for ref in self.claims if ref not in wanted]
        slugs = claim_ids(tuple(title for _, title in rest))
        for ref in rest:
            base = slugs[ref[1]]
            cid, k = base, 2
            while cid in used:
                cid, k = f"{base}_{k}", k + 1
            used.add(cid)
            wanted[ref] = cid
        self.ids = wanted

    # ----------------------------------------------------------------- relations
    def relations(self) -> dict[tuple[str, str], tuple[str, tuple[int, int]]]:
        """(source id, target id) -> (relation type, position): drawn relations and pcs-derived ones."""
        rels: dict[tuple[str, str], tuple[str, tuple[int, int]]] = {}

        def add(src: Ref, tgt: Ref, kind: str, pos: tuple[int, int]) -> None:
            a, b = self.ids[src], self.ids[tgt]
            if a == b:
                raise fail(self.path, pos, f"{self.label(self.claims[src])} cannot bear on itself")
            old = rels.get((a, b))
            if old is not None and {old[0], kind} == {"support", "premise"}:
                rels[(a, b)] = ("premise", old[1])
                return
            if old is not None and old[0] != kind:
                raise fail(self.path, pos, f"{self.label(self.claims[src])} already bears on "
                           f"{self.label(self.claims[tgt])} as {old[0]} (at line {old[1][0]})",
                           "an argument map keeps one relation per pair of claims")
            if (b, a) in rels:
                raise fail(self.path, pos, f"{self.label(self.claims[src])} and {self.label(self.claims[tgt])} "
                           f"bear on each other (also at line {rels[(b, a)][1][0]})",
                           "argument maps are acyclic: keep the relation in one direction")
            rels.setdefault((a, b), (kind, pos))

        for link in self.doc.links:
            if link.source in self.observations or link.target in self.observations:
                continue        # an observation's relations follow from its likelihood
            self.link(link, add)
        for el in self.doc.elements.values():
            if not el.pcs:
                continue
            main = el.pcs[-1]
            for item in el.pcs:
                if item is main:
                    add(el.ref, item.ref, "support", item.pos)
                elif not item.conclusion:
                    add(item.ref, el.ref, "premise", item.pos)
            self.report.count("premise-conclusion structures")
        return rels

    def link(self, link: Link, add) -> None:
        src, tgt = self.claims[link.source], self.claims[link.target]
        if link.type == "contradiction":
            self.report.left_as_text.append(f"{self.at(link.pos)}: contradiction between {self.label(src)} and "
                                            f"{self.label(tgt)} (an argument map has no symmetric relation)")
            return
        kind = link.type
        if kind == "undercut" and tgt.kind != "argument":
            self.report.left_as_text.append(f"{self.at(link.pos)}: undercut of the statement {self.label(tgt)} "
                                            "mapped as an attack (only arguments can be undercut)")
            kind = "attack"
        add(link.source, link.target, kind, link.pos)

    # ----------------------------------------------------------------- claims
    def ref_id(self, raw: Any, el: Element, key: str) -> str:
        """A claim named in ``el``'s data: an id, or the title of a statement or argument."""
        text = str(raw)
        if text in self.ids.values():
            return text
        for ref, cid in self.ids.items():
            if ref[1] == text:
                return cid
        raise fail(self.path, el.data_pos(key), f"{self.label(el)}'s data names '{text}', which is no element",
                   did_you_mean(text, list(self.ids.values()) + [r[1] for r in self.ids]))

    def claim(self, el: Element, rels, by_id: dict[str, Element]) -> dict[str, Any]:
        cid = self.ids[el.ref]
        data = el.data
        spec: dict[str, Any] = {"id": cid}
        title = data.get("title") if isinstance(data.get("title"), str) else None
        if title is None:
            title = el.title if el.titled else (el.texts[0][0] if el.texts else el.title)
            if len(title) > 120:
                title = title[:117] + "..."
        spec["title"] = title
        if isinstance(data.get("text"), str):
            spec["text"] = data["text"]
        elif el.texts:
            text = el.texts[-1][0]
            if text != readback(title):
                spec["text"] = text
            if len({t for t, _ in el.texts}) > 1:
                self.report.left_as_text.append(
                    f"{self.at(el.texts[0][1])}: {len(el.texts) - 1} other formulation(s) of {self.label(el)} "
                    "(the last is the claim's text)")
        kind = data.get("kind", "argument" if el.kind == "argument" else "claim")
        if kind not in KINDS:
            raise fail(self.path, el.data_pos("kind"), f"kind {kind!r} of {self.label(el)} is not a kind of claim",
                       did_you_mean(str(kind), KINDS) or f"kinds: {', '.join(KINDS)}")
        if kind != "claim":
            spec["kind"] = kind
        for key in _CLAIM_KEYS[3:]:
            if key in data and key not in ("credence", "base"):
                spec[key] = data[key]
        if el.section and el.section in self.doc.sections:
            spec["part"] = el.section
        unused = sorted(str(k) for k in data if k not in _USED_KEYS)
        if unused:
            self.report.left_as_text.append(f"{self.at(el.data_docs[-1][1])}: data of {self.label(el)} not used: "
                                            + ", ".join(unused))
        if "probability" in data:
            self.report.count("computed probabilities ignored")
        if el.tags:
            self.report.left_as_text.append(f"{self.at(el.pos)}: tags of {self.label(el)}: "
                                            + " ".join(f"#{t}" for t in el.tags))
        # relations declared on this claim
        requires: list[dict[str, Any]] = []
        influences: dict[str, list[dict[str, Any]]] = {k: [] for k in ("route", *_INFLUENCE.values())}
        has_parents = "table" in data
        incoming = 0
        declared = self.declared(el)
        for (a, b), (kind_, _pos) in rels.items():
            if b == cid:
                has_parents = True
                if kind_ == "premise" or (kind_ == "support" and ("requires", a) in declared):
                    entry = declared.pop(("requires", a), {"claim": a})
                    requires.append({**entry, "claim": a})
                elif "table" not in data:
                    incoming += 1
        for (a, b), (kind_, pos) in rels.items():
            if a != cid or kind_ == "premise":
                continue
            target = by_id[b]
            if kind_ == "support" and ("requires", cid) in self.declared(target):
                continue
            rel = "route" if kind_ == "support" and ("route", b) in declared else _INFLUENCE[kind_]
            entry = dict(declared.pop((rel, b), {}))
            entry["claim"] = b
            if rel != "route" and "table" not in target.data and "ratio" not in entry and "weight" not in entry:
                outgoing = [k for (x, _), (k, _) in rels.items() if x == cid and k != "premise"]
                if "ratio" in data and len(outgoing) == 1:
                    entry["ratio"] = data["ratio"]
                else:
                    entry["ratio"] = PLACEHOLDER_RATIO[rel]
                    entry["provenance"] = {"basis": "illustrative", "source": self.cite(pos),
                                           "rationale": f"placeholder ratio {PLACEHOLDER_RATIO[rel]}: the Argdown "
                                                        "file gives no strength for this relation"}
                    self.report.placeholders.append(f"{self.at(pos)}: ratio of {self.label(el)} {rel} "
                                                    f"{self.label(target)}")
            influences[rel].append(entry)
            self.report.count(rel)
        if declared:
            (rel, other), _ = next(iter(declared.items()))
            raise fail(self.path, el.data_pos(rel), f"{self.label(el)}'s data gives {rel} '{other}', but the map "
                       "draws no such relation", "draw it (for example +> [Title]) or remove the data entry")
        if requires:
            spec["requires"] = requires
            self.report.count("requires", len(requires))
        for rel, entries in influences.items():
            if entries:
                spec[rel] = entries
        self.numbers(el, spec, has_parents, incoming)
        prov = data.get("provenance")
        if isinstance(prov, dict):
            spec["provenance"] = prov
        elif "provenance" not in spec and not self.from_argmap:
            spec["provenance"] = {"source": self.cite(el.pos)}
        return spec

    def declared(self, el: Element) -> dict[tuple[str, str], dict]:
        """Relation entries in ``el``'s data: (field, other claim id) -> entry."""
        out: dict[tuple[str, str], dict] = {}
        for rel in ("requires", "route", "supports", "opposes", "undercuts"):
            entries = el.data.get(rel)
            if entries is None:
                continue
            if not isinstance(entries, list):
                raise fail(self.path, el.data_pos(rel), f"{rel} in the data of {self.label(el)} must be a list",
                           f"write {rel}: [{{claim: id, ...}}]")
            for e in entries:
                entry = {"claim": e} if isinstance(e, str) else e
                if not isinstance(entry, dict) or "claim" not in entry:
                    raise fail(self.path, el.data_pos(rel), f"each {rel} entry names a claim: {{claim: id, ...}}")
                kept = {k: v for k, v in entry.items() if k in _RELATION_KEYS}
                out[(rel, self.ref_id(entry["claim"], el, rel))] = kept
        return out

    def numbers(self, el: Element, spec: dict[str, Any], has_parents: bool, incoming: int) -> None:
        data = el.data
        if "base" in data:
            spec["base"] = data["base"]
        if not has_parents and "table" not in data:
            if "credence" in data:
                spec["credence"] = data["credence"]
            else:
                spec["credence"] = PLACEHOLDER_CREDENCE
                self.placeholder_prov(el, spec, f"placeholder credence {PLACEHOLDER_CREDENCE}")
            return
        if "credence" in data and "base" not in data and "states" not in data and "table" not in data:
            spec["base"] = data["credence"]          # a credence given to a claim with parents is its base
        elif incoming and "base" not in spec and "table" not in data:
            spec["base"] = PLACEHOLDER_CREDENCE
            self.placeholder_prov(el, spec, f"placeholder base {PLACEHOLDER_CREDENCE}")

    def placeholder_prov(self, el: Element, spec: dict[str, Any], what: str) -> None:
        self.report.placeholders.append(f"{self.at(el.pos)}: {what.split(' ')[1]} of {self.label(el)}")
        if not isinstance(el.data.get("provenance"), dict):
            spec["provenance"] = {"basis": "illustrative", "source": self.cite(el.pos),
                                  "rationale": f"{what}: the Argdown file gives no number"}

    # ----------------------------------------------------------------- header and files
    def header(self, target: str) -> dict[str, Any]:
        front = self.doc.front
        head_in: dict[str, Any] = front["argmap"] if isinstance(front.get("argmap"), dict) else {}
        name = head_in.get("name") if isinstance(head_in.get("name"), str) else None
        head: dict[str, Any] = {"argmap": 1, "name": name or (re.sub(r"[^A-Za-z0-9_.-]+", "-", self.path.stem)
                                                            or "imported")}
        title = head_in.get("title") or front.get("title")
        if isinstance(title, str):
            head["title"] = title
        head["target"] = target
        for key in ("source", "scenarios", "default_scenario", "stated", "crux_groups"):
            if key in head_in:
                head[key] = head_in[key]
        for name, entries in self.observe_entries().items():
            head["scenarios"] = {**head["scenarios"], name: {**head["scenarios"][name], "observe": entries}}
        if "source" not in head:
            head["source"] = {"file": self.path.name, "format": "Argdown"}
        parts = dict(head_in.get("parts") or {}) if isinstance(head_in.get("parts"), dict) else {}
        for pid, (ptitle, _) in self.doc.sections.items():
            parts.setdefault(pid, ptitle)
        if parts:
            head["parts"] = parts
        return head

    def pick_target(self, specs: dict[str, dict]) -> str:
        wanted = self.target_arg
        if wanted is None:
            head_in = self.doc.front.get("argmap")
            if isinstance(head_in, dict) and isinstance(head_in.get("target"), str):
                wanted = head_in["target"]
        if wanted is not None:
            if wanted in specs:
                return wanted
            for ref, cid in self.ids.items():
                if ref[1] == wanted:
                    return cid
            raise ArgmapError(f"target '{wanted}' is no statement or argument of {self.path}"
                              + (f"; {h}" if (h := did_you_mean(wanted, list(specs))) else ""))
        sources = {e["claim"] for s in specs.values() for r in ("requires",) for e in s.get(r, [])}
        sources |= {s["id"] for s in specs.values() if any(s.get(r) for r in _INFLUENCE.values())}
        sinks = [cid for cid in specs if cid not in sources]
        statements = [cid for cid in sinks if self.claims_by_id[cid].kind == "statement"]
        return (statements or sinks or list(specs))[-1]

    def run(self) -> tuple[dict[str, str], ImportReport]:
        self.choose()
        self.assign_ids()
        rels = self.relations()
        by_id = {self.ids[ref]: el for ref, el in self.claims.items()}
        self.claims_by_id = by_id
        specs = {self.ids[ref]: self.claim(el, rels, by_id) for ref, el in self.claims.items()}
        target = self.pick_target(specs)
        self.report.mapped = {
            "statements": sum(el.kind == "statement" for el in self.claims.values()),
            "arguments": sum(el.kind == "argument" for el in self.claims.values()),
            **self.report.mapped}
        files = {"map.yaml": self.dump_header(self.header(target))}
        files["claims.yaml"] = self.dump_claims(specs, by_id, "claims.yaml")
        return files, self.report

    def dump_header(self, head: dict) -> str:
        note = (f"# Imported by `argmap import` from {self.path.name} (Argdown). Numbers marked 'placeholder' in a\n"
                "# provenance are not from the file: replace them.\n")
        return note + yaml.dump(head, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)

    def dump_claims(self, specs: dict[str, dict], by_id: dict[str, Element], name: str) -> str:
        """YAML of the claims, remembering which lines hold which element (and data key) for diagnostics."""
        out = ["claims:\n"]
        line = 2
        spans: list[tuple[int, int, Element, str | None]] = []
        for cid, spec in specs.items():
            for i, (key, value) in enumerate(spec.items()):
                text = yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096,
                                 default_flow_style=False)
                lines = text.rstrip("\n").split("\n")
                prefix = "  - " if i == 0 else "    "
                chunk = "".join((prefix if j == 0 else "    ") + ln + "\n" for j, ln in enumerate(lines))
                out.append(chunk)
                spans.append((line, line + len(lines) - 1, by_id[cid], key))
                line += len(lines)
        self.lines[name] = spans
        return "".join(out)

    def explain(self, err: ValidationError) -> ValidationError:
        """The loader's diagnostics, moved from the assembled files to the Argdown file."""
        out: list[Diagnostic] = []
        for d in err.diagnostics:
            name = Path(d.path).name if d.path is not None else ""
            spans = self.lines.get(name, [])
            hit = next((s for s in spans if d.line is not None and s[0] <= d.line <= s[1]), None)
            if hit is not None:
                el, key = hit[2], hit[3]
                pos = el.data_pos(key) if key and key in el.data else el.pos
                out.append(Diagnostic(f"{self.label(el)}: {d.message}", self.path, pos[0], pos[1], d.hint))
            else:
                front = self.doc.front_doc
                at = front.pos(()) if front is not None else None
                line, col = at or (1, 1)
                out.append(Diagnostic(d.message, self.path, line, col, d.hint))
        return ValidationError(out)


def argdown_to_map(doc: ArgdownDoc, *, target: str | None = None) -> tuple[dict[str, str], ImportReport]:
    """The files (name -> YAML text) of the map an Argdown document describes, and the account of it."""
    files, report = _Mapper(doc, target).run()
    return files, report


def import_argdown(path: str | Path, folder: str | Path, *,
                   target: str | None = None) -> tuple[Path, ImportReport]:
    """Read an Argdown file and write it as a map folder (assembled beside ``folder``, checked, renamed in).

    Refuses an existing ``folder``. Problems the map check finds are reported at the Argdown element.
    """
    path, folder = Path(path), Path(folder)
    if folder.exists() or folder.is_symlink():
        raise ArgmapError(f"{folder} already exists; argmap import never overwrites: choose another -o FOLDER")
    refuse_map_folder(folder)
    mapper = _Mapper(read_argdown(path), target)
    files, report = mapper.run()
    return place_map_folder(files, folder, mapper.explain), report
