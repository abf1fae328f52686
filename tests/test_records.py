"""argmap.base.records builds every argmap dataclass as dataclasses.dataclass would: each class made there is
rebuilt from its namespace as written with the standard library's decorator, and the two compared."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pickle
import pkgutil
from typing import Any

import pytest

import argmap
from argmap.base import records
from argmap.base.records import dataclass


def _all_classes() -> list[tuple[Any, dict]]:
    for info in pkgutil.walk_packages(argmap.__path__, "argmap."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    return [(c, ns) for c, ns in records.made if c.__module__.startswith("argmap.")]


CLASSES = _all_classes()


def _twin(cls: Any, ns: dict) -> Any:
    body = {k: (copy.copy(v) if isinstance(v, dataclasses.Field) else v) for k, v in ns.items()
            if k not in ("__dict__", "__weakref__")}
    return dataclasses.dataclass(frozen=cls.__dataclass_params__.frozen)(type(cls.__name__, cls.__bases__, body))


def _outcome(fn) -> tuple[str, Any]:
    """("ok", the value's repr) or (the exception's type, its message): what is compared."""
    try:
        return ("ok", repr(fn()))
    except Exception as err:   # noqa: BLE001 - the same exception is what is compared
        return (type(err).__name__, str(err))


def test_every_dataclass_of_argmap_is_built_here():
    assert len(CLASSES) > 60
    names = {c.__module__ + "." + c.__qualname__ for c, _ in CLASSES}
    assert {"argmap.maps.models.Claim", "argmap.inference.engine.Plan", "argmap.api.Result"} <= names


@pytest.mark.parametrize("cls,ns", CLASSES, ids=[c.__module__ + "." + c.__qualname__ for c, _ in CLASSES])
def test_same_as_the_standard_library(cls, ns):
    twin = _twin(cls, ns)
    mine, theirs = inspect.signature(cls), inspect.signature(twin)
    assert str(mine) == str(theirs)
    for p, q in zip(mine.parameters.values(), theirs.parameters.values(), strict=True):   # nan defaults: identity
        assert (p.name, p.kind, p.annotation) == (q.name, q.kind, q.annotation) and p.default is q.default
    assert cls.__doc__ == twin.__doc__
    assert cls.__match_args__ == twin.__match_args__
    assert repr(cls.__dataclass_params__) == repr(twin.__dataclass_params__)
    assert [repr(f) for f in dataclasses.fields(cls)] == [repr(f) for f in dataclasses.fields(twin)]
    assert (cls.__hash__ is None) == (twin.__hash__ is None)
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
        fn, twin_fn = getattr(cls, name), getattr(twin, name)       # (looking __init__ up compiles it)
        assert (name in cls.__dict__) == (name in twin.__dict__), name
        if name in cls.__dict__ and fn is not None:
            assert fn.__qualname__ == twin_fn.__qualname__, name
    args = {f.name: f"a-{f.name}" for f in dataclasses.fields(cls)   # strings: enough for a constructor that stores
            if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    made, built = _outcome(lambda: cls(**args)), _outcome(lambda: twin(**args))
    assert made == built
    if made[0] != "ok":
        return
    a, b, a2, b2 = cls(**args), twin(**args), cls(**args), twin(**args)
    assert _outcome(lambda: a == a2) == _outcome(lambda: b == b2)
    assert _outcome(lambda: a != a2) == _outcome(lambda: b != b2)
    assert (a == b) is False                                       # different classes
    assert _outcome(lambda: hash(a)) == _outcome(lambda: hash(b))
    assert _outcome(lambda: dataclasses.asdict(a)) == _outcome(lambda: dataclasses.asdict(b))
    if _outcome(lambda: pickle.dumps(a))[0] == "ok":
        assert repr(pickle.loads(pickle.dumps(a))) == repr(a)
    first = next((f.name for f in dataclasses.fields(cls) if f.init), None)
    if first is not None:
        for change in (lambda o: setattr(o, first, "x"), lambda o: delattr(o, first),
                       lambda o: dataclasses.replace(o, **{first: "changed"}) == o):
            assert _outcome(lambda c=change: c(cls(**args))) == _outcome(lambda c=change: c(twin(**args)))


def test_equality_hash_repr_and_freezing_match_on_a_made_class():
    def body() -> dict:
        return {"__doc__": "A point.", "__annotations__": {"x": "int", "y": "float", "tags": "tuple", "note": "str",
                                                           "cache": "dict"},
                "y": 0.5, "tags": (), "note": dataclasses.field(default="", compare=False, repr=False),
                "cache": dataclasses.field(default_factory=dict, compare=False, repr=False, init=False)}

    P: Any = dataclass(frozen=True)(type("P", (), body()))
    Q: Any = dataclasses.dataclass(frozen=True)(type("P", (), body()))
    nan = float("nan")
    for args in [(1,), (1, 2.0), (1, nan, ("a",), "n")]:
        p, q = P(*args), Q(*args)
        assert repr(p) == repr(q)
        assert hash(p) == hash(q)
        assert (p == P(*args)) == (q == Q(*args))
        assert p.cache == {} and p.cache is not P(*args).cache
        assert vars(p).keys() == vars(q).keys() and repr(vars(p)) == repr(vars(q))   # the same instance state
    assert P(1, note="a") == P(1, note="b") and P(1) != P(2) and P(1) != (1,)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
        P(1).x = 2
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'y'"):
        del P(1).y
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        P()


def test_recursive_repr_post_init_and_mutable_records():
    @dataclass
    class Node:
        """A node."""

        name: str
        children: list = dataclasses.field(default_factory=list)

        def __post_init__(self) -> None:
            self.name = self.name.upper()

    n = Node("a")
    n.children.append(n)
    assert repr(n).endswith("Node(name='A', children=[...])")
    assert Node.__hash__ is None
    n.name = "b"
    assert n.name == "b"


def test_what_is_not_supported_is_refused():
    @dataclass(frozen=True)
    class Base:
        """A base."""

        x: int

    with pytest.raises(TypeError, match="subclasses"):
        dataclass(frozen=True)(type("Child", (Base,), {"__annotations__": {"y": "int"}, "y": 0}))
    with pytest.raises(TypeError, match="non-default argument 'y' follows default argument"):
        dataclass(type("Bad", (), {"__doc__": "Bad.", "__annotations__": {"x": "int", "y": "int"}, "x": 0}))
