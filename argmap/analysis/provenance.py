"""Where every number of a map comes from: stated in a source, or an illustrative reading."""

from __future__ import annotations

from ..base.records import dataclass
from ..inference.network import Network
from ..inference.words import param_word
from ..maps.models import ArgumentMap, Provenance

__all__ = ["NumberSource", "number_sources", "catch_all_bases", "STRUCTURAL"]

STRUCTURAL = "structural"
"""The label a catch-all base carries wherever it is shown."""


@dataclass(frozen=True)
class NumberSource:
    param: str
    claim: str
    value: float
    range: tuple[float, float] | None
    basis: str
    holder: str | None
    source: str | None
    rationale: str | None
    overlay: str | None
    qualifier: str | None = None
    """The source's own word for the number (paraphrased, section cited)."""
    band: str | None = None
    """The verbal band the number was read into; for a modulator factor, its modulation word. None when
    an overlay changed the number (its reason then says why)."""
    structural: bool = False
    """A catch-all base (:func:`catch_all_bases`): what remains when none of the claim's named arguments
    or routes holds, a judgement about the map's structure rather than about one argument."""


def catch_all_bases(amap: ArgumentMap) -> set[str]:
    """Claims whose ``base`` is a catch-all: a base beside which named arguments or routes bear on the
    claim (supports, opposes, undercuts, route), so that it stands for "none of them" — a structural
    number. A base with only requirements is the claim's own chance given them, not a catch-all."""
    return {r.target for r in amap.relations if r.type != "requires" and not r.decorative
            and r.target in amap.claims and amap.claims[r.target].base is not None}


def number_sources(amap: ArgumentMap, network: Network) -> list[NumberSource]:
    """One row per parameter of the compiled map, with the provenance of the number behind it.

    A relation's own provenance wins over its claim's; a number with no stated basis is reported as
    ``unspecified`` so that gaps are visible.
    """
    rel_by_key = {r.key: r for r in amap.relations}
    catch_all = catch_all_bases(amap)
    rows = []
    for p in network.params:
        prov: Provenance = amap.claims[p.claim].provenance
        overlay = amap.claims[p.claim].added_by
        if p.relation and p.relation in rel_by_key:
            rel = rel_by_key[p.relation]
            prov = rel.provenance
            overlay = rel.added_by
        band = param_word(amap, p)
        changed = [c for c in amap.changes if c.target in (p.claim, p.relation) and c.field == p.field]
        qualifier = prov.qualifier
        if changed:
            overlay = changed[-1].overlay
            qualifier = None
        q = p.quantity
        rows.append(NumberSource(p.name, p.claim, q.value, q.range, prov.basis or "unspecified", prov.holder,
                                 prov.source, prov.rationale, overlay, qualifier, band,
                                 p.field == "base" and p.claim in catch_all))
    return rows
