"""A compiled network as plain JSON, for evaluators outside Python (the explorer page's JavaScript).

:func:`network_json` is the one stable way out of the compiler: it writes the network's variables,
its parameter vector θ, every CPT as cell formulas over θ (the same formulas as
:mod:`argmap.inference.program`), and the engine's own elimination plan for all marginals with nothing
observed. An evaluator then computes exactly what :meth:`argmap.inference.engine.Engine.marginals` computes:

* fill each CPT from θ (``cells``; see below);
* apply the conditions by editing tables, which keeps one plan for every query: an observed claim
  ``v = s`` zeroes the other states of ``v``'s own CPT, and an intervened one replaces ``v``'s CPT
  by the indicator of ``s`` (cutting it from its causes, as the engine's plan does by dropping it);
* run the ``steps`` forward (each step multiplies its input tables and sums out what is not in its
  output scope), multiply the ``final`` tables to get Z = P(evidence), then run the steps backwards
  for each table's adjoint ∂Z/∂table; a claim's marginal is Σ (its CPT × its adjoint) over its
  parents, divided by Z (the forward-backward pass of :mod:`argmap.inference.engine`).

Cell formulas, per claim (positions are flat row-major offsets into its CPT of shape
``(*parent cards, card)``):

* ``copy``: ``[pos, k]``: ``cpt[pos] = θ[k]``;
* ``direct``: ``[true pos, false pos, k]``: ``θ[k]`` and ``1 − θ[k]``;
* ``composed``: ``[true pos, false pos, base, [term, ...], [leak, ...], [route, ...]]``, each term
  ``[ratio, -1]`` (unmodulated) or ``[ratio, scale, scale, ...]`` (one scale per modulator), each route
  ``[p, -1]`` or ``[p, scale, ...]`` likewise. With ``f = (1 − θ[base]) · Π (1 − θ[p]) ** (Π θ[scale])``
  over the routes (the chance that nothing brings the claim about) and ``b' = 1 − f`` if the cell lists
  a route, else ``b' = θ[base]``: ``u = b' · Π θ[ratio] ** (Π θ[scale])`` (no power for an unmodulated
  term), ``P(true) = u / (u + f)`` times ``θ[leak]`` for each listed leak (``−1``: factor 0); a base of
  ``−1`` means ``P(true) = 1`` before leaks. A claim with an explicit table and computed relations has a
  composed cell per row, its base the row's parameter.

Scopes and tables are lists of variable indices (into ``variables``); a table over scope
``(a, b)`` is row-major with ``b`` fastest.

The page's own compiler (``assets/compile.js`` ``build``) may add ``offsets``: claim ``v``'s cells then
number θ from ``offsets[v]`` (so a reader's edit reuses the cells of every claim it leaves alone); the
evaluator adds the offset, and ``compile.js`` ``compile`` writes exactly this module's layout.
"""

from __future__ import annotations

from typing import Any

from .engine import Engine
from .network import Network

__all__ = ["network_json", "FORMAT"]

FORMAT = 2
"""Version of the layout written by :func:`network_json`; bumped on any incompatible change."""


def network_json(network: Network, engine: Engine | None = None) -> dict[str, Any]:
    """The network, its cell formulas and the engine's all-marginals plan as JSON-ready data (every claim
    eliminated by a step, as the page's evaluator expects: no shortcut for claims that stand alone)."""
    if network.specs is None:
        raise ValueError("this network was compiled without cell formulas")
    engine = engine or Engine(network)
    index = {v: i for i, v in enumerate(network.variables)}
    cells = []
    for v in network.variables:
        spec = network.specs[v]
        cells.append({
            "copy": [list(c) for c in spec.copy],
            "direct": [list(c) for c in spec.direct],
            "composed": [[t, f, b, [list(term) for term in terms], list(leaks), [list(r) for r in routes]]
                         for t, f, b, terms, leaks, routes in spec.composed_cells()],
        })
    plan = engine.marginal_plan(tuple(network.variables), {}, {}, lone=False)
    factors = [{"var": index[f.var], "scope": [index[u] for u in f.scope]} for f in plan.factors]
    steps = [{"in": list(s.inputs), "out": [index[u] for u in _output_scope(s.subscripts, s.in_scopes)]}
             for s in plan.steps]
    return {
        "format": FORMAT,
        "variables": list(network.variables),
        "states": [list(network.states[v]) for v in network.variables],
        "parents": [[index[p] for p in network.parents[v]] for v in network.variables],
        "params": [p.name for p in network.params],
        "theta": [float(x) for x in network.theta0],
        "cells": cells,
        "factors": factors,
        "steps": steps,
        "final": list(plan.final_inputs),
    }


def _output_scope(subscripts: str, in_scopes) -> list[str]:
    """The variables an einsum step keeps, read off its subscripts (e.g. ``abZ,bcZ->acZ``): each input's
    letters name its scope's variables in order; the batch letter names none."""
    ins, out = subscripts.split("->")
    letter: dict[str, str] = {}
    for term, scope in zip(ins.split(","), in_scopes, strict=True):
        letter.update(zip(term[:len(scope)], scope, strict=True))
    return [letter[ch] for ch in out if ch in letter]
