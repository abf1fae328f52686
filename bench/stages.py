"""Where a cold and a cached load spend their time, stage by stage, in one process.

    ARGMAP_CACHE_DIR=$(mktemp -d) python bench/stages.py [MAP_FOLDER]      # default: the bundled map

Prints seconds for: importing numpy; the modules a warm ``argmap run`` imports; pydantic and the
file models (only a cold load needs them); YAML of every file; the whole load (YAML, validation,
resolution, checks); compiling; writing the cache entry; reading it back (a hit). Compare each with
the first figure: the start-up targets of issue 11 are ratios to ``import numpy``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

t0 = time.perf_counter()
import numpy  # noqa: E402, F401

t1 = time.perf_counter()
import argmap.analysis.report  # noqa: E402, F401
import argmap.api  # noqa: E402, F401
import argmap.commands.cli  # noqa: E402, F401
import argmap.inference.cache  # noqa: E402

t2 = time.perf_counter()
import argmap.maps.loader  # noqa: E402
import argmap.maps.specs  # noqa: E402, F401

t3 = time.perf_counter()
from argmap.base import readlog, yamlsafe  # noqa: E402
from argmap.inference import cache, cachecodec  # noqa: E402
from argmap.inference.network import compile_map  # noqa: E402
from argmap.maps import loader  # noqa: E402
from argmap.maps.bundled import bundled_map_path  # noqa: E402

os.environ.setdefault(cache.ENV, tempfile.mkdtemp(prefix="argmap-stages-"))
folder = Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_map_path()
t = time.perf_counter()
for f in sorted(folder.glob("*.y*ml")):
    yamlsafe.read_yaml(f)
t4 = time.perf_counter()
with readlog.recording() as record:
    amap = loader.load_map(folder)
t5 = time.perf_counter()
net = compile_map(amap)
t6 = time.perf_counter()
entry = cache.entry_path(folder)
shutil.rmtree(entry.parent, ignore_errors=True)
request = cache._request(folder, [])
cache._store(request, record, net, lambda: cachecodec.encode_compiled(amap, net))     # encoded in line
t7 = time.perf_counter()
assert cache._lookup(request) is not None
t8 = time.perf_counter()
for name, secs in [("import numpy", t1 - t0), ("argmap modules of a warm run", t2 - t1),
                   ("pydantic and the file models", t3 - t2), ("YAML of every file", t4 - t),
                   ("load (YAML, validate, resolve, check)", t5 - t4), ("compile", t6 - t5),
                   ("write the cache entry", t7 - t6), ("read the cache entry (a hit)", t8 - t7)]:
    print(f"{name:40s} {secs:8.3f} s  {secs / (t1 - t0):6.2f}× numpy")
print(f"entry: {entry.stat().st_size / 1e6:.1f} MB")
