"""Probabilities and conditions in words: one rule for each, used by every report, diagram and bundle."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

__all__ = ["fmt_p", "conditions_text", "terminal_columns"]


def terminal_columns(fallback: int) -> int:
    """The terminal's width as ``shutil.get_terminal_size((fallback, 24)).columns`` reads it (``COLUMNS``, else
    the terminal on standard output, else ``fallback``), without importing shutil: with its zlib, bz2 and lzma
    that is a percent of a warm ``argmap run``, which asks only the width."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns   # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or fallback


def fmt_p(p: float, digits: int = 3) -> str:
    """A probability for people: ``digits`` decimals (3 in reports, 2 on diagram labels), more when
    rounding would show a value strictly between 0 and 1 as 0 or 1, scientific notation below 0.001.

    >>> fmt_p(0.2857), fmt_p(0.2857, 2), fmt_p(0.004, 2), fmt_p(0.9996), fmt_p(0.0004), fmt_p(1.0, 2)
    ('0.286', '0.29', '0.004', '0.9996', '4.0e-04', '1.00')
    """
    if digits == 3 and 0.001 <= p <= 0.999:      # rounds to neither 0 nor 1: the loop below would not run
        return f"{p:.3f}"
    if 0 < p < 0.001:
        return f"{p:.1e}"
    while 0 < p < 1 and digits < 16 and round(p, digits) in (0.0, 1.0):   # 16: enough for any double below 1
        digits += 1
    return f"{p:.{digits}f}"


def conditions_text(given: Mapping[str, object], set: Mapping[str, object], *, quote: str = "") -> str:
    """``a=x, do(b=y)``: the observed states, then the intervened ones; each item wrapped in ``quote``
    (a backtick for Markdown). Empty when there are no conditions.

    >>> conditions_text({"a": "true"}, {"b": "low"}), conditions_text({}, {"b": "low"}, quote="`")
    ('a=true, do(b=low)', '`do(b=low)`')
    """
    items = [f"{c}={s}" for c, s in given.items()] + [f"do({c}={s})" for c, s in set.items()]
    return ", ".join(f"{quote}{i}{quote}" for i in items)
