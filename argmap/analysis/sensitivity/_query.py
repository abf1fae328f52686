"""What every analysis shares: the resolved query and human-readable parameter labels."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ...api import DEFAULT, Model
from ...base.errors import QueryError
from ...base.formatting import conditions_text
from ...base.records import dataclass
from ...inference.distributions import Factor, uncertain_factors
from ...inference.network import Param
from ..provenance import STRUCTURAL, catch_all_bases

__all__ = ["Query", "resolve", "is_structural", "param_label", "param_sections", "param_source", "factors_of",
           "domain_of", "with_value", "evaluate"]


@dataclass(frozen=True)
class Query:
    """P(target = state | given, do(set)): the quantity every analysis studies."""

    target: str
    state: str
    given: dict
    set: dict
    scenario: str | None

    @property
    def label(self) -> str:
        """``P(target)`` for a binary target, ``P(target=state)`` for a categorical one."""
        return f"P({self.target})" if self.state == "true" else f"P({self.target}={self.state})"

    def describe(self) -> str:
        cond = conditions_text(self.given, self.set)
        return f"P({self.target}={self.state}" + (f" | {cond}" if cond else "") + ")"

    def to_dict(self) -> dict:
        return {"target": self.target, "state": self.state, "given": dict(self.given), "set": dict(self.set),
                "scenario": self.scenario}


def resolve(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT) -> Query:
    """Resolve target and conditions (the map's default scenario unless ``scenario=None``)."""
    target = target or model.map.target
    model._state_ok(target)
    c = model.conditions(given, set, scenario)
    if target in c.given or target in c.set:
        raise QueryError(f"the target '{target}' is fixed by the conditions, so nothing can move it; "
                         "drop it from --given/--set or choose another --target")
    return Query(target, model.network.states[target][-1], dict(c.evidence), dict(c.set), c.scenario)


def factors_of(model: Model) -> tuple[Factor, ...]:
    """The map's uncertain factors (ranges, betas, and Dirichlets from ``concentration``)."""
    conc = {c.id: c.concentration for c in model.map.claims.values() if c.concentration}
    return uncertain_factors(model.network, conc)


def domain_of(p: Param) -> tuple[float, float]:
    """The values a parameter may take in an argument file: a relation's ratio stays on its side of 1
    (supports >= 1, opposes and undercuts <= 1), so thresholds never propose a value the format refuses."""
    if p.kind in ("probability", "simplex"):
        return (0.0, 1.0)
    if p.kind == "ratio" and p.quantity.value > 1:
        return (1.0, float("inf"))
    if p.kind == "ratio" and p.quantity.value < 1:
        return (0.0, 1.0)
    return (0.0, float("inf"))


def param_source(p: Param) -> str | None:
    """For a relation's parameter, the claim the relation comes from."""
    return p.relation.split(" -> ")[0] if p.relation else None


def param_sections(model: Model, p: Param) -> tuple[str, ...]:
    """Report sections a parameter speaks for: the arguing claim's for a relation, else its claim's."""
    claims = model.map.claims
    src = param_source(p)
    if src and src in claims and p.field in ("ratio", "scale", "p") and claims[src].sections:
        return tuple(claims[src].sections)
    return tuple(claims[p.claim].sections)


def is_structural(model: Model, p: Param) -> bool:
    """Whether the parameter is a catch-all base (:func:`argmap.analysis.provenance.catch_all_bases`)."""
    if p.field != "base":
        return False
    cache = model.__dict__.setdefault("_catch_all", None)
    if cache is None:
        cache = model.__dict__["_catch_all"] = frozenset(catch_all_bases(model.map))
    return p.claim in cache


def param_label(model: Model, p: Param) -> str:
    """A short, plain-language name for a parameter."""
    claims = model.map.claims
    title = claims[p.claim].title
    src = param_source(p)
    stitle = claims[src].title if src in claims else src
    if p.field == "credence":
        return title if p.kind == "probability" else f"{title} = {p.state}"
    if p.field == "base":
        return f"Catch-all base ({STRUCTURAL}) of: {title}" if is_structural(model, p) else f"{title}: base rate"
    if p.field == "leak":
        return f"{title}: leak if '{stitle}' fails"
    if p.field == "ratio":
        return f"{stitle} → {title}: odds ratio"
    if p.field == "p":
        return f"{stitle} → {title}: route (P it alone brings it about)"
    if p.field == "scale":
        mod = p.name.rsplit("@", 1)[-1]
        cid, _, state = mod.partition("=")
        who = f"{claims[cid].title} = {state}" if cid in claims and state else mod
        return f"{stitle} → {title}: strength scale if {who}"
    if p.field == "table":
        row = p.name[p.name.index("[") + 1:p.name.rindex("]")] if "[" in p.name else ""
        tail = f" = {p.state}" if p.kind == "simplex" else ""
        return f"{title}{tail} given {row}"
    return p.name


def with_value(theta0: np.ndarray, p: Param, index: int, values: ArrayLike) -> np.ndarray:
    """θ batch (len(values), P) with parameter ``index`` set to each value; a simplex's co-states co-vary
    proportionally (equally, when they had no mass)."""
    values = np.atleast_1d(np.asarray(values, dtype=float))
    theta = np.tile(theta0, (values.size, 1))
    theta[:, index] = values
    if p.kind == "simplex":
        others = [j for j in p.group if j != index]
        rest = 1.0 - theta0[index]
        new_rest = 1.0 - values
        if rest > 0:
            theta[:, others] = theta0[others][None, :] * (new_rest / rest)[:, None]
        else:
            theta[:, others] = (new_rest / max(len(others), 1))[:, None]
    return theta


def evaluate(model: Model, query: Query, theta: np.ndarray) -> np.ndarray:
    """P(query) for each row of a θ batch, by one batched engine call."""
    out = model.engine.query(query.target, query.given, query.set, np.atleast_2d(theta))
    return out[:, model.network.states[query.target].index(query.state)]
