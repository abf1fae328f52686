"""The post bundle's spread kept beside the compiled map it was drawn from (:mod:`argmap.inference.kept`).

The spread on every verbal scale (:func:`.spread.spread_by_scale`) is ``samples`` joint draws of the map's
uncertain numbers, evaluated exactly, on each scale: the longest part of ``argmap export``, and a fixed
function of the map, the options and the code. When the model was read from a compiled-map cache entry (a
hit), :func:`material` names that entry by its signature (its HMAC: the entry's whole content, which a hit
only has while every file it was built from is unchanged, :func:`argmap.inference.cache.hit_signature`) with
every option of the draw; :func:`keep` keeps the spreads as a kept text under it, :func:`lookup` returns them
to a later export of the same entry with the same options, under the same code and the same numpy and scipy
(the samplers and the quantile tables), instead of drawing them again.

The text is JSON: each spread's fields as numbers and strings (floats written by ``repr``: the same double
read back) and its two columns of draws as little-endian doubles in base64, read with ``numpy.frombuffer`` at
a fixed type. It is read only if every field has its type and every draw is a probability; else it is a miss
and the spread is drawn again. Data, never code.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

from .spread import Spread, Summary

__all__ = ["KIND", "LIBRARIES", "material", "lookup", "keep", "spreads_text", "spreads_from"]

KIND = "spreads"
LIBRARIES = ("numpy", "scipy")
"""What the draws come from besides argmap's code: numpy's samplers and arithmetic, scipy's quantiles."""

_SUMMARY = ("median", "mean", "q05", "q95", "percentile", "p_at_least")
_OPTIONAL = frozenset({"percentile", "p_at_least"})


def material(entry: str, target: str, conditions: dict, scales: tuple[str, ...], **options: Any) -> str:
    """Everything the spreads of ``target`` under ``conditions`` on ``scales`` with ``options`` (samples, seed,
    correlation, words, shared_factor) are drawn from, the map being the compiled-map entry whose signature is
    ``entry``."""
    return json.dumps({"entry": entry, "target": target, "conditions": conditions, "scales": list(scales),
                       "options": options}, sort_keys=True, default=repr)


def lookup(material: str | None) -> list[Spread] | None:
    """The spreads kept for ``material``, or None (nothing kept, or a text that does not read as spreads)."""
    if material is None:
        return None
    from ...inference import kept

    text = kept.text(KIND, material, LIBRARIES)
    return None if text is None else spreads_from(text)


def keep(material: str | None, spreads: list[Spread]) -> None:
    """Keep ``spreads`` under ``material`` (nothing if None; anything failing only costs speed)."""
    if material is None or not spreads:
        return
    from ...inference import kept

    kept.keep(KIND, material, spreads_text(spreads), LIBRARIES)


def _column(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode("ascii")


def spreads_text(spreads: list[Spread]) -> str:
    """The kept text of ``spreads`` (:func:`spreads_from` reads it back, equal field for field, bit for bit)."""
    out = []
    for sp in spreads:
        q = sp.query
        out.append({"query": [q.target, q.state, dict(q.given), dict(q.set), q.scenario], "scale": sp.scale,
                    "words": sp.words, "samples": sp.samples, "seed": sp.seed, "point": sp.point,
                    "stated": sp.stated, "stated_by": sp.stated_by, "correlation": sp.correlation,
                    "correlation_source": sp.correlation_source, "correlation_rationale": sp.correlation_rationale,
                    "shared_factor": sp.shared_factor,
                    "independent": [getattr(sp.independent, k) for k in _SUMMARY],
                    "correlated": [getattr(sp.correlated, k) for k in _SUMMARY],
                    "independent_values": _column(sp.independent_values),
                    "correlated_values": _column(sp.correlated_values)})
    return json.dumps(out, separators=(",", ":"), ensure_ascii=False)


class _Malformed(Exception):
    pass


def _check(ok: bool) -> None:
    if not ok:
        raise _Malformed


def _str(x: Any, optional: bool = False) -> Any:
    _check(isinstance(x, str) or (optional and x is None))
    return x


def _num(x: Any, optional: bool = False) -> Any:
    if optional and x is None:
        return None
    _check(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x))
    return float(x)


def _summary(row: Any) -> Summary:
    _check(isinstance(row, list) and len(row) == len(_SUMMARY))
    return Summary(*(_num(x, k in _OPTIONAL) for k, x in zip(_SUMMARY, row, strict=True)))


def _draws(text: Any, samples: int) -> np.ndarray:
    raw = base64.b64decode(_str(text), validate=True)
    _check(len(raw) == 8 * samples)
    values = np.frombuffer(raw, dtype="<f8").astype(float)
    _check(bool(((values >= 0.0) & (values <= 1.0)).all()))     # probabilities (NaN fails both)
    return values


def _conditions(x: Any) -> dict:
    _check(isinstance(x, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in x.items()))
    return dict(x)


def _spread(d: Any) -> Spread:
    from ._query import Query

    _check(isinstance(d, dict))
    q = d["query"]
    _check(isinstance(q, list) and len(q) == 5)
    samples, seed, words = d["samples"], d["seed"], d["words"]
    _check(type(samples) is int and samples >= 2 and (seed is None or type(seed) is int) and type(words) is bool)
    return Spread(Query(_str(q[0]), _str(q[1]), _conditions(q[2]), _conditions(q[3]), _str(q[4], True)),
                  _str(d["scale"]), words, samples, seed, _num(d["point"]), _num(d["stated"], True),
                  _str(d["stated_by"], True), _num(d["correlation"]), _str(d["correlation_source"]),
                  _str(d["correlation_rationale"], True), _summary(d["independent"]), _summary(d["correlated"]),
                  _draws(d["independent_values"], samples), _draws(d["correlated_values"], samples),
                  _str(d["shared_factor"]))


def spreads_from(text: str) -> list[Spread] | None:
    """The spreads of a kept text (:func:`spreads_text`), or None if it is not one."""
    try:
        data = json.loads(text)
        _check(isinstance(data, list) and len(data) > 0)
        return [_spread(d) for d in data]
    except (_Malformed, ValueError, KeyError, TypeError):     # (binascii.Error is a ValueError)
        return None
