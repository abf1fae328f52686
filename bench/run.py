"""Benchmark argmap against pgmpy and pyAgrum on the same networks, in one run.

    python bench/run.py                  # the full run (about 10 minutes on 2 cores)
    python bench/run.py --quick          # a smoke run (about a minute): small sizes, few repeats
    python bench/run.py --sizes 100,1000 --widths low --repeats 5 --out bench/results.md

Every case is a real argmap map — seeded synthetic maps written as YAML folders (see
``bench/networks.py``) and the bundled report map with its overlays — loaded through the whole
argmap pipeline. Both peers receive argmap's own CPTs. Before anything is timed, every tool must
agree with argmap to 1e-9 on the query, on sample rows of the sweep and of the Monte Carlo batch,
and on all marginals; a disagreement stops the run.

Workloads: one exact query (cold: a new engine; warm: a kept one); every claim's marginal; a one-way
sweep of every parameter (5 values each across its 90% range); Monte Carlo over all uncertain
credences (10,000 draws); for the bundled map, ``argmap run`` and ``argmap sensitivity`` end to end.
argmap evaluates a whole sweep or Monte Carlo batch in one call; the peers evaluate a sample of the
same rows one at a time (their per-evaluation cost does not depend on which rows). Ratios are peer
time / argmap time, as the median over repeats with the range over repeats in brackets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]
warnings.simplefilter("ignore")

from networks import WIDTHS, write_synthetic_map  # noqa: E402
from peers import PgmpyPeer, PyAgrumPeer, available  # noqa: E402

import argmap  # noqa: E402
from argmap.inference.distributions import param_interval, sample_theta, uncertain_factors  # noqa: E402

TOL = 1e-9
K_SWEEP = 5


# ---------------------------------------------------------------------------------------- helpers
def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    try:
        from threadpoolctl import threadpool_info
        blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, {i.get('num_threads')} threads)"
                for i in threadpool_info() if i.get("user_api") == "blas"]
    except ImportError:
        blas = []
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(), "cpu": cpu,
            "python": platform.python_version(), "numpy": np.__version__, "blas": "; ".join(blas),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
            "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE", "(unset)"),
            "load average": " ".join(f"{x:.1f}" for x in os.getloadavg()), **available()}


def clock(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt_t(s: float) -> str:
    if s != s:
        return "—"
    for unit, f in (("s", 1), ("ms", 1e3), ("µs", 1e6), ("ns", 1e9)):
        if s * f >= 1 or unit == "ns":
            return f"{s * f:.3g} {unit}"
    return f"{s:.3g} s"


def fmt_ratio(peer: list[float], ours: list[float]) -> str:
    if not peer or not ours:
        return "—"
    r = med(peer) / med(ours)
    lo, hi = min(peer) / max(ours), max(peer) / min(ours)
    return f"{r:,.0f}× [{lo:,.0f}–{hi:,.0f}]" if r >= 10 else f"{r:.2g}× [{lo:.2g}–{hi:.2g}]"


class Disagreement(RuntimeError):
    pass


def agree(what: str, a, b) -> float:
    d = float(np.max(np.abs(np.asarray(a, float) - np.asarray(b, float))))
    if not d <= TOL:
        raise Disagreement(f"{what}: differs from argmap by {d:.3g} (tolerance {TOL:g})")
    return d


# ---------------------------------------------------------------------------------------- workloads
def sweep_rows(net, max_rows: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Every parameter at K_SWEEP values across its 90% range (its domain's neighbourhood when it
    has none), a simplex's co-states co-varying; returns (theta rows, parameter index per row)."""
    iv = param_interval(net, uncertain_factors(net))
    idx = np.arange(len(net.params))
    if len(idx) * K_SWEEP > max_rows:
        idx = np.sort(rng.choice(idx, size=max(1, max_rows // K_SWEEP), replace=False))
    rows, which = [], []
    for i in idx:
        p = net.params[i]
        v = float(net.theta0[i])
        if i in iv:
            lo, hi = iv[i]
        elif p.kind in ("probability", "simplex"):
            lo, hi = max(0.0, v - 0.1), min(1.0, v + 0.1)
        else:
            lo, hi = v / 2, v * 2
        if p.kind in ("probability", "simplex"):      # stay inside (0, 1): evidence keeps positive mass
            lo, hi = max(lo, 1e-3), min(hi, 1 - 1e-3)
        for x in np.linspace(lo, hi, K_SWEEP):
            th = net.theta0.copy()
            th[i] = x
            if p.kind == "simplex":
                others = [j for j in p.group if j != i]
                rest = 1.0 - net.theta0[i]
                th[others] = net.theta0[others] * ((1.0 - x) / rest) if rest > 0 else (1.0 - x) / len(others)
            rows.append(th)
            which.append(i)
    return np.array(rows), np.array(which)


class Case:
    """One network with its query, its argmap model and its peers."""

    def __init__(self, name: str, model: argmap.Model, target: str, given: dict, set_: dict, peers: list[str]):
        self.name, self.model, self.target, self.given, self.set = name, model, target, given, set_
        self.net = model.network
        self.base = {v: a[0] for v, a in self.net.cpts(self.net.theta0[None, :]).items()}
        self.peers = {}
        if set_:
            peers = []          # interventions: the peers would need a mutilated network; not compared
        for p in peers:
            cls = {"pgmpy": PgmpyPeer, "pyAgrum": PyAgrumPeer}[p]
            t = time.perf_counter()
            self.peers[p] = cls(self.net, self.base)
            self.peers[p].build_s = time.perf_counter() - t

    def ours(self, theta=None):
        return self.model.engine.query(self.target, self.given, self.set, theta)

    def peer_eval(self, peer, cpts: dict):
        """One peer evaluation: take new CPT values, then infer."""
        peer.set_cpts(cpts)
        return peer.query(self.target, self.given)

    def cpts_of(self, theta: np.ndarray, only=None) -> dict:
        names = tuple(only) if only else None
        return {v: a[0] for v, a in self.net.cpts(theta[None, :], names).items()}


def bench_case(case: Case, reps: int, mc_draws: int, max_sweep: int, budget: float, log) -> dict:
    """Run every workload on one case; returns the result rows."""
    net = case.net
    res = {"case": case.name, "claims": len(net.variables), "params": len(net.params)}
    rng = np.random.default_rng(0)
    eng = case.model.engine
    plan = eng.plan(case.target, case.given, case.set)
    res["width"] = plan.width
    # ---- agreement first
    ref = case.ours()
    sweep, which = sweep_rows(net, max_sweep, rng)
    mc = sample_theta(net, mc_draws, seed=1)
    checks = {}
    for name, peer in case.peers.items():
        checks[name] = agree(f"{case.name} {name} query", case.peer_eval(peer, case.base), ref)
        for rows in (sweep[[0, len(sweep) // 2, -1]], mc[:3]):
            for th in rows:
                checks[name] = max(checks[name], agree(f"{case.name} {name} batch row",
                                                       case.peer_eval(peer, case.cpts_of(th)), case.ours(th)))
        peer.set_cpts(case.base)
    margs = eng.marginals(case.given, case.set)
    if "pyAgrum" in case.peers:
        pm = case.peers["pyAgrum"].marginals(case.given)
        for v in net.variables:
            checks["pyAgrum"] = max(checks["pyAgrum"], agree(f"{case.name} pyAgrum marginal {v}", pm[v], margs[v]))
    res["agreement"] = checks
    log(f"  {case.name}: agreement {', '.join(f'{k} {v:.1e}' for k, v in checks.items()) or '(no peers)'}")

    # ---- one exact query: cold (a new engine) and warm (a kept one)
    def cold():
        argmap.Engine(net).query(case.target, case.given, case.set)
    res["cold"] = {"argmap": clock(cold, reps)}
    res["warm"] = {"argmap": clock(lambda: case.ours(), reps * 5)}
    res["marginals"] = {"argmap": clock(lambda: eng.marginals(case.given, case.set), reps)}
    for name, peer in case.peers.items():
        ev = {k: net.states[k].index(s) for k, s in case.given.items()}
        one = clock(lambda: peer.query(case.target, case.given), 1)[0]
        n_rep = reps if one * reps < budget else max(1, int(budget / max(one, 1e-9)))
        if name == "pgmpy":
            res["cold"][name] = clock(lambda: peer.query(case.target, case.given, fresh=True), n_rep)
            res["warm"][name] = clock(lambda: peer.query(case.target, case.given), n_rep)
            if len(net.variables) <= 100:
                res["marginals"][name] = clock(lambda: peer.marginals(case.given), 1)
        else:
            res["cold"][name] = clock(lambda: peer.query(case.target, case.given), n_rep)
            ie = peer.soft_engine(case.target, case.given)

            def warm():
                ie.eraseAllEvidence()
                if ev:
                    ie.setEvidence(ev)
                ie.makeInference()
                ie.posterior(case.target)
            res["warm"][name] = clock(warm, n_rep)
            res["marginals"][name] = clock(lambda: peer.marginals(case.given), n_rep)

    # ---- sweep and Monte Carlo: argmap batched, per evaluation
    case.ours(sweep[:2]), case.ours(mc[:2])     # plans are cached by then anyway
    res["sweep_rows"], res["mc_draws"] = len(sweep), len(mc)
    res["sweep"] = {"argmap": [t / len(sweep) for t in clock(lambda: case.ours(sweep), reps)]}
    res["mc"] = {"argmap": [t / len(mc) for t in clock(lambda: case.ours(mc), reps)]}
    for name, peer in case.peers.items():
        one = clock(lambda: case.peer_eval(peer, case.base), 1)[0]
        k = int(min(20, max(1, budget / 2 / reps / max(one, 1e-9))))
        r = reps if k * reps * one < budget else 1
        picks = rng.choice(len(sweep), size=min(len(sweep), k * r), replace=False)
        times = []
        for g in range(r):
            tot = 0.0
            for j in picks[g * k:(g + 1) * k]:
                var = net.params[which[j]].claim
                cpt = case.cpts_of(sweep[j], [var])
                t = time.perf_counter()
                case.peer_eval(peer, cpt)
                tot += time.perf_counter() - t
                peer.set_cpts({var: case.base[var]})
            times.append(tot / k)
        res["sweep"][name] = times
        if name == "pyAgrum":         # soft evidence on one kept engine, for roots' credences
            soft = []
            roots = [j for j in picks if not net.parents[net.params[which[j]].claim]
                     and net.params[which[j]].claim not in case.given
                     and np.all(case.base[net.params[which[j]].claim] > 0)]
            if roots:
                peer.soft_engine(case.target, case.given)
                for g in range(r):
                    tot, cnt = 0.0, 0
                    for j in roots[g::r]:
                        var = net.params[which[j]].claim
                        lik = case.cpts_of(sweep[j], [var])[var] / case.base[var]
                        t = time.perf_counter()
                        got = peer.soft_query(case.target, var, lik)
                        tot += time.perf_counter() - t
                        cnt += 1
                        agree(f"{case.name} pyAgrum soft evidence", got, case.ours(sweep[j]))
                        peer.soft_reset(var)
                    if cnt:
                        soft.append(tot / cnt)
                res["sweep"]["pyAgrum soft (roots)"] = soft
        times = []
        for g in range(r):
            tot = 0.0
            for j in range(g * k, (g + 1) * k):
                cpts = case.cpts_of(mc[j % len(mc)])
                t = time.perf_counter()
                case.peer_eval(peer, cpts)
                tot += time.perf_counter() - t
            times.append(tot / k)
        res["mc"][name] = times
        peer.set_cpts(case.base)
    return res


# ---------------------------------------------------------------------------------------- probes
def probe(n: int, width: str) -> dict:
    """Run in a subprocess: load, compile and query one big map; report times and peak memory."""
    out = {"claims": n, "width": width}
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        write_synthetic_map(d, n, width)
        out["write_s"] = time.perf_counter() - t
        t = time.perf_counter()
        try:
            model = argmap.Model.load(d)
            out["load_s"] = time.perf_counter() - t
            t = time.perf_counter()
            net = model.network
            out["compile_s"] = time.perf_counter() - t
            t = time.perf_counter()
            model.engine.query("conclusion")
            out["cold_query_s"] = time.perf_counter() - t
            out["width_found"] = model.engine.plan("conclusion", {}, {}).width
            out["warm_query_s"] = med(clock(lambda: model.engine.query("conclusion"), 5))
            t = time.perf_counter()
            model.engine.marginals()
            out["marginals_s"] = time.perf_counter() - t
            out["params"] = len(net.params)
        except argmap.WidthError as err:
            out["refused_after_s"] = time.perf_counter() - t
            out["error"] = str(err)
            out["error_width"] = err.width
            out["error_claims"] = len(err.claims)
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def peak_rss_mib() -> float:
    """This process's peak resident memory. VmHWM, not getrusage: a child's ru_maxrss starts at its
    parent's peak (Linux keeps it across fork and exec), which would report the runner's memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_probe(n: int, width: str) -> dict:
    cmd = [sys.executable, str(HERE / "run.py"), "--probe", str(n), width]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if res.returncode:
        return {"claims": n, "width": width, "error": res.stderr.strip().splitlines()[-1:]}
    return json.loads(res.stdout)


def cli_wall(args: list[str], reps: int, cwd=None) -> tuple[list[float], int, str]:
    times, code, err = [], 0, ""
    for _ in range(reps):
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "argmap", *args], capture_output=True, text=True,
                           cwd=cwd or ROOT, timeout=600)
        times.append(time.perf_counter() - t)
        code, err = r.returncode, r.stderr.strip()
    return times, code, err


# ---------------------------------------------------------------------------------------- report
def table(results: list[dict], key: str, title: str, per_eval: bool) -> list[str]:
    peers = []
    for r in results:
        for p in r.get(key, {}):
            if p != "argmap" and p not in peers:
                peers.append(p)
    head = ["case", "claims", "width", "argmap"] + peers + [f"{p} / argmap" for p in peers]
    lines = [f"**{title}**", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        row = r.get(key, {})
        ours = row.get("argmap", [])
        cells = [r["case"], f"{r['claims']:,}", str(r.get("width", "")), fmt_t(med(ours))]
        cells += [fmt_t(med(row[p])) if row.get(p) else "—" for p in peers]
        cells += [fmt_ratio(row.get(p, []), ours) for p in peers]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="30,100,300,1000,10000", help="synthetic map sizes (claims)")
    ap.add_argument("--widths", default="low,moderate", help="synthetic widths: " + ", ".join(WIDTHS))
    ap.add_argument("--repeats", type=int, default=5, help="repeats per measurement (default 5)")
    ap.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws (default 10,000)")
    ap.add_argument("--max-sweep", type=int, default=5_000, help="cap on sweep rows (parameters sampled beyond it)")
    ap.add_argument("--budget", type=float, default=3.0, help="seconds per peer per measurement (default 3)")
    ap.add_argument("--peers", default="pgmpy,pyAgrum")
    ap.add_argument("--no-bundled", action="store_true", help="skip the bundled map and its overlays")
    ap.add_argument("--quick", action="store_true", help="smoke run: sizes 30,100; 2 repeats; 2,000 draws")
    ap.add_argument("--out", default=str(HERE / "results.md"), help="write the Markdown tables here")
    ap.add_argument("--json", default=str(HERE / "results.json"), help="write raw timings here")
    ap.add_argument("--probe", nargs=2, metavar=("N", "WIDTH"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.probe:
        print(json.dumps(probe(int(a.probe[0]), a.probe[1])))
        return 0
    if a.quick:
        a.sizes, a.repeats, a.draws, a.budget = "30,100", 2, 2_000, 1.0
    sizes = [int(s) for s in a.sizes.split(",") if s]
    widths = [w for w in a.widths.split(",") if w]
    peers = [p for p in a.peers.split(",") if p and available().get(p)]
    t_start = time.perf_counter()
    info = machine()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    log("machine: " + json.dumps(info))
    results: list[dict] = []
    big = [n for n in sizes if n > 1000]
    with tempfile.TemporaryDirectory() as tmp:
        for n in [s for s in sizes if s <= 1000]:
            for w in widths:
                folder = write_synthetic_map(Path(tmp) / f"{n}-{w}", n, w)
                t = time.perf_counter()
                model = argmap.Model.load(folder)
                model.network
                load = time.perf_counter() - t
                given = {"c5": "true"} if "c5" in model.network.states else {}
                case = Case(f"synthetic {w}", model, "conclusion", given, {}, peers)
                log(f"{case.name} {n}: load+compile {load:.2f}s, {len(model.network.params)} parameters")
                r = bench_case(case, a.repeats, a.draws, a.max_sweep, a.budget, log)
                r["load_s"] = load
                results.append(r)
        bundled_cli = {}
        if not a.no_bundled:
            overlays = [[], ["arguments/critiques/pope-2023.yaml"],
                        ["arguments/critiques/pope-2023.yaml", "arguments/critiques/carlsmith-reply-2023.yaml"],
                        ["arguments/critiques/incentivized-episode-2023.yaml"]]
            for ov in overlays:
                ov = [o for o in ov if (ROOT / o).exists()]
                model = argmap.Model.load(None, [ROOT / o for o in ov])
                c = model.conditions()
                name = "bundled" + "".join(f" +{Path(o).stem}" for o in ov)
                case = Case(name, model, model.map.target, c.given, c.set, peers)
                r = bench_case(case, a.repeats, a.draws, a.max_sweep, a.budget, log)
                results.append(r)
            for label, args in (("argmap run", ["run"]), ("argmap run --json", ["run", "--json"]),
                                ("argmap sensitivity (default: Monte Carlo 10,000 + Sobol)", ["sensitivity"]),
                                ("argmap sensitivity --json", ["sensitivity", "--json"])):
                if args[0] == "sensitivity" and not (ROOT / "argmap/commands/sensitivity.py").exists():
                    continue
                times, code, err = cli_wall(args, a.repeats if args[0] == "run" else max(2, a.repeats // 2))
                bundled_cli[label] = {"times": times, "exit": code, "stderr": err[-300:]}
                log(f"  {label}: median {med(times):.3f}s (exit {code})")
    probes = []
    for n in big:
        for w in widths:
            log(f"probe {n} {w} (subprocess) ...")
            probes.append(run_probe(n, w))
            log("  " + json.dumps(probes[-1]))
    if big:
        log("probe: a map too wide for exact elimination ...")
        probes.append(run_probe(1000, "dense"))
        log("  " + json.dumps(probes[-1]))
    elapsed = time.perf_counter() - t_start

    md = [f"Run {info['date']} on {info['nproc']} × {info['cpu']}, Python {info['python']}, numpy {info['numpy']} "
          f"({info['blas']}), pgmpy {info.get('pgmpy')}, pyAgrum {info.get('pyAgrum')}; "
          f"OPENBLAS_CORETYPE={info['OPENBLAS_CORETYPE']}, OPENBLAS_L2_SIZE={info['OPENBLAS_L2_SIZE']}; "
          f"load average at start {info['load average']}. Command: `python bench/run.py {' '.join(argv or sys.argv[1:])}`"
          f" ({elapsed / 60:.1f} min).", "",
          f"Medians over {a.repeats} repeats; ratios are peer / argmap, median [range over repeats].", ""]
    md += table(results, "cold", "One exact query, cold (a new engine: planning + inference)", False)
    md += table(results, "warm", "One exact query, warm (kept engine; pyAgrum re-propagates its evidence)", False)
    md += table(results, "marginals", "Every claim's marginal (argmap: one forward-backward pass; "
                "pyAgrum: one Lazy Propagation; pgmpy: one query per claim, ≤100 claims)", False)
    md += table(results, "sweep", f"One-way sweep of every parameter ({K_SWEEP} values each), per evaluation", True)
    md += table(results, "mc", f"Monte Carlo over all uncertain credences ({a.draws:,} draws), per evaluation", True)
    if bundled_cli:
        md += ["**The bundled map end to end (wall time of a fresh `python -m argmap` process)**", "",
               "| command | median | range | exit |", "|---|---|---|---|"]
        for label, v in bundled_cli.items():
            md.append(f"| `{label}` | {fmt_t(med(v['times']))} | {fmt_t(min(v['times']))}–{fmt_t(max(v['times']))} "
                      f"| {v['exit']} |")
        md.append("")
    if probes:
        md += ["**Large maps (argmap only; a fresh process each; peak RSS is the process's VmHWM)**", "",
               "| claims | width | parameters | load | compile | cold query | warm query | all marginals | peak RSS | outcome |",
               "|---|---|---|---|---|---|---|---|---|---|"]
        for p in probes:
            outcome = ("refused after " + fmt_t(p["refused_after_s"]) + f": width {p['error_width']}, "
                       f"{p['error_claims']} claims named") if "refused_after_s" in p else p.get("error", "ok")
            md.append(f"| {p['claims']:,} | {p.get('width_found', p['width'])} | {p.get('params', '—')} | "
                      f"{fmt_t(p.get('load_s', float('nan')))} | {fmt_t(p.get('compile_s', float('nan')))} | "
                      f"{fmt_t(p.get('cold_query_s', float('nan')))} | {fmt_t(p.get('warm_query_s', float('nan')))} | "
                      f"{fmt_t(p.get('marginals_s', float('nan')))} | {p.get('peak_rss_mib', 0):.0f} MiB | {outcome} |")
        md.append("")
    text = "\n".join(md)
    print(text)
    if a.out:
        Path(a.out).write_text(text + "\n")
    if a.json:
        Path(a.json).write_text(json.dumps({"machine": info, "results": results, "cli": bundled_cli,
                                            "probes": probes}, indent=1, default=float) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
