"""Reading marginal distributions (claim → state → probability): P(true), and what moved between two.

Claims' states run from "no" to "yes" (``false`` before ``true``), so the last state is the one a
headline probability is about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .records import dataclass

__all__ = ["Marginals", "Move", "p_true", "claim_moves", "is_binary"]

Marginals = Mapping[str, Mapping[str, float]]


def p_true(dist: Mapping[str, float]) -> float:
    """P(the claim holds): the probability of its last state, ``true`` for a true/false claim.

    >>> p_true({"false": 0.3, "true": 0.7})
    0.7
    """
    return float(list(dist.values())[-1])


def is_binary(dist: Mapping[str, float]) -> bool:
    """Whether the distribution is over exactly the states ``false`` and ``true``."""
    return set(dist) == {"false", "true"}


@dataclass(frozen=True)
class Move:
    """How one claim's probability moved: ``before`` is None for a claim that only ``after`` has."""

    claim: str
    before: float | None
    after: float
    shift: float
    """after − before on P(true); for a claim with other states, the total variation distance between
    its two distributions (≥ 0)."""
    categorical: bool = False


def claim_moves(before: Marginals, after: Marginals, skip: Iterable[str] = ()) -> list[Move]:
    """How every claim of ``after`` (except ``skip``) moved from ``before``: largest \\|shift\\| first, ties
    by claim id. Claims only ``after`` has get ``before`` None and shift 0.

    >>> [(m.claim, round(m.shift, 2)) for m in claim_moves(
    ...     {"a": {"false": .5, "true": .5}, "b": {"false": .9, "true": .1}},
    ...     {"a": {"false": .4, "true": .6}, "b": {"false": .6, "true": .4}, "c": {"false": 0, "true": 1}})]
    [('b', 0.3), ('a', 0.1), ('c', 0.0)]
    """
    skipped = frozenset(skip)
    out = []
    for cid, dist in after.items():
        if cid in skipped:
            continue
        categorical = not is_binary(dist)
        old = before.get(cid)
        if old is None:
            out.append(Move(cid, None, p_true(dist), 0.0, categorical))
            continue
        categorical = categorical or not is_binary(old)
        if categorical:
            shift = 0.5 * sum(abs(dist.get(s, 0.0) - old.get(s, 0.0)) for s in {*dist, *old})
        else:
            shift = p_true(dist) - p_true(old)
        out.append(Move(cid, p_true(old), p_true(dist), float(shift), categorical))
    return sorted(out, key=lambda m: (-abs(m.shift), m.claim))
