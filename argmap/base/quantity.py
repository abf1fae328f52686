"""Numbers in argument files: a point value with an optional distribution.

A number may be written as ``0.3``, an exact fraction ``"1/3"``, or a mapping
``{value: 0.3, range: [0.1, 0.5]}`` / ``{value: 0.3, beta: [3, 7]}`` / ``{beta: [3, 7]}``.
Parsing is by regular expression and :class:`fractions.Fraction`; text is never evaluated.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, Literal

from .records import dataclass

__all__ = ["Quantity", "OutsideRange", "parse_quantity", "check_number_text", "MAX_NUMBER_CHARS", "MAX_EXPONENT"]

MAX_NUMBER_CHARS = 64
"""Longest number accepted as text (digits, sign, point, exponent): checked before any conversion."""
MAX_EXPONENT = 400
"""Largest |exponent| of a number written with ``e``: beyond it a float is 0 or infinite anyway, and an
exact fraction of ``1e-99999999`` would take minutes and gigabytes to build."""
_EXPONENT = re.compile(r"[eE]\s*([-+]?[0-9]+)")

Domain = Literal["probability", "ratio", "weight", "scale"]

FRACTION_PATTERN = r"^\s*([0-9]+(?:\.[0-9]+)?)\s*/\s*([0-9]+(?:\.[0-9]+)?)\s*$"
DECIMAL_PATTERN = r"^\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$"
"""The number texts a file may hold (the JSON Schema of argument files uses the same patterns)."""
_FRACTION = re.compile(FRACTION_PATTERN)
_DECIMAL = re.compile(DECIMAL_PATTERN)
_KEYS = {"value", "range", "beta"}


@dataclass(frozen=True)
class Quantity:
    """A number from a file: its point ``value`` plus, optionally, a 90% ``range`` or a ``beta``.

    ``exact`` keeps the written value as a fraction so symbolic output can be exact.
    """

    value: float
    exact: Fraction | None = None
    range: tuple[float, float] | None = None
    beta: tuple[float, float] | None = None

    @property
    def uncertain(self) -> bool:
        return self.range is not None or self.beta is not None

    def with_value(self, value: float) -> Quantity:
        return Quantity(float(value), None, self.range, self.beta)

    def __str__(self) -> str:
        text = _short(self.value)
        if self.range:
            text += f" [{_short(self.range[0])}, {_short(self.range[1])}]"
        elif self.beta:
            text += f" ~ beta({_short(self.beta[0])}, {_short(self.beta[1])})"
        return text


def _short(x: float) -> str:
    return f"{x:.4g}"


def check_number_text(text: str, what: str = "number") -> None:
    """Raise ValueError if ``text`` is longer than :data:`MAX_NUMBER_CHARS` or its exponent exceeds
    :data:`MAX_EXPONENT`; called before any text becomes a float or a Fraction.

    >>> check_number_text("1e-99999999")
    Traceback (most recent call last):
    ...
    ValueError: number '1e-99999999' has exponent -99999999; exponents are limited to ±400
    """
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"{what} {text[:24]!r}... is {len(text):,} characters long; numbers are limited to "
                         f"{MAX_NUMBER_CHARS} characters")
    m = _EXPONENT.search(text)
    if m and abs(int(m.group(1))) > MAX_EXPONENT:
        raise ValueError(f"{what} {text.strip()!r} has exponent {int(m.group(1))}; exponents are limited to "
                         f"±{MAX_EXPONENT}")


class OutsideRange(ValueError):
    """A quantity's value lies outside the range given with it (the number is fine; the two disagree)."""


_FRACTIONS: dict[float, Fraction] = {}
""":func:`_decimal_fraction`'s results by value (fractions are immutable; a map repeats its numbers)."""


def _decimal_fraction(x: float) -> Fraction:
    """The fraction a float's shortest repr names (0.1 -> 1/10), as ``Fraction(repr(x))`` but without
    parsing text for the common plain form (a large map has tens of thousands of numbers, and repeats them:
    each value's fraction is made once)."""
    found = _FRACTIONS.get(x)
    if found is not None:
        return found
    text = repr(x)
    whole, point, frac = text.partition(".")
    if not point or "e" in frac or "e" in whole:
        found = Fraction(text)
    else:
        found = Fraction(int(whole + frac), 10 ** len(frac))
    if len(_FRACTIONS) < 1 << 16:
        _FRACTIONS[x] = found
    return found


def _scalar(raw: Any, what: str, exact: bool = True) -> tuple[float, Fraction | None]:
    """The number's float value and, with ``exact``, the exact fraction written (when there is one)."""
    if isinstance(raw, bool) or raw is None:
        raise ValueError(f"{what} must be a number, not {raw!r}")
    if isinstance(raw, int):
        if abs(raw) > 1e300:  # float() would overflow
            raise ValueError(f"{what} must be a finite number; this integer is far too large")
        return float(raw), Fraction(raw) if exact else None
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueError(f"{what} must be a finite number, not {raw}")
        return raw, _decimal_fraction(raw) if exact and abs(raw) < 1e15 else None
    if isinstance(raw, str):
        check_number_text(raw, what)
        m = _FRACTION.match(raw)
        if m:
            num, den = Fraction(m.group(1)), Fraction(m.group(2))
            if den == 0:
                raise ValueError(f"{what} {raw!r} divides by zero")
            frac = num / den
            return float(frac), frac
        if _DECIMAL.match(raw):
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(f"{what} must be a finite number, not {raw!r}")
            return value, Fraction(raw.strip())
        raise ValueError(f"{what} must be a number or a fraction like \"1/3\", not {raw!r}")
    raise ValueError(f"{what} must be a number, not a {type(raw).__name__}")


def _check_domain(x: float, domain: Domain, what: str) -> None:
    if domain == "probability" and not 0.0 <= x <= 1.0:
        raise ValueError(f"{what} {x:g} is not a probability in [0, 1]")
    if domain == "ratio" and not x > 0.0:
        raise ValueError(f"{what} {x:g} must be positive (an odds ratio multiplies odds)")
    if domain == "scale" and not x >= 0.0:
        raise ValueError(f"{what} {x:g} must be zero or positive")


def _pair(raw: Any, what: str) -> tuple[float, float]:
    if not isinstance(raw, list) or len(raw) != 2:
        raise ValueError(f"{what} must be a list of two numbers, like [0.1, 0.5]")
    a, _ = _scalar(raw[0], what, exact=False)
    b, _ = _scalar(raw[1], what, exact=False)
    return a, b


def parse_quantity(raw: Any, domain: Domain = "probability", what: str = "value") -> Quantity:
    """Parse one number as written in a file and check it lies in ``domain``.

    >>> parse_quantity("1/3").value == 1/3
    True
    >>> parse_quantity({"value": 0.3, "range": [0.1, 0.5]}).range
    (0.1, 0.5)
    """
    if type(raw) is float and 0.0 < raw <= 1.0:      # the common case, in every domain: as _scalar reads it
        return Quantity(raw, _decimal_fraction(raw))
    if type(raw) is dict and len(raw) == 2:          # {value, range} of floats inside the domain: the same
        value, rng = raw.get("value"), raw.get("range")
        if type(value) is float and type(rng) is list and len(rng) == 2:
            lo, hi = rng
            if (type(lo) is float and type(hi) is float and lo <= value <= hi
                    and (0.0 < lo or (lo == 0.0 and domain != "ratio"))
                    and (hi <= 1.0 or (domain != "probability" and hi < 1e15))):
                return Quantity(value, _decimal_fraction(value), (lo, hi), None)
    return _parse_general(raw, domain, what)


def _parse_general(raw: Any, domain: Domain, what: str) -> Quantity:
    """:func:`parse_quantity` for every form (its shortcuts give what this gives)."""
    if isinstance(raw, Quantity):
        return raw
    if isinstance(raw, dict):
        unknown = set(raw) - _KEYS
        if unknown:
            raise ValueError(f"unknown key(s) {sorted(map(str, unknown))} in a number; "
                             "use value, range (a 90% interval) or beta")
        rng = beta = None
        if "range" in raw:
            lo, hi = _pair(raw["range"], "range")
            if not lo <= hi:
                raise ValueError(f"range [{lo:g}, {hi:g}] must go from low to high")
            _check_domain(lo, domain, "range end")
            _check_domain(hi, domain, "range end")
            rng = (lo, hi)
        if "beta" in raw:
            if domain != "probability":
                raise ValueError("a beta distribution is for probabilities; use range for this number")
            a, b = _pair(raw["beta"], "beta")
            if not (a > 0 and b > 0):
                raise ValueError(f"beta parameters must be positive, got [{a:g}, {b:g}]")
            beta = (a, b)
        if rng and beta:
            raise ValueError("give either range or beta, not both")
        if "value" in raw:
            value, exact = _scalar(raw["value"], what)
        elif beta:
            value, exact = beta[0] / (beta[0] + beta[1]), None
        else:
            raise ValueError(f"{what} needs a value (or a beta, whose mean is the value)")
        _check_domain(value, domain, what)
        if rng and not rng[0] <= value <= rng[1]:
            raise OutsideRange(f"{what} {value:g} lies outside its range [{rng[0]:g}, {rng[1]:g}]")
        if domain == "weight":
            return Quantity(value, exact, rng, None)
        return Quantity(value, exact, rng, beta)
    value, exact = _scalar(raw, what)
    _check_domain(value, domain, what)
    return Quantity(value, exact)
