"""Cases of ``bench/startup.py`` run by this tree and by an earlier commit, interleaved, wall and CPU seconds.

    python bench/against.py --base 7990bc9 --only export --rounds 5
    python bench/against.py --base 7990bc9 --only export --rounds 5 --jobs 1    # ARGMAP_JOBS=1: one process

Each round runs, for each tree in turn, ``python -c "import numpy"`` and then the case, so the two trees see
the same machine load; ``--base`` is unpacked from ``git archive`` into a temporary folder and run from there
(``PYTHONPATH``), each tree with its own warm compiled-map cache and byte-compiled modules. Reported per tree:
the median wall time (fastest and slowest), the median CPU seconds of the whole process tree (user + sys of the
process and every child it waited for: forked parts included; load inflates it much less than wall time),
and the median ratio of wall time to the ``import numpy`` run just before. ``--jobs 1`` sets ``ARGMAP_JOBS=1``
(every forked part run in line), so wall time is one core's.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from startup import cases, fresh_cache  # noqa: E402


def timed(argv: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    # run outside the checkout: `python -m` puts the working folder first on sys.path, so from the repository
    # root both trees would import this tree's argmap and PYTHONPATH would not choose the tree
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   cwd=tempfile.gettempdir())
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="the commit to compare with (git archive)")
    ap.add_argument("--only", default="export", help="comma-separated cases of bench/startup.py")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--jobs", help="ARGMAP_JOBS for both trees (1: no forked parts)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="argmap-against-") as folder:
        tmp = Path(folder)
        base = tmp / "base"
        base.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive.stdout, check=True)
        trees = {args.base: base, "this tree": ROOT}
        all_cases = cases(tmp)
        chosen = [c for c in args.only.split(",") if c]
        unknown = [c for c in chosen if c not in all_cases]
        if unknown:
            raise SystemExit(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(all_cases)}")
        envs = {}
        for k, (name, root) in enumerate(trees.items()):
            env = {**os.environ, "PYTHONPATH": str(root), "ARGMAP_CACHE_DIR": str(tmp / f"cache-{k}"),
                   "PYTHONPYCACHEPREFIX": str(tmp / f"pycache-{k}")}
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            if args.jobs:
                env["ARGMAP_JOBS"] = args.jobs
            envs[name] = env
            for case in chosen:                    # warm each tree's cache and bytecode (and check it runs)
                timed(all_cases[case][0], env)
        results: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
        load0, start = os.getloadavg()[0], time.gmtime()
        for r in range(args.rounds):
            for case in chosen:
                argv_, cold = all_cases[case]
                for k, name in enumerate(trees):
                    env = envs[name]
                    if cold:                            # a folder of its own for each tree (no key made by the other)
                        folder = fresh_cache(tmp / f"cold-{case}-{r}-{k}", cold,
                                             Path(envs[name]["ARGMAP_CACHE_DIR"]))
                        env = {**env, "ARGMAP_CACHE_DIR": str(folder)}
                    numpy_wall = timed(all_cases["numpy"][0], env)[0]
                    wall, cpu = timed(argv_, env)
                    results.setdefault((case, name), []).append((wall, cpu, wall / numpy_wall))
        print(f"{time.strftime('%Y-%m-%d %H:%M', start)}-{time.strftime('%H:%M', time.gmtime())} UTC; load average "
              f"{load0:.2f} before the rounds, {os.getloadavg()[0]:.2f} after; {os.cpu_count()} cores; {args.rounds} "
              f"rounds; ARGMAP_JOBS={args.jobs or 'unset'}; medians (min-max)\n")
        print("| case | code | wall (s) | CPU (s), user + sys | ratio to `import numpy` just before |")
        print("| --- | --- | --- | --- | --- |")
        for (case, name), rows in results.items():
            wall, cpu, ratio = zip(*rows, strict=True)
            print(f"| {case} | {name} | {_mm(wall)} | {_mm(cpu)} | {_mm(ratio, '.2f', '×')} |")
    return 0


def _mm(values, fmt: str = ".3f", unit: str = "") -> str:
    """``median (min-max)``."""
    return f"{statistics.median(values):{fmt}}{unit} ({min(values):{fmt}}-{max(values):{fmt}})"


if __name__ == "__main__":
    sys.exit(main())
