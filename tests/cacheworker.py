"""A child process for tests/test_cache_fuzz.py: loads maps on request, cached or not, and says what it got.

One JSON request per line on stdin, one JSON answer per line on stdout. The process limits its own
address space (argv[1], MiB), so a run that would read ``/dev/zero`` ends in a MemoryError, which is
reported as a crash; the parent bounds each request's time. Requests:

``{"folder": F, "cache": true|false, "race": {"path": P, "text": T} | null}``: load F and run it; with
``race``, write T to P (or remove P when T is null) right after the loader lists F's folder — inside
the load window, deterministically.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import traceback
from pathlib import Path


def main() -> None:
    mib = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (mib << 20, mib << 20))
    from argmap import Model
    from argmap.base import readlog
    from argmap.base.errors import ArgmapError
    from argmap.inference import cache

    for line in sys.stdin:
        req = json.loads(line)
        race = req.get("race")

        def hook(event: str, folder: Path, race: dict | None = race) -> None:
            if race is not None and event == "listed" and not race.get("done"):
                race["done"] = True
                path = Path(race["path"])
                if race["text"] is None:
                    os.unlink(path)
                else:
                    path.write_text(race["text"])
        readlog.hook = hook
        before = dict(cache.stats)
        try:
            model = Model.load(req["folder"], cache=req["cache"])
            answer: dict = {"ok": True, "claims": sorted(model.map.claims), "run": model.run().to_dict()}
        except ArgmapError as err:
            answer = {"ok": False, "error": str(err)}
        except BaseException:   # noqa: BLE001 - reported, and the test fails on it
            answer = {"crash": traceback.format_exc()}
        finally:
            readlog.hook = None
        answer["stats"] = {k: v - before.get(k, 0) for k, v in cache.stats.items() if v != before.get(k, 0)}
        answer["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
