"""Pausing Python's cyclic garbage collector while a map is built.

Loading a large map creates millions of small objects (YAML values, positions, specs, claims) that
live until the map does, and none of them forms garbage cycles worth finding. With the collector
running, each generation's threshold triggers a walk over every tracked object again and again:
10,000 claims spent about a third of a cold load in the collector. :func:`paused_gc` switches it off
for a block and, on leaving the outermost one, moves what survived out of the collector's view
(``gc.freeze``) so the next collection does not walk it either. Reference counting still frees every
object as usual; only cyclic garbage made inside the block waits for ``gc.unfreeze``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Within the block the cyclic collector does not run; nested blocks are fine."""
    if not gc.isenabled():
        yield                         # an outer block (or the caller) already paused it
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
