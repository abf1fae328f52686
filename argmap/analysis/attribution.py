"""Attribute the change an overlay stack makes to P(target) to its individual edits (Shapley values).

An **edit** is one entry of an overlay file: an added claim (``add[i]``, with the relations it
declares), an added relation (``relate[i]``) or a change (``change[i]``, which may set several fields
of one claim or relation). The game's value of a set S of edits is P(target) on the map with only
the edits in S applied; the Shapley value of an edit is its average marginal contribution over all
orders of applying the edits. The values add up to the whole change, whatever the interactions.

How coalitions are evaluated
----------------------------
*θ embedding (the normal path).* The fully overlaid map is compiled once. Each edit is a change of
some entries of its parameter vector θ, and an added claim or relation has a **neutral setting**
exactly equivalent to its absence: a relation with odds ratio 1 (or a requirement with leak 1)
does not change its target's table, so a claim whose outgoing relations are all neutral is a barren
node and drops out of every query. A coalition is then one θ vector, and all 2^n coalitions are one
batched engine call. Before it is trusted, the embedding is verified: the empty coalition must
reproduce the base map's P(target) and the full coalition the overlaid map's (to 1e-9).

*Re-applying (the fallback).* Where an edit cannot be written as θ entries (a table whose parents
change, a requirement without a leak between claims added by different edits, a root turned into a
composed claim), each coalition's map is built by re-applying only its edits, and evaluated on its own.

An edit that touches a claim or relation added by an edit outside the coalition is moot there (the
thing it edits does not exist); relations an added claim declares towards claims that are absent are
dropped with them. Changes to ``concentration`` alone do not move a point value and get exactly 0.
With more than ``max_exact`` edits the values are estimated from random permutations (each paired
with its reverse), with a standard error; each sampled permutation still adds up to the whole change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import field
from pathlib import Path

import numpy as np

from ..api import DEFAULT, Model
from ..base.errors import ArgmapError
from ..base.records import dataclass
from ..maps.loader import Stage, load_stages
from ..maps.models import ArgumentMap, Origin
from ..maps.overlayspecs import OverlayFile
from ..maps.specs import ClaimSpec, modulators_of

__all__ = ["Edit", "Attribution", "attribute", "shapley_exact", "shapley_sampled",
           "MAX_EXACT", "MAX_EXACT_REAPPLY", "HARD_LIMIT"]

MAX_EXACT = 12
"""Up to this many (non-null) edits, Shapley values are computed exactly over all 2^n coalitions."""
MAX_EXACT_REAPPLY = 8
"""The default limit when each coalition's map must be rebuilt from the files (about 2^8 loads)."""
HARD_LIMIT = 20
"""No exact computation beyond this many edits, whatever is asked (2^20 coalitions)."""

_POINT_FIELDS = ("credence", "base", "table", "ratio", "leak", "p")
_NEUTRAL = {"ratio": 1.0, "leak": 1.0, "p": 0.0}
"""Each relation parameter's value when the relation is absent: a ratio of 1, a leak of 1, a route of p 0."""
_TOL = 1e-9


@dataclass(frozen=True)
class Edit:
    """One entry of an overlay file, with its attribution."""

    overlay: str
    kind: str
    """``add`` (a new claim), ``relate`` (a new relation) or ``change``."""
    entry: int
    target: str
    """The claim id, or ``source -> target`` for a relation."""
    fields: tuple[str, ...]
    summary: str
    reason: str | None = None
    author: str | None = None
    source: str | None = None
    origin: Origin = Origin()

    @property
    def label(self) -> str:
        return f"{self.kind} {self.target}"

    def to_dict(self) -> dict:
        return {"overlay": self.overlay, "kind": self.kind, "entry": self.entry, "target": self.target,
                "fields": list(self.fields), "summary": self.summary, "reason": self.reason,
                "author": self.author, "source": self.source,
                "at": str(self.origin) if self.origin.path else None}


@dataclass(frozen=True)
class Attribution:
    """Shapley attribution of ``probability - base_probability`` to ``edits``."""

    target: str
    base_probability: float
    probability: float
    edits: tuple[Edit, ...]
    values: tuple[float, ...]
    stderr: tuple[float, ...] | None
    method: str
    """``exact`` or ``sampled``."""
    evaluation: str
    """``theta`` (one batched call over θ vectors) or ``reapply`` (a map per coalition)."""
    players: int
    permutations: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def total(self) -> float:
        return self.probability - self.base_probability

    def ranked(self) -> list[tuple[Edit, float, float | None]]:
        """(edit, value, stderr) sorted by absolute value, largest first."""
        se = self.stderr or (None,) * len(self.values)
        return sorted(zip(self.edits, self.values, se, strict=False), key=lambda t: -abs(t[1]))

    def to_dict(self) -> dict:
        se = self.stderr or (None,) * len(self.values)
        return {
            "target": self.target, "base": self.base_probability, "probability": self.probability,
            "change": self.total, "method": self.method, "evaluation": self.evaluation,
            "players": self.players, "permutations": self.permutations, "notes": list(self.notes),
            "edits": [{**e.to_dict(), "shapley": v, "stderr": s}
                      for e, v, s in zip(self.edits, self.values, se, strict=False)],
        }


# ------------------------------------------------------------------------------------ Shapley

def _bits(masks: np.ndarray, n: int) -> np.ndarray:
    return ((masks[:, None] >> np.arange(n)) & 1).astype(bool)


def shapley_exact(values: np.ndarray, n: int) -> np.ndarray:
    """Exact Shapley values from ``values[mask]``, the game's value for each coalition bitmask.

    >>> v = np.array([0.0, 1.0, 2.0, 4.0])      # v({})=0, v({0})=1, v({1})=2, v({0,1})=4
    >>> shapley_exact(v, 2).tolist()
    [1.5, 2.5]
    """
    values = np.asarray(values, dtype=float)
    if values.shape != (1 << n,):
        raise ValueError(f"need {1 << n} coalition values, got {values.shape}")
    masks = np.arange(1 << n)
    size = _bits(masks, n).sum(axis=1)
    w = np.array([math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)])
    out = np.empty(n)
    for i in range(n):
        without = masks[(masks >> i) & 1 == 0]
        out[i] = math.fsum(w[size[without]] * (values[without | (1 << i)] - values[without]))
    return out


def _permutation_rows(n: int, pairs: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Coalition rows for ``pairs`` random permutations and their reverses: (perms, rows)."""
    perms = np.empty((2 * pairs, n), dtype=int)
    for k in range(pairs):
        p = rng.permutation(n)
        perms[2 * k], perms[2 * k + 1] = p, p[::-1]
    rows = np.zeros((2 * pairs, n + 1, n), dtype=bool)
    for t in range(1, n + 1):
        rows[:, t] = rows[:, t - 1]
        rows[np.arange(2 * pairs), t, perms[:, t - 1]] = True
    return perms, rows.reshape(-1, n)


def shapley_sampled(value: Callable[[np.ndarray], np.ndarray], n: int, permutations: int = 1000,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Permutation estimate of Shapley values and their standard errors.

    ``value`` maps a boolean coalition matrix (m, n) to the game's values (m,). Permutations come
    in antithetic pairs (a random order and its reverse); the standard error is over pair means.
    Every permutation's contributions add up to v(all) - v(none), so the estimates do too.
    """
    pairs = max(2, (permutations + 1) // 2)
    perms, rows = _permutation_rows(n, pairs, np.random.default_rng(seed))
    v = np.asarray(value(rows), dtype=float).reshape(2 * pairs, n + 1)
    contrib = np.zeros((2 * pairs, n))
    np.put_along_axis(contrib, perms, np.diff(v, axis=1), axis=1)
    pair_means = contrib.reshape(pairs, 2, n).mean(axis=1)
    return pair_means.mean(axis=0), pair_means.std(axis=0, ddof=1) / math.sqrt(pairs)


# ------------------------------------------------------------------------------------ reading

def _stages(path, overlays: Sequence[str | Path], base_overlays: Iterable[str | Path] = (),
            stages: Sequence[Stage] | None = None):
    """The base map and the map after each attributed overlay, with the overlay specs and documents."""
    if stages is None:
        base = load_stages(path, base_overlays)
        stages = [base[-1], *load_stages(start=base, overlays=overlays)[len(base):]]
    maps = [s.map for s in stages]
    return maps, [s.spec for s in stages[1:]], [s.doc for s in stages[1:]]


def _rel_key(text: str) -> str:
    return " -> ".join(p.strip() for p in text.split("->"))


def _declared(c: ClaimSpec) -> dict[str, tuple[str, ...]]:
    """Relation keys a claim spec declares -> the claims each one references (incl. modulators)."""
    out: dict[str, tuple[str, ...]] = {f"{r.claim} -> {c.id}": (r.claim,) for r in c.requires}
    for r in c.outgoing():
        out[f"{c.id} -> {r.claim}"] = (r.claim,) + tuple(m.claim for m in modulators_of(r.modulated_by))
    return out


def _fmt_num(q) -> str:
    return "?" if q is None else f"{q.value:.3g}"


def _short(text: str | None, states: tuple[str, ...] | None) -> str:
    """A credence recorded as '{p1, p2, ...}': P(true) for a binary claim, 'state p' pairs otherwise."""
    if text is None:
        return "—"
    parts = text.strip("{}").split(",")
    if not (text.startswith("{") and states and len(parts) == len(states)):
        return text
    if states == ("false", "true"):
        return parts[1].strip()
    return "{" + ", ".join(f"{s} {x.strip()}" for s, x in zip(states, parts, strict=False)) + "}"


def _declared_summaries(c: ClaimSpec) -> dict[str, str]:
    """Relation key -> one line, for each relation a claim spec declares."""
    out = {f"{r.claim} -> {c.id}": f"adds {c.id} requires {r.claim}" for r in c.requires}
    for route in c.route:
        out[f"{c.id} -> {route.claim}"] = f"adds {c.id} route to {route.claim} p {_fmt_num(route.p)}"
    for t, rs in (("supports", c.supports), ("opposes", c.opposes), ("undercuts", c.undercuts)):
        for r in rs:
            strength = _fmt_num(r.ratio) if r.ratio else "e^" + _fmt_num(r.weight)
            out[f"{c.id} -> {r.claim}"] = f"adds {c.id} {t} {r.claim} ×{strength}"
    return out


def _edits(maps: list[ArgumentMap], specs: list[OverlayFile], docs) -> list[Edit]:
    from ..maps.resolve import Located

    edits: list[Edit] = []
    for k, (spec, doc) in enumerate(zip(specs, docs, strict=False)):
        at = lambda *loc, _spec=spec, _doc=doc: Located(_spec, _doc, loc).origin()  # noqa: E731
        recs = [c for c in maps[k + 1].changes if c.overlay == spec.overlay]
        for i, c in enumerate(spec.add):
            prov = c.provenance
            why = (prov.rationale if prov else None) or c.text
            who = (prov.holder if prov else None) or spec.author
            src = (prov.source if prov else None) or spec.source
            edits.append(Edit(spec.overlay, "add", i, c.id, ("claim",), f"adds {c.kind} '{c.title}'", why, who, src,
                              at("add", i)))
            for key, text in _declared_summaries(c).items():     # each relation it declares is its own edit
                edits.append(Edit(spec.overlay, "add-relation", i, key, ("relation",), text, why, who, src,
                                  at("add", i)))
        for i, r in enumerate(spec.relate):
            key = f"{r.from_} -> {r.to}"
            new = next((c.new for c in recs if c.target == key and c.field == "relation"), r.type)
            edits.append(Edit(spec.overlay, "relate", i, key, ("relation",), f"adds {key}: {new}", r.reason,
                              r.author or spec.author, r.source or spec.source, at("relate", i)))
        for i, ch in enumerate(spec.change):
            target = ch.claim or _rel_key(ch.relation or "")
            fields = tuple(dict.fromkeys("ratio" if f == "weight" else f for f in
                                         ("credence", "concentration", "base", "table", "compose", "ratio",
                                          "weight", "leak", "p", "type", "when", "modulated_by")
                                         if getattr(ch, f) is not None))
            mine = [c for c in recs if c.target == target and (c.field in fields or "type" in fields)]
            claim = maps[k + 1].claims.get(target)
            states = claim.states if claim is not None else None
            summary = "; ".join("table rewritten" if c.field == "table" else
                                f"{c.field} {_short(c.old, states)} → {_short(c.new, states)}" for c in mine)
            edits.append(Edit(spec.overlay, "change", i, target, fields, summary or "changes " + ", ".join(fields),
                              ch.reason, ch.author or spec.author, ch.source or spec.source, at("change", i)))
        for i, rm in enumerate(spec.remove):
            target = rm.claim or _rel_key(rm.relation or "")
            edits.append(Edit(spec.overlay, "remove", i, target, ("removed",), f"removes {target}", rm.reason,
                              rm.author or spec.author, rm.source or spec.source, at("remove", i)))
        for i, ob in enumerate(spec.observe):
            rec = next((c for c in recs if c.target == ob.id and c.field == "observation"), None)
            edits.append(Edit(spec.overlay, "observe", i, ob.id, ("observation",),
                              rec.new if rec else f"observes '{ob.title}'", ob.reason or ob.title,
                              ob.author or spec.author, ob.source or spec.source, at("observe", i)))
    return edits


# ------------------------------------------------------------------------------------ θ game

class _NotEmbeddable(Exception):
    pass


def _theta_by_name(amap: ArgumentMap, scale: str | None = None) -> dict[str, float]:
    net = Model(amap).on_scale(scale).network
    return {p.name: float(v) for p, v in zip(net.params, net.theta0, strict=False)}


def _theta_game(maps, specs, edits: list[Edit], full: Model):
    """A function from coalition matrices (m, n) to θ batches (m, P), and the edits it uses."""
    net = full.network
    stage = {o.overlay: k + 1 for k, o in enumerate(specs)}
    thetas = [_theta_by_name(m, full.scale) for m in maps[:-1]]
    thetas.append({p.name: float(v) for p, v in zip(net.params, net.theta0, strict=False)})
    if any(name not in thetas[-1] for name in thetas[0]):
        raise _NotEmbeddable("a parameter of the base map is gone in the overlaid map")
    creator: dict[str, int] = {}         # claim -> the edit that adds it (claims are always present)
    rel_creator: dict[str, int] = {}     # relation -> the edit that adds it (its presence is that edit)
    observer: dict[str, int] = {}
    for j, e in enumerate(edits):
        if e.kind == "add":
            creator[e.target] = j
        elif e.kind in ("relate", "add-relation"):
            rel_creator.setdefault(e.target, j)
        elif e.kind == "observe":
            observer[e.target] = j
        elif e.kind == "remove" or (e.kind == "change" and set(e.fields) & {"type", "when", "modulated_by"}):
            raise _NotEmbeddable(f"{e.kind} {e.target} changes the map's structure")
    setters: dict[tuple[str, str], list[int]] = {}
    for j, e in enumerate(edits):
        if e.kind == "change":
            for f in e.fields:
                if f in _POINT_FIELDS:
                    setters.setdefault((e.target, f), []).append(j)
    base_keys = {r.key for r in maps[0].relations}
    full_rels = {r.key: r for r in full.map.relations}
    for key, rel in full_rels.items():
        if key in base_keys or rel.type != "requires" or rel.leak is not None:
            continue
        if key in rel_creator:
            raise _NotEmbeddable(f"requirement {key} has no leak, so its absence has no neutral setting")

    used: set[int] = set()
    plan = []  # per parameter: (creation value, [(edit, value)], presence edits, neutral value)
    for p in net.params:
        full_v = thetas[-1][p.name]
        c: int | None
        if p.claim in observer:       # an observation absent: the evidence equally likely whatever holds
            slot, c = (p.claim, p.field), observer[p.claim]
            need = {c}
            neutral = 1.0
        elif p.field in ("credence", "base", "table"):
            slot, c = (p.claim, p.field), creator.get(p.claim)
            need = set()
            neutral = full_v
        else:
            assert p.relation is not None, f"{p.name} is a relation's parameter without a relation"
            slot, c = (p.relation, p.field), rel_creator.get(p.relation)
            need = {c} if c is not None else set()
            neutral = _NEUTRAL.get(p.field, full_v)
        src = thetas[0] if c is None else thetas[stage[edits[c].overlay]]
        start = src.get(p.name)
        if start is None:
            start = {"base": 1.0, "leak": 0.0}.get(p.field, None if p.field != "scale" else full_v)
            if start is None:
                raise _NotEmbeddable(f"parameter {p.name} has no value before the overlay")
        sets: list[tuple[int, float]] = []
        for k in setters.get(slot, []) if p.field != "scale" else []:
            v = thetas[stage[edits[k].overlay]].get(p.name)
            if v is None:
                raise _NotEmbeddable(f"parameter {p.name} is not in the map after {edits[k].overlay}")
            sets.append((k, v))
        if c is None and not sets and not need and start != full_v:
            raise _NotEmbeddable(f"parameter {p.name} changed without an edit")
        used.update(k for k, _ in sets)
        used.update(need)
        plan.append((start, sets, sorted(need), neutral))

    def theta(rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=bool)
        out = np.empty((rows.shape[0], len(net.params)))
        for j, (start, sets, need, neutral) in enumerate(plan):
            col = np.full(rows.shape[0], start)
            for e, v in sets:
                col = np.where(rows[:, e], v, col)
            if need:
                col = np.where(rows[:, need].all(axis=1), col, neutral)
            out[:, j] = col
        return out

    return theta, used


# ------------------------------------------------------------------------------------ re-apply game

def _subset_map(base: ArgumentMap, specs: list[OverlayFile], edits: list[Edit], keep: AbstractSet[int]) -> ArgumentMap:
    """The map with only the edits in ``keep`` applied (moot edits dropped, see the module doc)."""
    from ..maps.checks import check_map
    from ..maps.overlay import apply_overlay

    index = {(e.overlay, e.kind, e.entry, e.target): j for j, e in enumerate(edits)}
    amap = base
    for spec in specs:
        def on(kind: str, i: int, target: str, overlay: str = spec.overlay) -> bool:
            return index[(overlay, kind, i, target)] in keep
        ids = set(amap.claims) | {c.id for c in spec.add}          # added claims are always present
        adds = [_strip(c, {k for k in _declared(c) if on("add-relation", i, k)}) for i, c in enumerate(spec.add)]
        relate = [r for i, r in enumerate(spec.relate) if on("relate", i, f"{r.from_} -> {r.to}")]
        fed = {r.to for r in relate} | {i.claim for c in adds for i in c.outgoing()}
        adds = [_as_root(c) if c.id not in fed else c for c in adds]
        keys = {r.key for r in amap.relations} | {f"{r.from_} -> {r.to}" for r in relate}
        keys |= {k for c in adds for k in _declared(c)}
        change = [ch for i, ch in enumerate(spec.change) if on("change", i, ch.claim or _rel_key(ch.relation or ""))
                  and (ch.claim in ids if ch.claim else _rel_key(ch.relation or "") in keys)]
        remove = [rm for i, rm in enumerate(spec.remove) if on("remove", i, rm.claim or _rel_key(rm.relation or ""))
                  and (rm.claim in ids if rm.claim else _rel_key(rm.relation or "") in keys)]
        observe = [ob for i, ob in enumerate(spec.observe) if on("observe", i, ob.id)]
        sub = spec.model_copy(update={"add": adds, "relate": relate, "change": change, "remove": remove,
                                      "observe": observe, "builds_on": []})
        amap, diags = apply_overlay(amap, sub, None)
        diags = diags or check_map(amap)
        if diags:
            raise ArgmapError(f"cannot evaluate '{spec.overlay}' with only some of its edits applied: "
                              f"{diags[0].message}; attribution needs each subset of edits to make a valid map")
    return amap


def _as_root(c: ClaimSpec) -> ClaimSpec:
    """A claim left with no parents after stripping: its base becomes its credence (same P(true))."""
    if c.requires or c.table is not None or c.credence is not None or c.base is None:
        return c
    return c.model_copy(update={"credence": c.base, "base": None})


def _strip(c: ClaimSpec, on: set[str]) -> ClaimSpec:
    """The claim spec with only the declared relations whose edits are ``on``."""
    return c.model_copy(update={
        "requires": [r for r in c.requires if f"{r.claim} -> {c.id}" in on],
        **{f: [r for r in getattr(c, f) if f"{c.id} -> {r.claim}" in on]
           for f in ("route", "supports", "opposes", "undercuts")}})


# ------------------------------------------------------------------------------------ driver

def attribute(path: str | Path | None = None, overlays: Iterable[str | Path] = (), target: str | None = None,
              given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
              scenario: str | None = DEFAULT, *, base_overlays: Iterable[str | Path] = (),
              max_exact: int | None = None, permutations: int = 1000, seed: int = 0,
              method: str = "auto", stages: Sequence[Stage] | None = None, scale: str | None = None) -> Attribution:
    """Shapley attribution of the change in P(target) made by ``overlays`` (applied in order).

    The base is the map at ``path`` with ``base_overlays`` applied (they are not attributed). With
    ``stages`` (from :func:`argmap.maps.loader.load_stages`: the base first, then one per attributed
    overlay) nothing is read from disk and ``path``, ``overlays`` and ``base_overlays`` are unused.
    ``method``: ``auto`` (θ embedding when it verifies, else re-applying), ``theta`` or ``reapply``.
    ``max_exact``: the most edits for exact values (default :data:`MAX_EXACT`, or
    :data:`MAX_EXACT_REAPPLY` when re-applying; at most :data:`HARD_LIMIT`); beyond it, sampling.
    ``scale``: every map read on that verbal scale (:meth:`Model.on_scale`).

    >>> a = attribute("tests/data/maps/tiny", ["tests/data/compare/doubt.yaml"])   # doctest: +SKIP
    >>> abs(sum(a.values) - a.total) < 1e-12                                       # doctest: +SKIP
    True
    """
    maps, specs, docs = _stages(path, list(overlays), base_overlays, stages)
    edits = _edits(maps, specs, docs)
    full, base = Model(maps[-1]).on_scale(scale), Model(maps[0]).on_scale(scale)
    target = target or full.map.target
    cond = full.conditions(given, set, scenario)
    p_full = full.probability(target, cond.given, cond.set, scenario=None)
    p_base = base.probability(target, cond.given, cond.set, scenario=None)
    notes: list[str] = []

    game = None
    if method in ("auto", "theta"):
        try:
            to_theta, used = _theta_game(maps, specs, edits, full)
            ends = full.probability(target, cond.given, cond.set, scenario=None,
                                    theta=to_theta(np.array([[False] * len(edits), [True] * len(edits)])))
            if abs(ends[0] - p_base) > _TOL or abs(ends[1] - p_full) > _TOL:
                raise _NotEmbeddable("the neutral settings do not reproduce the base map")
            players = sorted(used)
            game = ("theta", players, lambda rows: full.probability(
                target, cond.given, cond.set, scenario=None, theta=to_theta(_widen(rows, players, len(edits)))))
        except _NotEmbeddable as why:
            if method == "theta":
                raise ArgmapError(f"the edits cannot be evaluated on one parameter vector: {why}") from None
            notes.append(f"evaluated by re-applying edits ({why})")
    if game is None:
        players = [j for j, e in enumerate(edits) if _moves(e)]
        cache: dict[frozenset, float] = {}

        def reapply(rows: np.ndarray) -> np.ndarray:
            out = []
            for row in np.asarray(rows, dtype=bool):
                key = frozenset(p for p, on in zip(players, row, strict=False) if on)
                if key not in cache:
                    m = Model(_subset_map(maps[0], specs, edits, key)).on_scale(scale)
                    cache[key] = m.probability(target, cond.given, cond.set, scenario=None)
                out.append(cache[key])
            return np.array(out)
        game = ("reapply", players, reapply)

    evaluation, players, value = game
    n = len(players)
    if max_exact is None:
        max_exact = MAX_EXACT if evaluation == "theta" else MAX_EXACT_REAPPLY
    if max_exact > HARD_LIMIT:
        raise ArgmapError(f"exact Shapley values over more than {HARD_LIMIT} edits would need over a million "
                          "evaluations; use a smaller limit and the sampled estimate")
    values = np.zeros(len(edits))
    stderr = None
    perms = None
    if n <= max_exact:
        kind = "exact"
        if n:
            rows = _bits(np.arange(1 << n), n)
            values[players] = shapley_exact(value(rows), n)
    else:
        kind = "sampled"
        est, se = shapley_sampled(value, n, permutations, seed)
        values[players] = est
        stderr = np.zeros(len(edits))
        stderr[players] = se
        perms = 2 * max(2, (permutations + 1) // 2)
    return Attribution(target, float(p_base), float(p_full), tuple(edits), tuple(map(float, values)),
                       None if stderr is None else tuple(map(float, stderr)), kind, evaluation, n, perms,
                       tuple(notes))


def _moves(e: Edit) -> bool:
    """Whether an edit can move a point value (a concentration-only change cannot)."""
    if e.kind == "add":
        return False            # a claim alone is barren: its share lies in its relations and observations
    return e.kind != "change" or any(f in _POINT_FIELDS + ("type", "when", "modulated_by") for f in e.fields)


def _widen(rows: np.ndarray, players: list[int], n: int) -> np.ndarray:
    out = np.zeros((rows.shape[0], n), dtype=bool)
    out[:, players] = rows
    return out
