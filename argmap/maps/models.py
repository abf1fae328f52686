"""Data models in one place: the resolved map, and (in :mod:`argmap.maps.specs`) the file models.

* **File models** (pydantic, in :mod:`argmap.maps.specs`, which builds on the constants here): exactly what
  an argument, map or overlay file may say. Only the loader needs them, so reading a compiled map from
  the cache does not import pydantic.
* **The resolved map** (frozen dataclasses, below): an :class:`ArgumentMap` of :class:`Claim` and
  :class:`Relation` objects, with overlays applied and every reference checked. Later stages
  (compile, engine, analyses, render) read only this layer.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Any

from ..base.quantity import Quantity
from ..base.records import dataclass

__all__ = ["KINDS", "RELATION_TYPES", "INFLUENCES", "ID_PATTERN",
           "Origin", "Provenance", "Relation", "Table", "Claim", "Change", "Observation", "Scenario", "Stated",
           "ArgumentMap"]

KINDS = ("claim", "argument", "critique", "evidence", "conclusion")
RELATION_TYPES = ("requires", "route", "supports", "opposes", "undercuts")
INFLUENCES = ("supports", "opposes", "undercuts")
"""The strength relations: each multiplies its target's odds by a ratio."""
ID_PATTERN = r"^[a-z][a-z0-9_]*$"


# ---------------------------------------------------------------------------------- resolved map

@dataclass(frozen=True)
class Origin:
    """Where something was written: file and 1-based line/column."""

    path: Path | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.path else "<built-in>"


@dataclass(frozen=True)
class Provenance:
    """Who holds a number, on what basis, from which source, and the verbal band it was read from."""

    holder: str | None = None
    basis: str | None = None
    source: str | None = None
    rationale: str | None = None
    qualifier: str | None = None
    band: str | tuple[tuple[str, str], ...] | None = None
    """A band name, or (state, band) pairs for a categorical credence."""

    def band_for(self, state: str | None = None) -> str | None:
        """The band of the number for ``state`` (categorical credences), or the single band."""
        if isinstance(self.band, tuple):
            return dict(self.band).get(state or "")
        return self.band


@dataclass(frozen=True)
class Relation:
    """A typed edge ``source -> target``: ``ratio`` for influences (supports, opposes, undercuts), ``leak``
    for requirements, ``p`` for a route (the chance that the source alone brings the target about)."""

    type: str
    source: str
    target: str
    ratio: Quantity | None = None
    leak: Quantity | None = None
    when: tuple[str, ...] = ("true",)
    modulators: tuple[tuple[str, tuple[tuple[str, Quantity], ...]], ...] = ()
    """(claim, ((state, factor), ...)) per modulator: the weight (log-ratio) is multiplied by each factor."""
    provenance: Provenance = Provenance()
    origin: Origin = Origin()
    added_by: str | None = None
    p: Quantity | None = None

    @property
    def key(self) -> str:
        return f"{self.source} -> {self.target}"

    @property
    def decorative(self) -> bool:
        """True for a relation drawn but not computed with: an influence or route without a strength, allowed
        only from a parent its target's explicit table lists (see :func:`argmap.maps.checks.drawn_only`)."""
        return self.type != "requires" and self.ratio is None and self.p is None


@dataclass(frozen=True)
class Table:
    """An explicit conditional table: for each combination of ``given`` states, a distribution."""

    given: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], tuple[Quantity, ...]], ...]
    """(parent states, one Quantity per claim state) in the order of the rows' combinations."""
    bands: tuple[tuple[tuple[str, ...], str], ...] = ()
    """(parent states, band) for rows that name the verbal band of their P(true)."""


@dataclass(frozen=True)
class Claim:
    """A claim of the resolved map: its states, credence or table, and where it was written."""

    id: str
    title: str
    kind: str = "claim"
    text: str | None = None
    states: tuple[str, ...] = ("false", "true")
    sections: tuple[str, ...] = ()
    part: str | None = None
    credence: tuple[Quantity, ...] | None = None
    """Root credence: one Quantity per state (binary: (P(false), P(true)), P(false) derived)."""
    concentration: float | None = None
    base: Quantity | None = None
    table: Table | None = None
    provenance: Provenance = Provenance()
    origin: Origin = Origin()
    added_by: str | None = None
    url: str | None = None
    short: str | None = None
    """A diagram label of at most 40 characters, used where space is tight (collapsed parts, NEW claims)."""

    @property
    def label(self) -> str:
        """The short label if there is one, else the title."""
        return self.short or self.title

    @property
    def binary(self) -> bool:
        return self.states == ("false", "true")


@dataclass(frozen=True)
class Change:
    """One attributed edit an overlay made."""

    overlay: str
    target: str
    field: str
    old: str | None
    new: str
    reason: str
    author: str | None = None
    source: str | None = None
    overrides: str | None = None
    origin: Origin = Origin()


@dataclass(frozen=True)
class Scenario:
    """A named set of conditions: claims observed (``given``) and claims set by intervention (``set``)."""

    name: str
    description: str | None = None
    given: tuple[tuple[str, str], ...] = ()
    set: tuple[tuple[str, str], ...] = ()
    origin: Origin = Origin()


@dataclass(frozen=True)
class Stated:
    """A result a source states (e.g. the report's headline): a point ``value``, an interval ``range``, or a
    bound ``below`` / ``above``; ``overlay`` names the overlay that states it (None: the map)."""

    claim: str
    value: float | None = None
    scenario: str | None = None
    holder: str | None = None
    source: str | None = None
    note: str | None = None
    range: tuple[float, float] | None = None
    below: float | None = None
    above: float | None = None
    overlay: str | None = None
    word: str | None = None
    """A verbal verdict's word in the source (e.g. "might well"); its ``bands`` give ``range``."""
    bands: tuple[str, ...] | None = None
    given: tuple[tuple[str, str], ...] = ()
    """Conditions beyond the scenario under which the source makes the statement."""

    @property
    def verdict(self) -> bool:
        """A statement about another claim than the target, or under further conditions: a verdict the
        map's composed stages are checked against (``Model.verdicts``)."""
        return bool(self.bands or self.given)

    def agrees(self, p: float) -> bool | None:
        """Whether a computed probability fits the statement (None for a point value: nothing to check)."""
        if self.range is not None:
            return self.range[0] - 1e-12 <= p <= self.range[1] + 1e-12
        if self.below is not None:
            return p < self.below
        if self.above is not None:
            return p > self.above
        return None

    def describe(self) -> str:
        """The statement as text: "0.25", "0.2 to 0.3", "< 0.01", "> 0.5" or "'might well' (plausible to
        quite likely, 0.25 to 0.75)"."""
        if self.bands:
            span = self.bands[0] if len(self.bands) == 1 else f"{self.bands[0]} to {self.bands[-1]}"
            rng = f"{self.range[0]:.3g} to {self.range[1]:.3g}" if self.range else ""
            head = f"'{self.word}' " if self.word else ""
            return f"{head}({span}, {rng})"
        if self.range is not None:
            return f"{self.range[0]:.3g} to {self.range[1]:.3g}"
        if self.below is not None:
            return f"< {self.below:.3g}"
        if self.above is not None:
            return f"> {self.above:.3g}"
        from ..base.formatting import fmt_p

        return fmt_p(float(self.value or 0.0))

    def to_dict(self) -> dict:
        out = {"claim": self.claim, "value": self.value, "range": list(self.range) if self.range else None,
               "below": self.below, "above": self.above, "word": self.word,
               "band": list(self.bands) if self.bands else None, "scenario": self.scenario,
               "given": dict(self.given) or None, "holder": self.holder, "source": self.source, "note": self.note,
               "overlay": self.overlay}
        return {k: v for k, v in out.items() if v is not None}

    def to_spec(self) -> dict:
        """The statement as a map file writes it (``stated:`` entry): a band instead of the range it spans."""
        out = {k: v for k, v in self.to_dict().items() if k != "overlay"}
        if self.bands:
            out.pop("range", None)
            out["band"] = self.bands[0] if len(self.bands) == 1 else list(self.bands)
        return out


@dataclass(frozen=True)
class Observation:
    """Evidence bearing on claims, compiled as an observed child (node ``id``) with a likelihood table.

    ``likelihood`` holds P(evidence | claim = state) per named claim (a Bayes factor k on a binary claim
    is stored as (1/(1+k), k/(1+k))); the evidence's chance given several claims is the product.
    """

    id: str
    title: str
    likelihood: tuple[tuple[str, tuple[tuple[str, Quantity], ...]], ...]
    factors: tuple[tuple[str, Quantity], ...] = ()
    """The Bayes factors as written (claim, k), for display; already included in ``likelihood``."""
    reliability: Quantity | None = None
    data: tuple[tuple[str, str | int | float], ...] = ()
    scenario: str | None = None
    """None: always observed; else observed only under this scenario."""
    provenance: Provenance = Provenance()
    origin: Origin = Origin()
    added_by: str | None = None

    @property
    def claims(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.likelihood)


@dataclass(frozen=True)
class ArgumentMap:
    """A loaded, validated map with its overlays applied. Treat as immutable."""

    name: str
    target: str
    claims: dict[str, Claim]
    relations: tuple[Relation, ...]
    title: str | None = None
    source: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    default_scenario: str | None = None
    context_sections: dict[str, str] = field(default_factory=dict)
    toc: tuple[tuple[str, str], ...] = ()
    coverage: tuple[str, str] | None = None
    overlays: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()
    root: Path | None = None
    stated: tuple[Stated, ...] = ()
    """Results a source states (e.g. the headline), to compare with what the map computes."""
    header: dict[str, Origin] = field(default_factory=dict)
    """Where header fields (target, default_scenario) were written, for diagnostics."""
    observations: dict[str, Observation] = field(default_factory=dict)
    """Evidence nodes (also in ``claims``): always observed, or under their scenario only."""
    crux_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Named groups of claims whose joint value of information sensitivity reports (map.yaml ``crux_groups:``)."""
    scale: str = "argmap"
    """The verbal scale the band words were read on (:mod:`argmap.base.scales`)."""
    correlation: tuple[float, str] | None = None
    """(rank correlation, rationale): the authors' stated dependence between their hedges."""

    @property
    def observed(self) -> dict[str, str]:
        """The observations conditioned on in every query: id -> "true"."""
        return {o.id: "true" for o in self.observations.values() if o.scenario is None}

    def relations_into(self, claim_id: str) -> list[Relation]:
        return [r for r in self.relations if r.target == claim_id]

    def relations_from(self, claim_id: str) -> list[Relation]:
        return [r for r in self.relations if r.source == claim_id]

