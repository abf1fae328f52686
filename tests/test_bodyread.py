"""Reading a cache body without numpy (argmap.inference.bodyread.figures) gives the map, the claims' states and
the kept figures that the codec's numpy decoder gives: the same values of the same types, floats bit for bit, so
a report made from them (argmap.commands.runkept.from_entry) is the full run's, byte for byte. Anything it cannot
answer from what the entry keeps raises (the run then loads the map); a malformed body raises too."""

from __future__ import annotations

import json
import struct
from fractions import Fraction
from pathlib import Path

import pytest

import argmap.inference.cachecodec as cachecodec
from argmap import Model
from argmap.inference import bodyread
from argmap.inference.keptanswers import KeptEngine, NotKept
from argmap.maps.bundled import bundled_overlay_path

ROOT = Path(__file__).resolve().parents[1]
CASES = [(None, ("pope-2023", "carlsmith-reply-2023")), (None, ()), (ROOT / "tests" / "data" / "maps" / "routes", ()),
         (ROOT / "tests" / "data" / "maps" / "tiny", ())]


def _body(path, overlays) -> tuple[Model, bytes]:
    model = Model.load(path, [bundled_overlay_path(o) for o in overlays], cache=False)
    model.run()                                   # the usual query's figures, kept on the network
    return model, cachecodec.encode(model.map, model.network)


def _same(a, b, where="") -> None:
    """``a`` and ``b`` are the same value: the same types all the way down, floats with the same bits, dicts
    in the same order."""
    assert type(a) is type(b), (where, type(a), type(b))
    if type(a) is float:
        assert struct.pack("<d", a) == struct.pack("<d", b), (where, a, b)
    elif type(a) in (tuple, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif type(a) is dict:
        assert list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k!r}]")
    elif type(a) in bodyread.MAP_CLASSES:
        _same(vars(a), vars(b), f"{where}.{type(a).__name__}")
    elif type(a) is Fraction:
        assert (a.numerator, a.denominator) == (b.numerator, b.denominator), where
    else:
        assert a == b, where


@pytest.mark.parametrize("path, overlays", CASES)
def test_the_figures_read_without_numpy_are_the_decoders(path, overlays):
    model, body = _body(path, overlays)
    amap, net = cachecodec.decode(body)
    lite_map, lite = bodyread.figures(body)
    _same(lite_map, amap)
    _same(lite.variables, net.variables)
    _same(lite.states, net.states)
    assert list(lite.results) == list(net.results) and lite.results
    for key, row in net.results.items():
        assert lite.results[key].typecode == "d" and lite.results[key].tobytes() == row.tobytes()
    full, kept = Model(amap, net).run(), Model.from_kept(lite_map, lite).run()
    _same(kept.to_dict(), full.to_dict())
    _same(kept.to_dict(), model.run().to_dict())
    if overlays:
        assert full.verdicts, "the case should have verdicts, answered from the kept figures"


def test_the_map_reads_numbers_from_the_arrays_bytes():
    """The bundled map's tables store numbers as raw arrays (columns "a" and "T"): read here with memoryview,
    the same Python numbers as numpy's tolist()."""
    _, body = _body(None, ("pope-2023",))
    head, _ = bodyread.unpack(body)
    data = json.loads(head.partition(b"\n")[0])
    kinds = {c[0] for name, _, cols in data["tables"] if name != "Program" for c in cols}
    assert {"a", "T"} & kinds


def test_only_the_kept_queries_are_answered():
    _, body = _body(None, ())
    amap, lite = bodyread.figures(body)
    engine = KeptEngine(lite)
    model = Model.from_kept(amap, lite)
    model.run()                                                     # the usual query: kept
    with pytest.raises(NotKept):
        model.run(scenario=None)
    with pytest.raises(NotKept):
        model.run(given={amap.target: "true"})
    with pytest.raises(NotKept):
        engine.marginals(theta=[0.5])
    with pytest.raises(NotKept):
        engine.marginals(claims=lite.variables[:1])
    assert engine.evaluations == 0


@pytest.mark.parametrize("how", ["a result of the wrong size", "a result of integers", "a map table refers to a "
                                 "program", "a class not listed", "another magic", "no network"])
def test_a_malformed_body_raises(how):
    _, body = _body(ROOT / "tests" / "data" / "maps" / "tiny", ())
    head, arrays = bodyread.unpack(body)
    first, _, later = head.partition(b"\n")
    data = json.loads(first)
    if how == "a result of the wrong size":
        data["results"][0][1]["shape"][0] -= 1
    elif how == "a result of integers":
        data["results"][0][1]["dtype"] = "<i8"
    elif how == "a map table refers to a program":
        program = next(i for i, (name, _, _) in enumerate(data["tables"]) if name == "Program")
        data["map"] = {"@": "ref", "c": program, "i": 0}
    elif how == "a class not listed":
        data["tables"][0][0] = "os.system"
    elif how == "no network":
        del data["network"]
    bad = cachecodec._pack(json.dumps(data, separators=(",", ":")).encode() + b"\n" + later, [bytes(arrays)])
    if how == "another magic":
        bad = b"ARGMAP00" + bad[8:]
    with pytest.raises((TypeError, ValueError, KeyError, IndexError)):
        bodyread.figures(bad)


def test_a_class_whose_constructor_does_more_cannot_be_read():
    """Rows are built by setting their fields, without the constructor: a map class given a __post_init__ (or
    slots, or a field it does not take) would be built wrong, so reading it is refused when the module loads."""
    from dataclasses import dataclass, field

    @dataclass(frozen=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True)
    class Derived:
        a: int
        b: int = field(init=False, default=0)

    for cls in (Checked, Derived):
        with pytest.raises(TypeError, match="cannot be stored"):
            bodyread.init_fields({cls.__name__: cls})
    assert bodyread.init_fields({c.__name__: c for c in bodyread.MAP_CLASSES})
