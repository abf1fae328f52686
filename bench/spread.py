"""The headline's spread: 20,000 joint draws of the bundled map, warm, against today's independent Monte
Carlo (the floor: same draws count, numpy's direct samplers, one batched engine call).

    python bench/spread.py [--draws 20000] [--repeats 7]

Each case is timed after one warm-up call (quantile tables built, engine compiled); the median of the
repeats is reported with its ratio to the floor. Target (issue 23): each case at most 1 s warm.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from argmap import Model
from argmap.analysis.sensitivity import monte_carlo
from argmap.analysis.sensitivity.spread import draws


def _time(fn, repeats: int) -> float:
    fn()
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    n, r = args.draws, args.repeats
    m = Model.load()
    rho = m.map.correlation[0] if m.map.correlation else 0.2
    cases = {
        "floor: monte_carlo (independent, direct samplers)": lambda: monte_carlo(m, samples=n),
        "draws, independent (ρ = 0)": lambda: draws(m, samples=n, correlation=0.0),
        f"draws, correlated (ρ = {rho:g}, Gaussian copula)": lambda: draws(m, samples=n, correlation=rho),
        f"draws, words on the map's scale, ρ = {rho:g}": lambda: draws(m, samples=n, correlation=rho, words=True),
        f"draws, words on the survey, ρ = {rho:g}": lambda: draws(m.on_scale("survey"), samples=n,
                                                                  correlation=rho, words=True),
    }
    print(f"{n:,} draws of the bundled map ({len(m.network.params)} parameters), median of {r} warm runs; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("| case | seconds | ratio to floor | ≤ 1 s |")
    print("| --- | ---: | ---: | --- |")
    floor = None
    for name, fn in cases.items():
        t = _time(fn, r)
        floor = floor or t
        print(f"| {name} | {t:.3f} | {t / floor:.2f} | {'yes' if t <= 1.0 else 'NO'} |")


if __name__ == "__main__":
    main()
