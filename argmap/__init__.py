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
    from .engine import Engine as Engine
    from .errors import ArgmapError as ArgmapError
    from .errors import Diagnostic as Diagnostic
    from .errors import ImpossibleEvidenceError as ImpossibleEvidenceError
    from .errors import QueryError as QueryError
    from .errors import ValidationError as ValidationError
    from .errors import WidthError as WidthError
    from .loader import load_map as load_map
    from .models import ArgumentMap as ArgumentMap
    from .models import Change as Change
    from .models import Claim as Claim
    from .models import Relation as Relation
    from .network import Network as Network
    from .network import Param as Param
    from .network import compile_map as compile_map

_WHERE = {
    "Model": "api", "Result": "api", "Conditions": "api", "DEFAULT": "api", "parse_assignment": "api",
    "load_map": "loader", "compile_map": "network", "Engine": "engine", "Network": "network", "Param": "network",
    "ArgumentMap": "models", "Claim": "models", "Relation": "models", "Change": "models",
    "ArgmapError": "errors", "ValidationError": "errors", "QueryError": "errors",
    "ImpossibleEvidenceError": "errors", "WidthError": "errors", "Diagnostic": "errors",
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
