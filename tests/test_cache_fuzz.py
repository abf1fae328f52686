"""Differential fuzzing of the compiled-map cache (issue 24): a cached run must always agree with --no-cache.

Random sequences of changes to a small map folder — edits, additions, removals, renames, type changes
(a FIFO, a symlink inside and outside the folder, ``/dev/zero``, a folder), restoring older contents,
changes inside the load window (made deterministic by :data:`argmap.base.readlog.hook`) and two runs
at once while a file changes — each followed by a cached and an uncached run in a child process that
must agree exactly: the numbers, the claims, or the error message. Each run is bounded in time (the
parent waits at most :data:`STEP_SECONDS`) and memory (the child's address space is limited, and its
peak may grow at most :data:`GROWTH_MIB` after its first load), so a hang or a flood fails the test
instead of stalling the suite. Seeds are fixed; ``ARGMAP_FUZZ_CACHE_STEPS`` runs longer sequences.
"""

from __future__ import annotations

import json
import os
import random
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STEPS = int(os.environ.get("ARGMAP_FUZZ_CACHE_STEPS", "40"))
STEP_SECONDS = 30.0
LIMIT_MIB = 1024
GROWTH_MIB = 200
"""Most a worker's peak memory may grow after its first load (a read of /dev/zero grows it by a GiB)."""

MAP = "argmap: 1\nname: fuzz\ntarget: t\nparts:\n  main: Main\ntoc: toc.yaml\n"
TOC = "- {section: '1', title: One}\n"


def core(base: float) -> str:
    return f"part: main\nclaims:\n  - id: t\n    title: Target\n    base: {base}\n"


def part(cid: str, credence: float, rel: str, ratio: str) -> str:
    return (f"part: main\nclaims:\n  - id: {cid}\n    title: Claim {cid}\n    credence: {credence}\n"
            f"    {rel}: [{{claim: t, ratio: \"{ratio}\"}}]\n")


class Worker:
    """A child loading maps on request (tests/cacheworker.py), each answer awaited at most STEP_SECONDS."""

    def __init__(self, env: dict[str, str], log: Path):
        self.log = open(log, "w")   # noqa: SIM115 - closed in close()
        self.baseline: int | None = None
        self.proc = subprocess.Popen([sys.executable, str(HERE / "cacheworker.py"), str(LIMIT_MIB)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     env=env, bufsize=1)

    def send(self, folder: Path, cache: bool, race: dict | None = None) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"folder": str(folder), "cache": cache, "race": race}) + "\n")
        self.proc.stdin.flush()

    def receive(self) -> dict:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], STEP_SECONDS)
        if not ready:
            self.proc.kill()
            pytest.fail(f"a run took more than {STEP_SECONDS:.0f} s (a hang?)")
        line = self.proc.stdout.readline()
        if not line:
            pytest.fail(f"the worker died: {Path(self.log.name).read_text()[-3000:]}")
        answer = json.loads(line)
        assert "crash" not in answer, answer["crash"]
        if self.baseline is None:
            self.baseline = answer["peak_mib"]
        grew = answer["peak_mib"] - self.baseline
        assert grew < GROWTH_MIB, f"a run took {grew} MiB more than the first"
        return answer

    def load(self, folder: Path, cache: bool, race: dict | None = None) -> dict:
        self.send(folder, cache, race)
        return self.receive()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def _outcome(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k not in ("stats", "peak_mib")}


class Fuzz:
    """The map folder and the random changes made to it."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng = root, rng
        self.map = root / "map"
        self.outside = root / "outside"
        self.keep = self.map / "keep"           # a sub-folder: never read as parts, a place for link targets
        for d in (self.map, self.outside, self.keep):
            d.mkdir(parents=True)
        self.seen: dict[str, list[str]] = {}    # every content each name ever had, to restore
        self.next_id = 0
        self.write("map.yaml", MAP)
        self.write("toc.yaml", TOC)
        self.write("core.yaml", core(0.3))
        for _ in range(3):
            self.add()

    # -- helpers
    def write(self, name: str, text: str) -> None:
        path = self.map / name
        self.clear(path)
        path.write_text(text)
        self.seen.setdefault(name, []).append(text)

    def clear(self, path: Path) -> None:
        if path.is_symlink() or path.is_file() or (path.exists() and not path.is_dir()):
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)

    def names(self) -> list[str]:
        return sorted(p.name for p in self.map.iterdir() if p.name != "keep")

    def new_part(self) -> str:
        self.next_id += 1
        rel, ratio = self.rng.choice([("supports", str(self.rng.choice([2, 3, 7]))),
                                      ("opposes", self.rng.choice(["1/2", "1/5", "0.9"]))])
        credence = 1.5 if self.rng.random() < 0.05 else self.rng.choice([0.1, 0.35, 0.5, 0.8])    # 1.5: an error
        return part(f"c{self.next_id}", credence, rel, ratio)

    def victim(self) -> str:
        names = self.names()
        weights = [0.2 if n == "map.yaml" else 1.0 for n in names]
        return self.rng.choices(names, weights)[0] if names else "core.yaml"

    # -- the changes
    def add(self) -> str:
        name = f"p{self.next_id + 1}.{self.rng.choice(['yaml', 'yaml', 'yml'])}"
        self.write(name, self.new_part())
        return f"add {name}"

    def edit(self) -> str:
        name = self.victim()
        if name == "map.yaml":
            self.write(name, MAP.replace("fuzz", self.rng.choice(["fuzz", "other"])).replace(
                "toc: toc.yaml\n", self.rng.choice(["toc: toc.yaml\n", ""])))
        elif name == "core.yaml":
            self.write(name, core(self.rng.choice([0.1, 0.3, 0.6])))
        elif name == "toc.yaml":
            self.write(name, self.rng.choices([TOC, TOC.replace("One", "Uno"), "not: a list\n"], [3, 3, 1])[0])
        else:
            self.write(name, self.new_part())
        return f"edit {name}"

    def remove(self) -> str:
        name = self.victim()
        self.clear(self.map / name)
        return f"remove {name}"

    def rename(self) -> str:
        name = self.victim()
        stem = name.split(".")[0]
        new = self.rng.choice([f"{stem}.yml", f"{stem}.yaml", f"{stem}.yaml.off", f"{stem}x.yaml"])
        if new != name and ((self.map / name).exists() or (self.map / name).is_symlink()):
            self.clear(self.map / new)
            os.rename(self.map / name, self.map / new)
        return f"rename {name} -> {new}"

    def restore(self) -> str:
        """Give a file one of its earlier contents (so states recur, and stale entries get a chance)."""
        name = self.rng.choice(sorted(self.seen))
        self.write(name, self.rng.choice(self.seen[name]))
        return f"restore {name}"

    def special(self) -> str:
        name = self.victim()
        path = self.map / name
        text = path.read_text() if path.is_file() else self.new_part()
        kind = self.rng.choice(["fifo", "link in", "link out", "zero", "folder", "loop", "dangling"])
        self.clear(path)
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "link in":                 # the same bytes through a link inside the folder: fine
            (self.keep / name).write_text(text)
            path.symlink_to(Path("keep") / name)
        elif kind == "link out":                # the same bytes from outside the folder: refused
            (self.outside / name).write_text(text)
            path.symlink_to(self.outside / name)
        elif kind == "zero":
            path.symlink_to("/dev/zero")
        elif kind == "folder":
            path.mkdir()
        elif kind == "loop":
            path.symlink_to(name)
        else:
            path.symlink_to("nowhere.yaml")
        return f"{kind} {name}"

    def heal(self) -> str:
        """Make the folder a valid map again, as a checkout would: special files gone, bad parts rewritten."""
        for name in self.names():
            path = self.map / name
            if path.is_symlink() or not path.is_file():
                self.clear(path)
            elif name.startswith("p") and ("1.5" in path.read_text() or "argmap" in path.read_text()):
                self.write(name, self.new_part())
        for name, text in (("map.yaml", MAP), ("toc.yaml", TOC), ("core.yaml", core(0.3))):
            self.write(name, text)
        return "heal"

    def retarget(self) -> str:
        """Change what a link inside the folder leads to, not the link."""
        links = [p for p in self.keep.iterdir()] + [p for p in self.outside.iterdir()]
        if not links:
            return self.edit()
        target = self.rng.choice(links)
        target.write_text(self.new_part() if self.rng.random() < 0.5 else target.read_text().replace("0.", "0.0", 1))
        return f"retarget {target.name}"

    def race(self) -> dict:
        """A change for the worker to make inside the load window: a new part, or one removed."""
        parts = [n for n in self.names() if n.startswith("p") and (self.map / n).is_file()]
        if parts and self.rng.random() < 0.5:
            return {"path": str(self.map / self.rng.choice(parts)), "text": None}
        self.next_id += 1
        return {"path": str(self.map / f"late{self.next_id}.yaml"), "text": self.new_part()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cached_runs_agree_with_uncached_runs_through_random_changes(tmp_path, seed):
    rng = random.Random(seed)
    fuzz = Fuzz(tmp_path, rng)
    env = {**os.environ, "PYTHONPATH": str(HERE.parent), "ARGMAP_CACHE_DIR": str(tmp_path / "cache")}
    one, two = Worker(env, tmp_path / "one.log"), Worker(env, tmp_path / "two.log")
    stats: dict[str, int] = {}
    log: list[str] = []
    loaded = 0
    started = time.monotonic()
    try:
        for step in range(STEPS):
            op = rng.choices(["edit", "add", "remove", "rename", "restore", "special", "retarget", "heal",
                              "nothing", "race", "concurrent"], [4, 2, 1, 2, 3, 2, 1, 3, 2, 2, 1])[0]
            if op == "race":
                race = fuzz.race()
                log.append(f"race {Path(race['path']).name}")
                raced = one.load(fuzz.map, True, race)
                assert "stored" not in raced["stats"], f"an entry was written though {race} changed mid-run"
            elif op == "concurrent":            # two cached runs at once while a file changes
                one.send(fuzz.map, True)
                two.send(fuzz.map, True)
                log.append("concurrent + " + fuzz.edit())
                one.receive()
                two.receive()
            elif op != "nothing":
                log.append(getattr(fuzz, op)())
            else:
                log.append("nothing")
            cached = one.load(fuzz.map, True)
            fresh = one.load(fuzz.map, False)
            for k, v in cached["stats"].items():
                stats[k] = stats.get(k, 0) + v
            assert _outcome(cached) == _outcome(fresh), f"step {step}: cached != --no-cache after {log[-6:]}"
            loaded += bool(cached.get("ok"))
            again = one.load(fuzz.map, True)            # from the entry just written, when it was
            assert _outcome(again) == _outcome(fresh), f"step {step}: a second cached run differs after {log[-6:]}"
            assert "stored" not in cached["stats"] or again["stats"] == {"hit": 1}, again["stats"]
            for k, v in again["stats"].items():
                stats[k] = stats.get(k, 0) + v
    finally:
        one.close()
        two.close()
    # the sequence exercised the cache: entries were written, used, and refused when stale
    assert stats.get("hit", 0) >= 3 and stats.get("refused", 0) >= 3 and stats.get("stored", 0) >= 3, stats
    assert loaded >= STEPS // 4, f"only {loaded} of {STEPS} states loaded: {log}"
    assert time.monotonic() - started < STEPS * STEP_SECONDS
