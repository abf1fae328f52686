"""Tornado: P(target) at each uncertain parameter's low and high end, sorted by swing.

Each parameter moves alone across its stated 90% range (or the 5–95% interval of its distribution;
for a state of a Dirichlet root, the other states co-vary proportionally) while every other number
stays at its point. All ends are evaluated exactly in one batched engine call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...api import DEFAULT, Model
from ...inference.distributions import MASS, param_interval
from ._query import evaluate, factors_of, is_structural, param_label, param_sections, param_source, resolve, with_value

__all__ = ["tornado"]


def tornado(model: Model, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
            mass: float = MASS) -> list[dict]:
    """Rows for a tornado chart, largest swing first.

    Each row is a plain dict: ``param`` (θ name), ``claim`` (whose probability it sets), ``source``
    (arguing claim, for relations), ``title`` (plain-language label), ``sections``, ``field``, ``kind``,
    ``value`` (its point), ``low``/``high`` (range ends), ``p_low``/``p_high`` (P(target) at each end)
    and ``swing`` = |p_high − p_low|.

    >>> from pathlib import Path
    >>> import argmap
    >>> tiny = Path(argmap.__file__).parents[1] / "tests" / "data" / "maps" / "tiny"
    >>> [(r["param"], r["low"], r["high"], round(r["p_low"], 6), round(r["p_high"], 6))
    ...  for r in tornado(argmap.Model.load(tiny), scenario=None)]
    [('credence:aware', 0.6, 0.95, 0.12375, 0.195938)]
    """
    q = resolve(model, target, given, set, scenario)
    net = model.network
    ends = param_interval(net, factors_of(model), mass)
    cols = sorted(ends)
    if not cols:
        return []
    batches = [with_value(net.theta0, net.params[i], i, np.array(ends[i])) for i in cols]
    p = evaluate(model, q, np.concatenate(batches)).reshape(len(cols), 2)
    rows: list[dict[str, Any]] = []
    for (i, (lo, hi)), (p_lo, p_hi) in zip(((i, ends[i]) for i in cols), p, strict=False):
        par = net.params[i]
        rows.append({
            "param": par.name, "claim": par.claim, "source": param_source(par), "title": param_label(model, par),
            "structural": is_structural(model, par),
            "sections": list(param_sections(model, par)), "field": par.field, "kind": par.kind,
            "value": float(net.theta0[i]), "low": lo, "high": hi,
            "p_low": float(p_lo), "p_high": float(p_hi), "swing": float(abs(p_hi - p_lo)),
        })
    rows.sort(key=lambda r: (-r["swing"], r["param"]))
    return rows
