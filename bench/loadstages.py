"""CPU seconds of each stage of one ``argmap run`` in this process: where a cold load of a large map goes.

    ARGMAP_JOBS=1 python bench/loadstages.py MAP_FOLDER [run options, e.g. --no-cache --scenario none]
    ARGMAP_JOBS=1 PYTHONPATH=OTHER_TREE python bench/loadstages.py ...     # the same stages of other code

Runs ``argmap run MAP_FOLDER ...`` through the CLI (output discarded) with timers around the loader's
stages: YAML (parsing each part file), validation (the pydantic file models), resolve, the map-wide
checks, compiling, the marginals (with their plan), preparing the run's queries before the entry is
written (which includes those marginals), writing the compiled-map cache's entry (and, of it, encoding the
map and network, then the rest of the body) and formatting the report. ``ARGMAP_JOBS=1`` keeps
every part file's parsing in this process (a large map's later files are otherwise parsed in a forked
child, whose CPU time is not this process's). Process CPU time (``time.process_time``), so machine
load inflates it far less than wall time; compare code trees in alternate runs, not across minutes.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))      # last: PYTHONPATH's tree, if given, comes first

SECONDS: dict[str, float] = {}


def timed(owner: object, name: str, label: str) -> None:
    """Add the CPU time of every call of ``owner.name`` to ``SECONDS[label]``."""
    fn = getattr(owner, name)

    def wrapper(*args, **kwargs):
        t = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            SECONDS[label] = SECONDS.get(label, 0.0) + time.process_time() - t
    setattr(owner, name, wrapper)


def main(argv: list[str]) -> int:
    t = time.process_time()
    from argmap import api
    from argmap.analysis import report
    from argmap.commands import cli
    from argmap.inference import cache, cachecodec, engine, network
    from argmap.maps import loader

    SECONDS["imports before the command"] = time.process_time() - t
    timed(loader, "parse_yaml" if hasattr(loader, "parse_yaml") else "read_yaml", "YAML")
    timed(loader, "read_spec", "validation")
    timed(loader, "resolve_claims", "resolve")
    timed(loader, "check_map", "checks")
    timed(network, "compile_map", "compile")       # imported by the cache when it is called: patched where it lives
    timed(engine.Engine, "marginals", "marginals (with their plan)")
    timed(api, "_plan_usual", "prepare (the run's queries)")
    timed(cache, "_store", "cache write (all)")
    timed(cachecodec, "encode_compiled", "  of which encode: map, network")     # ARGMAP_JOBS unset: in a child
    timed(cachecodec, "encode_queries", "  of which encode: the rest")
    timed(report, "format_result", "report")
    t = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["run", *argv])
    SECONDS["the whole command"] = time.process_time() - t
    for label, secs in SECONDS.items():
        print(f"{label:30s} {secs:7.3f} s")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
