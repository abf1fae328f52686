"""Headless Chromium for the explorer's tests and bench: the operating system's browser, driven by Playwright.

No browser is ever downloaded: Playwright launches the system ``chromium`` (Debian's package; ``.ci/run``
installs it). ``ARGMAP_CHROMIUM`` may name another executable.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["chromium_path", "launch", "missing_reason", "require_or_skip"]


def chromium_path() -> str | None:
    """The system Chromium executable, or None when there is none."""
    env = os.environ.get("ARGMAP_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def missing_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright; no browser download needed)"
    if chromium_path() is None:
        return "no system Chromium found (apt-get install chromium, or set ARGMAP_CHROMIUM); .ci/run installs it"
    return None


def require_or_skip() -> None:
    """Skip the calling test when no browser is available, saying why; fail instead under
    ``ARGMAP_REQUIRE_BROWSER=1`` (set by .ci/run, which installs Chromium)."""
    import pytest

    why = missing_reason()
    if why and os.environ.get("ARGMAP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here but cannot run: {why}")
    if why:
        pytest.skip(why)


def launch(playwright):
    """A headless Chromium from the system package (no sandbox: CI containers run as root)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"], headless=True)
