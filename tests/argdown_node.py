"""Run Argdown's own parser (@argdown/core under Node, tests/js/parse.js) on a batch of files.

The package is installed into tests/js/node_modules from tests/js/package-lock.json (``npm ci``) the
first time it is needed; .ci/run does the same. Tests skip only when node or npm is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parent / "js"
CORE = JS / "node_modules" / "@argdown" / "core" / "package.json"

__all__ = ["argdown_parser", "JS"]


def argdown_parser():
    """A function ``parse(paths) -> {str(path): result}``; skips the test if Node is absent."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not installed: the Argdown checks run Argdown's own parser "
                    "(@argdown/core) under Node; install Debian's nodejs and npm (.ci/run does)")
    if not CORE.exists():
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True,
                              timeout=900)
        if done.returncode != 0 or not CORE.exists():
            pytest.fail(f"npm ci in {JS} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")

    def parse(paths: list[Path]) -> dict[str, dict]:
        done = subprocess.run([node, str(JS / "parse.js"), *map(str, paths)], capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            raise AssertionError(f"parse.js failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout)

    return parse
