"""``argmap fit``: the smallest change to chosen numbers that makes the map reach a stated value or bound.

"Smallest" is in log-odds: a probability p moves as logit p, an odds ratio r as log r, and the
change minimises Σ (Δ)² over the freed numbers subject to P(target) = goal (a bound or an interval is
reached at its nearest edge; one already met needs no change). The constraint is linearised with
the exact gradient of P(target) and solved again from the original point until it holds to 1e-12
(sequential quadratic programming with one constraint).

The gradient comes from the engine: one forward-backward pass gives ∂P(evidence)/∂(every CPT entry)
(:meth:`~argmap.inference.engine.Engine.cpt_gradient`); a number enters one claim's CPT, so the chain rule needs
only that claim's ∂CPT/∂number, taken from its CPT builder by a central difference.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..api import DEFAULT, Model
from ..base.errors import ArgmapError, QueryError, did_you_mean
from ..base.readfile import resolved
from ..base.records import dataclass
from ..inference.network import Param
from ..maps.models import Stated

__all__ = ["Fit", "FitChange", "fit", "free_params", "fit_overlay_yaml", "write_fit", "FREE_FIELDS"]

FREE_FIELDS = ("credence", "base", "table", "leak", "ratio", "p")
"""Fields of binary probabilities (a route's p among them) and ratios that can be freed (categorical credences
and scales cannot)."""
_TOL = 1e-12


@dataclass(frozen=True)
class FitChange:
    param: Param
    old: float
    new: float

    @property
    def shift(self) -> float:
        """The change in log-odds (probabilities) or log (ratios)."""
        return _z(self.param, self.new) - _z(self.param, self.old)


@dataclass(frozen=True)
class Fit:
    target: str
    goal: Stated
    reached: float
    """The value or bound edge the fit aims at."""
    before: float
    after: float
    changes: tuple[FitChange, ...]

    @property
    def distance(self) -> float:
        """Root of the summed squared changes in log-odds: what the fit minimises."""
        return math.sqrt(sum(c.shift ** 2 for c in self.changes))

    def to_dict(self) -> dict:
        return {"target": self.target, "goal": self.goal.to_dict(), "aim": self.reached, "before": self.before,
                "after": self.after, "distance": self.distance,
                "changes": [{"param": c.param.name, "old": c.old, "new": c.new, "shift": c.shift}
                            for c in self.changes]}


def _z(p: Param, v: float) -> float:
    if p.field == "ratio":
        return math.log(v)
    v = min(max(v, 1e-300), 1 - 1e-16)
    return math.log(v) - math.log1p(-v)


def _from_z(fields: Sequence[str], z: np.ndarray) -> np.ndarray:
    out = np.empty_like(z)
    for i, f in enumerate(fields):
        out[i] = math.exp(z[i]) if f == "ratio" else 1.0 / (1.0 + math.exp(-z[i]))
    return out


def free_params(model: Model, free: Iterable[str] = ()) -> list[int]:
    """Indices of θ to free: parameter names (``credence:x``), claim ids (all their numbers) or relation
    keys (``a -> b``). With none given: every number the last overlay adds or changes."""
    net = model.network
    names = list(free)
    if not names:
        if not model.map.overlays:
            raise QueryError("nothing to fit: give --free NUMBER (a claim, a relation 'a -> b' or a parameter), "
                             "or an overlay whose edits are the numbers to fit")
        last = model.map.overlays[-1]
        touched = {c.target for c in model.map.changes if c.overlay == last}
        touched |= {c.id for c in model.map.claims.values() if c.added_by == last}
        touched |= {r.key for r in model.map.relations if r.added_by == last}
        chosen = [i for i, p in enumerate(net.params) if _fittable(p)
                  and ((p.relation is not None and p.relation in touched)
                       or (p.relation is None and p.claim in touched and p.claim not in model.map.observations))]
        if not chosen:
            raise QueryError(f"overlay '{last}' changes no number fit can move; give --free")
        return chosen
    chosen = []
    for name in names:
        key = " -> ".join(x.strip() for x in name.split("->"))
        hits = [i for i, p in enumerate(net.params)
                if p.name == name or (p.relation is None and p.claim == name) or p.relation == key]
        if not hits:
            cands = [p.name for p in net.params] + list(model.map.claims) + [r.key for r in model.map.relations]
            hint = did_you_mean(name, cands)
            raise QueryError(f"--free '{name}' names no number of this map" + (f"; {hint}" if hint else ""))
        bad = [net.params[i].name for i in hits if not _fittable(net.params[i])]
        if bad and len(bad) == len(hits):
            raise QueryError(f"--free '{name}': {', '.join(bad)} cannot be fitted (only binary probabilities "
                             "and odds ratios can; categorical credences and modulator scales cannot)")
        chosen += [i for i in hits if _fittable(net.params[i]) and i not in chosen]
    return chosen


def _fittable(p: Param) -> bool:
    return p.field in FREE_FIELDS and p.kind in ("probability", "ratio")


def _aim(goal: Stated, p: float) -> float | None:
    """The probability to reach: None when the goal is already met."""
    if goal.value is not None:
        return None if abs(p - goal.value) <= _TOL else goal.value
    if goal.range is not None:
        lo, hi = goal.range
        return None if lo <= p <= hi else (lo if p < lo else hi)
    if goal.below is not None:
        return None if p <= goal.below else goal.below
    assert goal.above is not None
    return None if p >= goal.above else goal.above


def fit(model: Model, goal: Stated, free: Iterable[str] = (), *, given=None, set=None,
        scenario: str | None = DEFAULT, max_iter: int = 200) -> Fit:
    """The smallest change (in log-odds) of the ``free`` numbers that brings P(goal.claim) to ``goal``."""
    from .sensitivity._query import evaluate, resolve

    q = resolve(model, goal.claim, given, set, scenario)
    net = model.network
    idx = free_params(model, free)
    fields = [net.params[i].field for i in idx]
    theta0 = net.theta0.copy()
    z0 = np.array([_z(net.params[i], theta0[i]) for i in idx])
    before = float(evaluate(model, q, theta0[None, :])[0])
    aim = _aim(goal, before)
    if aim is None:
        return Fit(goal.claim, goal, before, before, before, ())

    def theta_of(z: np.ndarray) -> np.ndarray:
        th = theta0.copy()
        th[idx] = _from_z(fields, z)
        return th

    z = z0.copy()
    p = before
    for _ in range(max_iter):
        th = theta_of(z)
        g = _gradient_z(model, q, th, idx, fields)
        gg = float(g @ g)
        if gg < 1e-300:
            break
        step = z0 + g * ((aim - p - g @ (z0 - z)) / gg)
        # damp: never move the linearisation point more than 2 log-odds units per step
        delta = step - z
        worst = float(np.max(np.abs(delta))) if delta.size else 0.0
        z = z + delta * (min(1.0, 2.0 / worst) if worst > 0 else 1.0)
        z = np.clip(z, -36.0, 36.0)
        p = float(evaluate(model, q, theta_of(z)[None, :])[0])
        if abs(p - aim) < _TOL and worst < 1e-9:
            break
    if abs(p - aim) > 1e-9:
        names = ", ".join(net.params[i].name for i in idx)
        raise ArgmapError(f"cannot bring P({goal.claim}) to {aim:g} by changing {names}: the closest reached is "
                          f"{p:.6g}; free more numbers (--free)")
    th = theta_of(z)
    changes = tuple(FitChange(net.params[i], float(theta0[i]), float(th[i])) for i in idx
                    if abs(th[i] - theta0[i]) > 1e-15)
    return Fit(goal.claim, goal, aim, before, p, changes)


def _gradient_z(model: Model, q, theta: np.ndarray, idx: Sequence[int], fields: Sequence[str]) -> np.ndarray:
    """∂P(target | evidence)/∂z for each freed number (z its log-odds or log), from the engine's gradients."""
    net = model.network
    engine = model.engine
    ev = {**q.given, q.target: q.state}
    g_num = engine.cpt_gradient(ev, q.set, theta)
    num = float(engine.joint_evidence(ev, q.set, theta))
    if q.given:
        g_den = engine.cpt_gradient(q.given, q.set, theta)
        den = float(engine.joint_evidence(q.given, q.set, theta))
    else:
        g_den, den = {}, 1.0
    out = np.zeros(len(idx))
    for k, (i, f) in enumerate(zip(idx, fields, strict=True)):
        claim = net.params[i].claim
        v = theta[i]
        h = 1e-6 * v if f == "ratio" else 1e-6 * min(v, 1 - v)     # stays inside the domain
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        dcpt = (net.builders[claim](up[None, :])[0] - net.builders[claim](down[None, :])[0]) / (2 * h)
        dn = float(np.sum(g_num[claim] * dcpt)) if claim in g_num else 0.0
        dd = float(np.sum(g_den[claim] * dcpt)) if claim in g_den else 0.0
        dp = (dn * den - num * dd) / den ** 2
        out[k] = dp * (v if f == "ratio" else v * (1 - v))      # dθ/dz
    return out


# ------------------------------------------------------------------------------------ the overlay

def fit_overlay_yaml(model: Model, result: Fit, name: str, author: str, builds_on: Sequence[str]) -> str:
    """The fitted numbers as an overlay file (one ``change:`` per claim or relation touched)."""
    import yaml

    goal = f"P({result.target}) {result.goal.describe()}"
    reason = f"fitted by argmap fit: the smallest change in log-odds that brings {goal} (reaches {result.after:.4g})"
    per_target: dict[tuple[str, str], dict] = {}
    for c in result.changes:
        p = c.param
        if p.field == "table":
            claim = model.map.claims[p.claim]
            key = ("claim", p.claim)
            entry = per_target.setdefault(key, {"claim": p.claim, "table": _table_dict(model, claim, result)})
        elif p.relation is not None:
            entry = per_target.setdefault(("relation", p.relation), {"relation": p.relation})
            entry[p.field] = _num(c.new)
        else:
            entry = per_target.setdefault(("claim", p.claim), {"claim": p.claim})
            entry[p.field] = _num(c.new)
    changes = [{**e, "reason": reason} for e in per_target.values()]
    doc = {"overlay": name, "title": f"Fitted: {goal}", "author": author,
           "source": f"argmap fit from {', '.join(model.map.overlays) or model.map.name}",
           "builds_on": list(builds_on), "change": changes}
    head = "# Written by argmap fit. Check it with: argmap check --with <the overlays it builds on> --with this file\n"
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def _num(v: float) -> float:
    return float(f"{v:.10g}")


def _table_dict(model: Model, claim, result: Fit) -> dict:
    new = {c.param.name: c.new for c in result.changes}
    rows = []
    for combo, dist in claim.table.rows:
        label = ",".join(f"{g}={s}" for g, s in zip(claim.table.given, combo, strict=True))
        p = new.get(f"table:{claim.id}[{label}]", dist[1].value)
        rows.append({"when": dict(zip(claim.table.given, combo, strict=True)), "p": _num(p)})
    return {"given": list(claim.table.given), "rows": rows}


def write_fit(out: str | Path, text: str) -> Path:
    """Write the fitted overlay atomically; never over an existing file, never into a map folder."""
    from ..base.atomic import atomic_write, refuse_map_folder

    path = Path(out)
    refuse_map_folder(path)
    if path.exists():
        raise ArgmapError(f"{path} exists; argmap fit never overwrites a file (choose another -o/--out)")
    return atomic_write(path, text)


def relative_builds_on(files: Sequence[Path], out: Path) -> list[str]:
    """``builds_on`` entries that resolve from beside ``out``: a relative path, or a bundled name."""
    from ..maps.bundled import arguments_dir

    try:
        bundled = arguments_dir().resolve()
    except ArgmapError:
        bundled = None
    names = []
    for f in files:
        f = resolved(f)
        if bundled is not None and f.is_relative_to(bundled):
            names.append(f.stem)
        else:
            names.append(os.path.relpath(f, out.absolute().parent))
    return names
