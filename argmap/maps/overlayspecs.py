"""The file model of an overlay (a critique or viewpoint file) and of its edits (``pydantic``, ``extra="forbid"``).

Apart from :mod:`argmap.maps.specs` so that reading a map without overlays (a cold ``argmap run``'s forked
reader) does not make these classes (~3 ms). The same models, names and JSON Schema as when they lived there.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .specs import (
    ClaimId,
    ClaimSpec,
    CredenceIn,
    Modulators,
    ObserveSpec,
    Prob,
    Ratio,
    RelationType,
    ScenarioSpec,
    StatedSpec,
    StateList,
    TableSpec,
    Weight,
    _Spec,
)

__all__ = ["RelateSpec", "ChangeSpec", "RemoveSpec", "OverlayFile"]


class RelateSpec(_Spec):
    """An overlay's new relation between existing claims."""

    from_: ClaimId = Field(alias="from")
    to: ClaimId
    type: RelationType
    ratio: Ratio | None = None
    weight: Weight | None = None
    leak: Prob | None = None
    p: Prob | None = Field(default=None, description="a route's chance of bringing the claim about alone")
    when: StateList | None = None
    modulated_by: Modulators | None = None
    reason: str = Field(min_length=1)
    author: str | None = None
    source: str | None = None
    basis: Literal["stated", "illustrative"] | None = None


class ChangeSpec(_Spec):
    """An overlay's edit of one claim (``claim:``) or one relation (``relation: a -> b``)."""

    claim: ClaimId | None = None
    relation: str | None = Field(None, pattern=r"^\s*[a-z][a-z0-9_]*\s*->\s*[a-z][a-z0-9_]*\s*$")
    credence: CredenceIn = None
    concentration: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    base: Prob | None = None
    table: TableSpec | None = None
    ratio: Ratio | None = None
    weight: Weight | None = None
    leak: Prob | None = None
    p: Prob | None = Field(default=None, description="a route's new chance of bringing the claim about alone")
    compose: Literal["relations"] | None = Field(
        default=None, description="relations: drop the claim's table; it is composed from its relations "
                                  "(requirements, routes, arguments) with its base")
    type: RelationType | None = Field(
        default=None, description="a relation's new type: route, supports, opposes or undercuts")
    when: StateList | None = Field(default=None, description="a relation's new active state(s) of its source")
    modulated_by: Modulators | None = Field(default=None, description="a relation's new modulator(s); [] removes them")
    reason: str = Field(min_length=1)
    author: str | None = None
    source: str | None = None
    basis: Literal["stated", "illustrative"] | None = None


class RemoveSpec(_Spec):
    """An overlay's removal of one claim (with every relation touching it) or one relation."""

    claim: ClaimId | None = None
    relation: str | None = Field(default=None, pattern=r"^\s*[a-z][a-z0-9_]*\s*->\s*[a-z][a-z0-9_]*\s*$")
    reason: str = Field(min_length=1)
    author: str | None = None
    source: str | None = None


class OverlayFile(_Spec):
    overlay: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str | None = None
    description: str | None = None
    author: str
    source: str | None = None
    builds_on: list[str] = []
    add: list[ClaimSpec] = []
    relate: list[RelateSpec] = []
    change: list[ChangeSpec] = []
    remove: list[RemoveSpec] = Field(default=[], description="claims or relations taken out, each with a reason")
    observe: list[ObserveSpec] = Field(default=[], description="observations, conditioned on in every query")
    scenarios: dict[str, ScenarioSpec] = Field(default={}, description="new named scenarios (conditions, observations)")
    stated: list[StatedSpec] = Field(default=[], description="results the overlay's author states")
    parts: dict[str, str] = Field(default={}, description="new parts (id -> title) that added claims may name")
