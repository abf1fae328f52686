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
from dataclasses import dataclass

from ..base.quantity import Quantity
from ..base.scales import MAP_SCALE, Scale, get_scale
from ..base.verbal import STRENGTH_BANDS, modulation_word
from ..maps.models import ArgumentMap, Provenance
from .distributions import Factor
from .network import Network, Param

__all__ = ["Reread", "param_word", "param_words", "reread_network", "word_factors"]


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


def reread_network(amap: ArgumentMap, net: Network, scale: str) -> tuple[Network, tuple[Reread, ...]]:
    """The network with every probability word re-read on ``scale`` (see :mod:`argmap.base.scales`), and
    what happened to each parameter. On the map's own scale the network is returned unchanged."""
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
    if scale == amap.scale or all(r.new is None or r.new == r.old for r in report):
        return net, tuple(report)
    return dataclasses.replace(net, params=tuple(params), theta0=theta), tuple(report)


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
