"""Compare a base map with viewpoints (stacks of overlays) side by side.

For each viewpoint: P(target), the claims whose probability moved most, the claims it adds, and a
Shapley attribution of the change in P(target) to its edits (:mod:`argmap.analysis.attribution`). Optionally
the viewpoints (with the base) are pooled (:mod:`argmap.analysis.pooling`). Everything is computed under the
same conditions (the map's default scenario unless told otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..api import DEFAULT, Conditions, Model
from ..base.errors import QueryError
from ..base.formatting import conditions_text
from ..base.marginals import Marginals, Move, claim_moves, p_true
from ..base.records import dataclass
from ..base.textsafe import visible
from ..base.texttable import clip
from ..maps.checks import overrides
from ..maps.loader import OverlayReader, load_stages
from ..maps.models import Stated
from ..maps.observe import describe_observation
from .attribution import Attribution, attribute
from .pooling import Pool, pool
from .shift import SHIFT_SAMPLES, Link, ShiftSpread, carrying_chains, chain_text, shift_spread

__all__ = ["Moved", "Viewpoint", "Comparison", "compare", "format_comparison", "BASE"]

BASE = "base"


@dataclass(frozen=True)
class Moved:
    """A claim's probability in the base and in a viewpoint (``base`` None for a claim it adds)."""

    claim: str
    title: str
    sections: tuple[str, ...]
    base: float | None
    new: float
    shift: float
    """new - base on P(true) (the last state for a categorical claim); the total variation
    distance between the two distributions when ``categorical``."""
    categorical: bool = False

    def to_dict(self) -> dict:
        return {"claim": self.claim, "title": self.title, "sections": list(self.sections), "base": self.base,
                "probability": self.new, "shift": self.shift, "categorical": self.categorical}


@dataclass(frozen=True)
class Viewpoint:
    name: str
    overlay_files: tuple[str, ...]
    overlays: tuple[str, ...]
    probability: float
    change: float
    moved: tuple[Moved, ...]
    added: tuple[Moved, ...]
    attribution: Attribution | None
    model: Model
    overrides: tuple[tuple[str, str, str, str], ...] = ()
    stated: tuple[Stated, ...] = ()
    observations: tuple[tuple[str, str], ...] = ()
    """(id, description) of each observation the viewpoint adds."""
    chains: tuple[tuple[Link, ...], ...] = ()
    """The chains that carried the shift (:func:`argmap.analysis.shift.carrying_chains`), from the edits
    with the largest attributions."""
    spread: ShiftSpread | None = None
    """The shift over joint draws of the map's uncertain numbers (:func:`argmap.analysis.shift.shift_spread`)."""

    def to_dict(self) -> dict:
        return {"name": self.name, "files": list(self.overlay_files), "overlays": list(self.overlays),
                "probability": self.probability, "change": self.change,
                "overrides": [{"target": t, "field": f, "overlay": later, "overrides": earlier}
                              for t, f, earlier, later in self.overrides],
                "stated": [s.to_dict() for s in self.stated],
                "observations": [{"id": i, "description": d} for i, d in self.observations],
                "moved": [m.to_dict() for m in self.moved], "added": [m.to_dict() for m in self.added],
                "attribution": self.attribution.to_dict() if self.attribution else None,
                "chains": [[x.to_dict() for x in c] for c in self.chains],
                "interval": self.spread.to_dict() if self.spread else None}


@dataclass(frozen=True)
class Comparison:
    map_name: str
    target: str
    target_title: str
    conditions: Conditions
    base_overlays: tuple[str, ...]
    base_probability: float
    viewpoints: tuple[Viewpoint, ...]
    base_model: Model
    pool: Pool | None = None

    def to_dict(self) -> dict:
        return {
            "map": self.map_name, "target": self.target, "scenario": self.conditions.scenario,
            "given": self.conditions.given, "set": self.conditions.set,
            "base": {"overlays": list(self.base_overlays), "probability": self.base_probability},
            "viewpoints": [v.to_dict() for v in self.viewpoints],
            "pool": self.pool.to_dict() if self.pool else None,
        }


def _in_base(base: Model, named: Mapping[str, str], viewpoints: Mapping[str, Sequence[str | Path]]) -> None:
    """Conditions apply to the base and every viewpoint, so each claim they name must be in the base map."""
    for claim in named:
        if claim not in base.map.claims:
            raise QueryError(f"'{claim}' is not a claim of the base map (the map without the viewpoints' overlays), "
                             "and every viewpoint is compared under the same conditions; to assume it within a "
                             "viewpoint, give its overlay a scenario (scenarios:) or an observation (observe:)")


def _moved_claims(new: Model, base_margs: Marginals, new_margs: Marginals, skip: set[str], top: int
                  ) -> tuple[tuple[Moved, ...], tuple[Moved, ...]]:
    """The ``top`` claims that moved most (by |shift|), and every claim the viewpoint adds."""
    moves = claim_moves(base_margs, new_margs, skip)

    def moved(m: Move) -> Moved:
        claim = new.map.claims[m.claim]
        return Moved(m.claim, claim.title, claim.sections, m.before, m.after, m.shift, m.categorical)

    changed = [moved(m) for m in moves if m.before is not None and abs(m.shift) > 1e-12]
    return tuple(changed[:top]), tuple(moved(m) for m in moves if m.before is None)


def compare(path: str | Path | None = None, viewpoints: Mapping[str, Sequence[str | Path]] | None = None,
            base_overlays: Sequence[str | Path] = (), target: str | None = None,
            given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
            scenario: str | None = DEFAULT, *, top: int = 8, attribution: bool = True,
            max_exact: int | None = None, permutations: int = 1000, seed: int = 0,
            pooling: bool = False, weights: Sequence[float] | None = None, interval: bool = True,
            samples: int = SHIFT_SAMPLES, scale: str | None = None, correlation: float | None = None,
            words: bool = False, shared_factor: str = "map") -> Comparison:
    """Compare the map (with ``base_overlays``) against each viewpoint's overlay stack on top of it.

    With ``pooling``, the base and the viewpoints are pooled (in that order, with ``weights``). With
    ``interval``, each shift is also given over ``samples`` joint draws of the uncertain numbers
    (:func:`argmap.analysis.shift.shift_spread`; ``correlation``, ``words`` and ``shared_factor`` as for the
    headline's spread);
    each viewpoint lists the chains that carried it. ``scale``: every map read on that verbal scale
    (:meth:`Model.on_scale`).
    """
    viewpoints = dict(viewpoints or {})
    if not viewpoints:
        raise QueryError("nothing to compare: give a viewpoint (--viewpoint NAME=FILE) or an overlay (--with FILE)")
    if BASE in viewpoints:
        raise QueryError(f"'{BASE}' names the map itself; choose another viewpoint name")
    reader = OverlayReader()
    base_stages = load_stages(path, base_overlays, reader=reader)
    base = Model(base_stages[-1].map).on_scale(scale)
    target = target or base.map.target
    _in_base(base, {**(given or {}), **(set or {})}, viewpoints)
    cond = base.conditions(given, set, scenario)
    skip = {target} | frozenset(cond.given) | frozenset(cond.set)
    base_margs = base.marginals(cond.given, cond.set, scenario=None)
    if target not in base_margs:
        raise QueryError(f"target '{target}' is not a claim in this map")
    out = []
    for name, files in viewpoints.items():
        stages = load_stages(start=base_stages, overlays=files, reader=reader)
        model = Model(stages[-1].map).on_scale(scale)
        margs = model.marginals(cond.given, cond.set, scenario=None)
        reports = {*model.map.observations}          # observations are reports, not claims: listed below
        moved, added = _moved_claims(model, base_margs, margs, skip | reports, top)
        observed = tuple((o.id, describe_observation(o)) for o in model.map.observations.values()
                         if o.id not in base.map.observations and o.scenario is None)
        attr = None
        if attribution:
            attr = attribute(None, (), target, cond.given, cond.set, None, max_exact=max_exact,
                             permutations=permutations, seed=seed, stages=stages[len(base_stages) - 1:],
                             scale=scale)
        p = p_true(margs[target])
        chains = carrying_chains(base, model, base_margs, margs, target, skip - {target}, attr)
        spread = shift_spread(base, model, target, cond.given, cond.set, None, samples=samples, seed=seed,
                              correlation=correlation, words=words,
                              shared_factor=shared_factor) if interval else None
        mine = frozenset(model.map.overlays[len(base.map.overlays):])
        stated = tuple(s for s in model.map.stated if s.claim == target and s.overlay in mine
                       and s.scenario == cond.scenario and not s.verdict)
        out.append(Viewpoint(name, tuple(map(str, files)), model.map.overlays[len(base.map.overlays):], p,
                             p - p_true(base_margs[target]), moved, added, attr, model,
                             tuple(o for o in overrides(model.map) if o[3] in mine), stated, observed,
                             chains, spread))
    pooled = None
    if pooling:
        models = {BASE: base, **{v.name: v.model for v in out}}
        pooled = pool(models, weights, target, cond.given, cond.set, None, top=top)
    claim = base.map.claims[target]
    return Comparison(base.map.name, target, claim.title, cond, base.map.overlays, p_true(base_margs[target]),
                      tuple(out), base, pooled)


# ------------------------------------------------------------------------------------ text

def _sec(sections: Sequence[str]) -> str:
    return ", ".join(sections[:2]) + ("…" if len(sections) > 2 else "")


def _cut(text: str | None, n: int) -> str:
    return clip(text, n)


def format_comparison(c: Comparison, compact: bool = False, edits: int | None = None) -> str:
    """The terminal report of ``argmap compare``.

    ``compact`` gives one line per edit (no author/reason lines); ``edits`` limits how many are listed.
    """
    lines = [f"{c.map_name}: P({c.target}) — {c.target_title}"]
    cond = conditions_text(c.conditions.given, c.conditions.set)
    lines.append("conditions: " + (f"scenario '{c.conditions.scenario}': " if c.conditions.scenario else "")
                 + (cond or "none"))
    if c.base_overlays:
        lines.append("base includes: " + ", ".join(c.base_overlays))
    lines.append("")
    width = max([len("viewpoint")] + [len(v.name) for v in c.viewpoints])
    head = f"P({c.target})"
    pw = max(len(head), 8)
    lines.append(f"{'viewpoint':<{width}}  {head:>{pw}}   change   overlays")
    lines.append(f"{BASE:<{width}}  {c.base_probability:>{pw}.3f}  {'—':>7}   "
                 f"{', '.join(c.base_overlays) or '(the map)'}")
    for v in c.viewpoints:
        lines.append(f"{v.name:<{width}}  {v.probability:>{pw}.3f}  {v.change:>+7.3f}   {', '.join(v.overlays)}")
        for s in v.stated:
            who = ", ".join(x for x in (s.holder, s.source) if x)
            lines.append(f"{'':<{width}}  stated: {s.describe()}" + (f" ({_cut(who, 70)})" if who else ""))
        for t, f, earlier, later in v.overrides:
            lines.append(f"{'':<{width}}  override: {later} overrides the {f} of {t} set by {earlier}")
    for v in c.viewpoints:
        lines += ["", f"── {v.name}: {c.base_probability:.3f} → {v.probability:.3f} ({v.change:+.3f}) "
                      + "─" * 20]
        if v.spread:
            lines.append(f"over the map's uncertain numbers: {v.spread.text()} ({v.spread.how()})")
        if v.chains:
            lines.append("carried by (each link: the claim that moved most on the way to the target):")
            lines += [f"  {chain_text(ch)}" for ch in v.chains]
        if v.moved:
            lines.append("claims that moved most:")
            lines.append(f"  {'claim':<34} {'section':<9} {'base':>6} {_cut(v.name, 8):>8} {'shift':>7}")
            for m in v.moved:
                # a categorical claim's shift is a distance between distributions: unsigned, so it
                # cannot read as a rise while its last state's P fell
                shift = f"{m.shift:>7.3f} (distribution moved; total variation)" if m.categorical \
                    else f"{m.shift:>+7.3f}"
                lines.append(f"  {_cut(m.claim, 34):<34} {_cut(_sec(m.sections), 9):<9} {m.base:>6.3f} "
                             f"{m.new:>8.3f} {shift}")
        if v.added:
            lines.append("claims it adds: " + ", ".join(f"{m.claim} ({m.new:.2f})" for m in v.added))
        for oid, text in v.observations:
            lines.append(f"observation: {oid} — {_cut(text, 90)}")
        if v.attribution:
            lines += _attribution_lines(v.attribution, compact, edits)
    if c.pool:
        lines += ["", _pool_text(c.pool)]
    return visible("\n".join(lines))


def _attribution_lines(a: Attribution, compact: bool = False, limit: int | None = None) -> list[str]:
    how = ("exact Shapley values" if a.method == "exact"
           else f"Shapley values sampled over {a.permutations} permutations (± standard error)")
    lines = [f"attribution of {a.total:+.4f} to {len(a.edits)} edits ({how}; they sum to the change):"]
    ranked = a.ranked()
    for e, v, se in ranked[:limit]:
        err = f" ±{se:.4f}" if se is not None else ""
        lines.append(f"  {v:>+8.4f}{err}  {e.overlay}: {e.kind} {_cut(e.target, 40)} — {_cut(e.summary, 60)}")
        if compact:
            continue
        who = ", ".join(x for x in (e.author, e.source) if x)
        if who:
            lines.append(f"            by {_cut(who, 90)}")
        if e.reason:
            lines.append(f"            why: {_cut(e.reason, 90)}")
    if limit is not None and len(ranked) > limit:
        lines.append(f"  ... and {len(ranked) - limit} more (argmap compare shows them all)")
    for note in a.notes:
        lines.append(f"  note: {note}")
    return lines


def _pool_text(p: Pool) -> str:
    lines = [f"── pooled ({', '.join(f'{n} {w:.2g}' for n, w in zip(p.names, p.weights, strict=False))}) " + "─" * 20,
             f"P({p.target}): linear pool {p.linear:.3f}, log-odds pool {p.logodds:.3f}  (viewpoints: "
             + ", ".join(f"{n} {v:.3f}" for n, v in p.target_credences.items()) + ")"]
    if p.disagreements:
        lines.append("where the viewpoints disagree most, weighted by how much the claim matters for the target:")
        lines.append(f"  {'claim':<34} {'section':<9} {'spread':>6} {'matters':>7} {'score':>7}   credences")
        for d in p.disagreements:
            creds = ", ".join(f"{n} {x:.2f}" for n, x in d.credences.items())
            lines.append(f"  {_cut(d.claim, 34):<34} {_cut(_sec(d.sections), 9):<9} {d.spread:>6.3f} "
                         f"{d.importance:>7.3f} {d.score:>7.4f}   {creds}")
    return visible("\n".join(lines))
