"""Residual analysis: how much of P(target) the map's named arguments carry, and what is left without them.

An *argument that raises the target* is a claim of kind ``argument`` or ``critique``, left open by the
conditions, with P(target | do(claim = true)) > P(target | do(claim = false)). Setting all of them false
(the do-operator, as ``--set``) leaves the **residual**: what the map's bases and other numbers give
when none of its named reasons for the target holds. The same is done for the raising arguments of each
part of the map alone and of each pair of parts, so that e.g. the path-based and final-property
arguments can be switched off together. ``share`` = (P − residual) / P is the part of the headline the
named arguments carry. Every number here equals an ``argmap run --set ...`` of the same claims.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from ...api import DEFAULT, Model
from ...base.records import dataclass
from ._query import resolve

__all__ = ["Residual", "residual", "RESIDUAL_KINDS"]

RESIDUAL_KINDS = ("argument", "critique")


@dataclass(frozen=True)
class Residual:
    """P(target), the arguments that raise it, and P(target) with groups of them set false."""

    probability: float
    raising: tuple[dict[str, Any], ...]
    """claim, title, part, sections, p_if_true, p_if_false (each with the others left as they are)."""
    all_false: float
    """P(target) with every raising argument set false."""
    groups: tuple[dict[str, Any], ...]
    """name, parts, claims, probability (those claims set false), share (of P they carry)."""

    @property
    def share(self) -> float | None:
        """The share of P(target) that the raising arguments carry: (P − residual) / P."""
        return None if self.probability <= 0 else (self.probability - self.all_false) / self.probability

    def set_false(self, group: str | None = None) -> dict[str, str]:
        """The ``--set`` that reproduces the residual of ``group`` (all raising arguments if None)."""
        claims = [r["claim"] for r in self.raising] if group is None else \
            next(g["claims"] for g in self.groups if g["name"] == group)
        return {c: "false" for c in claims}

    def to_dict(self) -> dict:
        return {"probability": self.probability, "all_false": self.all_false, "share": self.share,
                "raising": list(self.raising), "groups": list(self.groups)}


def residual(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
             kinds: tuple[str, ...] = RESIDUAL_KINDS) -> Residual:
    """The residual analysis of P(target | conditions); see the module docstring."""
    q = resolve(model, target, given, set, scenario)

    def prob(extra: dict[str, str]) -> float:
        return model.probability(q.target, q.given, {**q.set, **extra}, scenario=None)

    base = prob({})
    fixed = {q.target, *q.given, *q.set}
    raising: list[dict[str, Any]] = []
    for cid, claim in model.map.claims.items():
        if claim.kind not in kinds or cid in fixed or not claim.binary:
            continue
        p_true, p_false = prob({cid: "true"}), prob({cid: "false"})
        if p_true > p_false:
            raising.append({"claim": cid, "title": claim.title, "part": claim.part or "",
                            "sections": list(claim.sections), "p_if_true": p_true, "p_if_false": p_false})
    raising.sort(key=lambda r: (r["p_if_false"] - r["p_if_true"], r["claim"]))
    all_false = prob({r["claim"]: "false" for r in raising}) if raising else base
    parts = sorted({r["part"] for r in raising})
    groups: list[dict[str, Any]] = []
    for size in (1, 2):
        for combo in combinations(parts, size):
            claims = [r["claim"] for r in raising if r["part"] in combo]
            p = prob({c: "false" for c in claims})
            groups.append({"name": "+".join(combo), "parts": list(combo), "claims": claims, "probability": p,
                           "share": None if base <= 0 else (base - p) / base})
    return Residual(base, tuple(raising), all_false, tuple(groups))
