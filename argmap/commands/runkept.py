"""``argmap run``'s report kept beside the compiled map it was made from, so a warm run prints it without numpy.

A run whose map and network came from a compiled-map cache entry (a hit) and whose every figure is one that
entry keeps (:attr:`argmap.inference.network.Network.results`: its engine evaluated nothing) prints a
text made from that entry, the run's options and the terminal's width alone. That text is kept as a kept
text (:mod:`argmap.inference.kept`: signed with the cache folder's key, bound to this code, keyed by all its
inputs) whose material is the entry's signature (its HMAC: the entry's whole content), the options and the
width. A later run with the same options first checks the entry exactly as a hit would
(:func:`argmap.inference.cache.verified`: authentic, for this request and code, every file it was built from
unchanged) and, if the text kept for that entry is found, prints it: the bytes the full run would print.

Only runs with neither ``--given`` nor ``--set`` (nothing to warn about), without ``--spread`` (computed in
the run) and with the cache on are kept or looked up.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..api import Model

__all__ = ["material", "lookup", "figures", "keep"]

KIND = "run"


def material(args, columns: int) -> str | None:
    """Everything the report of ``args`` at a terminal width of ``columns`` is made from, as text, if the run may
    be kept and the compiled-map entry for its map is usable now; else None. (The report is then formatted at
    that same width, read once.)"""
    if args.spread or args.given or args.set:
        return None
    from ..inference import cache

    signature = cache.verified(args.path, args.overlays)
    return None if signature is None else _material(args, signature, columns)


def _material(args, signature: str, columns: int) -> str:
    options = {k: v for k, v in sorted(vars(args).items()) if not k.startswith("_")}
    return json.dumps({"entry": signature, "options": options, "columns": columns}, sort_keys=True, default=repr)


def lookup(material: str | None) -> str | None:
    """The report kept for ``material`` (from :func:`material`), or None."""
    if material is None:
        return None
    from ..inference import kept

    return kept.text(KIND, material)


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
