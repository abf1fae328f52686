"""The text and Markdown forms of a :class:`~argmap.analysis.sensitivity.report.SensitivityReport` (formatting only)."""

from __future__ import annotations

import math
import textwrap

from ...base.formatting import fmt_p
from ...base.textsafe import visible
from ...base.texttable import clip
from .oneway import OneWay
from .report import SensitivityReport
from .residual import Residual
from .spreadtext import spread_markdown, spread_text

__all__ = ["format_text", "format_markdown", "sobol_caveat"]


def sobol_caveat(rep: SensitivityReport) -> str:
    """Sobol indices decompose variance over independent inputs; say so, and what dependence does."""
    text = ("Sobol indices assume independent inputs: this ranking is for the numbers drawn independently.")
    if rep.spread and rep.spread.correlation > 0:
        text += (f" Under the map's correlated hedges (ρ = {rep.spread.correlation:g}) the numbers share one factor, "
                 "so no number's share can be told apart from that factor's; the ranking does not carry over.")
    return text


def _coverage(rep: SensitivityReport) -> str:
    """What holding the other numbers at their points lost: both shares of the Monte Carlo variance."""
    s, cov, left = rep.sobol, rep.sobol_coverage, rep.sobol_held_share
    assert s is not None and cov is not None and left is not None
    one, held_one = s.varied == 1, s.held == 1
    return (f"the {s.varied} varied number{'' if one else 's'} alone produce{'s' if one else ''} {cov:.0%} of the "
            f"Monte Carlo variance (every uncertain number varying), so the {s.held} held at "
            f"{'its point leaves' if held_one else 'their points leave'} {max(left, 0.0):.0%} of it"
            + (" (the estimate is slightly negative: sampling noise)" if left < -0.005 else "")
            + ("; --sobol-factors all varies every one" if left > 0.005 else ""))


def _sec(sections) -> str:
    return "§" + ", ".join(sections[:2]) if sections else "§–"


def _num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}g}" if abs(x) >= 1000 or (0 < abs(x) < 0.001) else f"{x:.{digits}f}"


def _crux_line(r: dict) -> str:
    parts = [f"if {s['state']}: {s['p_target']:.3f}" for s in r["states"] if s["p_target"] is not None]
    return "; ".join(parts)


def _threshold_rows(rep: SensitivityReport) -> list[tuple[dict, dict]]:
    out = []
    for r in rep.thresholds:
        for c in r["crossings"]:
            if c["value"] is not None:
                out.append((r, c))

    def size(rc):
        r, c = rc
        if r["field"] in ("ratio", "scale"):
            return abs(math.log(c["change"])) if c["change"] else float("inf")
        return abs(c["change"])
    return sorted(out, key=size)


def _upstream(rep: SensitivityReport) -> list[dict]:
    """The ranked cruxes: what a person can argue about (inputs and arguments), not re-descriptions of the
    target and not stages fixed by their parents."""
    return [r for r in rep.cruxes if r.get("rank") is not None]


def _composed(rep: SensitivityReport) -> list[dict]:
    return [r for r in rep.cruxes if not r["downstream"] and r.get("rank") is None]


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def group_lines(groups: list[dict]) -> list[tuple[str, str, str]]:
    """Each named group as (name with its claims, expected shift, what it means beside the single cruxes)."""
    out = []
    for g in groups:
        alone = ", ".join(f"{c} {x:.3f}" for c, x in g["alone"].items())
        out.append((f"{g['name']}: {' × '.join(g['claims'])}", f"{g['expected_shift']:.3f}",
                    f"learned together; would rank {_ordinal(g['rank_among_cruxes'])} among the cruxes "
                    f"(each alone: {alone})"))
    return out


def _steepest(rep: SensitivityReport) -> list[OneWay]:
    return sorted([f for f in rep.one_way if f.elasticity], key=lambda f: (-abs(f.elasticity or 0.0), f.param))


def format_text(rep: SensitivityReport, top: int = 10) -> str:
    """A terminal report, most important items first, report sections cited."""
    q = rep.query
    lo, hi = rep.bounds
    L = [f"Sensitivity of {q.describe()}",
         f"map: {rep.map_name}" + (f" with {', '.join(rep.overlays)}" if rep.overlays else "")
         + (f"; scenario: {q.scenario}" if q.scenario else ""),
         "", f"{q.label} = {fmt_p(rep.baseline)}", ""]
    L.append(f"1. Which finding would move {q.label} most (cruxes; value of information)")
    L.append(f"   {'claim':<34} {'section':<12} {'exp. shift':>10} {'info (bits)':>11}   {q.label} if we learned…")
    for r in _upstream(rep)[:top]:
        L.append(f"   {clip(r['claim'], 34):<34} {clip(_sec(r['sections']), 12):<12} {r['expected_shift']:>10.3f} "
                 f"{r['mutual_information']:>11.3f}   {_crux_line(r)}")
    for name, shift, what in group_lines(rep.groups):
        L.append(f"   {clip(name, 47):<47} {shift:>10}   {what}")
    comp = _composed(rep)
    if comp:
        L.append("   (composed stages, fixed by their parents, so not ranked: argue about their inputs instead; "
                 + ", ".join(f"{r['claim']} {r['expected_shift']:.3f}" for r in comp[:6])
                 + (", …" if len(comp) > 6 else "") + ")")
    down = [r["claim"] for r in rep.cruxes if r["downstream"]]
    if down:
        many = len(down) > 1
        L.append(f"   (not listed: {len(down)} claim{'s' * many} that depend{'s' * (not many)} on {q.target} itself, "
                 f"e.g. {', '.join(down[:3])}; learning {'them' if many else 'it'} is largely learning the answer)")
    L += ["", "2. Which numbers matter most (tornado: each moved alone across its 90% range)"]
    for r in rep.tornado[:top]:
        L.append(f"   {clip(_sec(r['sections']), 12):<12} {clip(r['title'], 58):<58} "
                 f"{_num(r['low']):>6} → {r['p_low']:.3f}   {_num(r['high']):>6} → {r['p_high']:.3f}   "
                 f"swing {r['swing']:.3f}")
    if rep.monte_carlo:
        mc = rep.monte_carlo
        qs = mc.quantiles
        L += ["", f"3. Uncertainty over the credences (Monte Carlo: {mc.samples:,} joint draws of {mc.uncertain} "
                  f"uncertain numbers, seed {mc.seed})",
              f"   mean {mc.mean:.3f}   median {mc.median:.3f}   sd {mc.sd:.3f}   "
              f"90% interval [{qs['5%']:.3f}, {qs['95%']:.3f}]   (point estimate {mc.point:.3f})"]
    if rep.spread:
        L += ["", *spread_text(rep.spread, "   ")]
    if rep.sobol and rep.sobol.rows:
        s = rep.sobol
        L += ["", f"4. Global sensitivity (Sobol indices: share of the variance of {q.label}; "
                  f"{s.evaluations:,} evaluations, {s.varied} factor{'s' * (s.varied != 1)} varied, {s.held} held "
                  f"at {'their points' if s.held != 1 else 'its point'})",
              f"   {'section':<12} {'factor':<58} {'first-order':>14} {'total':>14}"]
        for r in s.rows[:top]:
            L.append(f"   {clip(_sec(r['sections']), 12):<12} {clip(r['title'], 58):<58} "
                     f"{r['S1']:>7.3f} ±{r['S1_conf']:.3f} {r['ST']:>7.3f} ±{r['ST_conf']:.3f}")
        if rep.sobol_coverage is not None:
            line = _coverage(rep)
            L += textwrap.wrap(line[0].upper() + line[1:] + ".", 100, initial_indent="   ", subsequent_indent="   ")
        L += textwrap.wrap(sobol_caveat(rep), 100, initial_indent="   ", subsequent_indent="   ")
    L += ["", "5. Steepest one-way functions (exact; elasticity = % change in P per % change in the number)",
          f"   {'section':<12} {'number':<58} {'value':>7} {'dP/dθ':>8} {'elasticity':>10}"]
    for f in _steepest(rep)[:top]:
        L.append(f"   {clip(_sec(f.sections), 12):<12} {clip(f.title, 58):<58} {_num(f.value):>7} "
                 f"{f.derivative:>8.3f} {f.elasticity:>10.3f}")
    L += ["", f"6. What single change would carry {q.label} {_toward(rep.baseline, lo, hi)} (thresholds)"]
    rows = _threshold_rows(rep)
    for r, c in rows[:top]:
        L.append(f"   {clip(_sec(r['sections']), 12):<12} {clip(r['title'], 58):<58} "
                 f"{_num(r['value'])} → {_num(c['value'], 4)} gives {c['bound']:g}")
    unreachable = sum(1 for r in rep.thresholds if all(c["value"] is None for c in r["crossings"]))
    L.append(f"   {unreachable} of {len(rep.thresholds)} numbers cannot reach either bound on their own, "
             "whatever their value.")
    if rep.residual:
        L += ["", *_residual_text(rep.residual, q.label, top)]
    return visible("\n".join(L))


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def residual_lines(res: Residual, label: str) -> tuple[str, list[list[str]], list[list[str]]]:
    """The residual analysis as a sentence, rows of raising arguments and rows of groups set false."""
    n = len(res.raising)
    if not n:
        return f"No argument or critique raises {label}; there is nothing to set false.", [], []
    head = (f"{label} = {res.probability:.3f}; with all {n} argument{'s' * (n != 1)} that raise it set false, "
            f"{res.all_false:.3f}: the named arguments carry {_pct(res.share)} of it.")
    args = [[r["title"], _sec(r["sections"]), r["part"] or "—", f"{r['p_if_true']:.3f}", f"{r['p_if_false']:.3f}"]
            for r in res.raising]
    groups = [[" + ".join(g["parts"]), str(len(g["claims"])), f"{g['probability']:.3f}", _pct(g["share"])]
              for g in res.groups]
    return head, args, groups


def _residual_text(res: Residual, label: str, top: int) -> list[str]:
    head, args, groups = residual_lines(res, label)
    L = [f"7. What the named arguments carry (residual: {label} with the arguments that raise it set false)",
         f"   {head}"]
    if args:
        L.append(f"   {'argument':<50} {'section':<12} {'part':<14} {'if true':>8} {'if false':>8}")
        L += [f"   {clip(t, 50):<50} {clip(sec, 12):<12} {clip(part, 14):<14} {a:>8} {b:>8}"
              for t, sec, part, a, b in args[:top]]
        L.append(f"   {'set false together: the arguments of':<50} {'count':>6} {label:>14} {'carried':>8}")
        L += [f"   {clip(name, 50):<50} {n:>6} {p:>14} {share:>8}" for name, n, p, share in groups]
        L.append("   (each figure equals `argmap run --set CLAIM=false ...` for those claims)")
    return L


def _toward(p: float, lo: float, hi: float) -> str:
    """Where the thresholds carry P from its value ``p``: ``from 0.078 up to 0.1 or 0.5``.

    >>> _toward(0.078, 0.1, 0.5), _toward(0.3, 0.1, 0.5)
    ('from 0.078 up to 0.1 or 0.5', 'from 0.300 down to 0.1 or up to 0.5')
    """
    lo_word, hi_word = ("up" if lo > p else "down"), ("up" if hi > p else "down")
    if lo_word == hi_word:
        return f"from {p:.3f} {lo_word} to {lo:g} or {hi:g}"
    return f"from {p:.3f} {lo_word} to {lo:g} or {hi_word} to {hi:g}"


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return out


def format_markdown(rep: SensitivityReport, top: int = 10, charts: dict[str, str] | None = None) -> str:
    """A Markdown report ready to paste into a post; ``charts`` maps ``tornado``/``histogram`` to image files."""
    charts = charts or {}
    q = rep.query
    lo, hi = rep.bounds
    L = [f"# Sensitivity of {q.label}", "",
         f"Query: `{q.describe()}` on map **{rep.map_name}**"
         + (f" with {', '.join(rep.overlays)}" if rep.overlays else "")
         + (f" (scenario *{q.scenario}*)" if q.scenario else "") + ".", "",
         f"**{q.label} = {fmt_p(rep.baseline)}**", ""]
    L += ["## Which finding would move us most", "",
          f"Expected shift: how far learning the claim's truth would move {q.label}, on average over what we "
          "might learn. Information: mutual information between the claim and the target, in bits.", ""]
    L += _md_table(["claim", "section", "expected shift", "information (bits)", f"{q.label} if we learned…"],
                   [[r["title"], _sec(r["sections"]), f"{r['expected_shift']:.3f}", f"{r['mutual_information']:.3f}",
                     _crux_line(r)] for r in _upstream(rep)[:top]])
    if rep.groups:
        L += ["", "Learned together (joint value of information of a named group):", ""]
        L += _md_table(["group", "expected shift", ""], [list(x) for x in group_lines(rep.groups)])
    comp = _composed(rep)
    if comp:
        L += ["", "Composed stages, fixed by their parents and so not ranked (argue about their inputs): "
              + "; ".join(f"{r['title']} ({r['expected_shift']:.3f})" for r in comp) + "."]
    down = [r["title"] for r in rep.cruxes if r["downstream"]]
    if down:
        many = len(down) > 1
        L += ["", f"Not listed: {len(down)} claim{'s' * many} that depend{'s' * (not many)} on {q.target} itself "
                  f"({'; '.join(down[:4])}{'; …' if len(down) > 4 else ''}); learning {'them' if many else 'it'} is "
                  "largely learning the answer."]
    L += ["", "## Which numbers matter most", "",
          "Each number is moved alone across its 90% range while the rest stay at their points.", ""]
    if "tornado" in charts:
        L += [f"![Tornado chart: {q.label} when each of the {min(len(rep.tornado), 15)} most influential numbers "
              f"moves across its range; the largest swing is {rep.tornado[0]['title']} "
              f"({rep.tornado[0]['p_low']:.2f} to {rep.tornado[0]['p_high']:.2f}) around a baseline of "
              f"{rep.baseline:.2f}.]({charts['tornado']})", ""] if rep.tornado else []
    L += _md_table(["section", "number", "low → P", "high → P", "swing"],
                   [[_sec(r["sections"]), r["title"], f"{_num(r['low'])} → {r['p_low']:.3f}",
                     f"{_num(r['high'])} → {r['p_high']:.3f}", f"{r['swing']:.3f}"] for r in rep.tornado[:top]])
    if rep.monte_carlo:
        mc = rep.monte_carlo
        qs = mc.quantiles
        L += ["", "## Uncertainty over the credences", "",
              f"{mc.samples:,} joint draws of the {mc.uncertain} uncertain numbers (seed {mc.seed}): mean "
              f"**{mc.mean:.3f}**, median {mc.median:.3f}, 90% of draws between **{qs['5%']:.3f}** and "
              f"**{qs['95%']:.3f}** (point estimate {mc.point:.3f}).", ""]
        if "histogram" in charts:
            L += [f"![Histogram of {q.label} over {mc.samples:,} draws of the credences: median {mc.median:.2f}, "
                  f"90% between {qs['5%']:.2f} and {qs['95%']:.2f}.]({charts['histogram']})", ""]
    if rep.spread:
        L += ["", "## The headline with its spread: independent and correlated hedges", "",
              *spread_markdown(rep.spread)]
    if rep.sobol and rep.sobol.rows:
        s = rep.sobol
        L += ["", "## Global sensitivity (Sobol indices)", "",
              f"Share of the variance of {q.label} due to each number alone (first-order) and with its "
              f"interactions (total), ± the {int(s.conf_level * 100)}% bootstrap interval; {s.evaluations:,} "
              f"evaluations, {s.varied} factor{'s' * (s.varied != 1)} varied, {s.held} held at "
              f"{'their points' if s.held != 1 else 'its point'}"
              + (f"; {_coverage(rep)}" if rep.sobol_coverage is not None else "") + ".", ""]
        L += _md_table(["section", "factor", "first-order", "total"],
                       [[_sec(r["sections"]), r["title"], f"{r['S1']:.3f} ± {r['S1_conf']:.3f}",
                         f"{r['ST']:.3f} ± {r['ST_conf']:.3f}"] for r in s.rows[:top]])
        L += ["", sobol_caveat(rep)]
    L += ["", "## Steepest one-way functions", "",
          f"Exact derivative of {q.label} in each number, and its elasticity (% change in P per % change "
          "in the number).", ""]
    L += _md_table(["section", "number", "value", "dP/dθ", "elasticity"],
                   [[_sec(f.sections), f.title, _num(f.value), f"{f.derivative:.3f}", f"{f.elasticity:.3f}"]
                    for f in _steepest(rep)[:top]])
    L += ["", f"## What would carry {q.label} {_toward(rep.baseline, lo, hi)}", ""]
    rows = _threshold_rows(rep)
    if rows:
        L += _md_table(["section", "number", "now", "would need", f"{q.label} then"],
                       [[_sec(r["sections"]), r["title"], _num(r["value"]), _num(c["value"], 4), f"{c['bound']:g}"]
                        for r, c in rows[:top]])
    unreachable = sum(1 for r in rep.thresholds if all(c["value"] is None for c in r["crossings"]))
    L += ["", f"{unreachable} of {len(rep.thresholds)} numbers cannot reach either bound on their own.", ""]
    if rep.residual:
        L += residual_markdown(rep.residual, q.label)
    return visible("\n".join(L))


def residual_markdown(res: Residual, label: str) -> list[str]:
    """The residual analysis as a Markdown section (also used by the export summary)."""
    head, args, groups = residual_lines(res, label)
    L = ["## What the named arguments carry", "",
         f"{label} with the arguments that raise it set false (the do-operator, as `--set`): what the map's "
         "bases give when none of its named reasons holds.", "", head, ""]
    if args:
        L += _md_table(["argument", "section", "part", f"{label} if true", "if false"], args)
        L += [""]
        L += _md_table(["set false together: the arguments of", "count", label, "share carried"], groups)
        L += [""]
    return L
