"""Import Sobol's libraries on a background thread while the other analyses run.

SALib brings pandas and scipy.stats with it: about a second of importing, most of the default
report's start-up. The report starts this thread first; the imports then overlap the cruxes,
tornado, one-way, threshold and Monte Carlo work (numpy releases the GIL in its loops), and
:func:`argmap.sensitivity.sobol.sobol` finds the modules loaded. Nothing is imported that the
report would not import anyway, and a failed import here is silent: the real one reports it.
"""

from __future__ import annotations

import importlib
import threading

__all__ = ["preload", "SOBOL_MODULES", "ENABLED"]

SOBOL_MODULES = ("SALib.sample.sobol", "SALib.analyze.sobol")
ENABLED = True
"""Switch for measuring the effect (bench/startup.py); on by default."""


def _load(names: tuple[str, ...]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:   # noqa: BLE001 - the import in the main thread raises it properly
            return


def preload(names: tuple[str, ...] = SOBOL_MODULES) -> threading.Thread | None:
    """Start importing ``names`` in a daemon thread (None when disabled)."""
    if not ENABLED:
        return None
    thread = threading.Thread(target=_load, args=(names,), name="argmap-preload", daemon=True)
    thread.start()
    return thread
