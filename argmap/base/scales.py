"""Verbal-probability scales as data: the map's own, ICD 203, IPCC AR5 and a survey of readers.

A map's illustrative numbers start as words (``band:`` in a provenance, the map's vocabulary of
:mod:`argmap.base.verbal`). A **scale** says what each of those words means as a number: a band for each
of its terms (ICD 203, IPCC AR5 and the map's own ``argmap`` scale), or, for the ``survey``, the empirical
distribution of 46 respondents' answers for each phrase (its band is their 10th-90th percentile, as the
data's README tabulates). ``reads`` pairs each map word with the scale's term for it, with the reason; a
word a scale has no term for is reported by :meth:`Scale.term_for` returning None, never guessed.

**Re-reading** a number (:meth:`Scale.reread`) keeps its place inside its word's band: a number at
quantile q of its band on the map's scale moves to quantile q of the word's band on the new scale; its
stated range keeps its width in log-odds around the new point. On the map's own scale it is a no-op.
**Words as distributions** (:meth:`Scale.spread`): uniform over a band, or the survey's responses.

The data files are in ``scales_data/`` beside this module (the survey's MIT licence with its CSV).
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

from .errors import QueryError, did_you_mean
from .records import dataclass
from .verbal import PROBABILITY_BANDS

__all__ = ["Scale", "Term", "MAP_SCALE", "SCALES", "get_scale", "scale_names", "DATA_DIR"]

DATA_DIR = Path(__file__).with_name("scales_data")
MAP_SCALE = "argmap"
"""The map's own scale: the bands of docs/format.md (:data:`argmap.base.verbal.PROBABILITY_BANDS`)."""
SCALES = (MAP_SCALE, "icd203", "ipcc-ar5", "survey")
_EDGE = 1e-4


@dataclass(frozen=True)
class Term:
    """One term of a scale: its band (low, high) and, for a survey phrase, every response (sorted)."""

    name: str
    band: tuple[float, float]
    responses: tuple[float, ...] = ()


@dataclass(frozen=True)
class Scale:
    """A verbal probability scale: its terms and how it reads each of the map's words."""

    name: str
    title: str
    source: str
    terms: dict[str, Term]
    reads: dict[str, tuple[str, str]]
    """map word -> (this scale's term, why that term)."""

    def term_for(self, word: str | None) -> Term | None:
        """The term this scale reads the map word as, or None when it has none (or the word is no
        probability word, e.g. a strength word or ``definitional``)."""
        if word is None or word not in self.reads:
            return None
        return self.terms[self.reads[word][0]]

    def reread(self, word: str, value: float, rng: tuple[float, float] | None = None,
               source: Scale | None = None) -> tuple[float, tuple[float, float] | None] | None:
        """``value`` (and its 90% range), read into ``word`` on ``source`` (default: the map's scale),
        re-read on this scale; None when either scale has no term for the word."""
        here, there = self.term_for(word), (source or get_scale(MAP_SCALE)).term_for(word)
        if here is None or there is None:
            return None
        if here.band == there.band:
            return value, rng
        (a, b), (c, d) = there.band, here.band
        q = min(max((value - a) / (b - a), 0.0), 1.0) if b > a else 0.5
        new = c + q * (d - c)
        if rng is None:
            return new, None
        shift = _logit(new) - _logit(value)
        lo, hi = (_expit(_logit(x) + shift) if 0.0 < x < 1.0 else x for x in rng)
        return new, (min(lo, new), max(hi, new))

    def spread(self, word: str | None) -> tuple[str, tuple[float, ...]] | None:
        """The word's spread on this scale as ``("uniform", (low, high))`` or ``("empirical", responses)``;
        None when the scale has no term for it."""
        term = self.term_for(word)
        if term is None:
            return None
        return ("empirical", term.responses) if term.responses else ("uniform", term.band)

    def table(self) -> list[dict]:
        """One row per map word: its term on this scale, the band, and why (for docs and ``sources``)."""
        rows = []
        for word in PROBABILITY_BANDS:
            if word == "definitional":
                continue
            term = self.term_for(word)
            rows.append({"word": word, "term": term.name if term else None,
                         "band": list(term.band) if term else None,
                         "why": self.reads[word][1] if term else "no term on this scale: the map's reading is kept"})
        return rows


def _logit(p: float) -> float:
    p = min(max(p, _EDGE), 1 - _EDGE)
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _lower_quantile(values: list[float], q: float) -> float:
    """numpy's ``method="lower"`` quantile (the one the data's README tabulates), without numpy."""
    s = sorted(values)
    return s[math.floor(q * (len(s) - 1) + 1e-9)]


def _map_scale() -> Scale:
    terms = {w: Term(w, band) for w, band in PROBABILITY_BANDS.items() if w != "definitional"}
    return Scale(MAP_SCALE, "the map's own scale (docs/format.md, 'Numbers from words')", "argmap/base/verbal.py",
                 terms, {w: (w, "the map's own word") for w in terms})


def read_survey(path: Path) -> dict[str, list[float]]:
    """The survey's responses per phrase, as probabilities (the file holds percents)."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    head, body = rows[0], rows[1:]
    return {phrase: [float(r[i]) / 100 for r in body if r[i].strip()] for i, phrase in enumerate(head)}


@cache
def get_scale(name: str) -> Scale:
    """The named scale; a clear error with the known names for any other."""
    if name == MAP_SCALE:
        return _map_scale()
    if name not in SCALES:
        hint = did_you_mean(name, SCALES)
        raise QueryError(f"no verbal scale named '{name}'" + (f"; {hint}" if hint else "")
                         + f" (scales: {', '.join(SCALES)})")
    data = json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    if "survey" in data:
        answers = read_survey(DATA_DIR / data["survey"])
        terms = {p: Term(p, (_lower_quantile(v, 0.1), _lower_quantile(v, 0.9)), tuple(sorted(v)))
                 for p, v in answers.items()}
    else:
        terms = {t: Term(t, (float(lo), float(hi))) for t, (lo, hi) in data["terms"].items()}
    reads = {w: (t, why) for w, (t, why) in data["reads"].items()}
    return Scale(name, data["title"], data["source"], terms, reads)


def scale_names() -> tuple[str, ...]:
    return SCALES
