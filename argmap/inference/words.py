"""The words behind a network's numbers, re-read on another verbal scale or drawn as distributions.

Each parameter of a compiled network may carry a **word** (``band:`` in its provenance; a modulator's
factor is its modulation word). :func:`param_word` finds it, :func:`reread_network` re-reads every
probability word on a scale of :mod:`argmap.base.scales` (a categorical distribution is re-read state by
state and renormalised), and :func:`word_factors` turns each word into a distribution for Monte Carlo:
uniform over the word's band, the survey's responses for a survey phrase, and on the map's own scale a
strength word as log-uniform over its ratio band. A number an overlay changed has no word (the overlay
gave a number, not a reading), nor does a ``definitional`` 0 or 1.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from ..base.quantity import Quantity
from ..base.records import dataclass
from ..base.scales import MAP_SCALE, Scale, get_scale
from ..base.verbal import STRENGTH_BANDS, modulation_word
from ..maps.models import ArgumentMap, Provenance
from .distributions import Factor
from .network import Network, Param

__all__ = ["Reread", "param_word", "param_words", "reread", "reread_map", "reread_network", "word_factors"]


@dataclass(frozen=True)
class Reread:
    """What re-reading did to one parameter: ``new`` is None when it kept the map's number (``why`` says)."""

    param: str
    word: str | None
    term: str | None
    old: float
    new: float | None
    why: str

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def param_word(amap: ArgumentMap, p: Param) -> str | None:
    """The word a parameter's number was read from (its band, or a modulator's modulation word); None for
    a number with no word or one an overlay changed."""
    if any(c.target in (p.claim, p.relation) and c.field == p.field for c in amap.changes):
        return None
    if p.field == "scale":
        return modulation_word(p.value)
    prov: Provenance = amap.claims[p.claim].provenance
    if p.relation:
        rel = next((r for r in amap.relations if r.key == p.relation), None)
        if rel is not None:
            prov = rel.provenance
    band = prov.band_for(p.state if p.kind == "simplex" else None)
    table = amap.claims[p.claim].table
    if p.field == "table" and table is not None and table.bands:
        row = p.name[p.name.index("[") + 1:p.name.rindex("]")]
        rows = {",".join(f"{g}={s}" for g, s in zip(table.given, c, strict=True)): b for c, b in table.bands}
        band = rows.get(row, band)
    return band


def param_words(amap: ArgumentMap, net: Network) -> list[str | None]:
    """:func:`param_word` for every parameter, in θ order."""
    return [param_word(amap, p) for p in net.params]


def _why_kept(scale: Scale, word: str | None, p: Param) -> str:
    if word is None:
        return "no word (an overlay's number, or none stated)"
    if word == "definitional":
        return "definitional: 0 or 1 on every scale"
    if p.kind in ("ratio", "scale"):
        return f"'{word}' is a strength or modulation word; scale '{scale.name}' has no such words"
    return f"scale '{scale.name}' has no term for '{word}': the map's reading is kept"


def _reread_params(amap: ArgumentMap, net: Network, scale: str
                   ) -> tuple[list[Param], np.ndarray, tuple[Reread, ...]]:
    """The one re-reading rule, parameter by parameter: each probability word's number re-read on ``scale``
    (:meth:`argmap.base.scales.Scale.reread`), each categorical distribution renormalised once. Returns the
    new parameters, θ0 and what happened to each."""
    target, source = get_scale(scale), get_scale(amap.scale)
    words = param_words(amap, net)
    params = list(net.params)
    theta = net.theta0.copy()
    report: list[Reread] = []
    for i, (p, word) in enumerate(zip(net.params, words, strict=True)):
        q = p.quantity
        got = target.reread(word, q.value, q.range, source) if p.kind in ("probability", "simplex") and word else None
        if got is None:
            report.append(Reread(p.name, word, None, q.value, None, _why_kept(target, word, p)))
            continue
        value, rng = got
        term = target.term_for(word)
        report.append(Reread(p.name, word, term.name if term else None, q.value, value, "re-read"))
        theta[i] = value
        params[i] = dataclasses.replace(p, quantity=Quantity(value, None, rng, q.beta))
    for i, p in enumerate(net.params):        # categorical: renormalise each distribution once
        if p.kind == "simplex" and p.group and p.group[0] == i:
            cols = list(p.group)
            total = theta[cols].sum()
            if total > 0 and not math.isclose(total, 1.0):
                theta[cols] /= total
                for j in cols:
                    params[j] = dataclasses.replace(params[j], quantity=params[j].quantity.with_value(theta[j]))
    return params, theta, tuple(report)


def reread(amap: ArgumentMap, net: Network, scale: str) -> tuple[ArgumentMap, Network, tuple[Reread, ...]]:
    """The map and its compiled network ``net`` with every probability word re-read on ``scale`` (the rule
    of :mod:`argmap.base.scales`), and what happened to each parameter: :func:`reread_map` and
    :func:`reread_network` at once (the network compiled from the new map has the new network's θ0). On the
    map's own scale, or when nothing changes, both come back unchanged."""
    params, theta, report = _reread_params(amap, net, scale)
    if scale == amap.scale or all(r.new is None or r.new == r.old for r in report):
        return amap, net, report
    return (_write_back(amap, net.params, params, scale),
            dataclasses.replace(net, params=tuple(params), theta0=theta), report)


def reread_network(amap: ArgumentMap, net: Network, scale: str) -> tuple[Network, tuple[Reread, ...]]:
    """The network with every probability word re-read on ``scale`` (see :mod:`argmap.base.scales`), and
    what happened to each parameter. On the map's own scale the network is returned unchanged."""
    _, new, report = reread(amap, net, scale)
    return new, report


def reread_map(amap: ArgumentMap, scale: str, net: Network | None = None) -> tuple[ArgumentMap, tuple[Reread, ...]]:
    """The map itself with each word-read number replaced by its reading on ``scale`` (its ``scale`` set to
    it), by the same rule as :func:`reread_network`: a pure function of the map, for what compiles the map
    again (the explorer page). ``net``: the map's compiled network, if at hand. On the map's own scale the
    map is returned unchanged."""
    if scale == amap.scale:
        get_scale(scale)
        return amap, ()
    if net is None:
        from .network import compile_map

        net = compile_map(amap)
    new, _, report = reread(amap, net, scale)
    return new, report


def _write_back(amap: ArgumentMap, old: Sequence[Param], new: Sequence[Param], scale: str) -> ArgumentMap:
    """``amap`` with each parameter's quantity that changed written where the compiler read it from."""
    claims = dict(amap.claims)
    rels = {r.key: r for r in amap.relations}
    for p, q in ((n, n.quantity) for o, n in zip(old, new, strict=True) if n.quantity != o.quantity):
        c = claims[p.claim]
        if p.field == "base":
            claims[p.claim] = dataclasses.replace(c, base=q)
        elif p.field == "leak":
            assert p.relation is not None
            rels[p.relation] = dataclasses.replace(rels[p.relation], leak=q)
        elif p.field == "p":
            assert p.relation is not None
            rels[p.relation] = dataclasses.replace(rels[p.relation], p=q)
        elif p.field == "credence":
            assert c.credence is not None
            claims[p.claim] = dataclasses.replace(c, credence=_put(c.states, c.credence, p, q))
        elif p.field == "table":
            assert c.table is not None
            label = p.name[p.name.index("[") + 1:p.name.rindex("]")]
            rows = tuple((combo, _put(c.states, dist, p, q))
                         if ",".join(f"{g}={s}" for g, s in zip(c.table.given, combo, strict=True)) == label
                         else (combo, dist) for combo, dist in c.table.rows)
            claims[p.claim] = dataclasses.replace(c, table=dataclasses.replace(c.table, rows=rows))
        else:
            raise AssertionError(f"a re-read number in field '{p.field}' of {p.name}")
    relations = tuple(rels[r.key] for r in amap.relations)
    return dataclasses.replace(amap, claims=claims, relations=relations, scale=scale)


def _put(states: tuple[str, ...], dist: tuple[Quantity, ...], p: Param, q: Quantity) -> tuple[Quantity, ...]:
    """A distribution over ``states`` with ``p``'s state set to ``q`` (a binary's P(false) its complement)."""
    if p.kind == "probability":
        return (Quantity(1.0 - q.value), q)
    return tuple(q if s == p.state else d for s, d in zip(states, dist, strict=True))


def word_factors(amap: ArgumentMap, net: Network, scale: str) -> dict[int, Factor]:
    """θ index -> the distribution of that parameter's word on ``scale`` (uniform over the band, the
    survey's responses, or on the map's own scale log-uniform over a strength word's ratio band).
    Parameters whose word the scale lacks, and simplex states, are left out."""
    sc = get_scale(scale)
    out: dict[int, Factor] = {}
    for i, (p, word) in enumerate(zip(net.params, param_words(amap, net), strict=True)):
        if word is None:
            continue
        if p.kind == "probability":
            spread = sc.spread(word)
            if spread is not None:
                family, args = spread
                out[i] = Factor(p.name, family, tuple(float(a) for a in args), (i,))
        elif p.kind == "ratio" and scale == MAP_SCALE and word in STRENGTH_BANDS:
            lo, hi = STRENGTH_BANDS[word]
            if math.isfinite(hi):
                lo, hi = (lo, hi) if p.value >= 1 else (1 / hi, 1 / lo)
                out[i] = Factor(p.name, "loguniform", (lo, hi), (i,))
    return out
