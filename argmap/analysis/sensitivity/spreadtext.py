"""The headline's spread as text and Markdown (formatting only; the numbers are :mod:`.spread`'s)."""

from __future__ import annotations

import textwrap

from .spread import Spread, Summary

__all__ = ["spread_text", "spread_markdown", "spread_rows", "scales_markdown", "chart_rows"]


def _where(s: Summary) -> tuple[str, str]:
    if s.percentile is None or s.p_at_least is None:
        return "—", "—"
    pct = s.percentile
    digits = 2 if (0 < pct < 0.1 or 99.9 < pct < 100) else 1
    return f"{pct:.{digits}f}", f"{s.p_at_least:.3g}"


def _how(sp: Spread) -> str:
    draw = "each word-read number from its word's spread" if sp.words else "the stated ranges"
    return (f"{sp.samples:,} joint draws ({draw}; scale {sp.scale}; seed {sp.seed})")


def _rho(sp: Spread) -> str:
    within = " (one shared factor per part of the map: ρ within a part, parts independent)" \
        if sp.shared_factor == "part" else ""
    if sp.correlation_source == "map":
        return (f"ρ = {sp.correlation:g}, the map's stated rank correlation between hedges{within}: "
                f"{sp.correlation_rationale}")
    if sp.correlation_source == "given":
        return f"ρ = {sp.correlation:g} (given){within}"
    return "ρ = 0: the map states no correlation; pass --correlation to lean the hedges together"


def spread_rows(sp: Spread) -> list[list[str]]:
    """[reading, median, mean, 90% interval, stated's percentile, P(draw ≥ stated)] per reading."""
    rows = []
    lean = f"per-part ρ={sp.correlation:g}" if sp.shared_factor == "part" else f"correlated ρ={sp.correlation:g}"
    for name, s in (("independent", sp.independent), (lean, sp.correlated)):
        pct, ge = _where(s)
        rows.append([name, f"{s.median:.3f}", f"{s.mean:.3f}", f"[{s.q05:.3f}, {s.q95:.3f}]", pct, ge])
    return rows


def spread_text(sp: Spread, indent: str = "") -> list[str]:
    """Terminal lines: the two readings side by side and where the stated figure falls."""
    label = sp.query.label
    st = f"{sp.stated:g}" if sp.stated is not None else None
    head = f"{'reading':<20} {'median':>7} {'mean':>7} {'90% interval':>16}"
    if st:
        head += f" {'stated ' + st + ' at':>16} {'P(draw ≥ ' + st + ')':>15}"
    L = [f"Spread of {label} over {_how(sp)}", head]
    for name, med, mean, iv, pct, ge in spread_rows(sp):
        line = f"{name:<20} {med:>7} {mean:>7} {iv:>16}"
        if st:
            line += f" {pct + ' percentile':>16} {ge:>15}"
        L.append(line)
    L += textwrap.wrap(_rho(sp), 100)
    if st:
        L.append(f"(stated {st}: {sp.stated_by or 'the source'}; point estimate {sp.point:.3f})")
    return [indent + x for x in L]


def spread_markdown(sp: Spread) -> list[str]:
    """A Markdown table of the two readings, with how they were drawn."""
    st = f"{sp.stated:g}" if sp.stated is not None else None
    head = ["reading", "median", "mean", "90% interval"]
    if st:
        head += [f"stated {st}: percentile", f"P(draw ≥ {st})"]
    rows = [r if st else r[:4] for r in spread_rows(sp)]
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return [f"{sp.query.label} over {_how(sp)}. {_rho(sp).rstrip('.')}.", "", *out, ""]


def scales_markdown(spreads: list[Spread]) -> list[str]:
    """One Markdown table: each scale's two readings, with the stated figure placed on each."""
    st = next((f"{s.stated:g}" for s in spreads if s.stated is not None), None)
    head = ["scale", "reading", "point", "median", "mean", "90% interval"]
    if st:
        head += [f"stated {st}: percentile", f"P(draw ≥ {st})"]
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    for sp in spreads:
        for row in spread_rows(sp):
            cells = [sp.scale, row[0], f"{sp.point:.3f}", *row[1:4]] + (row[4:] if st else [])
            out.append("| " + " | ".join(cells) + " |")
    return out


def chart_rows(spreads: list[Spread]) -> list[dict]:
    """The rows of :func:`argmap.render.charts.spread_chart`: each scale, independent then correlated."""
    rows = []
    for sp in spreads:
        for correlated, s, values in ((False, sp.independent, sp.independent_values),
                                      (True, sp.correlated, sp.correlated_values)):
            rows.append({"label": f"{sp.scale}, " + (f"ρ = {sp.correlation:g}" if correlated else "independent"),
                         "values": values, "q05": s.q05, "median": s.median, "q95": s.q95,
                         "correlated": correlated, "percentile": s.percentile})
    return rows
