"""The cache body's columnar encoding: every kind of column round-trips exactly, and a body well-formed as a
container but whose tables are malformed is refused by the decoder itself (the cache then reads
the files), never turned into something else."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import argmap.inference.cachecodec as cachecodec
from argmap import Model
from argmap.inference import bodyread
from argmap.maps.bundled import bundled_overlay_path

ROOT = Path(__file__).resolve().parents[1]


def _body(path=None, overlays=()) -> tuple[Model, bytes]:
    model = Model.load(path, overlays, cache=False)
    model.run()                                   # plans on the network, stored with it
    return model, cachecodec.encode(model.map, model.network)


def test_every_column_kind_round_trips_exactly():
    """The bundled map with two overlays (changes, observations, scenarios, stated values, tables,
    fractions, paths) and the routes map decode to equal maps, networks and plans."""
    kinds: set[str] = set()
    for path, overlays in [(None, [bundled_overlay_path("pope-2023"), bundled_overlay_path("carlsmith-reply-2023")]),
                           (ROOT / "tests" / "data" / "maps" / "routes", [])]:
        model, body = _body(path, overlays)
        first, later = bodyread.unpack(body)[0].split(b"\n")
        columns = [c for _, _, cols in json.loads(first)["tables"] for c in cols]
        columns += [p[c] for _, p in json.loads(later)["plans"] for c in ("subscripts", "backward")]
        kinds |= {c[0] for c in columns} | {c[1][0] for c in columns if c[0] == "u"}
        amap, net = cachecodec.decode(body)
        assert amap == model.map
        assert (net.variables, net.states, net.parents, net.params) == \
            (model.network.variables, model.network.states, model.network.parents, model.network.params)
        assert net.theta0.tobytes() == model.network.theta0.tobytes()
        assert not net.plans and net.load_plans().keys() == model.network.plans.keys()   # read on first need
        for key, plan in net.plans.items():
            mine = model.network.plans[key]
            assert (plan.factors, plan.steps, plan.fixed, plan.family, plan.component) == \
                (mine.factors, mine.steps, mine.fixed, mine.family, mine.component)
        assert net.results.keys() == model.network.results.keys() and net.results
        assert all(np.array_equal(net.results[k], r) for k, r in model.network.results.items())
        assert Model(amap, net).run().to_dict() == model.run().to_dict()
    assert kinds == {"p", "a", "r", "R", "t", "n", "f", "P", "u", "g", "T"}     # every kind was exercised


def _column_round_trip(col: list) -> tuple[list, list]:
    enc = cachecodec._Encoder(())
    stored = enc.column(col)
    dec = cachecodec._Decoder(memoryview(bytearray(b"".join(enc.sections))), [])
    return stored, dec.column(json.loads(json.dumps(stored)))


@pytest.mark.parametrize("col, kind", [
    ([(0.1 * i, 0.5 + i) for i in range(20)], "T"),                            # every value a pair
    ([None if i % 3 else (0.25, 1.0 / (i + 1)) for i in range(20)], "T"),      # pairs and None
    ([(float(i),) for i in range(20)] + [None], "T"),                           # one float each
    ([(0.5, 1.0)] * 10 + [(0.5, 1.0, 2.0)] * 10, "u"),                          # lengths differ: tuples of plain values
    ([(0.5, 1.0)] * 10 + [()] * 10, "u"),
    ([(0.5, 1.0)] * 19 + [(0.5, 2)], "u"),                                      # an int among the floats
])
def test_columns_of_float_tuples_round_trip_exactly(col, kind):
    stored, back = _column_round_trip(col)
    assert stored[0] == kind
    assert back == col and [type(v) for v in back] == [type(v) for v in col]
    assert [type(x) for v in back if v for x in v] == [type(x) for v in col if v for x in v]


@pytest.mark.parametrize("col", [
    [(1,)] * 10 + [(1.0,)] * 10 + [(True,)] * 10,                             # equal, of three types
    [(0.0, 1.0)] * 10 + [(-0.0, 1.0)] * 10 + [None] * 10,
    [((1, "a"),)] * 10 + [((1.0, "a"),)] * 10,                               # nested
    [((0.0,), "x")] * 10 + [((-0.0,), "x")] * 10,
    [(1, 2)] * 15 + [(True, 2)] + [(1.0, 2)] * 4,                             # the same objects repeated
])
def test_equal_values_of_other_types_stay_apart(col):
    """A column's repeated values are stored once, found by equality: 1, 1.0 and True (and 0.0 and -0.0)
    are equal in Python yet print differently, so such values must not stand for each other."""
    col = [None if v is None else tuple(v) for v in col]         # distinct objects, some equal
    for values in (col, [v for v in col for _ in (0,)]):
        _, back = _column_round_trip(values)
        assert [repr(v) for v in back] == [repr(v) for v in values]
    shared = [col[0]] * 10 + [col[-1]] * 10                       # two objects, each repeated
    _, back = _column_round_trip(shared)
    assert [repr(v) for v in back] == [repr(v) for v in shared]


@pytest.mark.parametrize("how", ["positions out of order", "position past the end", "too few rows", "flat array",
                                 "length not a number"])
def test_a_malformed_column_of_float_tuples_is_refused(how):
    col = [None if i % 3 else (0.25, float(i)) for i in range(20)]
    enc = cachecodec._Encoder(())
    stored = enc.column(col)
    raw = bytearray(b"".join(enc.sections))
    if how == "positions out of order":
        _poke(raw, stored[3], 5)                    # the first position after the second
    elif how == "position past the end":
        stored[1] = 3
    elif how == "too few rows":
        stored[2]["shape"][0] -= 1
    elif how == "flat array":
        stored[2]["shape"] = [stored[2]["shape"][0] * 2]
    else:
        stored[1] = "20"
    with pytest.raises(TypeError):
        cachecodec._Decoder(memoryview(raw), []).column(stored)


def _refused(body: bytes, change) -> None:
    head, arrays = bodyread.unpack(body)
    first, _, later = head.partition(b"\n")
    data = json.loads(first)
    change(data)
    bad = cachecodec._pack(json.dumps(data, separators=(",", ":")).encode() + b"\n" + later, [bytes(arrays)])
    with pytest.raises((TypeError, ValueError, KeyError, IndexError)):
        cachecodec.decode(bad)


@pytest.mark.parametrize("how", ["not json", "claim past the end", "a step reads a later table", "lengths disagree",
                                 "subscripts not text", "program not a program", "not a plan"])
def test_plans_that_do_not_decode_are_made_again(tiny_map, how):
    """The plans are decoded on first need; if they do not decode (a body that passed every check yet is
    malformed), none is used and each is planned again from the network: the figures are the same."""
    model, body = _body(tiny_map)
    head, arrays = bodyread.unpack(body)
    first, _, later = head.partition(b"\n")
    raw = bytearray(arrays)
    data = json.loads(later)
    plan = next(p for k, p in data["plans"] if k[0] == "*marginals*")
    if how == "not json":
        text = b"{"
    else:
        if how == "claim past the end":       # a claim's position in the network's order, rewritten
            _poke(raw, plan["var"], 10 ** 6)
        elif how == "a step reads a later table":
            _poke(raw, plan["inputs"][0], len(model.network.variables) + 5)
        elif how == "lengths disagree":       # the rows' lengths must add up to the flat array's
            _poke(raw, plan["scope"][1], 100)
        elif how == "subscripts not text":
            mine = next(p for k, p in model.network.plans.items() if k[0] == "*marginals*")
            assert mine.steps
            plan["subscripts"] = ["p", [1] * len(mine.steps)]
        elif how == "program not a program":
            plan["program"] = {"@": "ref", "c": 0, "i": 0}
        else:
            data["plans"][0][1] = {"@": "ref", "c": 0, "i": 0}
        text = json.dumps(data, separators=(",", ":")).encode()
    amap, net = cachecodec.decode(cachecodec._pack(first + b"\n" + text, [bytes(raw)]))
    assert net.stored_plans and not net.load_plans()
    key = next(iter(model.network.plans))
    net.results.clear()
    assert Model(amap, net).run().to_dict() == model.run().to_dict()
    assert key in net.plans                   # planned again


def _poke(raw: bytearray, ref: dict, value: int) -> None:
    """Write ``value`` over the first number of the stored array ``ref``, in its own type."""
    data = np.array([value], ref["dtype"]).tobytes()
    raw[ref["at"]:ref["at"] + len(data)] = data


def _table(data: dict, name: str) -> list:
    return next(t for t in data["tables"] if t[0] == name)


def _column(data: dict, name: str, kind: str) -> list:
    return next(c for c in _table(data, name)[2] if c[0] == kind)


@pytest.mark.parametrize("how", ["later table", "negative table", "row count", "plain holds a mapping",
                                 "unknown kind", "unknown tag", "array type", "rows past the end",
                                 "result too short", "result of no claim", "numbers not a column"])
def test_a_malformed_body_is_refused(tiny_map, how):
    _, body = _body(None if how == "numbers not a column" else tiny_map)     # (the bundled map has long columns)

    def change(data: dict) -> None:
        if how == "later table":              # a column may refer only to tables built before it
            _column(data, "Claim", "r")[1] = len(data["tables"]) - 1
        elif how == "negative table":
            _column(data, "Claim", "r")[1] = -1
        elif how == "row count":
            _table(data, "Claim")[1] += 1
        elif how == "plain holds a mapping":
            _column(data, "Claim", "p")[1][0] = {"@": "ref", "c": 0, "i": 0}
        elif how == "unknown kind":
            _column(data, "Claim", "p")[0] = "pickle"
        elif how == "unknown tag":
            data["map"] = {"@": "os.system", "v": "true"}
        elif how == "array type":
            _column(data, "Claim", "r")[2]["dtype"] = "|O"
        elif how == "rows past the end":      # a row number beyond its table, in the raw bytes
            col = _column(data, "Claim", "r")
            col[2]["shape"] = [col[2]["shape"][0] + 10 ** 6]
        elif how == "result too short":       # a kept result must hold one number per state of its claims
            data["results"][0][1]["shape"] = [data["results"][0][1]["shape"][0] - 1]
        elif how == "result of no claim":
            data["results"][0][0] = ["no-such-claim", [], []]
        elif how == "numbers not a column":   # a column of numbers must be a flat array
            col = next(c for _, _, cols in data["tables"] for c in cols if c[0] == "a")
            col[1]["shape"] = [1, col[1]["shape"][0]]
    _refused(body, change)


def test_row_numbers_are_checked_against_their_table(tiny_map):
    """A stored row number past its table (the bytes rewritten) is refused."""
    _, body = _body(tiny_map)
    head, arrays = bodyread.unpack(body)
    data = json.loads(head.partition(b"\n")[0])
    ref = _column(data, "Claim", "r")[2]
    raw = bytearray(arrays)
    _poke(raw, ref, 10 ** 6)
    with pytest.raises(TypeError):
        cachecodec.decode(cachecodec._pack(head, [bytes(raw)]))


@pytest.mark.parametrize("col", [[None] * 20, ["claim"] * 20, ["a"] * 19 + [None], [None] * 19 + ["a"],
                                 ["x"] * 10 + ["y"] * 10, ["a", *[None] * 18, "a"]])
def test_a_column_of_one_text_is_stored_as_any_column_of_repeated_texts(col):
    """The encoder's shortcut for a column holding one value (all None, one kind) stores what the general
    path (``_distinct``) stores, byte for byte."""
    short, general = cachecodec._Encoder(()), cachecodec._Encoder(())
    assert short.column(list(col)) == cachecodec._distinct(general.ints, "p", list(col), cachecodec._same)
    assert short.sections == general.sections


def test_the_types_found_while_walking_are_those_of_the_columns(monkeypatch, tmp_path):
    """The encoder looks at each column's types once, while finding the objects, and hands them to
    ``column``: the body is the same as when ``column`` looks at them again (a class met in several batches,
    as a large map's quantities are, has the union of its batches' types)."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from networks import write_synthetic_map
    finally:
        sys.path.remove(str(ROOT / "bench"))
    bodies = [_body(None, [bundled_overlay_path("pope-2023")])[1], _body(write_synthetic_map(tmp_path / "m", 300))[1]]
    column = cachecodec._Encoder.column
    monkeypatch.setattr(cachecodec._Encoder, "column", lambda self, col, types=None: column(self, col))
    assert bodies == [_body(None, [bundled_overlay_path("pope-2023")])[1], _body(tmp_path / "m")[1]]
