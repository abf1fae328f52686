"""``argmap run``'s report kept beside the compiled map it was made from, so a warm run prints it without numpy.

A run whose map and network came from a compiled-map cache entry (a hit) and whose every figure is one that
entry keeps (:attr:`argmap.inference.network.Network.results`: its engine evaluated nothing) prints a
text made from that entry, the run's options and the terminal's width alone. That text is kept as a kept
text (:mod:`argmap.inference.kept`: signed with the cache folder's key, bound to this code, keyed by all its
inputs) whose material is the entry's signature (its HMAC: the entry's whole content), the options and the
width. A later run with the same options first checks the entry exactly as a hit would
(:func:`argmap.inference.cache.verified`: authentic, for this request and code, every file it was built from
unchanged) and, if the text kept for that entry is found, prints it: the bytes the full run would print.

Where no text is kept for them yet (the first run on an entry, or with other options or at another width),
:func:`from_entry` makes the report from that same checked entry without numpy when every figure it prints is
one the entry keeps (:func:`argmap.inference.bodyread.figures`, :class:`argmap.inference.keptanswers.
KeptEngine`: the very numbers a hit's engine would give), and keeps it; else the run loads the map as usual.

Only runs with neither ``--given`` nor ``--set`` (nothing to warn about), without ``--spread`` (computed in
the run) and with the cache on are kept or looked up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..api import Model, Result
    from ..maps.models import ArgumentMap

__all__ = ["material", "lookup", "from_entry", "figures", "keep"]

KIND = "run"

_bodies: dict[str, memoryview] = {}
"""material -> the body of the entry it names, as :func:`material` read and checked it (for :func:`from_entry`)."""


def material(args, columns: int) -> str | None:
    """Everything the report of ``args`` at a terminal width of ``columns`` is made from, as text, if the run may
    be kept and the compiled-map entry for its map is usable now; else None. (The report is then formatted at
    that same width, read once.)"""
    if args.spread or args.given or args.set:
        return None
    from ..inference import cache

    found = cache.verified_entry(args.path, args.overlays)
    if found is None:
        return None
    signature, body = found
    text = _material(args, signature, columns)
    _bodies[text] = body
    return text


def _material(args, signature: str, columns: int) -> str:
    options = {k: v for k, v in sorted(vars(args).items()) if not k.startswith("_")}
    return json.dumps({"entry": signature, "options": options, "columns": columns}, sort_keys=True, default=repr)


def lookup(material: str | None) -> str | None:
    """The report kept for ``material`` (from :func:`material`), or None."""
    if material is None:
        return None
    from ..inference import kept

    return kept.text(KIND, material)


def from_entry(args, material: str | None, text: Callable[[ArgumentMap, Result], str]) -> str | None:
    """The report, ``text(map, result)``, made without numpy from the entry ``material`` names (the body
    :func:`material` checked) if the run prints only figures that entry keeps; then also kept under
    ``material``. None if anything else may be needed (a scenario or scale named, a figure not kept, a query
    that warns or fails): the run then loads the map, and says what it always says."""
    body = _bodies.pop(material, None) if material is not None else None
    if material is None or body is None or args.scenario is not None or getattr(args, "scale", None) is not None:
        return None             # (the entry keeps the figures of the map's own scenario and scale: a run naming
                                # another would read a large map's entry twice to learn it must compute them)
    import warnings

    from ..base.gcpause import paused_gc

    try:
        with paused_gc(), warnings.catch_warnings(record=True) as warned:
            from ..api import Model
            from ..inference.bodyread import figures as entry_figures
            from .common import conditions_from_args

            warnings.simplefilter("always")
            amap, network = entry_figures(body)
            result = Model.from_kept(amap, network).run(args.target, **conditions_from_args(args))
    except Exception:   # noqa: BLE001 - a figure not kept, an error the full run reports: the run loads the map
        return None
    if warned:                  # (none without --given/--set; the full run gives them as always)
        return None
    report = text(amap, result)
    from ..inference import kept

    kept.keep(KIND, material, report)       # (the entry's figures alone: nothing was evaluated)
    return report


def figures(args, material: str | None, model: Model, columns: int) -> int | None:
    """If ``model`` was read from the very entry ``material`` names (a hit), its engine's evaluations so far
    (:func:`keep` compares them after the run); else None: the run is not kept."""
    if material is None:
        return None
    from ..inference import cache

    signature = cache.hit_signature(args.path, args.overlays)
    if signature is None or _material(args, signature, columns) != material:
        return None
    return model.engine.evaluations


def keep(material: str | None, model: Model, before: int | None, text: str) -> None:
    """Keep ``text``, the report just printed, if :func:`figures` allowed it and the run evaluated nothing (every
    figure was one the entry keeps)."""
    if material is None or before is None or model.engine.evaluations != before:
        return
    from ..inference import kept

    kept.keep(KIND, material, text)
