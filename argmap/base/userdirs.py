"""The user's cache folder for an application, as ``platformdirs.user_cache_dir(app, appauthor=False)`` gives it.

platformdirs' Unix module imports tempfile with shutil, bz2 and lzma: a tenth of a warm ``argmap run`` that
prints a kept report. In the usual case on Linux its rule is short and the same in every platformdirs version
argmap accepts (3.0 on): ``$XDG_CACHE_HOME/APP`` when that is an absolute path, else ``~/.cache/APP`` (``~`` as
:func:`os.path.expanduser` reads it). :func:`user_cache_dir` applies it there, and asks platformdirs itself
anywhere else (another system, Android, a relative ``XDG_CACHE_HOME`` or ``HOME``, where versions differ).
tests/test_userdirs.py holds the two equal.
"""

from __future__ import annotations

import os
import sys

__all__ = ["user_cache_dir"]


def _usual_linux() -> bool:
    home = os.environ.get("HOME")
    return (sys.platform == "linux" and not hasattr(sys, "getandroidapilevel") and "ANDROID_DATA" not in os.environ
            and (home is None or os.path.isabs(home)))


def user_cache_dir(app: str) -> str:
    """``platformdirs.user_cache_dir(app, appauthor=False)``, without importing platformdirs where its rule is
    plain (see the module's docstring)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if _usual_linux() and (not xdg.strip() or os.path.isabs(xdg)):
        return os.path.join(xdg if xdg.strip() else os.path.expanduser("~/.cache"), app)
    import platformdirs

    return platformdirs.user_cache_dir(app, appauthor=False)
