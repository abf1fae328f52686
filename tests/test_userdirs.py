"""argmap.base.userdirs: the user's cache folder is the one platformdirs gives, with or without platformdirs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from argmap.base import userdirs

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("env", [
    {}, {"XDG_CACHE_HOME": "/srv/cache"}, {"XDG_CACHE_HOME": "/srv/cache/"}, {"XDG_CACHE_HOME": ""},
    {"XDG_CACHE_HOME": "   "}, {"XDG_CACHE_HOME": "relative/cache"}, {"HOME": "/home/someone"},
    {"HOME": "/home/someone/"}, {"HOME": "relative-home"}, {"HOME": None}, {"ANDROID_DATA": "/data"},
])
def test_the_folder_is_platformdirs_own(env, monkeypatch):
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    if "XDG_CACHE_HOME" not in env:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert userdirs.user_cache_dir("argmap") == platformdirs.user_cache_dir("argmap", appauthor=False)


def test_the_usual_case_imports_no_platformdirs():
    if not userdirs._usual_linux():
        pytest.skip("platformdirs is asked here")
    env = {k: v for k, v in os.environ.items() if k not in ("ARGMAP_CACHE_DIR", "XDG_CACHE_HOME")}
    code = ("import json, sys\nfrom argmap.inference import cache\nfolder = cache.cache_dir()\n"
            "print(json.dumps([str(folder), 'platformdirs' in sys.modules, 'tempfile' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**env, "PYTHONPATH": str(ROOT)})
    folder, imported, tempfile = json.loads(out.stdout)
    assert not imported and not tempfile
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("XDG_CACHE_HOME", raising=False)
        assert folder == str(Path(platformdirs.user_cache_dir("argmap", appauthor=False)) / "maps")
