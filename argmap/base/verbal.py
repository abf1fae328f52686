"""The verbal-probability scale: the words a map's illustrative numbers are read from, and their bands.

An illustrative number starts as a word (the source's qualifier, e.g. "a live possibility"), which the
map's authors place in a band; the number is then chosen inside that band. ``band:`` in a provenance
names the band, and :func:`band_problem` checks that the number lies in it. docs/format.md prints the
same tables.
"""

from __future__ import annotations

__all__ = ["PROBABILITY_BANDS", "STRENGTH_BANDS", "MODULATION_WORDS", "ALL_BANDS", "band_problem",
           "band_kind", "modulation_word"]

PROBABILITY_BANDS: dict[str, tuple[float, float]] = {
    "definitional": (0.0, 1.0),   # exactly 0 or 1, fixed by a definition; no judgement
    "remote": (0.0, 0.05),
    "unlikely": (0.05, 0.25),
    "plausible": (0.25, 0.45),
    "even": (0.45, 0.55),
    "quite likely": (0.55, 0.75),
    "likely": (0.75, 0.9),
    "near certain": (0.9, 1.0),
}
"""Probability words and their closed bands (a value on a boundary fits both neighbours)."""

STRENGTH_BANDS: dict[str, tuple[float, float]] = {
    "slight": (1.0, 1.5),
    "moderate": (1.5, 3.0),
    "strong": (3.0, 10.0),
    "very strong": (10.0, 100.0),
    "decisive": (100.0, float("inf")),
}
"""Words for how far an argument moves its target's odds: bands on the ratio (or 1/ratio against)."""

MODULATION_WORDS: dict[str, float] = {"full": 1.0, "most": 0.75, "half": 0.5, "little": 0.25, "none": 0.0}
"""Words for how much of a relation's weight counts in a modulator state; each is one fixed factor."""

ALL_BANDS = (*PROBABILITY_BANDS, *STRENGTH_BANDS)


def band_kind(band: str) -> str | None:
    """``probability`` or ``strength`` for a known band name, else None."""
    if band in PROBABILITY_BANDS:
        return "probability"
    if band in STRENGTH_BANDS:
        return "strength"
    return None


def modulation_word(factor: float) -> str | None:
    """The modulation word whose factor is exactly ``factor``, if any."""
    for word, f in MODULATION_WORDS.items():
        if f == factor:
            return word
    return None


def band_problem(band: str, value: float, kind: str) -> str | None:
    """Why ``value`` (a ``probability`` or a ``ratio``) does not fit ``band``, or None if it does."""
    want = "probability" if kind == "probability" else "strength"
    got = band_kind(band)
    if got is None:
        return f"unknown band '{band}'"
    if got != want:
        words = ", ".join(PROBABILITY_BANDS if want == "probability" else STRENGTH_BANDS)
        return f"'{band}' is a {got} word but this number is a {kind} (use one of: {words})"
    if kind == "probability":
        lo, hi = PROBABILITY_BANDS[band]
        if band == "definitional":
            return None if value in (0.0, 1.0) else f"'definitional' is for 0 or 1, not {value:g}"
        if not lo - 1e-12 <= value <= hi + 1e-12:
            return f"{value:g} is outside '{band}' [{lo:g}, {hi:g}]"
        return None
    lo, hi = STRENGTH_BANDS[band]
    size = value if value >= 1 else 1 / value if value > 0 else float("inf")
    if not lo - 1e-9 <= size <= hi + 1e-9:
        shown = f"{value:g}" if value >= 1 else f"{value:g} (= 1/{size:.3g})"
        return f"ratio {shown} is outside '{band}' [{lo:g}, {hi:g}] (bands are on the ratio, or 1/ratio against)"
    return None
