"""Turn validated file specs into resolved claims and relations, checking every reference.

The resolver knows all claims' states, so it can check what pydantic cannot: that referenced ids
exist (with did-you-mean), that ``when`` and table states exist, that tables have exactly one row
per combination of parent states, that categorical credences sum to 1, and that relation strengths
point the way their type says.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..base.errors import Diagnostic, did_you_mean
from ..base.quantity import OutsideRange, Quantity, parse_quantity
from ..base.records import dataclass
from ..base.verbal import ALL_BANDS, band_kind, band_problem
from ..base.yamlsafe import YamlDoc
from .checks import MAX_PARENTS, MAX_TABLE_CELLS
from .models import Claim, Origin, Provenance, Relation, Table
from .specs import (
    ClaimSpec,
    InfluenceSpec,
    ModulatorSpec,
    ProvenanceSpec,
    RequireSpec,
    RouteSpec,
    TableSpec,
    modulators_of,
)

if TYPE_CHECKING:
    from .overlayspecs import RelateSpec

__all__ = ["Located", "resolve_claims", "resolve_credence", "resolve_table", "resolve_relation",
           "resolve_modulators",
           "BINARY", "SUM_TOLERANCE", "MAX_LOG_RATIO", "MAX_SCALE"]

BINARY = ("false", "true")
_ROLE = {"requires": "required claim", "route": "claim a route leads to", "supports": "supported claim",
         "opposes": "opposed claim", "undercuts": "undercut claim"}
SUM_TOLERANCE = 1e-9
MAX_LOG_RATIO = 700.0
"""Largest |ln ratio| (= |weight|) of a relation: ratios lie in [e^-700, e^700] ≈ [1e-304, 1e304]."""
MAX_SCALE = 100.0
"""Largest modulator scale: with bounded ratios, every log-odds the engine adds stays finite."""


@dataclass(frozen=True)
class Located:
    """A spec plus the document and path it was read from, for positions in diagnostics."""

    spec: Any
    doc: YamlDoc | None
    loc: tuple

    def diag(self, sub: tuple, message: str, hint: str | None = None, *, key: bool = False) -> Diagnostic:
        if self.doc is None:
            return Diagnostic(message, hint=hint)
        return self.doc.diag(self.loc + tuple(sub), message, hint, key=key)

    def origin(self, sub: tuple = ()) -> Origin:
        if self.doc is None:
            return Origin()
        line, col = self.doc.pos(self.loc + tuple(sub)) or (None, None)
        return Origin(self.doc.path, line, col)


_UNSTATED = Provenance()
"""The provenance of every number that states none (shared: a large map has thousands)."""


def provenance(spec: ProvenanceSpec | None, default: Provenance | None = None) -> Provenance:
    """A provenance, inheriting holder, basis and source from ``default`` (a relation's from its claim).

    A relation with no provenance of its own keeps its claim's, except the band, which describes the
    claim's own number.
    """
    if spec is None:
        if default is None:
            return _UNSTATED
        if default.band is None:
            return default              # the same as its copy without a band: one object, not one per relation
        d = default
        return Provenance(d.holder, d.basis, d.source, d.rationale, d.qualifier)
    d = default or _UNSTATED
    band = tuple(spec.band.items()) if isinstance(spec.band, dict) else spec.band
    return Provenance(spec.holder or d.holder, spec.basis or d.basis, spec.source or d.source, spec.rationale,
                      spec.qualifier, band)


def _check_band(where: Located, sub: tuple, prov: Provenance, numbers: list[tuple[str | None, float, str]],
                diags: list[Diagnostic], field: tuple = ("provenance", "band")) -> None:
    """Check ``band:`` against the numbers it describes: (state or None, value, probability | ratio)."""
    if prov.band is None:
        return
    bsub = sub + field
    if isinstance(prov.band, tuple):
        states = [s for s, _, _ in numbers]
        if not numbers or states[0] is None:
            diags.append(where.diag(bsub, "a band per state applies only to a categorical credence",
                                    "give one band name, e.g. band: plausible"))
            return
        bands = dict(prov.band)
        missing = [s for s in states if s not in bands]
        if missing:
            diags.append(where.diag(bsub, f"band gives no word for state(s) {missing}",
                                    "give a band for every state"))
            return
    elif numbers and numbers[0][0] is not None:
        diags.append(where.diag(bsub, "a categorical credence needs a band per state",
                                "write band: {" + ", ".join(f"{s}: ..." for s, _, _ in numbers) + "}"))
        return
    for state, value, kind in numbers:
        band = prov.band_for(state)
        assert band is not None
        problem = band_problem(band, value, kind)
        if problem:
            hint = did_you_mean(band, ALL_BANDS) if band_kind(band) is None else \
                "choose the band the source's word puts it in (docs/format.md, 'Numbers from words'), " \
                "or move the number into this band"
            diags.append(where.diag(bsub if state is None else bsub + (state,), problem, hint))


def _claim_numbers(claim: Claim) -> list[tuple[str | None, float, str]]:
    if claim.base is not None:
        return [(None, claim.base.value, "probability")]
    if claim.credence is not None:
        if claim.binary:
            return [(None, claim.credence[1].value, "probability")]
        return [(s, q.value, "probability") for s, q in zip(claim.states, claim.credence, strict=True)]
    if claim.table is not None:
        banded = {c for c, _ in claim.table.bands}
        return [(None, q.value, "probability") for c, qs in claim.table.rows if c not in banded for q in qs]
    return []


def _unknown_claim(where: Located, sub: tuple, ref: str, known: Iterable[str], role: str) -> Diagnostic:
    return where.diag(sub, f"{role} '{ref}' is not a claim in this map",
                      did_you_mean(ref, known) or "define the claim, or check the id's spelling")


def _check_when(where: Located, sub: tuple, when: list[str] | None, parent: str,
                states: tuple[str, ...], diags: list[Diagnostic]) -> tuple[str, ...]:
    if when is None:
        if states == BINARY:
            return ("true",)
        diags.append(where.diag(sub, f"'{parent}' has states {list(states)}; say which count with `when:`",
                                f"for example: when: {states[-1]}"))
        return (states[-1],)
    bad = [w for w in when if w not in states]
    for w in bad:
        diags.append(where.diag(sub + ("when",), f"'{parent}' has no state '{w}' (its states: {list(states)})",
                                did_you_mean(w, states)))
    good = tuple(w for w in states if w in when)
    if not bad and len(good) == len(states):
        diags.append(where.diag(sub + ("when",), f"`when` names every state of '{parent}', so it always holds",
                                "name only the states under which the relation is active"))
    return good or (states[-1],)


def resolve_credence(raw: Any, states: tuple[str, ...], where: Located, sub: tuple,
                     diags: list[Diagnostic]) -> tuple[Quantity, ...] | None:
    """Parse a root credence into one Quantity per state (binary: P(false) derived from P(true))."""
    if raw is None:
        return None
    if states == BINARY and not (isinstance(raw, dict) and set(raw) <= set(BINARY) and raw):
        try:
            q = parse_quantity(raw, "probability", "credence")
        except ValueError as err:
            diags.append(where.diag(sub, str(err), _prob_hint(err)))
            return None
        exact = q.exact             # 1 - n/d is (d - n)/d, in lowest terms when n/d is (Fraction arithmetic: 2x slower)
        return (Quantity(1.0 - q.value, None if exact is None else
                         Fraction(exact.denominator - exact.numerator, exact.denominator)), q)
    if not isinstance(raw, dict):
        diags.append(where.diag(sub, f"a claim with states {list(states)} needs a credence per state",
                                "write credence: {" + ", ".join(f"{s}: ..." for s in states) + "}"))
        return None
    out: dict[str, Quantity] = {}
    ok = True
    for key, value in raw.items():
        name = "true" if key is True else "false" if key is False else str(key)
        if name not in states:
            diags.append(where.diag(sub + (key,), f"credence names unknown state '{name}' (states: {list(states)})",
                                    did_you_mean(name, states), key=True))
            ok = False
            continue
        try:
            out[name] = parse_quantity(value, "probability", f"credence of '{name}'")
        except ValueError as err:
            diags.append(where.diag(sub + (key,), str(err), _prob_hint(err)))
            ok = False
    if not ok:
        return None
    missing = [s for s in states if s not in out]
    if missing:
        diags.append(where.diag(sub, f"credence gives no probability for state(s) {missing}",
                                "give every state a probability; they must sum to 1"))
        return None
    total = sum(q.value for q in out.values())
    if abs(total - 1.0) > SUM_TOLERANCE:
        diags.append(where.diag(sub, f"credences over states sum to {total:.6g}, not 1",
                                "adjust them so they add up to exactly 1"))
        return None
    return tuple(out[s] for s in states)


_PROB_HINT = "probabilities are numbers in [0, 1], e.g. 0.3 or \"1/3\""


def _prob_hint(err: ValueError) -> str:
    """How to fix a credence that did not parse: a value outside its own range needs the two to agree, not a
    reminder of what a probability is."""
    if isinstance(err, OutsideRange):
        return "move the value inside its range, or widen the range to hold it"
    return _PROB_HINT


def resolve_table(spec: TableSpec, claim_id: str, states: tuple[str, ...], all_states: dict[str, tuple[str, ...]],
                  where: Located, sub: tuple, diags: list[Diagnostic]) -> Table | None:
    """Check a table has exactly one well-formed row per combination of its parents' states."""
    n0 = len(diags)
    given = tuple(spec.given)
    for i, parent in enumerate(given):
        if parent not in all_states:
            diags.append(_unknown_claim(where, sub + ("given", i), parent, all_states, "table parent"))
        elif parent == claim_id:
            diags.append(where.diag(sub + ("given", i), f"'{claim_id}' cannot be given its own table"))
    if len(set(given)) != len(given):
        diags.append(where.diag(sub + ("given",), "a parent is listed twice in `given`"))
    if len(diags) > n0:
        return None
    n_rows = math.prod(len(all_states[g]) for g in given)     # checked before anything is enumerated
    if len(given) > MAX_PARENTS or n_rows * len(states) > MAX_TABLE_CELLS:
        diags.append(where.diag(sub + ("given",), f"a table over {len(given)} parents needs {n_rows:,} rows "
                                f"({n_rows * len(states):,} entries); the limits are {MAX_PARENTS} parents and "
                                f"{MAX_TABLE_CELLS:,} entries", "group related parents under an intermediate claim"))
        return None
    rows: dict[tuple[str, ...], tuple[Quantity, ...]] = {}
    bands: dict[tuple[str, ...], str] = {}
    for r, row in enumerate(spec.rows):
        rsub = sub + ("rows", r)
        extra = [k for k in row.when if k not in given]
        for k in extra:
            diags.append(where.diag(rsub + ("when", k), f"row names '{k}', which is not in `given` {list(given)}",
                                    did_you_mean(k, given) or "add it to `given` or remove it", key=True))
        missing = [g for g in given if g not in row.when]
        if missing:
            diags.append(where.diag(rsub, f"row does not say the state of {missing}",
                                    "each row names one state for every parent in `given`"))
        if extra or missing:
            continue
        key = []
        for g in given:
            state = row.when[g]
            if state not in all_states[g]:
                diags.append(where.diag(rsub + ("when", g),
                                        f"'{g}' has no state '{state}' (states: {list(all_states[g])})",
                                        did_you_mean(state, all_states[g])))
            key.append(state)
        key_t = tuple(key)
        dist = _row_distribution(row, states, where, rsub, diags)
        if key_t in rows:
            diags.append(where.diag(rsub, f"duplicate row for {dict(zip(given, key_t, strict=False))}",
                                    "each combination of parent states appears once"))
            continue
        if dist is not None:
            rows[key_t] = dist
            if row.band is not None:
                if states != BINARY:
                    diags.append(where.diag(rsub + ("band",), "a row band applies to a binary claim's P(true)",
                                            "describe a categorical table with the claim's provenance band"))
                else:
                    _check_band(where, rsub, Provenance(band=row.band), [(None, dist[1].value, "probability")],
                                diags, field=("band",))
                    bands[key_t] = row.band
    if len(diags) > n0:
        return None
    if len(rows) < n_rows:     # every row held is a valid, distinct combination: count, show the first three
        every = itertools.product(*(all_states[g] for g in given))
        absent = list(itertools.islice((c for c in every if c not in rows), 3))
        shown = ", ".join(str(dict(zip(given, c, strict=False))) for c in absent)
        n_absent = n_rows - len(rows)
        more = f" and {n_absent - 3:,} more" if n_absent > 3 else ""
        diags.append(where.diag(sub + ("rows",), f"table is missing {n_absent:,} row(s): {shown}{more}",
                                f"a table over {list(given)} needs {n_rows:,} rows, one per combination"))
        return None
    combos = list(itertools.product(*(all_states[g] for g in given)))     # as many as the rows written
    return Table(given, tuple((c, rows[c]) for c in combos), tuple((c, bands[c]) for c in combos if c in bands))


def _row_distribution(row, states, where, rsub, diags) -> tuple[Quantity, ...] | None:
    if states == BINARY:
        if row.probs is not None and row.p is None:
            return resolve_credence(dict(row.probs), states, where, rsub + ("probs",), diags)
        if row.p is None:
            diags.append(where.diag(rsub, "row has no probability", "give p: P(true) for this combination"))
            return None
        return (Quantity(1.0 - row.p.value), row.p)
    if row.probs is None:
        diags.append(where.diag(rsub, f"a categorical claim's row needs `probs:` over {list(states)}",
                                "write probs: {" + ", ".join(f"{s}: ..." for s in states) + "}"))
        return None
    return resolve_credence(dict(row.probs), states, where, rsub + ("probs",), diags)


def _field(spec: Any, name: str) -> Any:
    """A relation spec's field, or None where its kind has none (a miss through pydantic's __getattr__
    costs microseconds: one per argument of a large map)."""
    return spec.__dict__.get(name)


def resolve_relation(kind: str, source: str, target: str, spec: RequireSpec | InfluenceSpec | RouteSpec | RelateSpec,
                     where: Located,
                     sub: tuple, all_states: dict[str, tuple[str, ...]], diags: list[Diagnostic],
                     *, default_prov: Provenance, added_by: str | None,
                     source_sub: tuple = ("claim",), target_sub: tuple = ("claim",)) -> Relation | None:
    """Check one relation's ends, states and strength; return it resolved.

    ``source_sub``/``target_sub`` say where each end's id was written, for positions.
    """
    for end, ref_sub in ((source, source_sub), (target, target_sub)):
        if end not in all_states:
            role = ("relation source" if end == source else "relation target") if source_sub == ("from",) \
                else _ROLE[kind]
            diags.append(_unknown_claim(where, sub + ref_sub, end, all_states, role))
            return None
    if source == target:
        diags.append(where.diag(sub, f"'{source}' cannot bear on itself"))
        return None
    when = _check_when(where, sub, spec.when, source, all_states[source], diags)
    prov = provenance(_field(spec, "provenance"), default_prov)
    if kind == "requires":
        leak = _field(spec, "leak")
        if leak is not None and prov.band is not None:
            _check_band(where, sub, prov, [(None, leak.value, "probability")], diags)
        return Relation("requires", source, target, leak=leak, when=when, provenance=prov,
                        origin=where.origin(sub), added_by=added_by)
    modulators = resolve_modulators(_field(spec, "modulated_by"), where, sub + ("modulated_by",),
                                    all_states, diags, source)
    if kind == "route":
        p = _field(spec, "p")
        if _field(spec, "ratio") is not None or _field(spec, "weight") is not None:
            diags.append(where.diag(sub, "a route takes `p` (the chance it alone brings the claim about), not a "
                                    "ratio or weight", "write p: 0.4, or make it supports/opposes with a ratio"))
        if p is not None and prov.band is not None:
            _check_band(where, sub, prov, [(None, p.value, "probability")], diags)
        return Relation("route", source, target, p=p, when=when, modulators=modulators, provenance=prov,
                        origin=where.origin(sub), added_by=added_by)
    if _field(spec, "p") is not None:
        diags.append(where.diag(sub + ("p",), f"`p` belongs to a route, not a {kind} relation",
                                "give a ratio (or weight), or make the relation type: route"))
    ratio = _strength(kind, spec, where, sub, diags)
    if ratio is not None and prov.band is not None:
        _check_band(where, sub, prov, [(None, ratio.value, "ratio")], diags)
    return Relation(kind, source, target, ratio=ratio, when=when, modulators=modulators,
                    provenance=prov, origin=where.origin(sub), added_by=added_by)


def resolve_modulators(raw: ModulatorSpec | list[ModulatorSpec] | None, where: Located, sub: tuple, all_states,
                       diags, source: str) -> tuple:
    """Each modulator's claim and scale, checked; several may scale one relation (each claim once)."""
    out: list = []
    specs = modulators_of(raw)
    listed = isinstance(raw, list)
    for i, m in enumerate(specs):
        msub = sub + (i,) if listed else sub
        if m.claim == source or any(c == m.claim for c, _ in out):
            diags.append(where.diag(msub + ("claim",), f"'{m.claim}' cannot modulate this relation twice or its own "
                                    "relation", "name each modulator once, and not the relation's source"))
            continue
        claim, scale = _modulator(m, where, msub, all_states, diags)
        if claim is not None:
            out.append((claim, scale))
    return tuple(out)


def _strength(kind: str, spec, where: Located, sub: tuple, diags: list[Diagnostic]) -> Quantity | None:
    if spec.ratio is not None and spec.weight is not None:
        diags.append(where.diag(sub, "give either ratio or weight, not both"))
        return None
    field = "weight" if spec.weight is not None else "ratio"
    if spec.weight is not None:
        w = spec.weight
        if max(abs(x) for x in (w.value, *(w.range or ()))) > MAX_LOG_RATIO:
            diags.append(where.diag(sub + ("weight",), f"weight {w.value:g} is too large (|weight| <= "
                                    f"{MAX_LOG_RATIO:g}, including its range)"))
            return None
        rng = (math.exp(w.range[0]), math.exp(w.range[1])) if w.range else None
        ratio = Quantity(math.exp(w.value), None, rng)
    elif spec.ratio is not None:
        ratio = spec.ratio
        lo, hi = ratio.range or (ratio.value, ratio.value)
        if max(abs(math.log(ratio.value)), abs(math.log(lo)), abs(math.log(hi))) > MAX_LOG_RATIO:
            diags.append(where.diag(sub + ("ratio",), f"ratio {ratio.value:g} is beyond the limit: a ratio (and "
                                    f"its range) must lie between e^-{MAX_LOG_RATIO:g} and e^{MAX_LOG_RATIO:g} "
                                    "(about 1e-304 to 1e304)",
                                    "an odds ratio that large already makes the target certain; use 1e100"))
            return None
    else:
        return None  # decorative: allowed only into a claim with a table (checked map-wide)
    if kind == "supports" and ratio.value < 1:
        diags.append(where.diag(sub + (field,), f"supports needs a ratio >= 1, got {ratio.value:g}",
                                "a ratio below 1 lowers the target's odds: use opposes"))
    if kind in ("opposes", "undercuts") and ratio.value > 1:
        inv = 1 / ratio.value
        diags.append(where.diag(sub + (field,), f"{kind} needs a ratio <= 1, got {ratio.value:g}",
                                f"the ratio multiplies the target's odds; for {ratio.value:g}x against, "
                                f"write \"1/{ratio.value:g}\" (= {inv:.4g})"))
    if ratio.range is not None:       # sampling the range must not flip the relation's direction
        lo, hi = ratio.range
        if kind == "supports" and lo < 1 <= ratio.value:
            diags.append(where.diag(sub + (field,), f"supports: its range [{lo:g}, {hi:g}] dips below 1, where it "
                                    "would lower the target's odds", "start the range at 1 or above"))
        if kind in ("opposes", "undercuts") and hi > 1 >= ratio.value:
            diags.append(where.diag(sub + (field,), f"{kind}: its range [{lo:g}, {hi:g}] rises above 1, where it "
                                    "would raise the target's odds", "end the range at 1 or below"))
    return ratio


def _modulator(spec: ModulatorSpec | None, where: Located, sub: tuple, all_states, diags):
    if spec is None:
        return None, ()
    if spec.claim not in all_states:
        diags.append(_unknown_claim(where, sub + ("claim",), spec.claim, all_states, "modulator"))
        return None, ()
    states = all_states[spec.claim]
    for s in spec.scale:
        if s not in states:
            diags.append(where.diag(sub + ("scale", s), f"'{spec.claim}' has no state '{s}' (states: {list(states)})",
                                    did_you_mean(s, states), key=True))
    for s, q in spec.scale.items():
        if max((q.value, *(q.range or ()))) > MAX_SCALE:
            diags.append(where.diag(sub + ("scale", s), f"scale {q.value:g} of '{s}' is beyond the limit "
                                    f"{MAX_SCALE:g} (including its range)",
                                    "a scale multiplies the relation's weight; 1 is its full weight"))
    missing = [s for s in states if s not in spec.scale]
    if missing:
        diags.append(where.diag(sub + ("scale",), f"scale gives no factor for state(s) {missing} of '{spec.claim}'",
                                "give a factor (0 = no effect, 1 = full weight) for every state"))
        return None, ()
    return spec.claim, tuple((s, spec.scale[s]) for s in states)


def resolve_claims(located: list[Located], known: dict[str, Claim], *, added_by: str | None = None,
                   part_of: dict[int, str | None] | None = None
                   ) -> tuple[dict[str, Claim], list[Relation], list[Diagnostic]]:
    """Resolve claim specs (``Located`` wrapping :class:`ClaimSpec`) against ``known`` claims."""
    diags: list[Diagnostic] = []
    new: dict[str, tuple[Located, ClaimSpec]] = {}
    for item in located:
        spec: ClaimSpec = item.spec
        if spec.id in known or spec.id in new:
            first = known[spec.id].origin if spec.id in known else new[spec.id][0].origin()
            diags.append(item.diag(("id",), f"duplicate claim id '{spec.id}' (first defined at {first})",
                                   "ids must be unique across all files of a map"))
            continue
        new[spec.id] = (item, spec)
    all_states = {cid: c.states for cid, c in known.items()}
    for cid, (item, spec) in new.items():
        if spec.states is None:
            all_states[cid] = BINARY
            continue
        states = tuple(spec.states)
        if len(states) < 2 or len(set(states)) != len(states):
            diags.append(item.diag(("states",), "states must list at least two distinct names"))
            states = BINARY
        if spec.states is not None and set(states) == set(BINARY) and states != BINARY:
            states = BINARY
        all_states[cid] = states

    claims: dict[str, Claim] = {}
    relations: list[Relation] = []
    for cid, (item, spec) in new.items():
        states = all_states[cid]
        prov = provenance(spec.provenance)
        credence = resolve_credence(spec.credence, states, item, ("credence",), diags)
        table = None
        if spec.table is not None:
            table = resolve_table(spec.table, cid, states, all_states, item, ("table",), diags)
        if spec.concentration is not None and (spec.credence is None or states == BINARY):
            diags.append(item.diag(("concentration",), "concentration applies to a categorical root credence",
                                   "for a binary claim give credence: {value: ..., range: [lo, hi]}"))
        if spec.base is not None and states != BINARY:
            diags.append(item.diag(("base",), "base applies to binary claims; a categorical claim needs a table"))
        claims[cid] = Claim(
            id=cid, title=spec.title, short=spec.short, kind=spec.kind, text=spec.text, states=states,
            sections=tuple(spec.section or ()), part=spec.part or (part_of or {}).get(id(item)),
            credence=credence, concentration=spec.concentration, base=spec.base, table=table,
            provenance=prov, origin=item.origin(), added_by=added_by, url=spec.url)
        if prov.band is not None:
            _check_band(item, (), prov, _claim_numbers(claims[cid]), diags)
        for i, req in enumerate(spec.requires):
            rel = resolve_relation("requires", req.claim, cid, req, item, ("requires", i), all_states, diags,
                                   default_prov=prov, added_by=added_by, target_sub=("id",))
            if rel:
                relations.append(rel)
        if not (spec.route or spec.supports or spec.opposes or spec.undercuts):
            continue
        for kind, field in (("route", "route"), ("supports", "supports"), ("opposes", "opposes"),
                            ("undercuts", "undercuts")):
            for i, inf in enumerate(getattr(spec, field)):
                rel = resolve_relation(kind, cid, inf.claim, inf, item, (field, i), all_states, diags,
                                       default_prov=prov, added_by=added_by, source_sub=("id",))
                if rel:
                    relations.append(rel)
    return claims, relations, diags
