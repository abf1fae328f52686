"""``dataclass`` as the standard library makes it, without compiling five of its six methods per class.

Creating a frozen dataclass compiles six generated methods (``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__``, ``__delattr__``): about half a millisecond a class, and a warm ``argmap run``
creates some thirty (a fifth of argmap's own start-up). Here :func:`dataclasses.dataclass` still collects the
fields and sets what it sets (``__dataclass_fields__``, ``__dataclass_params__``, ``__match_args__``, the
docstring); ``__init__`` is the text the standard library compiles (except that a frozen class's fields go
straight into the instance's ``__dict__``, where ``object.__setattr__`` puts them, without its descriptor
look-up per field: a third of the time of making a claim), compiled when first looked up (making an
instance, ``inspect.signature``, ``cls.__init__``; a map read from the cache is rebuilt without calling a
constructor, so a warm run compiles none); the other five are shared functions over the field names that
behave as the generated ones: the same equality (a tuple of the compared fields), hash values, repr
(recursion shown as ``...``) and ``FrozenInstanceError`` messages. tests/test_records.py rebuilds every
class made here with :func:`dataclasses.dataclass` and compares the two.

Only what argmap uses is supported: ``frozen`` or not, defaults, default factories,
``field(init=..., repr=..., compare=...)`` and ``__post_init__``; no ordering, slots, keyword-only fields,
``InitVar``/``ClassVar`` or dataclass bases (each raises ``TypeError`` when the class is made).
"""

from __future__ import annotations

import dataclasses
import reprlib
import sys
from dataclasses import MISSING, FrozenInstanceError
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

__all__ = ["dataclass", "made"]

T = TypeVar("T", bound=type)

made: list[tuple[type, dict[str, Any]]] = []
"""Every class built here with its namespace as written (tests rebuild each with the standard library)."""


@overload
def dataclass(cls: T, /) -> T: ...
@overload
def dataclass(*, frozen: bool = False) -> Any: ...
@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def dataclass(cls=None, /, *, frozen=False):
    """``@dataclass`` or ``@dataclass(frozen=True)``, as :func:`dataclasses.dataclass` (see the module)."""
    def wrap(c: type) -> type:
        return _build(c, frozen)

    return wrap if cls is None else wrap(cls)


def _build(cls: type, frozen: bool) -> type:
    if any(dataclasses.is_dataclass(b) for b in cls.__mro__[1:]):
        raise TypeError(f"{cls.__name__}: argmap.base.records does not build dataclass subclasses")
    made.append((cls, dict(cls.__dict__)))
    undocumented = not cls.__doc__
    if undocumented:
        cls.__doc__ = "-"           # keeps dataclasses from computing a docstring from the wrong signature
    class_hash = cls.__dict__.get("__hash__", MISSING)
    explicit_hash = not (class_hash is MISSING or (class_hash is None and "__eq__" in cls.__dict__))
    own = set(cls.__dict__)
    dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    params = cls.__dataclass_params__           # type: ignore[attr-defined]
    params.init, params.repr, params.eq, params.frozen = True, True, True, frozen
    fields = dataclasses.fields(cls)
    if len(fields) != len(cls.__dataclass_fields__):    # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__}: argmap.base.records has no InitVar or ClassVar fields")
    names = tuple(f.name for f in fields)
    seen_default = False
    for f in fields:
        if f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: argmap.base.records has no keyword-only fields")
        if f.init and not (f.default is MISSING and f.default_factory is MISSING):
            seen_default = True
        elif f.init and seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
    if "__init__" not in own:
        cls.__init__ = _LazyInit(cls, fields, frozen)     # type: ignore[misc]
    if "__repr__" not in own:
        _set(cls, "__repr__", _repr(tuple(f.name for f in fields if f.repr)))
    compared = tuple(f.name for f in fields if f.compare)
    key = attrgetter(*compared) if len(compared) > 1 else (
        (lambda o, g=attrgetter(compared[0]): (g(o),)) if compared else (lambda o: ()))
    if "__eq__" not in own:
        _set(cls, "__eq__", _eq(key))
    if frozen:
        if "__setattr__" in own or "__delattr__" in own:
            raise TypeError(f"Cannot overwrite attribute __setattr__ or __delattr__ in class {cls.__name__}")
        _set(cls, "__setattr__", _setattr(cls, names))
        _set(cls, "__delattr__", _delattr(cls, names))
        if explicit_hash:
            raise TypeError(f"Cannot overwrite attribute __hash__ in class {cls.__name__}")
        _set(cls, "__hash__", _hash(key))
    elif not explicit_hash:
        cls.__hash__ = None                     # type: ignore[assignment]
    if undocumented:
        import inspect

        try:
            cls.__doc__ = cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
        except (TypeError, ValueError):
            cls.__doc__ = cls.__name__
    return cls


def _set(cls: type, name: str, fn: Any) -> None:
    fn.__qualname__ = f"{cls.__qualname__}.{fn.__name__}"
    setattr(cls, name, fn)


def _init(cls: type, fields: tuple[dataclasses.Field, ...], frozen: bool):
    """``__init__`` compiled from the text :func:`dataclasses.dataclass` writes, with the same names (a
    frozen class's fields stored in the instance's ``__dict__`` directly: see the module)."""
    self_name = "__dataclass_self__" if "self" in {f.name for f in fields} else "self"
    env: dict[str, Any] = {f"_type_{f.name}": f.type for f in fields}
    env.update({"MISSING": MISSING, "_HAS_DEFAULT_FACTORY": _FACTORY, "__dataclass_builtins_object__": object,
                "_return_type": None})
    params, body = [], []
    for f in fields:
        if f.default_factory is not MISSING:
            env[f"_dflt_{f.name}"] = f.default_factory
            value = f"_dflt_{f.name}() if {f.name} is _HAS_DEFAULT_FACTORY else {f.name}" if f.init else \
                f"_dflt_{f.name}()"
        elif f.init:
            value = f.name
            if f.default is not MISSING:
                env[f"_dflt_{f.name}"] = f.default
        else:
            value = ""                                      # read from the class attribute
        if f.init:
            default = ("" if f.default is MISSING and f.default_factory is MISSING else
                       f"=_dflt_{f.name}" if f.default is not MISSING else "=_HAS_DEFAULT_FACTORY")
            params.append(f"{f.name}:_type_{f.name}{default}")
        if value:
            body.append(f"  __dataclass_dict__[{f.name!r}]={value}" if frozen else f"  {self_name}.{f.name}={value}")
    if frozen and body:
        body.insert(0, f"  __dataclass_dict__={self_name}.__dict__")
    if hasattr(cls, "__post_init__"):
        body.append(f"  {self_name}.__post_init__()")
    text = (f"def __create_fn__({', '.join(env)}):\n"
            f" def __init__({','.join([self_name, *params])})->_return_type:\n"
            + ("\n".join(body) or "  pass") + "\n return __init__")
    module = sys.modules.get(cls.__module__)
    ns: dict[str, Any] = {}
    code = compile(text, "<string>", "exec", dont_inherit=True)     # not this module's __future__ flags
    exec(code, module.__dict__ if module is not None else {}, ns)
    return ns["__create_fn__"](**env)


class _LazyInit:
    """The class's ``__init__`` until first looked up (by making an instance, ``inspect.signature``, or
    ``cls.__init__``): then compiled (:func:`_init`) and put in its place. A cached map is read without
    calling any constructor, so a warm run compiles none."""

    def __init__(self, cls: type, fields: tuple[dataclasses.Field, ...], frozen: bool) -> None:
        self.cls, self.fields, self.frozen = cls, fields, frozen

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        fn = _init(self.cls, self.fields, self.frozen)
        _set(self.cls, "__init__", fn)
        return fn if obj is None else fn.__get__(obj, owner)


_FACTORY = dataclasses._HAS_DEFAULT_FACTORY  # type: ignore[attr-defined]


def _repr(names: tuple[str, ...]):
    @reprlib.recursive_repr("...")
    def __repr__(self) -> str:
        return self.__class__.__qualname__ + "(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in names) + ")"

    return __repr__


def _eq(key):
    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hash(key):
    def __hash__(self):
        return hash(key(self))

    return __hash__


def _setattr(cls: type, names: tuple[str, ...]):
    def __setattr__(self, name, value):
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)     # type: ignore[arg-type]

    return __setattr__


def _delattr(cls: type, names: tuple[str, ...]):
    def __delattr__(self, name):
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)     # type: ignore[arg-type]

    return __delattr__
