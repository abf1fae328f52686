"""The compiled-map cache: a hit is the same map bit for bit, a changed file is a miss, and a bad entry
(truncated, garbage, another version, tampered, written concurrently) is ignored and rebuilt."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pytest
from test_hostile import run_limited

import argmap.inference.cache as cache
import argmap.inference.cachecodec as cachecodec
from argmap import Model
from argmap.inference import bodyread
from argmap.maps.bundled import bundled_overlay_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    return folder


def _same_model(a: Model, b: Model) -> None:
    assert a.map == b.map
    na, nb = a.network, b.network
    assert (na.variables, na.states, na.parents, na.params) == (nb.variables, nb.states, nb.parents, nb.params)
    assert na.theta0.tobytes() == nb.theta0.tobytes()
    pa, pb = na.program(), nb.program()
    for name in ("copy_par", "dir_par", "base_par", "pair_ratio", "pair_scale", "formula", "route_pair_p",
                 "route_pair_scale", "routed"):
        assert np.array_equal(getattr(pa, name), getattr(pb, name))
    assert pa is not None and pb is not None
    assert len(pa.route_passes) == len(pb.route_passes)
    for (ra, pa_), (rb, pb_) in zip(pa.route_passes, pb.route_passes, strict=True):
        assert np.array_equal(ra, rb) and np.array_equal(pa_, pb_)
    assert a.run().to_dict() == b.run().to_dict()           # exact equality of every float


def _fail_if_loaded(*args, **kwargs):
    raise AssertionError("the files were read: expected a cache hit")


def test_a_hit_is_the_uncached_map_bit_for_bit(cache_dir, monkeypatch):
    overlays = [bundled_overlay_path("pope-2023"), bundled_overlay_path("carlsmith-reply-2023")]
    fresh = Model.load(None, overlays, cache=False)
    assert not cache_dir.exists()                            # cache=False neither reads nor writes
    Model.load(None, overlays)                               # miss: writes the entry
    assert cache.entry_path(None, overlays).exists()
    monkeypatch.setattr("argmap.maps.loader.load_map", _fail_if_loaded)
    hit = Model.load(None, overlays)
    _same_model(hit, fresh)
    # the lazily recompiled builders and cell formulas agree with the stored program
    theta = fresh.network.theta0[None, :]
    for v, table in fresh.network.cpts(theta).items():
        assert np.array_equal(hit.network.builders[v](theta), table)
    names = fresh.network.variables[:5]
    part_hit, part_fresh = hit.network.program(names), fresh.network.program(names)
    assert part_hit is not None and part_fresh is not None
    assert np.array_equal(part_hit.copy_par, part_fresh.copy_par)


def test_a_hit_keeps_routes_and_arguments_into_a_table(cache_dir, monkeypatch):
    routes = ROOT / "tests" / "data" / "maps" / "routes"
    overlays = [ROOT / "tests" / "data" / "maps" / "routes_overlays" / "more-routes.yaml"]
    fresh = Model.load(routes, overlays, cache=False)
    Model.load(routes, overlays)
    monkeypatch.setattr("argmap.maps.loader.load_map", _fail_if_loaded)
    hit = Model.load(routes, overlays)
    prog = hit.network.program()
    assert prog is not None and prog.route_passes
    _same_model(hit, fresh)


def test_the_stored_program_is_the_one_used(cache_dir, own_map):
    Model.load(own_map)
    hit = Model.load(own_map)
    assert hit.network.program() is hit.network.program()
    assert hit.engine.marginal_plan(hit.network.variables, {}, {}).program is hit.network.program()


def test_a_changed_or_added_file_is_a_miss(cache_dir, own_map):
    before = Model.load(own_map).probability(scenario=None)
    part = next(own_map.glob("*.yaml"))
    text = part.read_text()
    assert "base: 0.25" in text
    part.write_text(text.replace("base: 0.25", "base: 0.5"))
    changed = Model.load(own_map).probability(scenario=None)
    assert changed != before
    assert changed == Model.load(own_map, cache=False).probability(scenario=None)
    (own_map / "extra.yaml").write_text("part: main\nclaims:\n  - {id: extra_claim, title: Extra, credence: 0.5}\n")
    assert "extra_claim" in Model.load(own_map).map.claims


def _hit(folder, overlays=()):
    """The entry's map and network if every check passes, else None (the files are not loaded)."""
    return cache._lookup(cache._request(folder, [str(o) for o in overlays]))


def _parts(entry: Path) -> tuple[bytes, bytes, bytes, bytes, bytes]:
    """An entry's header fields, MAC, request, manifest and body."""
    head, _, rest = entry.read_bytes().partition(b"\n")
    fields, _, mac = head.rpartition(b" ")
    request, manifest, body = rest.split(b"\n", 2)
    return fields, mac, request, manifest, body


def _resign(entry: Path, fields: bytes, request: bytes, manifest: bytes, body: bytes) -> None:
    """Write the entry signed with the cache folder's own key, as only someone holding it could."""
    rest = request + b"\n" + manifest + b"\n" + body
    key = (entry.parent / "key").read_bytes()
    mac = hmac.new(key, fields + b"\n" + rest, hashlib.sha256).hexdigest().encode()
    entry.write_bytes(fields + b" " + mac + b"\n" + rest)


def _corrupt(entry: Path, how: str) -> None:
    raw = entry.read_bytes()
    if how == "truncated":
        entry.write_bytes(raw[: len(raw) // 2])
    elif how == "garbage":
        entry.write_bytes(os.urandom(len(raw)))
    elif how == "empty":
        entry.write_bytes(b"")
    elif how == "flipped":                 # one byte changed, MAC not updated
        i = len(raw) - 100
        entry.write_bytes(raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1:])
    elif how in ("version", "tag", "fields", "array"):
        # signed with the right key: the decoder and the header check must refuse these on their own
        fields, _, request, manifest, body = _parts(entry)
        if how == "version":
            fields = fields.rsplit(b" ", 1)[0] + b" 0.0.0-other"
        else:                              # a body well-formed as a container: the decoder must refuse it
            head, arrays = bodyread.unpack(body)
            before = head
            if how == "tag":               # a well-signed entry naming a class it may not build
                head = head.replace(b'["Claim",', b'["os.system",', 1)
            elif how == "fields":          # a column more than the class has fields
                head = re.sub(rb'\["Claim",([0-9]+),\[', rb'["Claim",\1,[["p",[1]],', head, count=1)
            elif how == "array":
                head = head.replace(b'"dtype":"<f8"', b'"dtype":"|O"', 1)
            assert head != before
            body = cachecodec._pack(head, [bytes(arrays)])
            assert bodyread.unpack(body)[0] == head
        _resign(entry, fields, request, manifest, body)


@pytest.mark.parametrize("how", ["truncated", "garbage", "empty", "flipped", "version", "tag", "fields", "array"])
def test_a_bad_entry_is_ignored_and_rebuilt(cache_dir, own_map, how, monkeypatch):
    good = Model.load(own_map, cache=False)
    Model.load(own_map)
    entry = cache.entry_path(own_map)
    _corrupt(entry, how)
    assert _hit(own_map) is None
    _same_model(Model.load(own_map), good)                   # read from the files, entry rewritten
    monkeypatch.setattr("argmap.maps.loader.load_map", _fail_if_loaded)
    _same_model(Model.load(own_map), good)                   # and the rewritten entry is a good one


@pytest.mark.parametrize("how", ["flipped", "another layout"])
def test_a_changed_body_is_refused(cache_dir, own_map, how):
    """One byte of the arrays changed (the body has no checksum of its own: the entry's HMAC covers it), or the
    body of another layout (the magic of format 12, whose prefix held a SHA-256) re-signed with the folder's key
    under this header: refused, and the map is read from the files."""
    good = Model.load(own_map, cache=False)
    Model.load(own_map)
    entry = cache.entry_path(own_map)
    fields, mac, request, manifest, body = _parts(entry)
    if how == "flipped":
        entry.write_bytes(fields + b" " + mac + b"\n" + request + b"\n" + manifest + b"\n"
                          + body[:-9] + bytes([body[-9] ^ 1]) + body[-8:])
    else:
        _resign(entry, fields, request, manifest, b"ARGMAP12" + body[8:16] + bytes(32) + body[16:])
    assert _hit(own_map) is None
    _same_model(Model.load(own_map), good)


def test_arrays_are_stored_as_raw_bytes_and_the_plan_with_them(cache_dir, own_map, monkeypatch):
    """The entry holds θ0 as its little-endian bytes (no text encoding) and the plan of `argmap run`'s
    query, so a cached run plans nothing and gives the uncached numbers."""
    good = Model.load(own_map, cache=False).run()
    Model.load(own_map)
    body = _parts(cache.entry_path(own_map))[4]
    assert np.ascontiguousarray(Model.load(own_map, cache=False).network.theta0, "<f8").tobytes() in body

    def no_planning(*_a, **_k):
        raise AssertionError("a cached run planned again")

    monkeypatch.setattr("argmap.inference.engine.Engine._make_plan", no_planning)
    hit = Model.load(own_map)
    assert hit.network.stored_plans and not hit.network.plans       # read when first needed
    assert hit.run().marginals == good.marginals
    assert hit.engine.marginal_plan(hit.network.variables, {}, {}).steps
    assert hit.network.plans and not hit.network.stored_plans


def test_a_cached_run_of_the_bundled_map_plans_and_compiles_nothing(cache_dir, tmp_path, monkeypatch):
    """`argmap run` also asks the sources' verdicts (queries on a part of the map, with a smaller program of
    their own): their plans are stored too, so a cached run neither plans nor recompiles the map."""
    from argmap.maps.bundled import bundled_map_path

    folder = tmp_path / "bundled"
    shutil.copytree(bundled_map_path(), folder)
    good = Model.load(folder, cache=False).run()
    assert good.verdicts and any(v["probability"] is not None for v in good.verdicts)
    Model.load(folder)

    def no_planning(*_a, **_k):
        raise AssertionError("a cached run planned or compiled again")

    monkeypatch.setattr("argmap.inference.engine.Engine._make_plan", no_planning)
    monkeypatch.setattr("argmap.inference.cachecodec.compile_map", no_planning)
    assert Model.load(folder).run().to_dict() == good.to_dict()


def test_a_cached_run_reads_the_figures_its_first_run_computed(cache_dir, tmp_path, monkeypatch):
    """The entry keeps the results of `argmap run`'s queries at the map's own numbers (every marginal, the
    sources' verdicts): a cached run computes no marginal and no query, and gives the uncached figures; a
    batch or another θ is computed as always."""
    from argmap.maps.bundled import bundled_map_path

    folder = tmp_path / "bundled"
    shutil.copytree(bundled_map_path(), folder)
    fresh = Model.load(folder, cache=False)
    good = fresh.run()
    Model.load(folder)

    def no_computing(*_a, **_k):
        raise AssertionError("a cached run computed its figures again")

    monkeypatch.setattr("argmap.inference.engine.Engine._run_marginals", no_computing)
    monkeypatch.setattr("argmap.inference.engine.Engine._run", no_computing)
    hit = Model.load(folder)
    assert hit.network.results
    assert hit.run().to_dict() == good.to_dict()
    assert "params" not in vars(hit.network)  # the entry stores their values; the objects are compiled when read
    assert hit.network.params == fresh.network.params and "params" in vars(hit.network)
    with pytest.raises(ValueError):         # θ0 cannot change under the kept results
        hit.network.theta0[0] = 0.5
    monkeypatch.undo()
    theta = hit.network.theta0.copy()
    assert np.array_equal(hit.engine.marginals(theta=theta[None, :])[hit.map.target][0],
                          fresh.engine.marginals()[hit.map.target])


def test_entries_for_other_versions_are_not_read(cache_dir, own_map, monkeypatch):
    monkeypatch.setattr(cache, "_CODE", ["0.0.1-older+0123456789abcdef"])   # other code wrote it
    Model.load(own_map)
    old = cache.entry_path(own_map)
    monkeypatch.undo()
    os.environ[cache.ENV] = str(cache_dir)
    assert cache.entry_path(own_map) != old                  # the version is part of the key
    shutil.copy(old, cache.entry_path(own_map))              # and of the header
    assert _hit(own_map) is None


def test_the_code_version_covers_the_package_data(tmp_path, monkeypatch):
    """What is kept is computed from the package's data files too (the export's kept spread draws on every verbal
    scale: argmap/base/scales_data): editing one, even to the same size, is other code, as editing a module is.
    (A data-only change once left the version as it was: the next export printed the old spread.)"""
    copy = tmp_path / "argmap"
    shutil.copytree(Path(cache.__file__).resolve().parents[1], copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "__file__", str(copy / "inference" / "cache.py"))

    def version() -> str:
        monkeypatch.setattr(cache, "_CODE", [])
        return cache._code_version()
    before = version()
    assert version() == before
    (copy / "base" / ".cache.py.swp").write_text("an editor's file")     # hidden: read by nothing
    for folder in ("_bundled", "_docs"):         # a wheel's maps (each checked as read) and guides
        (copy / folder).mkdir()
        (copy / folder / "guide.md").write_text("read by no computation kept")
    assert version() == before
    data = copy / "base" / "scales_data" / "icd203.json"
    data.write_text(data.read_text(encoding="utf-8").replace("[0.20, 0.45]", "[0.30, 0.45]"), encoding="utf-8")
    assert version() != before


def test_a_file_gone_while_the_code_is_fingerprinted_is_left_out(monkeypatch):
    """An editor's file made and removed beside the modules (vim's 4913, a backup) between the folder's listing
    and its stat: the version is made without it, never an error out of every command."""
    walk = os.walk

    def listing_a_gone_file(top, *args, **kwargs):
        for dirpath, dirnames, files in walk(top, *args, **kwargs):
            yield dirpath, dirnames, [*files, "4913"]
    monkeypatch.setattr(cache, "_CODE", [])
    before = cache._code_version()
    monkeypatch.setattr(cache, "_CODE", [])
    monkeypatch.setattr(os, "walk", listing_a_gone_file)
    assert cache._code_version() == before


def _load_in_child(args: tuple[str, str]) -> dict:
    folder, cache_folder = args
    os.environ[cache.ENV] = cache_folder
    return Model.load(folder).run().to_dict()


def test_concurrent_writers_leave_one_whole_entry(cache_dir, own_map):
    with ProcessPoolExecutor(4, mp_context=get_context("fork")) as pool:
        results = list(pool.map(_load_in_child, [(str(own_map), str(cache_dir))] * 8))
    assert all(r == results[0] for r in results)
    entries = sorted(p.name for p in cache_dir.iterdir())
    assert entries == sorted([cache.entry_path(own_map).name, "key"])        # no temporary files left
    assert _hit(own_map) is not None
    assert Model.load(own_map).run().to_dict() == results[0]


def test_a_key_another_writer_makes_meanwhile_is_kept(cache_dir, monkeypatch):
    """Two first writers: the one that finds no key and then loses the race uses the winner's key instead of
    replacing it (a replaced key would make every entry the winner signed unreadable)."""
    real = cache.read_limited
    theirs = bytes(range(32))

    def read(path, *args, **kwargs):
        try:
            return real(path, *args, **kwargs)
        finally:
            if Path(path).name == "key" and not (cache_dir / "key").exists():
                cache_dir.mkdir(parents=True, exist_ok=True)
                (cache_dir / "key").write_bytes(theirs)          # the other writer links its key in now
    monkeypatch.setattr(cache, "read_limited", read)
    assert cache._key(create=True) == theirs
    assert (cache_dir / "key").read_bytes() == theirs


def test_a_bad_key_is_replaced(cache_dir):
    cache_dir.mkdir(parents=True)
    (cache_dir / "key").write_bytes(b"short")
    key = cache._key(create=True)
    assert key is not None and len(key) == 32 and (cache_dir / "key").read_bytes() == key


def test_an_unwritable_cache_folder_only_costs_speed(tmp_path, own_map, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))
    assert Model.load(own_map).probability(scenario=None) == Model.load(own_map, cache=False).probability(
        scenario=None)


def test_no_cache_flag_neither_reads_nor_writes(cache_dir, own_map):
    env = {**os.environ, "PYTHONPATH": str(ROOT), cache.ENV: str(cache_dir)}
    run = [sys.executable, "-m", "argmap", "run", str(own_map), "--json"]
    a = subprocess.run(run + ["--no-cache"], capture_output=True, text=True, env=env, check=True)
    assert not cache_dir.exists()
    b = subprocess.run(run, capture_output=True, text=True, env=env, check=True)
    assert len([p for p in cache_dir.iterdir() if p.suffix == ".entry"]) == 1
    c = subprocess.run(run, capture_output=True, text=True, env=env, check=True)
    assert json.loads(a.stdout) == json.loads(b.stdout) == json.loads(c.stdout)


# ------------------------------------------------------------------ issue 24: the cache never serves stale numbers

_RUNS = """
import contextlib, io, json, os, resource, shutil, sys
from pathlib import Path
from argmap.commands.cli import main
from argmap.inference import kept

def run(*flags):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", FOLDER, "--json", *flags])
    return [code, out.getvalue(), err.getvalue()]

first = run()
assert run() == first and kept.stats["stored"] == 1     # from the entry, keeping the report (commands.runkept)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
CHANGE
results = [first, run(), run("--no-cache")]
print(json.dumps([results, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before]))
"""


def _cached_vs_fresh(folder: Path, change: str) -> tuple[list, list, list]:
    """In a child limited in time and memory (a hang or a flood fails the test, and so does a peak
    150 MiB above the first run's): ``argmap run FOLDER --json`` (writing the entry) twice (the second keeps
    its report), then ``change`` (Python), then the same cached and with --no-cache."""
    code = _RUNS.replace("FOLDER", repr(str(folder))).replace("CHANGE", textwrap.dedent(change))
    res = run_limited(code, seconds=60, mib=1024)
    assert res.returncode == 0, res.stderr[-3000:]
    (first, cached, fresh), grew_kib = json.loads(res.stdout)
    assert first[0] == 0, first
    assert grew_kib < 150 * 1024, f"the runs after the change took {grew_kib // 1024} MiB more than the first"
    return first, cached, fresh


def _late_part(folder: Path, credence: float = 0.01) -> None:
    (folder / "late.yaml").write_text("part: main\nclaims:\n  - id: late\n    title: Late\n"
                                      f"    credence: {credence}\n    opposes: [{{claim: conclusion, ratio: 0.01}}]\n")


def test_a_part_created_while_the_map_loads_is_seen_by_every_later_run(cache_dir, own_map, monkeypatch):
    """Defect 1: the listing was taken after compiling, the files globbed before, so a part created in
    between was missing from every later cached run. The race is made deterministic: the part appears
    right after the loader's glob."""
    from argmap.maps import loader

    glob = loader.map_files

    def glob_then_create(folder):
        found = glob(folder)
        if not (folder / "late.yaml").exists():
            _late_part(folder)
        return found

    monkeypatch.setattr(loader, "map_files", glob_then_create)
    first = Model.load(own_map)
    assert "late" not in first.map.claims                   # what the loader's glob saw
    monkeypatch.undo()
    os.environ[cache.ENV] = str(cache_dir)
    later = Model.load(own_map)
    assert "late" in later.map.claims
    assert later.run().to_dict() == Model.load(own_map, cache=False).run().to_dict()
    _late_part(own_map, 0.9)                                # and its later edits are seen too
    assert Model.load(own_map).probability(scenario=None) == Model.load(own_map, cache=False).probability(
        scenario=None)


def test_no_entry_is_written_when_files_change_during_the_run(cache_dir, own_map, monkeypatch):
    from argmap.base import readlog

    def hook(event, folder):
        if event == "listed" and folder == own_map:
            _late_part(own_map)
    monkeypatch.setattr(readlog, "hook", hook)
    before = dict(cache.stats)
    Model.load(own_map)
    assert cache.stats["changed"] == before.get("changed", 0) + 1
    assert not cache.entry_path(own_map).exists()


@pytest.mark.parametrize("kind", ["fifo", "zero", "outside", "folder", "loop"])
def test_a_part_changed_into_a_special_file_is_refused_as_without_the_cache(cache_dir, own_map, tmp_path, kind):
    """Defect 2 and 3: after a cached run, a part replaced by a FIFO hung every later command, a link to
    /dev/zero was read until memory ran out, and a link to an outside file with identical bytes was
    accepted. Now the cached run gives the very error --no-cache gives, at once."""
    part = own_map / "claims.yaml"
    make = {"fifo": "os.mkfifo(part)", "zero": "part.symlink_to('/dev/zero')", "folder": "part.mkdir()",
            "outside": "part.symlink_to(outside)", "loop": "part.symlink_to(part)"}[kind]
    _, cached, fresh = _cached_vs_fresh(own_map, f"""
        part, outside = Path({str(part)!r}), Path({str(tmp_path / 'outside.yaml')!r})
        shutil.copy(part, outside)          # the same bytes, from outside the folder
        part.unlink()
        {make}
    """)
    assert cached == fresh and cached[0] == 1 and f"{part}: error:" in cached[2], cached
    assert "Traceback" not in cached[2]


@pytest.mark.parametrize("kind", ["fifo", "zero", "folder"])
def test_an_entry_that_is_a_special_file_is_a_miss(cache_dir, own_map, kind):
    """Defect 2: an entry that was a FIFO hung; one linked to /dev/zero ended in a MemoryError."""
    make = {"fifo": "os.mkfifo(entry)", "zero": "entry.symlink_to('/dev/zero')", "folder": "entry.mkdir()"}[kind]
    first, cached, fresh = _cached_vs_fresh(own_map, f"""
        from argmap.inference.cache import entry_path
        entry = entry_path({str(own_map)!r})      # as the child's code names it
        entry.unlink()
        {make}
    """)
    assert cached == fresh == first, cached


def test_another_maps_entry_copied_under_this_maps_name_is_refused(cache_dir, own_map, tmp_path):
    """Defect 3: another map's entry copied to this map's key was used (its own files were unchanged)."""
    other = tmp_path / "other"
    shutil.copytree(own_map, other)
    part = other / "claims.yaml"
    part.write_text(part.read_text().replace("base: 0.25", "base: 0.9"))
    Model.load(other)
    Model.load(own_map)
    shutil.copy(cache.entry_path(other), cache.entry_path(own_map))
    assert _hit(own_map) is None
    assert Model.load(own_map).probability(scenario=None) == Model.load(own_map, cache=False).probability(
        scenario=None) != Model.load(other).probability(scenario=None)


def test_an_entry_edited_with_its_checksum_recomputed_is_refused(cache_dir, own_map):
    """Defect 3: a changed number with a recomputed SHA-256 was used; the MAC needs the folder's key."""
    right = Model.load(own_map).probability(scenario=None)
    entry = cache.entry_path(own_map)
    fields, _, request, manifest, body = _parts(entry)
    edited = body.replace(b'"base",0.25', b'"base",0.9') if b'"base",0.25' in body else body.replace(
        b"0.25", b"0.9", 1)
    assert edited != body
    rest = request + b"\n" + manifest + b"\n" + edited
    entry.write_bytes(fields + b" " + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest)
    assert _hit(own_map) is None
    assert Model.load(own_map).probability(scenario=None) == right
    (cache_dir / "key").write_bytes(os.urandom(32))        # another folder's key: every entry is refused
    assert _hit(own_map) is None
