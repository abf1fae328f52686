"""Coverage of a source's table of contents: which claims encode each section.

A map may ship the table of contents of the report it encodes (``toc:`` in map.yaml) and a range
that must be covered (``coverage: {from, to}``). Every section in that range must be cited by a
claim's ``section:`` or listed under ``context_sections:`` with a reason; a parent section whose
subsections are all covered counts as covered.
"""

from __future__ import annotations

from ..base.records import dataclass
from .models import ArgumentMap

__all__ = ["SectionRow", "section_key", "coverage_table", "unknown_sections"]


@dataclass(frozen=True)
class SectionRow:
    section: str
    title: str
    claims: tuple[str, ...]
    reason: str | None
    via_subsections: bool = False

    @property
    def covered(self) -> bool:
        return bool(self.claims or self.reason or self.via_subsections)


def section_key(section: str) -> tuple[int, ...]:
    """Sort key of a section number: ``"2.10" > "2.9"``.

    >>> sorted(["2.10", "2.9", "2"], key=section_key)
    ['2', '2.9', '2.10']
    """
    return tuple(int(p) for p in section.split("."))


def _in_range(section: str, lo: str, hi: str) -> bool:
    k = section_key(section)
    return section_key(lo) <= k and (k <= section_key(hi) or section.startswith(hi + "."))


def coverage_table(amap: ArgumentMap) -> list[SectionRow]:
    """One row per table-of-contents section in the map's coverage range (all sections if none)."""
    cited: dict[str, list[str]] = {}
    for cid, claim in amap.claims.items():
        for s in claim.sections:
            cited.setdefault(s, []).append(cid)
    toc = sorted(amap.toc, key=lambda e: section_key(e[0]))
    if amap.coverage:
        toc = [e for e in toc if _in_range(e[0], *amap.coverage)]
    rows: dict[str, SectionRow] = {}
    for section, title in reversed(toc):  # children first, so parents can see them
        depth = section.count(".") + 1
        children = [r for s, r in rows.items() if s.startswith(section + ".") and s.count(".") == depth]
        via = bool(children) and all(r.covered for r in children)
        rows[section] = SectionRow(section, title, tuple(cited.get(section, ())),
                                   amap.context_sections.get(section), via)
    return [rows[s] for s, _ in toc]


def unknown_sections(amap: ArgumentMap) -> list[tuple[str, str]]:
    """(claim id, section) pairs citing a section that is not in the table of contents."""
    if not amap.toc:
        return []
    known = {s for s, _ in amap.toc}
    out = [(cid, s) for cid, c in amap.claims.items() for s in c.sections if s not in known]
    out += [("context_sections", s) for s in amap.context_sections if s not in known]
    return out
