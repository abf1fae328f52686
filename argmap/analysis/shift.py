"""A critique's shift with its uncertainty, and the chain of claims that carried it.

:func:`shift_spread` puts P(target) without and with the overlays on the same joint draws of the
map's uncertain numbers (:func:`argmap.analysis.sensitivity.spread.paired`, the one sampler, so
``correlation``, ``words`` and the models' verbal scale mean what they mean for the headline's spread)
and reports each side's 90% interval and the share of draws in which the critique lowers (or raises)
the headline.
:func:`carrying_chain` follows the largest moves from an edited claim to the target: the path along
which the change travelled, with the change at each link.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..api import DEFAULT, Model
from ..base.formatting import fmt_p
from ..base.marginals import Marginals, is_binary, p_true
from ..base.records import dataclass
from ..maps.models import ArgumentMap
from ..maps.reach import chain_to, claim_graph, touched_claims
from .attribution import Attribution

__all__ = ["Link", "ShiftSpread", "carrying_chain", "carrying_chains", "chain_text", "shift_spread",
           "SHIFT_SAMPLES"]

SHIFT_SAMPLES = 4000
"""Joint draws for a shift's interval: enough for the 5th and 95th percentiles to two decimals."""


@dataclass(frozen=True)
class Link:
    """One claim on the chain: its P(true) without and with the overlays."""

    claim: str
    title: str
    before: float | None
    """None for a claim the overlays add."""
    after: float

    def to_dict(self) -> dict:
        return {"claim": self.claim, "title": self.title, "before": self.before, "after": self.after}


def carrying_chain(amap: ArgumentMap, before: Marginals, after: Marginals, start: str, target: str) -> list[Link]:
    """From ``start`` to ``target``, at each claim the next one (on some path to the target) whose
    P(true) moved most: the links along which a change at ``start`` reached the target. Empty when no
    path leads there or a claim on the way is not true/false in both maps."""
    on = set(chain_to(amap, [start], target))
    if target not in on or start not in on:
        return []
    down = claim_graph(amap)

    def link(c: str) -> Link | None:
        b, a = before.get(c), after.get(c)
        if not a or not is_binary(a):
            return None
        return Link(c, amap.claims[c].title, p_true(b) if b and is_binary(b) else None, p_true(a))

    out: list[Link] = []
    here: str | None = start
    while here is not None:
        step = link(here)
        if step is None:
            return []
        out.append(step)
        if here == target:
            break
        nxt = [(abs(p_true(after[n]) - (p_true(before[n]) if n in before else p_true(after[n]))), n)
               for n in sorted(down.get(here, ())) if n in on and n not in {x.claim for x in out}
               and n in after and is_binary(after[n])]
        here = max(nxt)[1] if nxt else None
    return out if out and out[-1].claim == target else []


def chain_text(links: Sequence[Link]) -> str:
    """``counting_argument 0.46 → 0.12 ⇒ final_favours_schemer 0.09 → 0.01 ⇒ scheming 0.078 → 0.030``
    (three decimals for the target, as in the headline; a claim the overlays add shows its one value)."""
    def one(i: int, x: Link) -> str:
        d = 3 if i == len(links) - 1 else 2
        if x.before is None:
            return f"{x.claim} {fmt_p(x.after, d)} (new)"
        return f"{x.claim} {fmt_p(x.before, d)} → {fmt_p(x.after, d)}"
    return " ⇒ ".join(one(i, x) for i, x in enumerate(links))


def carrying_chains(base: Model, model: Model, base_margs: Marginals, margs: Marginals, target: str,
                    fixed: Iterable[str] = (), attr: Attribution | None = None, top: int = 3
                    ) -> tuple[tuple[Link, ...], ...]:
    """The chains from the claims the edits act on (largest attribution first, else largest move) to the
    target; distinct ones only."""
    fixed = set(fixed)
    acted = [c for c in touched_claims(base.map, model.map) if c not in fixed]
    if attr is not None:
        weight: dict[str, float] = {}
        for e, v, _ in attr.ranked():
            c = e.target.split(" -> ")[-1] if " -> " in e.target else e.target
            weight[c] = weight.get(c, 0.0) + abs(v)
        acted.sort(key=lambda c: -weight.get(c, 0.0))
    else:
        def moved(c: str) -> float:
            a, b = margs.get(c), base_margs.get(c)
            return abs(p_true(a) - p_true(b)) if a and b and is_binary(a) and is_binary(b) else 0.0
        acted.sort(key=lambda c: -moved(c))
    out: list[tuple[Link, ...]] = []
    for c in acted:
        chain = tuple(carrying_chain(model.map, base_margs, margs, c, target))
        if chain and chain not in out and not any(chain[0].claim == o[0].claim for o in out):
            out.append(chain)
        if len(out) == top:
            break
    return tuple(out)


@dataclass(frozen=True)
class ShiftSpread:
    """P(target) without and with the overlays over the same joint draws."""

    before: float
    after: float
    before_q: tuple[float, float]
    after_q: tuple[float, float]
    lower: float
    """Share of draws in which the overlays lower P(target)."""
    higher: float
    samples: int
    seed: int | None
    correlation: float = 0.0
    """ρ of the draws (rank correlation of the author's hedges; :func:`argmap.analysis.sensitivity.spread.draws`)."""
    words: bool = False
    scale: str = ""
    shared_factor: str = "map"

    def text(self) -> str:
        """``0.078 [0.04, 0.15] → 0.058 [0.03, 0.12]; lower in 97% of joint draws``."""
        def side(p: float, q: tuple[float, float]) -> str:
            return f"{fmt_p(p)} [{q[0]:.2f}, {q[1]:.2f}]"
        share, word = (self.lower, "lower") if self.after <= self.before else (self.higher, "higher")
        return (f"{side(self.before, self.before_q)} → {side(self.after, self.after_q)}; {word} in "
                f"{100 * share:.0f}% of joint draws")

    def how(self) -> str:
        """How the draws were made: ``4,000 joint draws, hedges correlated at ρ = 0.2, words read on icd203``."""
        drawn = f"numbers read from words drawn from their words on {self.scale}" if self.words else \
            "every number with a range drawn from it"
        within = " within each part of the map" if self.shared_factor == "part" else ""
        lean = f"hedges correlated at rank correlation {self.correlation:g}{within}" if self.correlation > 0 else \
            "hedges independent"
        return f"{self.samples:,} joint draws, the same for both sides; {drawn}; {lean}; 90% intervals"

    def to_dict(self) -> dict:
        return {"before": self.before, "after": self.after, "before_90": list(self.before_q),
                "after_90": list(self.after_q), "lower_share": self.lower, "higher_share": self.higher,
                "samples": self.samples, "seed": self.seed, "correlation": self.correlation,
                "draw": "words" if self.words else "ranges", "scale": self.scale,
                "shared_factor": self.shared_factor}


def shift_spread(base: Model, model: Model, target: str | None = None, given: Mapping[str, str] | None = None,
                 set: Mapping[str, str] | None = None, scenario: str | None = DEFAULT, *,
                 samples: int = SHIFT_SAMPLES, seed: int | None = 0, correlation: float | None = None,
                 words: bool = False, shared_factor: str = "map") -> ShiftSpread:
    """The shift from ``base`` to ``model`` (the map without and with overlays) with 90% intervals over
    the same joint draws of the map's uncertain numbers (:func:`argmap.analysis.sensitivity.spread.paired`:
    ``correlation`` None is the map's stated ρ; ``words`` draws word-read numbers from their words on the
    models' scale; ``shared_factor`` one for the map or one per part)."""
    import numpy as np

    from .sensitivity._query import resolve
    from .sensitivity.spread import correlation_of, paired

    qb = resolve(base, target, given, set, scenario)
    rho = correlation_of(base, correlation)[0]
    vb, vo = paired(base, model, qb.target, given, set, scenario, samples=samples, seed=seed, correlation=rho,
                    words=words, shared_factor=shared_factor)
    pb = base.run(qb.target, given=given, set=set, scenario=scenario).probability
    po = model.run(qb.target, given=given, set=set, scenario=scenario).probability

    def q(v) -> tuple[float, float]:
        lo, hi = np.quantile(v, (0.05, 0.95))
        return float(lo), float(hi)

    d = vo - vb
    return ShiftSpread(pb, po, q(vb), q(vo), float(np.mean(d < -1e-12)), float(np.mean(d > 1e-12)), samples,
                       seed, rho, words, base.scale, shared_factor)
