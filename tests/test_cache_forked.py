"""The compiled-map cache entry's bulk encoded in a forked child (cache._encoding) while the queries are prepared:
the entry is the same bytes as one encoded in this process, it exists when Model.load returns, the stats are this
process's, a child that fails only costs speed, and a file changed meanwhile still means no entry."""

from __future__ import annotations

import os

import pytest

import argmap.inference.cache as cache
import argmap.inference.cachecodec as cachecodec
from argmap import Model
from argmap.base import forked


@pytest.fixture
def forking(tmp_path, monkeypatch) -> list[forked.Pending]:
    """Every map's bulk encoded in a child (whatever its size and the machine's load); the parts started."""
    if not forked.can_fork():
        pytest.skip("one core or no fork here: the entry is encoded in this process")
    started: list[forked.Pending] = []
    start = forked.start

    def recorded(fn):
        started.append(start(fn))
        return started[-1]
    monkeypatch.setattr(cache, "FORK_ENCODING_CLAIMS", 0)
    monkeypatch.setattr(forked, "core_to_spare", lambda: True)
    monkeypatch.setattr(forked, "idle_core_now", lambda: True)
    monkeypatch.setattr(forked, "start", recorded)
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    return started


def _body(path, overlays=()) -> memoryview:
    found = cache._open(cache.entry_path(path, overlays), cache._request(path, [str(o) for o in overlays]))
    assert found is not None
    return found[2]


def test_the_entry_is_written_before_load_returns_and_is_the_same_bytes(forking, own_map, monkeypatch, tmp_path):
    before = dict(cache.stats)
    first = Model.load(own_map)
    assert len(forking) == 1                                # encoded in a child...
    assert cache.entry_path(own_map).exists()               # ...and written by the time load returns
    assert cache.stats["stored"] == before.get("stored", 0) + 1       # counted here, once
    forked_body = bytes(_body(own_map))
    monkeypatch.setattr(cache, "FORK_ENCODING_CLAIMS", 10 ** 9)       # the same load, encoded in line
    monkeypatch.setenv(cache.ENV, str(tmp_path / "inline"))
    Model.load(own_map)
    assert len(forking) == 1
    assert bytes(_body(own_map)) == forked_body
    hit = Model.load(own_map)
    assert cache.stats["hit"] == before.get("hit", 0) + 1
    assert hit.run().to_dict() == first.run().to_dict() == Model.load(own_map, cache=False).run().to_dict()


def test_a_plan_on_the_network_s_program_is_read_back_as_that_program(forking, own_map):
    Model.load(own_map)
    _, net = cachecodec.decode(_body(own_map))
    plans = net.load_plans()
    assert plans and any(p.program is net.program() for p in plans.values())


def test_a_child_that_fails_only_costs_speed(forking, own_map, monkeypatch):
    """The part is encoded again here (forked.Pending.result), and the entry is the one the files give."""
    encode = cachecodec.encode_compiled

    def only_here(amap, net):
        if forked._IN_CHILD:
            os._exit(3)                                     # the child dies without an answer
        return encode(amap, net)
    monkeypatch.setattr(cachecodec, "encode_compiled", only_here)
    before = dict(cache.stats)
    model = Model.load(own_map)
    assert len(forking) == 1 and cache.stats["stored"] == before.get("stored", 0) + 1
    assert Model.load(own_map).run().to_dict() == model.run().to_dict()


def test_what_cannot_be_encoded_is_not_stored(forking, own_map, monkeypatch):
    def fails(amap, net):
        raise TypeError("cannot store this")
    monkeypatch.setattr(cachecodec, "encode_compiled", fails)
    before = dict(cache.stats)
    Model.load(own_map)
    assert cache.stats.get("stored", 0) == before.get("stored", 0)
    assert not cache.entry_path(own_map).exists()


def test_a_file_changed_while_the_child_encodes_means_no_entry(forking, own_map):
    before = dict(cache.stats)

    def edit(amap, net):                                    # after the fork, before the entry is written
        part = own_map / "claims.yaml"
        part.write_text(part.read_text() + "\n# edited\n")
    amap, net = cache.load_compiled(own_map, prepare=edit)
    assert len(forking) == 1 and net is not None
    assert cache.stats["changed"] == before.get("changed", 0) + 1
    assert not cache.entry_path(own_map).exists()


def test_a_failing_prepare_leaves_no_child_behind(forking, own_map):
    def fails(amap, net):
        raise RuntimeError("a bug in a command's queries")
    with pytest.raises(RuntimeError):
        cache.load_compiled(own_map, prepare=fails)
    assert len(forking) == 1 and forking[0]._pid is None   # stopped and waited for
    assert not cache.entry_path(own_map).exists()
