"""Extreme shapes from issue 14, timed: many independent claims and wide fan-in.

Each case is a map folder written to a temporary directory and run in a fresh process exactly as a
user would (``python -m argmap run FOLDER --scenario none --no-cache``), so the time includes Python
start-up, imports, parsing, validation, compilation and every claim's marginal. The peak resident
memory of that process is read from ``getrusage(RUSAGE_CHILDREN)``.

    python bench/hostile.py                  # all cases, 3 repeats (median reported)
    python bench/hostile.py --repeats 1 --out bench/hostile.md

Cases: 1,000 / 10,000 / 50,000 independent root claims (in two part files), one claim with 10
and with 20 ``supports`` (the documented fan-in limit), and one with 20 parents half of which are
routes (noisy-OR) and half arguments. ``--only WORD`` runs the cases whose name contains WORD.
Writes a Markdown table (default ``bench/hostile.md``) and prints it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def independent(folder: Path, n: int) -> None:
    """``n`` root claims with credences, split over two part files."""
    folder.mkdir(parents=True)
    (folder / "map.yaml").write_text("argmap: 1\nname: independent\ntarget: c0\n")
    half = n // 2
    for part, (lo, hi) in enumerate(((0, half), (half, n))):
        lines = ["claims:"] + [f"  - {{id: c{i}, title: Claim {i}, credence: 0.{i % 9 + 1}}}" for i in range(lo, hi)]
        (folder / f"part{part}.yaml").write_text("\n".join(lines) + "\n")


def fan_in(folder: Path, k: int) -> None:
    """``k`` arguments each supporting one conclusion (a CPT over ``k`` parents)."""
    folder.mkdir(parents=True)
    (folder / "map.yaml").write_text("argmap: 1\nname: fan-in\ntarget: c\n")
    lines = ["claims:"] + [f"  - {{id: p{i}, title: Argument {i}, credence: 0.5, supports: [{{claim: c, ratio: 1.5}}]}}"
                           for i in range(k)]
    lines.append("  - {id: c, title: Conclusion, base: 0.2}")
    (folder / "claims.yaml").write_text("\n".join(lines) + "\n")


def fan_in_routes(folder: Path, k: int) -> None:
    """``k`` parents of one conclusion: every other one a route (p 0.2), the rest arguments (ratio 1.5)."""
    folder.mkdir(parents=True)
    (folder / "map.yaml").write_text("argmap: 1\nname: fan-in-routes\ntarget: c\n")
    lines = ["claims:"] + [f"  - {{id: p{i}, title: Parent {i}, credence: 0.5, "
                           + ("route: [{claim: c, p: 0.2}]}" if i % 2 else "supports: [{claim: c, ratio: 1.5}]}")
                           for i in range(k)]
    lines.append("  - {id: c, title: Conclusion, base: 0.2}")
    (folder / "claims.yaml").write_text("\n".join(lines) + "\n")


CASES = [("independent claims", 1_000, independent), ("independent claims", 10_000, independent),
         ("independent claims", 50_000, independent), ("fan-in (parents)", 10, fan_in),
         ("fan-in (parents)", 20, fan_in), ("fan-in, half routes (parents)", 20, fan_in_routes)]


def run_once(folder: Path) -> tuple[float, float]:
    """Seconds and peak MiB of one ``argmap run`` in a fresh process."""
    code = ("import resource, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "r = subprocess.run([sys.executable, '-m', 'argmap', 'run', sys.argv[1], '--scenario', 'none',"
            " '--no-cache'], capture_output=True, text=True)\n"
            "dt = time.perf_counter() - t\n"
            "assert r.returncode == 0, r.stderr[-2000:]\n"
            "print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "hostile.md"))
    ap.add_argument("--only", default="", help="run only the cases whose name contains this text")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (what, size, make) in enumerate(CASES):
            if args.only not in what:
                continue
            folder = Path(tmp) / f"case{i}"
            make(folder, size)
            runs = [run_once(folder) for _ in range(args.repeats)]
            secs = statistics.median(r[0] for r in runs)
            mib = max(r[1] for r in runs)
            rows.append(f"| {what} | {size:,} | {secs:.2f} | {mib:.0f} |")
            print(rows[-1], flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    text = "\n".join([
        "# Hostile shapes: independent claims and fan-in", "",
        f"`python bench/hostile.py --repeats {args.repeats}` on {platform.machine()} with {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {load:.1f} at the end; {time.strftime('%Y-%m-%d')}.",
        "Each time is one whole `argmap run FOLDER --scenario none --no-cache` in a fresh process (median of "
        "the repeats); memory is its peak resident set.", "",
        "| case | size | seconds | peak MiB |", "| --- | ---: | ---: | ---: |", *rows, ""])
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
