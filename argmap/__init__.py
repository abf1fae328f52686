"""argmap: argument maps with conditional credences, propagated exactly.

Load a map of plain-text argument files, apply critiques and viewpoints as overlays, propagate the
credences exactly to the conclusion, analyse which numbers matter, and draw the map.
"""

__version__ = "0.1.0"

from .api import DEFAULT, Conditions, Model, Result, parse_assignment
from .engine import Engine
from .errors import ArgmapError, Diagnostic, ImpossibleEvidenceError, QueryError, ValidationError, WidthError
from .loader import load_map
from .models import ArgumentMap, Change, Claim, Relation
from .network import Network, Param, compile_map

__all__ = [
    "__version__",
    "Model", "Result", "Conditions", "DEFAULT", "parse_assignment",
    "load_map", "compile_map", "Engine", "Network", "Param",
    "ArgumentMap", "Claim", "Relation", "Change",
    "ArgmapError", "ValidationError", "QueryError", "ImpossibleEvidenceError", "WidthError", "Diagnostic",
]
