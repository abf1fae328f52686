"""The compiled-map cache: a hit is the same map bit for bit, a changed file is a miss, and a bad entry
(truncated, garbage, another version, tampered, written concurrently) is ignored and rebuilt."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pytest

import argmap.inference.cache as cache
from argmap import Model
from argmap.maps.bundled import bundled_overlay_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    return folder


@pytest.fixture
def own_map(tmp_path, tiny_map) -> Path:
    folder = tmp_path / "map"
    shutil.copytree(tiny_map, folder)
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


def _corrupt(entry: Path, how: str) -> None:
    raw = entry.read_bytes()
    head, _, rest = raw.partition(b"\n")
    if how == "truncated":
        entry.write_bytes(raw[: len(raw) // 2])
    elif how == "garbage":
        entry.write_bytes(os.urandom(len(raw)))
    elif how == "empty":
        entry.write_bytes(b"")
    elif how == "flipped":                 # one byte changed, checksum not updated
        i = len(raw) - 100
        entry.write_bytes(raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1:])
    elif how in ("version", "tag", "fields", "array"):
        magic, fmt, version, _ = head.decode().split(" ")
        manifest, _, body = rest.partition(b"\n")
        if how == "version":
            version = "0.0.0-other"
        elif how == "tag":                 # a well-checksummed entry naming a class it may not build
            body = body.replace(b'"@":"Claim"', b'"@":"os.system"', 1)
        elif how == "fields":
            body = body.replace(b'"@":"Claim","v":[', b'"@":"Claim","v":[1,', 1)
        else:
            body = body.replace(b'"dtype":"<f8"', b'"dtype":"|O"', 1)
        rest = manifest + b"\n" + body
        entry.write_bytes(f"{magic} {fmt} {version} {hashlib.sha256(rest).hexdigest()}\n".encode() + rest)


@pytest.mark.parametrize("how", ["truncated", "garbage", "empty", "flipped", "version", "tag", "fields", "array"])
def test_a_bad_entry_is_ignored_and_rebuilt(cache_dir, own_map, how, monkeypatch):
    good = Model.load(own_map, cache=False)
    Model.load(own_map)
    entry = cache.entry_path(own_map)
    _corrupt(entry, how)
    assert cache._read_entry(entry) is None
    _same_model(Model.load(own_map), good)                   # read from the files, entry rewritten
    monkeypatch.setattr("argmap.maps.loader.load_map", _fail_if_loaded)
    _same_model(Model.load(own_map), good)                   # and the rewritten entry is a good one


def test_entries_for_other_versions_are_not_read(cache_dir, own_map, monkeypatch):
    monkeypatch.setattr(cache, "_CODE", ["0.0.1-older+0123456789abcdef"])   # other code wrote it
    Model.load(own_map)
    old = cache.entry_path(own_map)
    monkeypatch.undo()
    os.environ[cache.ENV] = str(cache_dir)
    assert cache.entry_path(own_map) != old                  # the version is part of the key
    shutil.copy(old, cache.entry_path(own_map))              # and of the header
    assert cache._read_entry(cache.entry_path(own_map)) is None


def _load_in_child(args: tuple[str, str]) -> dict:
    folder, cache_folder = args
    os.environ[cache.ENV] = cache_folder
    return Model.load(folder).run().to_dict()


def test_concurrent_writers_leave_one_whole_entry(cache_dir, own_map):
    with ProcessPoolExecutor(4, mp_context=get_context("fork")) as pool:
        results = list(pool.map(_load_in_child, [(str(own_map), str(cache_dir))] * 8))
    assert all(r == results[0] for r in results)
    entries = [p for p in cache_dir.iterdir()]
    assert [p.name for p in entries] == [cache.entry_path(own_map).name]       # no temporary files left
    assert cache._read_entry(entries[0]) is not None
    assert Model.load(own_map).run().to_dict() == results[0]


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
    assert len(list(cache_dir.iterdir())) == 1
    c = subprocess.run(run, capture_output=True, text=True, env=env, check=True)
    assert json.loads(a.stdout) == json.loads(b.stdout) == json.loads(c.stdout)
