"""Time the everyday commands as fresh processes, side by side with ``python -c "import numpy"``.

    python bench/startup.py                 # every case, 5 rounds (about 5 minutes on 2 cores)
    python bench/startup.py --rounds 3 --only help,run-warm,run-cold

Each round runs every case once, each right after its own ``import numpy`` run, so the two see
the same machine load; a case's ratio is the median over rounds of (case time / that numpy time),
and its time the median over rounds, with the fastest and slowest (the issue's targets are such
ratios, or seconds where it says so; on a loaded machine the fastest run is the best estimate of
the cost itself). "cold" runs start from an empty
compiled-map cache (``ARGMAP_CACHE_DIR`` set to a new folder; the run writes the entry), "warm"
runs find the entry (``run-warm``: and the report an earlier run kept from it, printed without numpy;
``run-entry``: only the entry, in a new folder holding the warm cache's key and entries: the first run
after the one that wrote it, which reads it, computes nothing and keeps its report; ``export-entry``: the first
export after a run, which computes its spread, formula and quantiles and keeps them), "nocache" runs pass
``--no-cache``; ``map10k-cold`` (the run that writes the
entry) is held against ``map10k-nocache`` of the same round (issue 27: at most 10% more). The
synthetic maps come from ``bench/networks.py`` (seeded), the 50,000 independent claims from
``bench/hostile.py``; the 7
viewpoints for ``compare`` are written here: 30 edits of the bundled map's root credences.
Bytecode is written (to a temporary ``PYTHONPYCACHEPREFIX``) and reused, as for an installed
package, even where ``PYTHONDONTWRITEBYTECODE`` is set.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from networks import write_synthetic_map  # noqa: E402

PY = sys.executable
TARGETS = {          # case -> (limit, unit) from issues 11 and 27; unit "x": ratio to `import numpy`,
    # "s": seconds, or another case's name: ratio to that case's time in the same round
    "help": (1.0, "x"), "run-warm": (1.2, "x"), "run-entry": (1.2, "x"), "run-cold": (2.5, "x"),
    "sensitivity": (1.5, "s"),
    "export": (2.0, "s"), "compare": (5.0, "s"), "map1k-cold": (0.8, "s"),
    "map10k-nocache": (2.0, "s"), "map10k-cold": (1.1, "map10k-nocache"), "map10k-cached": (0.5, "s"),
    "map50k-nocache": (5.0, "s"),
}
def viewpoints(folder: Path, n_views: int = 7, n_edits: int = 30) -> list[str]:
    """``n_views`` overlay files over the bundled map with ``n_edits`` credence edits in all."""
    from argmap import Model

    m = Model.load(cache=False)
    roots = [c for c in m.map.claims.values() if c.credence is not None and c.binary
             and not any(r.target == c.id for r in m.map.relations)]
    if len(roots) < n_edits:
        raise SystemExit(f"the bundled map has only {len(roots)} root credences; need {n_edits}")
    out, k = [], 0
    for v in range(n_views):
        count = n_edits // n_views + (1 if v < n_edits % n_views else 0)
        lines = [f"overlay: bench-view-{v}", "author: bench", "change:"]
        for c in roots[k:k + count]:
            old = c.credence[1].value if c.credence else 0.5
            new = round(min(0.95, max(0.05, old + (0.2 if v % 2 else -0.2))), 3)
            lines += [f"  - claim: {c.id}", f"    credence: {new}", "    reason: a benchmark edit"]
        k += count
        path = folder / f"view{v}.yaml"
        path.write_text("\n".join(lines) + "\n")
        out.append(f"v{v}={path}")
    return out


def independent(folder: Path, n: int) -> None:
    """``n`` independent root claims with credences, in two part files (as ``bench/hostile.py``)."""
    from hostile import independent as write

    write(folder, n)


def cases(tmp: Path) -> dict[str, tuple[list[str], bool | str]]:
    """case -> (argv, True: needs an empty cache each time; "entry": a cache with the warm one's entries alone)."""
    argmap = [PY, "-m", "argmap"]
    m1k, m10k, m50k = tmp / "m1k", tmp / "m10k", tmp / "m50k"
    write_synthetic_map(m1k, 1000, "low")
    write_synthetic_map(m10k, 10000, "low")
    independent(m50k, 50000)
    views = viewpoints(tmp)
    return {
        "numpy": ([PY, "-c", "import numpy"], False),
        "help": (argmap + ["--help"], False),
        "run-warm": (argmap + ["run"], False),
        "run-entry": (argmap + ["run"], "entry"),
        "run-cold": (argmap + ["run"], True),
        "sensitivity": (argmap + ["sensitivity"], False),
        "export": (argmap + ["export", "--out", str(tmp / "bundle")], False),
        "export-entry": (argmap + ["export", "--out", str(tmp / "bundle")], "entry"),
        "compare": (argmap + ["compare"] + [a for v in views for a in ("--viewpoint", v)], False),
        "map1k-cold": (argmap + ["run", str(m1k)], True),
        "map10k-nocache": (argmap + ["run", str(m10k), "--no-cache"], False),
        "map10k-cold": (argmap + ["run", str(m10k)], True),
        "map10k-cached": (argmap + ["run", str(m10k)], False),
        "map50k-nocache": (argmap + ["run", str(m50k), "--scenario", "none", "--no-cache"], False),
    }


def fresh_cache(folder: Path, mode: bool | str, warm: Path) -> Path:
    """A new cache folder for a case of ``mode`` (see :func:`cases`): empty, or with ``warm``'s key and entries."""
    folder.mkdir(parents=True)
    if mode == "entry":
        for path in warm.iterdir():
            if path.name == "key" or path.suffix == ".entry":
                shutil.copy2(path, folder / path.name)
    return folder


def wall(argv: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", help="comma-separated cases (numpy is always timed)")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="argmap-bench-"))
    try:
        all_cases = cases(tmp)
        chosen = [c for c in all_cases if c == "numpy" or not args.only or c in args.only.split(",")]
        warm_cache = tmp / "cache-warm"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ARGMAP_CACHE_DIR": str(warm_cache),
               "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}    # byte-compiled, as an installed package is
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for name in chosen:                    # fill the warm cache (and check each case runs)
            wall(all_cases[name][0], env)
        load0 = os.getloadavg()[0]
        times: dict[str, list[float]] = {c: [] for c in chosen}
        ratios: dict[str, list[float]] = {c: [] for c in chosen}
        for r in range(args.rounds):
            for name in chosen:
                cmd, cold = all_cases[name]
                run_env = env
                if cold:
                    cold_dir = fresh_cache(tmp / f"cache-cold-{name}-{r}", cold, warm_cache)
                    run_env = {**env, "ARGMAP_CACHE_DIR": str(cold_dir)}
                numpy_time = wall(all_cases["numpy"][0], env)
                times[name].append(wall(cmd, run_env))
                ratios[name].append(times[name][-1] / numpy_time)
        print(f"load average {load0:.2f} before the rounds, {os.getloadavg()[0]:.2f} after; {os.cpu_count()} cores; "
              f"{args.rounds} rounds; medians (min-max)\n")
        print("| case | command | wall (s), median (min-max) | ratio to `import numpy` run just before, median "
              "(min-max) | target | met |")
        print("| --- | --- | --- | --- | --- | --- |")
        for name in chosen:
            med = statistics.median(times[name])
            cmd = " ".join(a if not a.startswith(str(tmp)) else a.replace(str(tmp), "$TMP")
                           for a in all_cases[name][0][1:])
            cmd = cmd.replace(str(tmp), "$TMP")
            limit, unit = TARGETS.get(name, (None, ""))
            ratio = statistics.median(ratios[name])
            if unit == "x":
                value, target = ratio, f"≤ {limit:g}× numpy"
            elif unit == "s":
                value, target = med, f"≤ {limit:g} s"
            elif unit in times:          # paired with another case of the same round
                value = statistics.median(a / b for a, b in zip(times[name], times[unit], strict=True))
                target = f"≤ {limit:g}× {unit} (now {value:.2f}×)"
            else:
                value, target = None, ""
            met = "" if limit is None or value is None else (
                "yes" if value <= limit else f"no ({value / limit:.2f}x the target)")
            print(f"| {name} | `{cmd[:70]}` | {med:.3f} ({min(times[name]):.3f}-{max(times[name]):.3f}) | "
                  f"{ratio:.2f}× ({min(ratios[name]):.2f}-{max(ratios[name]):.2f}) | {target} | {met} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
