"""Charts for sensitivity results: a tornado and a histogram, readable without the surrounding text.

Functions take plain data (rows from :func:`argmap.analysis.sensitivity.tornado`, sampled values) and draw
only; they never compute probabilities. ``path_or_format`` is either a file path (``.png`` or
``.svg``; written atomically, the path is returned) or a format name (``"png"``/``"svg"``; the bytes
are returned). PNGs are post-sized: at most 1600 px wide (200 dpi for smaller charts), with every label
at least 10 px tall when the chart is shown 750 px wide. matplotlib is imported lazily (its Agg canvas; never
pyplot).
"""

from __future__ import annotations

import io
import sys
import textwrap
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, overload

import numpy as np

from ..base.atomic import atomic_write

__all__ = ["tornado_chart", "tornado_charts", "chart_context", "histogram_chart", "spread_chart", "spread_charts",
           "prepare", "DPI", "MAX_WIDTH_PX", "TITLE", "SPREAD_TITLE"]

DPI = 200
MAX_WIDTH_PX = 1600
WIDTH_IN = 7.5
"""Figure width: at 750 px on screen one point of type is 100/72 px, so 8 pt labels are 11 px."""
MAX_WIDTH_IN = 8.2
"""The whole chart, labels included: 8.5 pt type is then 10.8 px when the chart is shown 750 px wide."""
TITLE = "What moves {target}: each number moved alone across its 90% range"
"""The tornado's one title, the same in ``argmap sensitivity -o`` and ``argmap export``."""
_LOW = "#4477aa"     # colour-blind-safe pair (Tol), distinct in greyscale by lightness
_HIGH = "#ee7733"
_METADATA = {"svg": {"Date": None}, "png": {}}


def prepare(*, docstrings: bool = True) -> None:
    """Import what drawing needs (matplotlib's figure and Agg canvas) and set the SVG options; done by every
    chart, and worth calling once before charts are drawn in forked processes (:mod:`argmap.base.forked`),
    which then share the import.

    ``docstrings=False`` (a command that only draws, like ``argmap export``) imports matplotlib without writing
    its artists' property tables into their ``set`` docstrings (``matplotlib.artist.kwdoc``: a quarter of the
    import's time, ~0.07 s); only ``help()`` text differs, never a drawing (the signatures stay)."""
    import matplotlib

    if "matplotlib.figure" not in sys.modules and not docstrings:
        import matplotlib.artist as mpl_artist

        kwdoc = mpl_artist.kwdoc
        mpl_artist.kwdoc = lambda artist: ""
        try:
            import matplotlib.backends.backend_agg
            import matplotlib.figure  # noqa: F401
        finally:
            mpl_artist.kwdoc = kwdoc
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401

    matplotlib.rcParams["svg.hashsalt"] = "argmap"     # deterministic SVG ids
    matplotlib.rcParams["svg.fonttype"] = "none"       # text stays text: selectable, and its size can be checked


def _subplots(figsize: tuple[float, float]):
    """A figure with one axes on matplotlib's Agg canvas, made without pyplot (no figure manager, no global
    figure list to close, and pyplot's import saved)."""
    prepare()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _save(fig, path_or_format: str | Path) -> Path | bytes:
    text = str(path_or_format)
    fmt = text.lower().lstrip(".") if text.lower().lstrip(".") in ("png", "svg") else Path(text).suffix.lower()[1:]
    if fmt not in ("png", "svg"):
        raise ValueError(f"chart format must be png or svg, not {fmt or text!r}")
    data = _render(fig, [fmt])[fmt]
    if text.lower().lstrip(".") in ("png", "svg"):
        return data
    return atomic_write(Path(text), data)


def _render(fig, formats: Sequence[str]) -> dict[str, bytes]:
    """The figure in each format, each drawn once.

    What ``savefig(bbox_inches="tight")`` writes, without its extra pass: "tight" first draws the whole
    figure (drawing switched off) only to measure it, then draws it for real. Here the tight box is measured
    as it measures it (the renderer it would use, at the same dpi; every artist's extent comes from the
    renderer, so the box is the same without the draw) and handed to ``savefig``, which then draws once. An
    SVG is saved at 72 dpi, the dpi its renderer sets while "tight" places the box (only raster images in an
    SVG would read that dpi, and charts have none). The bytes equal "tight"'s (tests/test_sensitivity_cli.py)."""
    from matplotlib import cbook, rcParams
    from matplotlib.backend_bases import _get_renderer  # type: ignore[attr-defined]

    width_in = _tight(fig).width + 0.2      # tight bbox plus its padding
    dpi = min(DPI, MAX_WIDTH_PX / width_in)
    pad = rcParams["savefig.pad_inches"]
    out = {}
    for fmt in formats:
        canvas = fig.canvas
        with (canvas._switch_canvas_and_return_print_method(fmt) as print_method,
              cbook._setattr_cm(fig, dpi=dpi), cbook._setattr_cm(canvas, _device_pixel_ratio=1),
              cbook._setattr_cm(canvas, _is_saving=True)):
            measure = _get_renderer(fig, print_method)
            box = fig.get_tightbbox(measure).padded(pad)
            measured_at = fig.dpi
        buf = io.BytesIO()
        # an SVG is laid out at 72 dpi (its renderer sets that); saved at it, its box is placed as "tight" places it
        with _metrics_of(fig, measure, measured_at):
            fig.savefig(buf, format=fmt, dpi=72 if fmt == "svg" else dpi, bbox_inches=box, metadata=_METADATA[fmt])
        out[fmt] = buf.getvalue()
    return out


@contextmanager
def _metrics_of(fig, measure, measured_at: float):
    """While ``fig`` is saved, its drawing renderer takes the text extents ``measure`` (the renderer the tight box
    was measured with, of the same class and dpi, the figure at ``measured_at`` dpi) has already measured,
    instead of measuring every text again.

    An extent depends only on the text, its font and the dpi (``get_text_width_height_descent`` reads nothing
    else of the renderer), and matplotlib keeps extents per renderer (``matplotlib.text``'s two-layer cache,
    keyed by the figure's dpi too): the drawing renderer's cache, made as the figure starts drawing, answers
    from the measuring one's at the dpi measured at. At another figure dpi (an SVG's rasterized parts) and for
    any other renderer (another class or dpi) the drawing renderer measures for itself, as every renderer does
    under a matplotlib without that cache. The bytes are the same (tests/test_sensitivity_cli.py)."""
    import functools
    import weakref

    from matplotlib import text

    metrics = getattr(text, "_get_text_metrics_function", None)
    caches = (getattr(metrics, "__defaults__", None) or (None,))[0]
    if metrics is None or not isinstance(caches, weakref.WeakKeyDictionary):
        yield
        return
    kept = metrics(measure)        # the measuring renderer's cache (made if it has none)
    draw = fig.draw

    def shared(renderer):
        if _measures_as(renderer) == _measures_as(measure) and renderer not in caches:
            own = weakref.ref(renderer)        # as matplotlib's: the cache must not keep its renderer alive

            @functools.lru_cache(4096)
            def extents(s, prop, ismath, dpi):
                if dpi == measured_at:
                    return kept(s, prop, ismath, dpi)
                drawing = own()
                assert drawing is not None            # it is drawing
                return drawing.get_text_width_height_descent(s, prop, ismath)

            caches[renderer] = extents
        return draw(renderer)

    fig.draw = shared
    try:
        yield
    finally:
        del fig.draw


def _measures_as(renderer) -> tuple[type, float | None]:
    """What a renderer's text extents depend on: the class that measures them (an SVG's, inside the renderer
    that would rasterize parts of it) and its dpi (none for an SVG's: its extents are in points)."""
    from matplotlib.backends.backend_mixed import MixedModeRenderer

    measuring = renderer._renderer if isinstance(renderer, MixedModeRenderer) else renderer
    return type(measuring), getattr(measuring, "dpi", None)


def _tight(fig):
    """The figure's tight box on its own canvas, measured once per size (:func:`_fit_width` then :func:`_render`).

    Measured with one renderer per figure and dpi: text extents depend on the dpi, not on the canvas size, and
    matplotlib keeps them per renderer, so a figure narrowed by :func:`_fit_width` is not measured from scratch
    (the canvas's own renderer is made anew for each size). The box is the same (tests/test_sensitivity_cli.py)."""
    key = tuple(fig.get_size_inches()), fig.dpi
    cached = getattr(fig, "_argmap_tight", None)
    if cached is None or cached[0] != key:
        renderer = getattr(fig, "_argmap_measure", None)
        if renderer is None or renderer.dpi != fig.dpi:
            renderer = fig._argmap_measure = fig.canvas.get_renderer()
        cached = key, fig.get_tightbbox(renderer)
        fig._argmap_tight = cached
    return cached[1]


def _fit_width(fig) -> None:
    """Narrow the plot until the whole chart (long labels included) is at most :data:`MAX_WIDTH_IN` wide,
    so its text keeps its size when the chart is shown 750 px wide."""
    for _ in range(3):
        extra = _tight(fig).width - MAX_WIDTH_IN
        if extra <= 0.01:
            return
        fig.set_size_inches(max(3.0, fig.get_figwidth() - extra), fig.get_figheight())


def _row_label(row: dict, width: int = 38) -> str:
    """``§4.4 The speed argument``, wrapped at word boundaries (never cut)."""
    sec = row.get("sections") or []
    head = f"§{sec[0]} " if sec else ""
    title = row["title"].replace(",", ", ")     # a table row's conditions wrap between their items
    return "\n".join(textwrap.wrap(head + title, width, break_long_words=False) or [""])


def _fmt(x: float) -> str:
    return f"{x:.3g}"


ChartFormat = Literal["png", "svg"]


@overload
def tornado_chart(rows: Sequence[dict], baseline: float, path_or_format: ChartFormat, *, top: int = 15,
                  target_label: str = "P(target)", title: str | None = None, context: str | None = None) -> bytes: ...
@overload
def tornado_chart(rows: Sequence[dict], baseline: float, path_or_format: Path, *, top: int = 15,
                  target_label: str = "P(target)", title: str | None = None, context: str | None = None) -> Path: ...
@overload
def tornado_chart(rows: Sequence[dict], baseline: float, path_or_format: str, *, top: int = 15,
                  target_label: str = "P(target)", title: str | None = None,
                  context: str | None = None) -> Path | bytes: ...
def tornado_chart(rows: Sequence[dict], baseline: float, path_or_format: str | Path, *, top: int = 15,
                  target_label: str = "P(target)", title: str | None = None, context: str | None = None
                  ) -> Path | bytes:
    """Draw a tornado chart of ``rows`` (largest swing first; the ``top`` largest are drawn).

    Each bar spans P(target) between the parameter's low and high end; blue is the low end, orange
    the high end, the vertical line is the baseline. Parameter values are printed at the bar ends.
    ``context`` (:func:`chart_context`) names the overlays and scenario under the title.
    """
    return _save(_tornado_figure(rows, baseline, top, target_label, title, context), path_or_format)


def tornado_charts(rows: Sequence[dict], baseline: float, formats: Sequence[ChartFormat] = ("svg", "png"), *,
                   top: int = 15, target_label: str = "P(target)", title: str | None = None,
                   context: str | None = None) -> dict[str, bytes]:
    """:func:`tornado_chart` in several formats from one figure, laid out once: ``{format: bytes}``."""
    return _render(_tornado_figure(rows, baseline, top, target_label, title, context), formats)


def chart_context(overlays: Sequence[str], scenario: str | None) -> str:
    """What a chart shows, for its title: ``map with pope-2023; scenario 'report'``."""
    with_ = f"map with {', '.join(overlays)}" if overlays else "the map without overlays"
    return with_ + "; " + (f"scenario '{scenario}'" if scenario else "no scenario")


def _tornado_figure(rows: Sequence[dict], baseline: float, top: int, target_label: str, title: str | None,
                    context: str | None = None):
    rows = list(rows)[:top]
    labels = [_row_label(r) for r in rows]
    lines = [lab.count("\n") + 1 for lab in labels] or [1]
    row_in = 0.16 * max(lines) + 0.16                # rows are evenly spaced: leave room for the tallest label
    fig, ax = _subplots((WIDTH_IN, 1.5 + row_in * len(lines)))
    for y, r in enumerate(rows):
        for end, colour in (("low", _LOW), ("high", _HIGH)):
            p = r[f"p_{end}"]
            ax.barh(y, p - baseline, left=baseline, height=0.62, color=colour, edgecolor="black", linewidth=0.4)
            right = p >= baseline
            ax.annotate(_fmt(r[end]), (p, y), xytext=(3 if right else -3, 0), textcoords="offset points",
                        va="center", ha="left" if right else "right", fontsize=8.5, color="#222222")
    ax.axvline(baseline, color="black", linewidth=1.2)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=8.5, parse_math=False)     # user text: "$...$" is no formula
    ax.tick_params(axis="y", length=0)          # tick marks beside wrapped labels read as stray dashes
    ax.tick_params(axis="x", labelsize=8.5)
    ax.invert_yaxis()
    lo = min([baseline] + [min(r["p_low"], r["p_high"]) for r in rows])
    hi = max([baseline] + [max(r["p_low"], r["p_high"]) for r in rows])
    span = max(hi - lo, 0.02)
    ax.set_xlim(max(0.0, lo - 0.25 * span), min(1.0, hi + 0.25 * span))   # room for the values at the bar ends
    ax.set_xlabel(f"{target_label}  (numbers at the bar ends: the parameter's value)", fontsize=8.5,
                  parse_math=False)
    ax.text(baseline, -0.75, f" map's value {baseline:.3f}", fontsize=8.5, va="bottom", ha="left")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=_LOW, label="number at its low end"), Patch(color=_HIGH, label="at its high end")],
              loc="lower right", fontsize=8.5, frameon=True)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    head = textwrap.wrap(title or TITLE.format(target=target_label), 60)
    ax.set_title("\n".join(head + (textwrap.wrap(f"({context})", 60) if context else [])), fontsize=10.5,
                 parse_math=False)
    if not rows:
        ax.text(0.5, 0.5, "no uncertain parameters", transform=ax.transAxes, ha="center")
    _fit_width(fig)
    return fig


@overload
def histogram_chart(values: Sequence[float], path_or_format: ChartFormat, *, baseline: float | None = None,
                    quantiles: dict[str, float] | None = None, target_label: str = "P(target)",
                    title: str | None = None, bins: int = 50) -> bytes: ...
@overload
def histogram_chart(values: Sequence[float], path_or_format: Path, *, baseline: float | None = None,
                    quantiles: dict[str, float] | None = None, target_label: str = "P(target)",
                    title: str | None = None, bins: int = 50) -> Path: ...
@overload
def histogram_chart(values: Sequence[float], path_or_format: str, *, baseline: float | None = None,
                    quantiles: dict[str, float] | None = None, target_label: str = "P(target)",
                    title: str | None = None, bins: int = 50) -> Path | bytes: ...
def histogram_chart(values: Sequence[float], path_or_format: str | Path, *, baseline: float | None = None,
                    quantiles: dict[str, float] | None = None, target_label: str = "P(target)",
                    title: str | None = None, bins: int = 50) -> Path | bytes:
    """Draw the distribution of P(target) over Monte Carlo draws of the credences.

    ``quantiles`` (e.g. ``{"5%": .., "50%": .., "95%": ..}``) are drawn as dashed lines, the
    ``baseline`` (the map's point estimate) as a solid one.
    """
    draws = np.asarray(values, dtype=float)
    fig, ax = _subplots((WIDTH_IN, 4.2))
    ax.hist(draws, bins=bins, color="#88aacc", edgecolor="white", linewidth=0.4, label="draws")
    styles = iter([":", "--", "-."])
    for name, q in (quantiles or {}).items():
        ax.axvline(q, color="#333333", linestyle=next(styles, "--"), linewidth=1.3, label=f"{name} quantile: {q:.3f}")
    if baseline is not None:
        ax.axvline(baseline, color="black", linewidth=2.0, label=f"point estimate: {baseline:.3f}")
    if draws.size:
        pad = 0.05 * max(draws.max() - draws.min(), 0.02)
        ax.set_xlim(max(0.0, draws.min() - pad), min(1.0, draws.max() + pad))
    ax.legend(loc="upper right", fontsize=8.5, frameon=True)
    ax.tick_params(labelsize=8.5)
    ax.set_xlabel(target_label, fontsize=8.5, parse_math=False)
    ax.set_ylabel(f"number of draws (of {draws.size:,})", fontsize=8.5)
    text = title or f"{target_label} when every uncertain credence is drawn from its distribution"
    ax.set_title("\n".join(textwrap.wrap(text, 60)), fontsize=10.5, parse_math=False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return _save(fig, path_or_format)


SPREAD_TITLE = "How wide the words are: {target} over joint draws, by verbal scale, independent and correlated"
_IND = "#4477aa"
_COR = "#ee7733"


@overload
def spread_chart(rows: Sequence[dict], path_or_format: ChartFormat, *, stated: float | None = None,
                 stated_label: str = "stated", target_label: str = "P(target)", title: str | None = None
                 ) -> bytes: ...
@overload
def spread_chart(rows: Sequence[dict], path_or_format: Path, *, stated: float | None = None,
                 stated_label: str = "stated", target_label: str = "P(target)", title: str | None = None
                 ) -> Path: ...
@overload
def spread_chart(rows: Sequence[dict], path_or_format: str, *, stated: float | None = None,
                 stated_label: str = "stated", target_label: str = "P(target)", title: str | None = None
                 ) -> Path | bytes: ...
def spread_chart(rows: Sequence[dict], path_or_format: str | Path, *, stated: float | None = None,
                 stated_label: str = "stated", target_label: str = "P(target)", title: str | None = None
                 ) -> Path | bytes:
    """Draw the headline's distribution for each reading, one violin per row (top to bottom).

    Each row is a dict with ``label``, ``values`` (the draws), ``q05``, ``median``, ``q95``, ``correlated``
    (bool: orange, else blue) and ``percentile`` (where ``stated`` falls, or None). The thick bar is the 90%
    interval, the white dot the median; a vertical line marks the stated figure, its percentile printed on
    each row.
    """
    return _save(_spread_figure(rows, stated, stated_label, target_label, title), path_or_format)


def spread_charts(rows: Sequence[dict], formats: Sequence[ChartFormat] = ("svg", "png"), *,
                  stated: float | None = None, stated_label: str = "stated", target_label: str = "P(target)",
                  title: str | None = None) -> dict[str, bytes]:
    """:func:`spread_chart` in several formats from one figure, laid out once: ``{format: bytes}``."""
    return _render(_spread_figure(rows, stated, stated_label, target_label, title), formats)


def _spread_figure(rows: Sequence[dict], stated: float | None, stated_label: str, target_label: str,
                   title: str | None):
    rows = list(rows)
    fig, ax = _subplots((WIDTH_IN, 1.3 + 0.55 * len(rows)))
    hi = max([float(np.quantile(r["values"], 0.995)) for r in rows] + [stated or 0.0]) * 1.08
    for y, r in enumerate(rows):
        colour = _COR if r["correlated"] else _IND
        v = np.clip(np.asarray(r["values"], dtype=float), 0.0, hi)
        parts = ax.violinplot([v], positions=[y], orientation="horizontal", widths=0.8, showextrema=False, points=200)
        for body in parts["bodies"]:
            body.set_facecolor(colour)
            body.set_edgecolor("none")
            body.set_alpha(0.45)
        ax.hlines(y, r["q05"], r["q95"], color=colour, linewidth=4.5)
        ax.plot([r["median"]], [y], "o", color="white", markeredgecolor="black", markersize=5.5, zorder=3)
        ax.annotate(f"{r['q05']:.2f}–{r['q95']:.2f}", (r["q95"], y), xytext=(5, 5), textcoords="offset points",
                    fontsize=8.5, color="#222222")
        if stated is not None and r.get("percentile") is not None:
            ax.annotate(f"{_ordinal(r['percentile'])} pct", (stated, y), xytext=(4, -12), textcoords="offset points",
                        fontsize=8.5, color="#7a0000")
    if stated is not None:
        ax.axvline(stated, color="#7a0000", linewidth=1.5, linestyle="--")
        ax.text(stated, -0.95, f" {stated_label} {stated:g}", color="#7a0000", fontsize=9, va="top")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["label"] for r in rows], fontsize=9)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=8.5)
    ax.set_ylim(len(rows) - 0.4, -1.0)
    ax.set_xlim(0.0, hi)
    ax.set_xlabel(f"{target_label}  (bar: 90% of draws; dot: median)", fontsize=9)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=_IND, label="independent hedges"), Patch(color=_COR, label="correlated hedges")],
              loc="upper right", fontsize=8.5, frameon=True)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title("\n".join(textwrap.wrap(title or SPREAD_TITLE.format(target=target_label), 64)), fontsize=10.5)
    _fit_width(fig)
    return fig


def _ordinal(pct: float) -> str:
    """A percentile as text: "82nd", "99.95th" (never rounded up to "100th" while draws lie above)."""
    if 99.5 < pct < 100 or 0 < pct < 0.5:
        return f"{pct:.2f}th"
    n = int(round(pct))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
