"""Charts for sensitivity results: a tornado and a histogram, readable without the surrounding text.

Functions take plain data (rows from :func:`argmap.sensitivity.tornado`, sampled values) and draw
only; they never compute probabilities. ``path_or_format`` is either a file path (``.png`` or
``.svg``; written atomically, the path is returned) or a format name (``"png"``/``"svg"``; the bytes
are returned). PNGs are rendered at 200 dpi. matplotlib is imported lazily, with the Agg backend.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, overload

import numpy as np

from ..atomic import atomic_write

__all__ = ["tornado_chart", "histogram_chart", "DPI"]

DPI = 200
_LOW = "#4477aa"     # colour-blind-safe pair (Tol), distinct in greyscale by lightness
_HIGH = "#ee7733"
_METADATA = {"svg": {"Date": None}, "png": {}}


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "argmap"     # deterministic SVG ids
    return plt


def _save(fig, path_or_format: str | Path) -> Path | bytes:
    text = str(path_or_format)
    fmt = text.lower().lstrip(".") if text.lower().lstrip(".") in ("png", "svg") else Path(text).suffix.lower()[1:]
    if fmt not in ("png", "svg"):
        raise ValueError(f"chart format must be png or svg, not {fmt or text!r}")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=DPI, bbox_inches="tight", metadata=_METADATA[fmt])
    import matplotlib.pyplot as plt

    plt.close(fig)
    data = buf.getvalue()
    if text.lower().lstrip(".") in ("png", "svg"):
        return data
    return atomic_write(Path(text), data)


def _row_label(row: dict, width: int = 50) -> str:
    sec = row.get("sections") or []
    head = f"§{sec[0]} " if sec else ""
    lines = textwrap.wrap(head + row["title"], width)
    return "\n".join(lines[:3]) + ("…" if len(lines) > 3 else "")


def _fmt(x: float) -> str:
    return f"{x:.3g}"


ChartFormat = Literal["png", "svg"]


@overload
def tornado_chart(rows: Sequence[dict], baseline: float, path_or_format: ChartFormat, *, top: int = 15,
                  target_label: str = "P(target)", title: str | None = None) -> bytes: ...
@overload
def tornado_chart(rows: Sequence[dict], baseline: float, path_or_format: Path, *, top: int = 15,
                  target_label: str = "P(target)", title: str | None = None) -> Path: ...
@overload
def tornado_chart(rows: Sequence[dict], baseline: float, path_or_format: str, *, top: int = 15,
                  target_label: str = "P(target)", title: str | None = None) -> Path | bytes: ...
def tornado_chart(rows: Sequence[dict], baseline: float, path_or_format: str | Path, *, top: int = 15,
                  target_label: str = "P(target)", title: str | None = None) -> Path | bytes:
    """Draw a tornado chart of ``rows`` (largest swing first; the ``top`` largest are drawn).

    Each bar spans P(target) between the parameter's low and high end; blue is the low end, orange
    the high end, the vertical line is the baseline. Parameter values are printed at the bar ends.
    """
    plt = _plt()
    rows = list(rows)[:top]
    n = max(len(rows), 1)
    fig, ax = plt.subplots(figsize=(9.5, 1.1 + 0.52 * n))
    for y, r in enumerate(rows):
        for end, colour in (("low", _LOW), ("high", _HIGH)):
            p = r[f"p_{end}"]
            ax.barh(y, p - baseline, left=baseline, height=0.62, color=colour, edgecolor="black", linewidth=0.4)
            ha = "left" if p >= baseline else "right"
            pad = 0.004 if p >= baseline else -0.004
            ax.text(p + pad, y, f"{_fmt(r[end])}", va="center", ha=ha, fontsize=7.5, color="#222222")
    ax.axvline(baseline, color="black", linewidth=1.2)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_row_label(r) for r in rows], fontsize=8.5)
    ax.invert_yaxis()
    lo = min([baseline] + [min(r["p_low"], r["p_high"]) for r in rows])
    hi = max([baseline] + [max(r["p_low"], r["p_high"]) for r in rows])
    span = max(hi - lo, 0.02)
    ax.set_xlim(max(0.0, lo - 0.12 * span), min(1.0, hi + 0.12 * span))
    ax.set_xlabel(f"{target_label}  (bar: parameter moved across its 90% range; numbers: parameter value)")
    ax.text(baseline, -0.75, f" baseline {baseline:.3f}", fontsize=8, va="bottom", ha="left")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=_LOW, label="parameter at low end"),
                       Patch(color=_HIGH, label="parameter at high end")], loc="lower right", fontsize=8, frameon=True)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(title or f"What moves {target_label}: one number at a time", fontsize=11)
    if not rows:
        ax.text(0.5, 0.5, "no uncertain parameters", transform=ax.transAxes, ha="center")
    return _save(fig, path_or_format)


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
    plt = _plt()
    draws = np.asarray(values, dtype=float)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.hist(draws, bins=bins, color="#88aacc", edgecolor="white", linewidth=0.4, label="draws")
    styles = iter([":", "--", "-."])
    for name, q in (quantiles or {}).items():
        ax.axvline(q, color="#333333", linestyle=next(styles, "--"), linewidth=1.3, label=f"{name} quantile: {q:.3f}")
    if baseline is not None:
        ax.axvline(baseline, color="black", linewidth=2.0, label=f"point estimate: {baseline:.3f}")
    if draws.size:
        pad = 0.05 * max(draws.max() - draws.min(), 0.02)
        ax.set_xlim(max(0.0, draws.min() - pad), min(1.0, draws.max() + pad))
    ax.legend(loc="upper right", fontsize=8, frameon=True)
    ax.set_xlabel(target_label)
    ax.set_ylabel(f"number of draws (of {draws.size:,})")
    ax.set_title(title or f"{target_label} when every uncertain credence is drawn from its distribution", fontsize=10)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return _save(fig, path_or_format)
