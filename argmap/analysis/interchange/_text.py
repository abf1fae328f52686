"""Shared pieces of the network readers: positioned errors, number parsing and size limits."""

from __future__ import annotations

import math
import re
from pathlib import Path

from ...base.errors import Diagnostic, ValidationError
from ...base.readfile import read_limited

__all__ = ["MAX_NETWORK_BYTES", "MAX_VARIABLES", "MAX_STATES", "MAX_PARENTS", "MAX_CELLS", "MAX_TOTAL_CELLS",
           "SUM_TOLERANCE", "fail", "parse_probability", "fmt", "read_network_bytes", "read_network_raw", "decode"]

MAX_NETWORK_BYTES = 16 * 1024 * 1024
"""Largest BIF/XMLBIF file :func:`argmap.analysis.interchange.read_network` accepts."""
MAX_VARIABLES = 10_000
MAX_STATES = 1_000
MAX_PARENTS = 20
MAX_CELLS = 1 << 20
"""Largest single conditional table (cells) an import accepts."""
MAX_TOTAL_CELLS = 2_000_000
"""Largest total number of table cells an import accepts (the argument files grow with it)."""
SUM_TOLERANCE = 1e-5
"""How far a row of a file may sum from 1 (rounded numbers) before it is an error; rows are renormalised."""

_NUMBER = re.compile(r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


def fail(path: Path, pos: tuple[int, int] | None, message: str, hint: str | None = None) -> ValidationError:
    """A :class:`ValidationError` with one positioned diagnostic (raise it)."""
    line, col = pos if pos else (None, None)
    return ValidationError([Diagnostic(message, path, line, col, hint)])


def parse_probability(text: str, path: Path, pos: tuple[int, int] | None) -> float:
    """A probability written in a network file: a plain decimal number in [0, 1]; never evaluated."""
    if len(text) > 64 or not _NUMBER.match(text):
        raise fail(path, pos, f"expected a probability, got {text[:40]!r}", "probabilities are numbers like 0.25")
    value = float(text)
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise fail(path, pos, f"{text} is not a probability in [0, 1]")
    return value


def fmt(x: float) -> str:
    """Shortest text that reads back as exactly the same float."""
    text = repr(float(x))
    return "0.0" if text == "-0.0" else text


def read_network_bytes(path: Path) -> str:
    """Read a network file as UTF-8 text, refusing files above :data:`MAX_NETWORK_BYTES`."""
    return decode(read_network_raw(path), path)


def read_network_raw(path: Path) -> bytes:
    """The bytes of a network file, refusing files above :data:`MAX_NETWORK_BYTES`."""
    return read_limited(path, MAX_NETWORK_BYTES, "network files")   # regular files only, never past the limit


def decode(raw: bytes, path: Path) -> str:
    """UTF-8 text of ``raw`` (a BOM is dropped); a positioned error for other bytes."""
    if len(raw) > MAX_NETWORK_BYTES:
        raise fail(path, (1, 1), f"input is {len(raw):,} bytes; network files are limited to {MAX_NETWORK_BYTES:,}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise fail(path, (line, col), f"file is not valid UTF-8 (byte 0x{raw[err.start]:02x})",
                   "save the file as UTF-8") from err
    return text[1:] if text.startswith("\ufeff") else text
