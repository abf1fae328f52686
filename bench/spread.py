"""The headline's spread: 20,000 joint draws of the bundled map, warm, against today's independent Monte
Carlo (the floor: same draws count, numpy's direct samplers, one batched engine call).

    python bench/spread.py [--draws 20000] [--rounds 7]

Every case is called once first (quantile tables built, engine compiled, plans made). Then the cases run
in interleaved rounds (each round runs every case once, in a rotated order), so a change in the machine's
load falls on all of them alike; each case's median and its median ratio to the floor's time in the same
round are reported, with the CPU time (less sensitive to other processes than the wall time, though not
immune: they share the caches) and the load average before and after. Target (issue 23): 20,000 correlated draws
in at most 1 s warm. The last row is what ``argmap export`` draws for its spread: the headline on the four
shipped scales, independent and correlated, 10,000 draws each (:func:`spread_by_scale`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from argmap import Model
from argmap.analysis.sensitivity import monte_carlo
from argmap.analysis.sensitivity.spread import draws, spread_by_scale


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    n, rounds = args.draws, args.rounds
    m = Model.load()
    survey = m.on_scale("survey")
    rho = m.map.correlation[0] if m.map.correlation else 0.2
    cases = {
        "floor: monte_carlo (independent, direct samplers)": lambda: monte_carlo(m, samples=n),
        "draws, independent (ρ = 0)": lambda: draws(m, samples=n, correlation=0.0),
        f"draws, correlated (ρ = {rho:g}, Gaussian copula)": lambda: draws(m, samples=n, correlation=rho),
        f"draws, words on the map's scale, ρ = {rho:g}": lambda: draws(m, samples=n, correlation=rho, words=True),
        f"draws, words on the survey, ρ = {rho:g}": lambda: draws(survey, samples=n, correlation=rho, words=True),
        "export's spread: spread_by_scale, 4 scales × 2 readings × 10,000": lambda: spread_by_scale(m, samples=10_000),
    }
    names = list(cases)
    for fn in cases.values():
        fn()
    load0 = os.getloadavg()[0]
    times: dict[str, list[float]] = {k: [] for k in names}
    cpu: dict[str, list[float]] = {k: [] for k in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            t, c = time.perf_counter(), time.process_time()
            cases[name]()
            times[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    load1 = os.getloadavg()[0]
    floor = times[names[0]]
    print(f"{n:,} draws of the bundled map ({len(m.network.params)} parameters), {rounds} interleaved warm "
          f"rounds; load average {load0:.1f} before, {load1:.1f} after")
    print("| case | median seconds | ratio to floor | median CPU seconds | CPU ratio to floor | ≤ 1 s |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name in names:
        t, c = statistics.median(times[name]), statistics.median(cpu[name])
        ratio = statistics.median(a / b for a, b in zip(times[name], floor, strict=True))
        cratio = statistics.median(a / b for a, b in zip(cpu[name], cpu[names[0]], strict=True))
        print(f"| {name} | {t:.3f} | {ratio:.2f} | {c:.3f} | {cratio:.2f} | {'yes' if t <= 1.0 else 'NO'} |")


if __name__ == "__main__":
    main()
