"""Where the bundled argument files live, installed or in a source checkout.

A wheel carries the repository's ``arguments/`` folder as ``argmap/_bundled`` and its ``docs/`` as
``argmap/_docs``; an editable install or a checkout reads them beside the package.
"""

from __future__ import annotations

from pathlib import Path

from ..base.errors import ArgmapError
from ..base.readlog import note_folder

__all__ = ["arguments_dir", "bundled_map_path", "bundled_overlay_path", "docs_dir", "BUNDLED_MAP"]

BUNDLED_MAP = "scheming"


def arguments_dir() -> Path:
    """The folder holding the bundled map, critiques and viewpoints."""
    here = Path(__file__).resolve().parents[1]  # the argmap package folder
    for candidate in (here / "_bundled", here.parent / "arguments"):
        if (candidate / BUNDLED_MAP / "map.yaml").exists():
            return candidate
    raise ArgmapError("the bundled argument files are missing from this installation; reinstall argmap")


def bundled_map_path() -> Path:
    return arguments_dir() / BUNDLED_MAP


def bundled_overlay_path(name: str) -> Path:
    """Path of a bundled critique or viewpoint by name (e.g. ``pope-2023``)."""
    base = arguments_dir()
    for sub in ("critiques", "viewpoints"):
        note_folder(base / sub)     # for the compiled-map cache: a new file here may change the answer
        p = base / sub / f"{name}.yaml"
        if p.exists():
            return p
    raise ArgmapError(f"no bundled overlay named '{name}'")


def docs_dir() -> Path:
    """The folder holding the guides (``format.md``, ``diagrams.md``, ...), installed or in a checkout."""
    here = Path(__file__).resolve().parents[1]  # the argmap package folder
    for candidate in (here / "_docs", here.parent / "docs"):
        if (candidate / "format.md").exists():
            return candidate
    raise ArgmapError("the guides are missing from this installation; reinstall argmap")
