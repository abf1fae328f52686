"""Queries answered from the figures a compiled-map cache entry keeps, without numpy (or an exception).

A cache entry keeps the results of the queries ``argmap run`` makes (:attr:`argmap.inference.network.Network.
results`, computed at the map's own numbers before the entry was written). :class:`KeptEngine` answers
those queries, and only those, from the numbers read out of the entry (:func:`argmap.inference.bodyread.
figures`), as :class:`~argmap.inference.engine.Engine` answers them from the same results: the same
numbers, sliced the same way, as :class:`array.array` of floats instead of numpy arrays. Any other query
raises :class:`NotKept`: the caller then loads the entry with numpy and computes it.

The results' keys are made here for both (:func:`plan_key`, :func:`marginal_key`), and the marginals are cut
from their kept row here for both (:func:`split_marginals`).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from typing import Any

__all__ = ["KeptNetwork", "KeptEngine", "NotKept", "plan_key", "marginal_key", "split_marginals"]

class NotKept(LookupError):
    """A figure the entry does not keep: it must be computed."""


def plan_key(target: str | None, given: Mapping[str, str], set_: Mapping[str, str]) -> tuple:
    """The key of P(target | given, do(set)) among a network's plans and results."""
    return (target, tuple(sorted(given.items())), tuple(sorted(set_.items())))


def marginal_key(claims: tuple[str, ...], given: Mapping[str, str], set_: Mapping[str, str]) -> tuple:
    """The key of the marginals of ``claims`` given ``given`` under do(``set_``) among a network's plans and results."""
    return ("*marginals*", claims, tuple(sorted(given.items())), tuple(sorted(set_.items())))


def split_marginals(flat: Any, names: tuple[str, ...], states: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """Each claim's marginal from the kept row of all of them (``names``' in order), as slices of ``flat``."""
    out, at = {}, 0
    for v in names:
        k = len(states[v])
        out[v] = flat[at:at + k]
        at += k
    return out


class KeptNetwork:
    """What a query reads of a compiled network when every figure it needs is kept: its claims in order,
    their states, and the kept results (each an :class:`array.array` of floats)."""

    def __init__(self, variables: tuple[str, ...], states: dict[str, tuple[str, ...]],
                 results: dict[tuple, array]) -> None:
        self.variables, self.states, self.results = variables, states, results


class KeptEngine:
    """:class:`~argmap.inference.engine.Engine`'s :meth:`query` and :meth:`marginals` at the map's own numbers,
    answered from a :class:`KeptNetwork`'s results; :class:`NotKept` for anything else."""

    evaluations = 0
    """Plans evaluated: never any."""

    def __init__(self, network: KeptNetwork) -> None:
        self.network = network

    def _kept(self, key: tuple, theta: object) -> array:
        found = self.network.results.get(key) if theta is None else None
        if found is None:
            raise NotKept(key)
        return array("d", found)            # a copy, as the engine's

    def query(self, target: str, given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
              theta: object = None) -> array:
        return self._kept(plan_key(target, given or {}, set or {}), theta)

    def marginals(self, given: Mapping[str, str] | None = None, set: Mapping[str, str] | None = None,
                  theta: object = None, claims: tuple[str, ...] | None = None) -> dict[str, array]:
        names = tuple(self.network.variables) if claims is None else tuple(claims)
        flat = self._kept(marginal_key(names, given or {}, set or {}), theta)
        return split_marginals(flat, names, self.network.states)
