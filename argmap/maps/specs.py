"""The file models: exactly what a map or part file may say (pydantic, ``extra="forbid"``); an overlay file's
are in :mod:`argmap.maps.overlayspecs`, built on these.

They give ``argmap schema`` its JSON Schema and catch unknown fields and wrong types; every error
carries the path of the offending value, which :mod:`argmap.maps.loader` turns into file:line:col. The
loader turns validated files into the resolved map of :mod:`argmap.maps.models`; nothing else needs
pydantic, so a map read from the compiled-map cache never imports it.
"""

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from ..base.errors import did_you_mean
from ..base.quantity import DECIMAL_PATTERN, FRACTION_PATTERN, Domain, Quantity, parse_quantity
from ..base.textsafe import brief, safe_link
from ..base.verbal import MODULATION_WORDS, PROBABILITY_BANDS
from .models import ID_PATTERN, Stated

__all__ = [
    "ProvenanceSpec",
    "RequireSpec",
    "ModulatorSpec",
    "InfluenceSpec",
    "RouteSpec",
    "TableRowSpec",
    "TableSpec",
    "ClaimSpec",
    "PartFile",
    "ScenarioSpec",
    "CoverageSpec",
    "StatedSpec",
    "CruxGroupSpec",
    "MapFile",
    "ObserveSpec",
    "modulators_of",
]

Kind = Literal["claim", "argument", "critique", "evidence", "conclusion"]
RelationType = Literal["requires", "route", "supports", "opposes", "undercuts"]


MAX_STATE_NAME = 80
"""Longest state name (characters), like an id: a state name is drawn on diagrams and quoted in messages."""


def _state_name(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, str) and raw.strip():
        name = raw.strip()
        if len(name) > MAX_STATE_NAME:
            raise ValueError(f"a state name is at most {MAX_STATE_NAME} characters; this one has {len(name):,}")
        return name
    raise ValueError(f"a state name must be a word or true/false, not {raw!r}")


def _link(url: str | None) -> str | None:
    if url is not None and safe_link(url) is None:
        raise ValueError("a link must be an http:// or https:// address or a doi: name (e.g. "
                         "https://arxiv.org/abs/2311.08379 or doi:10.48550/arXiv.2311.08379); "
                         f"not {brief(url[:80])!r}")
    return url


def _states(raw: Any) -> Any:
    if isinstance(raw, list):
        return [_state_name(x) for x in raw]
    return [_state_name(raw)]


_SCALAR_SCHEMA = {"anyOf": [
    {"type": "number"},
    {"type": "string", "pattern": FRACTION_PATTERN, "description": "a fraction like 1/3"},
    {"type": "string", "pattern": DECIMAL_PATTERN, "description": "a number written as text"},
]}
"""One number as the loader reads it (:func:`argmap.base.quantity.parse_quantity`, same patterns)."""
_NUMBER_SCHEMA = {"anyOf": [
    *_SCALAR_SCHEMA["anyOf"],
    {"type": "object", "additionalProperties": False, "properties": {
        "value": {"type": ["number", "string"]},
        "range": {"type": "array", "items": _SCALAR_SCHEMA, "minItems": 2, "maxItems": 2,
                  "description": "a 90% interval"},
        "beta": {"type": "array", "items": _SCALAR_SCHEMA, "minItems": 2, "maxItems": 2}}},
]}


def _parse(domain: Domain) -> BeforeValidator:
    return BeforeValidator(lambda v: parse_quantity(v, domain, domain))


Prob = Annotated[Quantity, _parse("probability"), WithJsonSchema(_NUMBER_SCHEMA)]
Ratio = Annotated[Quantity, _parse("ratio"), WithJsonSchema(_NUMBER_SCHEMA)]
Weight = Annotated[Quantity, _parse("weight"), WithJsonSchema(_NUMBER_SCHEMA)]
StateName = Annotated[str, BeforeValidator(_state_name), WithJsonSchema({"type": ["string", "boolean"]})]
StateList = Annotated[list[str], BeforeValidator(_states),
                      WithJsonSchema({"anyOf": [{"type": ["string", "boolean"]},
                                                {"type": "array", "items": {"type": ["string", "boolean"]}}]})]
ClaimId = Annotated[str, Field(pattern=ID_PATTERN, max_length=80,
                               description="lowercase letters, digits and underscores")]
Section = Annotated[str, BeforeValidator(
    lambda v: str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v),
                    Field(pattern=r"^[0-9]+(\.[0-9]+)*$")]


CredenceIn = Annotated[Any, WithJsonSchema({"anyOf": [
    _NUMBER_SCHEMA, {"type": "object", "additionalProperties": _NUMBER_SCHEMA,
                     "description": "state -> probability, for a categorical claim"}]})]
"""A root credence: a number (P(true)) or, for a categorical claim, a mapping state -> number.
Parsed by the resolver, which knows the claim's states."""


class _Spec(BaseModel):
    # built on first use: a cold run validates only the part and map files (two validators, whose
    # schemas hold the nested models), never building one per nested model or the overlay models
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


# ----------------------------------------------------------------------------------- file models

class ProvenanceSpec(_Spec):
    """Where a number comes from: who holds it, and whether a source states it."""

    holder: str | None = Field(None, description="whose credence this is")
    basis: Literal["stated", "illustrative"] | None = Field(
        None, description="stated: a number given in a source; illustrative: the map authors' reading")
    source: str | None = Field(None, description="where it comes from, e.g. 'report 4.4'")
    rationale: str | None = Field(None, description="one line: why this number")
    qualifier: str | None = Field(None, description="the source's own word for it, paraphrased, section cited")
    band: str | dict[str, str] | None = Field(
        None, description="the verbal-probability band the number was read into (docs/format.md); "
                          "for a categorical credence, state -> band")


class RequireSpec(_Spec):
    """A necessary condition, declared on the dependent claim."""

    claim: ClaimId
    leak: Prob | None = Field(None, description="factor the claim's probability keeps if this fails")
    when: StateList | None = Field(None, description="parent state(s) that count as holding")
    provenance: ProvenanceSpec | None = None


def _scale(v: Any) -> Quantity:
    if isinstance(v, str) and v.strip() in MODULATION_WORDS:
        return Quantity(MODULATION_WORDS[v.strip()])
    return parse_quantity(v, "scale", "scale")


class ModulatorSpec(_Spec):
    """A claim whose state scales a relation's weight (in log-odds)."""

    claim: ClaimId
    scale: dict[str, Annotated[Quantity, BeforeValidator(_scale),
                               WithJsonSchema({"anyOf": [_NUMBER_SCHEMA, {"enum": list(MODULATION_WORDS)}]})]]


Modulators = ModulatorSpec | list[ModulatorSpec]
"""One modulator or a list of them; several multiply the relation's weight."""


def modulators_of(v: Modulators | None) -> list[ModulatorSpec]:
    """A ``modulated_by`` value as a list (it may be written as one mapping)."""
    return [] if v is None else [v] if isinstance(v, ModulatorSpec) else list(v)


class InfluenceSpec(_Spec):
    """A supports / opposes / undercuts relation, declared on its source."""

    claim: ClaimId = Field(description="the claim this bears on")
    ratio: Ratio | None = Field(None, description="multiplies the target's odds given its other parents "
                                                  "(an argument's strength, not a Bayes factor: see observe)")
    weight: Weight | None = Field(None, description="natural log of the ratio")
    when: StateList | None = None
    modulated_by: Modulators | None = None
    provenance: ProvenanceSpec | None = None


class RouteSpec(_Spec):
    """A route, declared on its source: the source alone brings the target about with chance ``p``
    (the target is the noisy-OR of its routes, with its ``base`` as the chance that none of them does)."""

    claim: ClaimId = Field(description="the claim this is a route to")
    p: Prob | None = Field(None, description="P(this route alone brings the claim about), read from words")
    when: StateList | None = None
    modulated_by: Modulators | None = None
    provenance: ProvenanceSpec | None = None


def _claim_ref(v: Any) -> Any:
    return {"claim": v} if isinstance(v, str) else v


RequireItem = Annotated[RequireSpec, BeforeValidator(_claim_ref)]
InfluenceItem = Annotated[InfluenceSpec, BeforeValidator(_claim_ref)]
RouteItem = Annotated[RouteSpec, BeforeValidator(_claim_ref)]


class TableRowSpec(_Spec):
    when: dict[str, StateName] = Field(description="parent id -> state")
    p: Prob | None = Field(None, description="P(true) for a binary claim")
    probs: dict[str, Prob] | None = Field(None, description="state -> probability for a categorical claim")
    band: str | None = Field(None, description="the verbal band of this row's P(true) (docs/format.md)")


class TableSpec(_Spec):
    given: list[ClaimId]
    rows: list[TableRowSpec]


def _empty() -> list:
    """A new empty list: ``list`` itself as a default factory would make pydantic read the builtin's text
    signature with :mod:`tokenize`, compiling its largest regular expression (a few ms of a cold run)."""
    return []


def _no_items(**kw: Any) -> Any:
    """An empty list default made by a factory: pydantic deep-copies a literal ``[]`` default each time
    a model is built (five per claim, a sixth of validating a large map); the schema still says ``[]``."""
    return Field(default_factory=_empty, json_schema_extra={"default": []}, **kw)


class ClaimSpec(_Spec):
    """One claim as written in a part file or an overlay's ``add`` list."""

    id: ClaimId
    title: str = Field(min_length=1, max_length=120)
    short: str | None = Field(default=None, min_length=1, max_length=40)
    text: str | None = None
    kind: Kind = "claim"
    section: list[Section] | None = None
    part: str | None = None
    states: StateList | None = None
    credence: CredenceIn = None
    concentration: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    base: Prob | None = None
    requires: list[RequireItem] = _no_items()
    route: list[RouteItem] = _no_items(description="claims this alone brings about: {claim, p}")
    supports: list[InfluenceItem] = _no_items()
    opposes: list[InfluenceItem] = _no_items()
    undercuts: list[InfluenceItem] = _no_items()
    table: TableSpec | None = None
    provenance: ProvenanceSpec | None = None
    url: Annotated[str | None, AfterValidator(_link)] = None

    @field_validator("section", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return v if isinstance(v, list) or v is None else [v]

    def outgoing(self) -> list[RouteSpec | InfluenceSpec]:
        """The routes and arguments this claim declares, each naming the claim it bears on."""
        return [*self.route, *self.supports, *self.opposes, *self.undercuts]


class PartFile(_Spec):
    part: str | None = None
    title: str | None = None
    claims: list[ClaimSpec] = []


StateKey = Annotated[str, BeforeValidator(_state_name)]


class ObserveSpec(_Spec):
    """An observation: evidence whose chance depends on the states of named claims (exact Bayes)."""

    id: ClaimId = Field(description="an id for the observation (it becomes an observed node)")
    title: str = Field(min_length=1, max_length=120)
    text: str | None = None
    section: list[Section] | None = None
    likelihood: dict[ClaimId, dict[StateKey, Prob]] = Field(
        default={}, description="claim -> state -> P(evidence | claim = state), for every state of the claim")
    factor: dict[ClaimId, Ratio] = Field(
        default={}, description="binary claim -> Bayes factor P(evidence | true) / P(evidence | false)")
    reliability: Prob | None = Field(
        default=None, description="chance the report is right; otherwise it says the opposite (default 1)")
    data: dict[str, str | int | float] = Field(default={}, description="observed figures, kept as data")
    reason: str | None = None
    author: str | None = None
    source: str | None = None

    @field_validator("section", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return v if isinstance(v, list) or v is None else [v]


class ScenarioSpec(_Spec):
    description: str | None = None
    given: dict[str, StateName] = {}
    set: dict[str, StateName] = {}
    observe: list[ObserveSpec] = Field(default=[], description="observations conditioned on under this scenario")


class CoverageSpec(_Spec):
    from_: Section = Field(alias="from")
    to: Section


class StatedSpec(_Spec):
    """A result a source states, which the map should reproduce (e.g. the report's headline)."""

    claim: ClaimId
    value: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False, description="a point value")
    range: tuple[Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)],
                 Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]] | None = Field(
        default=None, description="an interval [low, high] the source gives")
    below: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False, description="a bound: less than this")
    above: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False, description="a bound: more than this")
    band: str | list[str] | None = Field(
        default=None, description="a verbal verdict: the probability band(s) its word was read into "
                                  "(docs/format.md); several adjacent bands span from the lowest to the highest")
    word: str | None = Field(default=None, description="the source's word for a verbal verdict, e.g. 'might well'")
    scenario: str | None = Field(default=None, description="the scenario the number is conditional on")
    given: dict[str, StateName] = Field(
        default={}, description="further conditions the statement is made under (e.g. an earlier stage holding)")
    holder: str | None = None
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "StatedSpec":
        given = [f for f in ("value", "range", "below", "above", "band") if getattr(self, f) is not None]
        if len(given) != 1:
            raise ValueError("a stated result gives exactly one of value, range, below, above or band")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("a stated range is [low, high] with low <= high")
        for b in ([self.band] if isinstance(self.band, str) else self.band or []):
            if b not in PROBABILITY_BANDS or b == "definitional":
                hint = did_you_mean(b, [w for w in PROBABILITY_BANDS if w != "definitional"])
                raise ValueError(f"unknown probability band '{b}'" + (f"; {hint}" if hint else ""))
        if self.word is not None and self.band is None:
            raise ValueError("word: names the source's word for a verbal verdict; give its band: too")
        return self

    def to_stated(self, **extra: Any) -> Stated:
        """The resolved :class:`Stated`; a band becomes the range it spans."""
        data = {**{name: getattr(self, name) for name in type(self).model_fields}, **extra}   # no serializer built
        band = data.pop("band")
        if band is not None:
            bands = (band,) if isinstance(band, str) else tuple(band)
            data["range"] = (min(PROBABILITY_BANDS[b][0] for b in bands), max(PROBABILITY_BANDS[b][1] for b in bands))
            data["bands"] = bands
        data["given"] = tuple(data.get("given", {}).items())
        return Stated(**data)


class CruxGroupSpec(_Spec):
    """Claims whose joint value of information ``argmap sensitivity`` and the export report (e.g. the
    claims one reply's case rests on together)."""

    claims: list[ClaimId] = Field(min_length=2, description="the claims learned together")
    note: str | None = Field(None, description="why they belong together (shown nowhere; for the reader)")


class CorrelationSpec(_Spec):
    """The map authors' stated dependence between their hedges (a Gaussian copula's rank correlation)."""

    value: float = Field(ge=0, le=1, allow_inf_nan=False, description="rank correlation of any two hedges, 0 to 1")
    rationale: str = Field(min_length=1, description="why the authors chose it")


class MapFile(_Spec):
    argmap: Literal[1] = Field(description="format version")
    name: str
    title: str | None = None
    target: ClaimId
    source: dict[str, str | int | float] = {}
    parts: dict[str, str] = {}
    scenarios: dict[str, ScenarioSpec] = {}
    default_scenario: str | None = None
    context_sections: dict[Section, str] = {}
    toc: str | None = None
    coverage: CoverageSpec | None = None
    stated: list[StatedSpec] = Field([], description="results stated in sources, shown beside the map's own")
    crux_groups: dict[str, CruxGroupSpec] = Field(
        {}, description="named groups of claims whose joint value of information sensitivity reports")
    scale: str | None = Field(None, description="the verbal scale the map's band words were read on "
                                                "(default argmap, the map's own; docs/sensitivity.md)")
    correlation: CorrelationSpec | None = Field(
        None, description="how strongly the authors' hedges lean together: the default --correlation")
