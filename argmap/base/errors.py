"""Domain exceptions and diagnostics.

Every problem a user can cause is an :class:`ArgmapError`. Problems found in argument files are
:class:`Diagnostic` records (file, line, column, message, hint) gathered into one
:class:`ValidationError`, so a single ``argmap check`` run reports all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .records import dataclass
from .textsafe import brief, visible

__all__ = [
    "ArgmapError",
    "Diagnostic",
    "ValidationError",
    "QueryError",
    "ConditionWarning",
    "ImpossibleEvidenceError",
    "WidthError",
    "did_you_mean",
    "closest",
]


@dataclass(frozen=True)
class Diagnostic:
    """One problem in an argument file, with the position it points at."""

    message: str
    path: Path | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    severity: str = "error"

    def __post_init__(self) -> None:    # quote at most a bounded slice of what a file holds
        object.__setattr__(self, "message", brief(self.message))
        if self.hint is not None:
            object.__setattr__(self, "hint", brief(self.hint))

    def format(self) -> str:
        """Render as ``path:line:col: error: message`` plus an indented hint line."""
        where = str(self.path) if self.path is not None else "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return visible(text)     # a file name or a quoted value may hold control characters

    def sort_key(self) -> tuple:
        return (str(self.path or ""), self.line or 0, self.column or 0, self.message)


class ArgmapError(Exception):
    """Base class of every error argmap raises for bad input or an impossible request."""

    def format(self) -> str:
        return visible(brief(f"error: {self}"))


class ValidationError(ArgmapError):
    """One or more problems in argument files; ``diagnostics`` holds them all."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        first = self.diagnostics[0].format() if self.diagnostics else "invalid input"
        super().__init__(first)

    def format(self) -> str:
        n = sum(d.severity == "error" for d in self.diagnostics)
        lines = [d.format() for d in self.diagnostics]
        lines.append(f"{n} error{'s' if n != 1 else ''} found")
        return "\n".join(lines)


class ConditionWarning(UserWarning):
    """Two conditions on one claim were given and one replaced the other (the rule is in
    :meth:`argmap.api.Model.conditions`); the command line prints it as ``warning: ...``."""


class QueryError(ArgmapError):
    """A query names a claim or state that does not exist, or asks something ill-posed."""


class ImpossibleEvidenceError(QueryError):
    """The conditions of a query have probability zero, so conditioning on them is undefined."""


class WidthError(ArgmapError):
    """The map is too densely connected for exact elimination within the memory budget."""

    def __init__(self, message: str, *, width: int, claims: tuple[str, ...]):
        self.width = width
        self.claims = claims
        super().__init__(message)


def did_you_mean(name: str, options: Iterable[str]) -> str | None:
    """Return a ``did you mean 'x'?`` hint for the closest option, or None.

    >>> did_you_mean("situational_awarenes", ["situational_awareness", "scheming"])
    "did you mean 'situational_awareness'?"
    """
    match = closest(name, options)
    return f"did you mean '{match}'?" if match else None


def closest(name: str, options: Iterable[str]) -> str | None:
    """The option ``name`` most likely misspells: a close match of the whole id, else of its start or of
    one of its ``_``-separated words (so ``countng`` finds ``counting_argument``).

    >>> closest("countng", ["counting_argument", "speed_argument"]), closest("schmer", ["goal_guarding_schemer"])
    ('counting_argument', 'goal_guarding_schemer')
    """
    import difflib  # only a misspelling needs it: not imported at start-up

    opts = [str(o) for o in options]
    match = difflib.get_close_matches(name, opts, n=1, cutoff=0.6)
    if match:
        return match[0]
    pieces: dict[str, str] = {}
    for o in opts:
        for piece in (o[: len(name) + 1], *o.split("_")):
            pieces.setdefault(piece, o)
    match = difflib.get_close_matches(name, list(pieces), n=1, cutoff=0.75) if len(name) >= 3 else []
    return pieces[match[0]] if match else None
