"""argmap: argument maps with conditional credences, propagated exactly.

Load a map of plain-text argument files, apply critiques and viewpoints as overlays, propagate the
credences exactly to the conclusion, analyse which numbers matter, and draw the map.

The public names below are imported on first use (PEP 562), so ``import argmap`` and the
command line's ``--help`` stay fast and import neither numpy nor pydantic.
"""

import importlib as _importlib
import typing as _typing

from ._version import __version__

if _typing.TYPE_CHECKING:
    from .api import DEFAULT as DEFAULT
    from .api import Conditions as Conditions
    from .api import Model as Model
    from .api import Result as Result
    from .api import parse_assignment as parse_assignment
    from .base.errors import ArgmapError as ArgmapError
    from .base.errors import Diagnostic as Diagnostic
    from .base.errors import ImpossibleEvidenceError as ImpossibleEvidenceError
    from .base.errors import QueryError as QueryError
    from .base.errors import ValidationError as ValidationError
    from .base.errors import WidthError as WidthError
    from .inference.engine import Engine as Engine
    from .inference.network import Network as Network
    from .inference.network import Param as Param
    from .inference.network import compile_map as compile_map
    from .maps.loader import load_map as load_map
    from .maps.models import ArgumentMap as ArgumentMap
    from .maps.models import Change as Change
    from .maps.models import Claim as Claim
    from .maps.models import Relation as Relation

_WHERE = {
    "Model": "api", "Result": "api", "Conditions": "api", "DEFAULT": "api", "parse_assignment": "api",
    "load_map": "maps.loader", "compile_map": "inference.network", "Engine": "inference.engine",
    "Network": "inference.network", "Param": "inference.network",
    "ArgumentMap": "maps.models", "Claim": "maps.models", "Relation": "maps.models", "Change": "maps.models",
    "ArgmapError": "base.errors", "ValidationError": "base.errors", "QueryError": "base.errors",
    "ImpossibleEvidenceError": "base.errors", "WidthError": "base.errors", "Diagnostic": "base.errors",
}

__all__ = ["__version__", *_WHERE]


def __getattr__(name: str) -> object:
    if name in _WHERE:
        value = getattr(_importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
