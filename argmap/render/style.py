"""The visual encoding: colour scales, shapes per kind, edge styles per relation, number formats.

Everything here is a pure function of plain numbers, so the same input always gives the same
attributes (and so byte-identical DOT). Colour scales are sampled tables (no matplotlib at run time).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..base.formatting import fmt_p

__all__ = [
    "FONT", "VIRIDIS", "DIVERGING", "KIND_SHAPES", "RELATION_STYLES", "DIFF_SPAN", "DIFF_SPANS", "diff_span",
    "fill_for_probability", "fill_for_delta", "text_colour", "node_attrs", "edge_attrs",
    "strength", "LABEL_DIGITS", "label_p", "fmt_delta", "fmt_ratio",
]

FONT = "DejaVu Sans,Helvetica,Arial,sans-serif"

VIRIDIS = ("#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e",
           "#21918c", "#1fa088", "#28ae80", "#3fbc73", "#5ec962", "#84d44b", "#addc30", "#d8e219",
           "#fde725")
"""matplotlib's viridis at 17 evenly spaced points: perceptually uniform, and its lightness rises
monotonically, so a greyscale print still orders the probabilities."""

DIVERGING = ("#053061", "#175290", "#2a71b2", "#3f8ec0", "#6bacd1", "#9bc9e0", "#c2ddec", "#e0ecf3",
             "#f7f6f6", "#fbe5d8", "#fbccb4", "#f5aa89", "#e48066", "#d05548", "#ba2832", "#930e26",
             "#67001f")
"""matplotlib's RdBu reversed at 17 points: blue = probability fell, red = rose, near-white = unmoved."""

LABEL_DIGITS = 2
"""Decimals of a probability on a node label (:func:`argmap.base.formatting.fmt_p`); tooltips and
headlines give the report's three."""

DIFF_SPAN = 0.30
"""The widest diff scale: a change of this size or more always gets the scale's end colour."""
DIFF_SPANS = (0.01, 0.02, 0.05, 0.1, 0.2, DIFF_SPAN)
"""The diff scales a diagram may use: the smallest that holds the moves it shows (:func:`diff_span`)."""

KIND_SHAPES = {
    "claim": {"shape": "box", "style": "rounded,filled"},
    "argument": {"shape": "cds", "style": "filled", "margin": "0.26,0.13"},
    "critique": {"shape": "box", "style": "filled,diagonals"},
    "evidence": {"shape": "note", "style": "filled"},
    "conclusion": {"shape": "box", "style": "rounded,filled,bold", "peripheries": "2"},
    "part": {"shape": "box3d", "style": "filled"},
}
KIND_WORDS = {
    "claim": "rounded: claim",
    "argument": "arrow: argument",
    "critique": "cut corners: critique",
    "evidence": "note: evidence",
    "conclusion": "double border: conclusion",
    "part": "3-D box: collapsed part",
}

RELATION_STYLES = {
    "requires": {"color": "#404040", "style": "solid", "arrowhead": "normal"},
    "route": {"color": "#2166ac", "style": "solid", "arrowhead": "normalnormal"},
    "supports": {"color": "#1b7837", "style": "solid", "arrowhead": "normal"},
    "opposes": {"color": "#c0392b", "style": "dashed", "arrowhead": "normal"},
    "undercuts": {"color": "#8e2c5a", "style": "dotted", "arrowhead": "tee"},
    "modulates": {"color": "#5a5a5a", "style": "dashed", "arrowhead": "odiamond"},
    "depends": {"color": "#7f7f7f", "style": "solid", "arrowhead": "empty"},
}
RELATION_WORDS = {
    "requires": "requires (grey)",
    "route": "a route: suffices alone (blue, \u25b6\u25b6)",
    "supports": "supports (green)",
    "opposes": "opposes (red dashed)",
    "undercuts": "undercuts (dotted, \u22a3)",
    "modulates": "scales a strength (grey dashed, \u25c7)",
    "depends": "in a table (grey, open head)",
}


def _hex_rgb(h: str) -> tuple[int, int, int]:
    return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


def _sample(table: tuple[str, ...], x: float) -> str:
    """Interpolate ``table`` at ``x`` in [0, 1] (rounded to whole RGB steps, so deterministic)."""
    x = min(1.0, max(0.0, float(x)))
    pos = x * (len(table) - 1)
    i = min(int(pos), len(table) - 2)
    t = pos - i
    a, b = _hex_rgb(table[i]), _hex_rgb(table[i + 1])
    return "#" + "".join(f"{round(u + (v - u) * t):02x}" for u, v in zip(a, b, strict=False))


def fill_for_probability(p: float | None) -> str:
    """Fill colour for a probability (viridis); light grey when there is none (categorical, parts).

    >>> fill_for_probability(0.0), fill_for_probability(1.0)
    ('#440154', '#fde725')
    """
    return "#eeeeee" if p is None or not math.isfinite(p) else _sample(VIRIDIS, p)


def diff_span(shifts: Iterable[float]) -> float:
    """The diff scale for these moves: the smallest of :data:`DIFF_SPANS` at least as large as the
    largest, so a typical critique's moves of a few hundredths are coloured, not near-white.

    >>> diff_span([-0.03, 0.012]), diff_span([0.4]), diff_span([])
    (0.05, 0.3, 0.3)
    """
    top = max((abs(d) for d in shifts if math.isfinite(d)), default=0.0)
    if top < 0.0005:
        return DIFF_SPAN
    return next((s for s in DIFF_SPANS if top <= s + 1e-12), DIFF_SPAN)


def fill_for_delta(delta: float | None, span: float = DIFF_SPAN) -> str:
    """Fill colour for a change in probability, saturating at ±``span`` (:func:`diff_span`).

    >>> fill_for_delta(0.0)
    '#f7f6f6'
    """
    if delta is None or not math.isfinite(delta):
        return "#eeeeee"
    return _sample(DIVERGING, 0.5 + 0.5 * max(-1.0, min(1.0, delta / span)))


def _luminance(hex_colour: str) -> float:
    def lin(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = map(lin, _hex_rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour(fill: str) -> str:
    """Black or white, whichever has the higher WCAG contrast against ``fill``.

    >>> text_colour("#440154"), text_colour("#fde725")
    ('#ffffff', '#000000')
    """
    lum = _luminance(fill)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def node_attrs(kind: str) -> dict[str, str]:
    """Shape and style for a node of ``kind`` (unknown kinds draw as claims)."""
    return dict(KIND_SHAPES.get(kind, KIND_SHAPES["claim"]))


def strength(ratio: float | None) -> float:
    """|log ratio|: how strongly an influence moves its target's odds (0 for none)."""
    if ratio is None or not ratio > 0 or not math.isfinite(ratio):
        return 0.0
    return abs(math.log(ratio))


def edge_attrs(kind: str, weight: float | None = None) -> dict[str, str]:
    """Colour, dash and head for a relation type; pen width grows with ``weight`` (|log ratio|)."""
    attrs = dict(RELATION_STYLES.get(kind, RELATION_STYLES["requires"]))
    if weight is None:
        width = 1.6 if kind in ("requires", "modulates") else 1.0
    else:
        width = 1.0 + min(4.0, 1.5 * weight)
    attrs["penwidth"] = f"{width:.2f}"
    return attrs


def label_p(p: float) -> str:
    """A probability on a node label: :func:`argmap.base.formatting.fmt_p` at :data:`LABEL_DIGITS` decimals.

    >>> label_p(0.2857), label_p(0.004), label_p(1.0)
    ('0.29', '0.004', '1.00')
    """
    return fmt_p(p, LABEL_DIGITS)


def fmt_delta(d: float, digits: int | None = None) -> str:
    """A signed change with a true minus sign (two decimals, three below 0.005, or ``digits``);
    "unchanged" when it rounds to zero at three decimals.

    >>> fmt_delta(-0.031), fmt_delta(0.2), fmt_delta(-0.0412, 3), fmt_delta(-1e-9)
    ('\u22120.03', '+0.20', '\u22120.041', 'unchanged')
    """
    if abs(d) < 0.0005:
        return "unchanged"
    places = digits if digits is not None else 2 if abs(d) >= 0.005 else 3
    return ("\u2212" if d < 0 else "+") + f"{abs(d):.{places}f}"


def fmt_ratio(r: float) -> str:
    """An odds ratio as a multiplier: ×3, ×1/4 (for ratios below one), ×1.5.

    >>> fmt_ratio(3.0), fmt_ratio(0.25), fmt_ratio(1.5)
    ('×3', '×1/4', '×1.5')
    """
    if r >= 1:
        return f"×{r:.3g}"
    inv = 1 / r
    return f"×1/{inv:.3g}"
