import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

DATA = HERE / "data"

# The tests (and the CLIs they start) use a compiled-map cache of their own, never the user's.
_CACHE = tempfile.mkdtemp(prefix="argmap-test-cache-")
os.environ["ARGMAP_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """A compiled-map cache folder of the test's own, with the kept texts' counts cleared (a test module may
    define its own ``cache_dir`` with more settings)."""
    from argmap.inference import cache, kept

    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    kept.stats.clear()
    return folder


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def tiny_map() -> Path:
    return DATA / "maps" / "tiny"


@pytest.fixture
def own_map(tmp_path, tiny_map) -> Path:
    """A copy of the tiny map that a test may edit."""
    folder = tmp_path / "map"
    shutil.copytree(tiny_map, folder)
    return folder


@pytest.fixture
def bundled_copy(tmp_path, monkeypatch) -> Path:
    """A temporary copy of the bundled arguments/ folder that argmap uses in its place for this test:
    a test may add critiques to it (as a contributor would) without touching the repository."""
    import argmap.maps.bundled as bundled

    copy = tmp_path / "arguments"
    shutil.copytree(bundled.arguments_dir(), copy)
    monkeypatch.setattr(bundled, "arguments_dir", lambda: copy)
    return copy
