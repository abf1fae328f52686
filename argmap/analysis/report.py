"""Plain-text reports for the terminal. Formatting only: results are computed elsewhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base.formatting import conditions_text, fmt_p, terminal_columns
from ..base.marginals import p_true
from ..base.textsafe import visible
from ..base.texttable import clip
from ..maps.models import ArgumentMap

if TYPE_CHECKING:
    from ..api import Result

__all__ = ["format_result", "bar"]


def bar(p: float, width: int = 10) -> str:
    filled = int(round(max(0.0, min(1.0, p)) * width))
    return "█" * filled + "·" * (width - filled)


_BARS = tuple(bar(k / 10) for k in range(11))
"""``bar(p)`` for each of its eleven fillings (the report draws one per claim)."""


def _conditions_line(result: Result, amap: ArgumentMap) -> list[str]:
    c = result.conditions
    lines = []
    if c.scenario:
        sc = amap.scenarios[c.scenario]
        lines.append(f"scenario: {c.scenario}" + (f" — {sc.description}" if sc.description else ""))
    if c.given or c.set:
        lines.append("conditions: " + conditions_text(c.given, c.set))
    for oid in c.observed:
        from ..maps.observe import describe_observation

        lines.append(f"observed: {oid} — {describe_observation(amap.observations[oid])}")
    if not (c.scenario or c.given or c.set or c.observed):
        lines.append("conditions: none (unconditional)")
    if amap.default_scenario and c.scenario is None:
        lines.append(f"(the map's default scenario '{amap.default_scenario}' is lifted)")
    elif amap.default_scenario and c.scenario == amap.default_scenario:
        lines.append("(lift it with --scenario none)")
    return lines


def format_result(amap: ArgumentMap, result: Result, width: int | None = None) -> str:
    """The ``argmap run`` report: headline, conditions, then every claim grouped by part, for a terminal
    ``width`` columns wide (default: this one's)."""
    width = terminal_columns(100) if width is None else width
    title_w = max(24, min(56, width - 52))
    target = amap.claims[result.target]
    out = [amap.title or amap.name]
    if amap.overlays:
        out.append("overlays: " + ", ".join(amap.overlays))
    for t, f, earlier, later in result.overrides:
        out.append(f"override: {later} overrides the {f} of {t} set by {earlier}")
    out += _conditions_line(result, amap)
    out.append("")
    if target.binary:
        out.append(f"P({result.target}) = {fmt_p(result.probability)}   {target.title}")
    else:
        dist = ", ".join(f"{s}: {fmt_p(p)}" for s, p in result.distribution.items())
        out.append(f"P({result.target}) = {{{dist}}}   {target.title}")
    for st in amap.stated:
        if st.claim == result.target and st.scenario == result.conditions.scenario and not st.verdict:
            who = ", ".join(x for x in (st.holder, st.source) if x)
            by = f"by overlay {st.overlay}" if st.overlay else "in the source"
            out.append(f"  stated {by}: {st.describe()}" + (f" ({who})" if who else "")
                       + (f" — {st.note}" if st.note else ""))
    out += verdict_lines(amap, result.verdicts)
    out.append("")
    by_part: dict[str | None, list[str]] = {}
    evidence = result.conditions.evidence
    for cid, c in amap.claims.items():
        if cid in amap.observations and cid not in evidence:
            continue        # an observation of another scenario: not part of this result
        by_part.setdefault(c.part, []).append(cid)
    header = f"{'claim':<34} {'title':<{title_w}} {'section':<10} {'P(true)':>8}"
    cond = result.conditions
    marks = {**dict.fromkeys(cond.observed, " (observed)"), **dict.fromkeys(cond.set, " (set)"),
             **dict.fromkeys(cond.given, " (given)")}
    claims, marginals = amap.claims, result.marginals
    for part, ids in by_part.items():
        out.append(f"── {amap.parts.get(part, part) if part else 'other claims'} " + "─" * 20)
        out.append(header)
        for cid in ids:
            c = claims[cid]
            m = marginals[cid]
            sec = clip(",".join(c.sections), 10) if c.sections else ""
            mark = marks.get(cid, "")
            if c.binary:
                p = p_true(m)
                val = f"{fmt_p(p):>8} {_BARS[int(round(max(0.0, min(1.0, p)) * 10))]}{mark}"
            else:
                val = "  " + " ".join(f"{s}={fmt_p(p)}" for s, p in m.items()) + mark
            out.append(f"{clip(cid, 34):<34} {clip(c.title, title_w):<{title_w}} {sec:<10} {val}")
        out.append("")
    return visible("\n".join(out).rstrip()) + "\n"


def verdict_word(row: dict) -> str:
    """How a composed value sits against a stated verdict: "fits", "below it", "above it" or "—"."""
    if row["agrees"] is None:
        return "—"
    if row["agrees"]:
        return "fits"
    lo = row["range"][0] if row.get("range") else row.get("above")
    return "below it" if lo is not None and row["probability"] < lo else "above it"


def verdict_lines(amap: ArgumentMap, verdicts) -> list[str]:
    """The sources' verdicts on the map's stages beside what the map composes (``argmap run``)."""
    if not verdicts:
        return []
    out = ["", "The source's verdicts on the stages, beside what the map composes from its arguments:"]
    for v in verdicts:
        cond = ", ".join(f"{k}={s}" for k, s in (v.get("given") or {}).items())
        label = f"P({v['claim']}" + (f" | {cond}" if cond else "") + ")"
        who = ", ".join(x for x in (v.get("holder"), v.get("source")) if x)
        stated = f"stated {v['text']}" + (f" ({who})" if who else "")
        flag = verdict_word(v)
        if v["probability"] is None:
            out.append(f"  {label}: {stated}; not applicable under these conditions")
        else:
            out.append(f"  {label} = {fmt_p(v['probability'])}: {stated}; the map's value {flag}"
                       + ("" if flag == "fits" else "  ← disagrees"))
    return out
