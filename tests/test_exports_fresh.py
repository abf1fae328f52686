"""The committed post bundles in exports/ match what `argmap export` makes from the current map.

Only ``summary.md`` is compared (text: every number, table and formula of the bundle); images depend
on the Graphviz build and fonts. When this fails, regenerate with the command in exports/README.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from argmap.maps.bundled import arguments_dir
from argmap.views.bundle import write_bundle

EXPORTS = Path(__file__).resolve().parent.parent / "exports"
ROOT = Path(__file__).resolve().parent.parent
BUNDLES = {"scheming": [], "scheming+pope-2023": [arguments_dir() / "critiques" / "pope-2023.yaml"],
           # a reader's critique, written by following docs/critique-guide.md from `argmap new critique`
           "scheming+hubinger-2022": [ROOT / "docs" / "examples" / "hubinger-2022.yaml"]}


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_committed_summary_is_current(name, tmp_path):
    committed = (EXPORTS / name / "summary.md").read_text(encoding="utf-8")
    found = re.search(r"Regenerate with `([^`]*)`", committed)
    assert found, "the summary names no command to regenerate it"
    command = found.group(1)
    write_bundle(None, tmp_path / name, BUNDLES[name], command=command)
    fresh = (tmp_path / name / "summary.md").read_text(encoding="utf-8")
    assert fresh == committed, (f"exports/{name} is stale: regenerate it with `{command}` "
                                "(see exports/README.md)")
