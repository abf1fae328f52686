"""The post bundle: diagrams, the tornado chart and a Markdown summary, ready to paste into a post.

:func:`write_bundle` computes the numbers (through :class:`argmap.Model`, :mod:`argmap.analysis.sensitivity`
and :mod:`argmap.analysis.symbolic`), hands them to the drawing functions, and writes every file atomically.
Every output is deterministic, so a regenerated bundle diffs cleanly in git.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api import DEFAULT, Conditions, Model
from ..base.atomic import atomic_write, refuse_map_folder
from ..base.formatting import conditions_text, fmt_p
from ..base.marginals import Move, claim_moves, is_binary, p_true
from ..base.records import dataclass
from ..base.textsafe import visible

if TYPE_CHECKING:
    from ..analysis.sensitivity.spread import Spread
    from ..base.forked import Pending

__all__ = ["Bundle", "write_bundle", "TOP_CLAIMS"]

TOP_CLAIMS = 8
BUNDLE_FILES = frozenset({"map.svg", "map.png", "map-full.svg", "diff.svg", "diff.png", "tornado.svg", "tornado.png",
                          "spread.svg", "spread.png", "summary.md"})
"""Every file a bundle may hold: those this export does not write are removed, so a diff from an
earlier export with overlays never sits beside a summary that does not mention it."""


@dataclass
class Bundle:
    """What :func:`write_bundle` wrote: the folder, its files, and the headline numbers."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    probability: float = float("nan")
    base_probability: float | None = None
    lead_shows: int | None = None
    """With overlays: which of :func:`lead_claims`'s selections the lead diff draws (0 fullest), or None."""


def _md(text: object) -> str:
    """Text safe inside a Markdown table cell or line (pipes, newlines and HTML neutralised)."""
    s = " ".join(visible(text or "").split())
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _secs(sections) -> str:
    return ", ".join(sections) if sections else ""


def write_bundle(path: str | Path | None, out: str | Path, overlays=(), *, given=None, set=None,
                 scenario: str | None = DEFAULT, command: str | None = None, target: str | None = None,
                 focus: str | None = None, depth: int | None = None, collapse: Iterable[str] = (),
                 collapse_all: bool | None = None, dpi: int | None = None, legend: str = "strip",
                 progress: Callable[[str], None] | None = None,
                 models: tuple[Model, Model] | None = None, offer: Any = None, correlation: float | None = None,
                 words: bool = False, samples: int = 10_000, seed: int | None = 0,
                 shared_factor: str = "map", entry: str | None = None) -> Bundle:
    """Write the post bundle for the map at ``path`` (with ``overlays``) into the folder ``out``.

    Files: ``map.svg``/``map.png`` (the part-collapsed overview for a large map, with ``map-full.svg``
    for zooming), ``diff.svg``/``diff.png`` when overlays are given, ``tornado.svg``/``tornado.png``,
    ``summary.md`` (headline, top claims, cruxes, alt text, the LaTeX formula), and ``explore.html`` (the
    interactive page of :mod:`argmap.views.explorer`). ``focus``, ``depth``,
    ``collapse`` and ``collapse_all`` choose what the diagrams show (default: the overview for a map of
    more than :data:`~argmap.render.views.OVERVIEW_ABOVE` claims); ``progress`` is called with each step's
    name. ``models``: the map without and with the overlays, already loaded (:meth:`Model.load_with_base`),
    on the verbal scale to report on. ``offer``: the other overlays the explorer page offers
    (:func:`argmap.views.explorer.offering`). ``correlation``, ``words``, ``shared_factor``, ``samples`` and
    ``seed``: how the headline's spread is drawn (:func:`argmap.analysis.sensitivity.spread`); ``spread.png``
    shows it on every scale. ``entry``: the signature of the compiled-map cache entry ``models`` were both read
    from (:func:`argmap.inference.cache.hit_signature`; None if they were not): the spread is kept under it
    for the next export of that entry with the same options, which reads it instead of drawing it again
    (:mod:`argmap.analysis.sensitivity.spreadkept`).
    """
    from ..analysis.sensitivity import cruxes, group_cruxes, residual, tornado
    from ..analysis.sensitivity.spread import hedge_factors
    from ..analysis.sensitivity.spreadtext import chart_rows
    from ..base.forked import start

    step = progress or (lambda _msg: None)
    refuse_map_folder(out)
    step("loading the map")
    overlays = list(overlays)
    first, model = models or Model.load_with_base(path, overlays)
    base = first if overlays else None
    amap = model.map
    target = target or amap.target
    cond = model.conditions(given, set, scenario)
    kw = dict(given=given, set=set, scenario=scenario)
    result = model.run(target, **kw)
    bundle = Bundle(Path(out), probability=result.probability)
    files: dict[str, bytes | str] = {}
    # the parts that need nothing but the map run side by side (argmap.base.forked): the spread (the longest
    # part), the page and the formula start first; the tornado chart once this process has done its own parts,
    # so that it is drawn while the spread's chart is (the two cores stay busy to the end). What several of
    # them import is imported here once, before they fork: Graphviz and the drawing modules (the page's and this
    # process's) after the spread, which needs none of them. scipy.special is imported only where a quantile is
    # computed: the spread's tables and fits, the page's fits and the tornado's intervals are kept by an earlier
    # export (argmap.inference.kept; the spread learns its tables first thing in its own process).
    charts: dict[str, Pending[dict[str, bytes]]] = {}
    drawing: Pending[list[Spread]] | None = None
    texts: list[Pending[str]] = []
    try:
        step("the headline's spread on each verbal scale")
        uncertain = samples > 1 and bool(hedge_factors(model, words))    # no ranges, no words drawn: no spread
        kept_spreads: list[Spread] | None = [] if not uncertain else None    # the spreads, when known at once
        if uncertain:
            drawing, kept_spreads = _spread_part(model, target, kw, entry, dict(
                samples=samples, seed=seed, correlation=correlation, words=words, shared_factor=shared_factor))
        step("the explorer page and the headline as a formula")
        from ..render.charts import chart_context, spread_charts, tornado_charts
        from ..render.charts import prepare as prepare_charts
        from ..render.raster import prepare as prepare_graphviz
        from ..render.raster import render_dot
        from ..render.views import OVERVIEW_ABOVE
        from .diagrams import model_diff_dot, model_dot
        from .explorer import explorer_html
        from .keptquantiles import keep_intervals, tornado_intervals
        prepare_graphviz()                                  # which both draw
        wanted = tornado_intervals(model)      # kept by an earlier export: no scipy.special here (nor, its fits kept
        if wanted is not None:                 # too, in the page); else imported before the page forks, shared
            import scipy.special  # noqa: F401 - the tornado's intervals here, the page's beta fits
        texts = [start(partial(explorer_html, path, overlays, offer=offer, given=given, set=set, scenario=scenario,
                               scale=model.scale, correlation=correlation, shared_factor=shared_factor)),
                 _formula_part(model, target, kw)]
        big = len(amap.claims) > OVERVIEW_ABOVE if collapse_all is None else collapse_all
        overview = big and not focus
        shown: dict[str, Any] = dict(focus=focus, depth=depth, collapse=tuple(collapse), collapse_all=overview)
        step("tornado chart")
        rows = tornado(model, target, **kw)
        keep_intervals(wanted)
        tlabel = f"P({amap.claims[target].title})"
        if rows or uncertain:
            prepare_charts(docstrings=False)   # imported once here, not in each chart's process
        tornado_part = partial(tornado_charts, rows, result.probability, ("svg", "png"), target_label=tlabel,
                               context=chart_context(amap.overlays, cond.scenario))
        if kept_spreads is not None:    # no spread being drawn: both charts are drawn beside this process's parts
            if rows:
                charts["tornado"] = start(tornado_part)
            if kept_spreads:
                charts["spread"] = start(partial(spread_charts, chart_rows(kept_spreads), ("svg", "png"),
                                                 stated=kept_spreads[0].stated, target_label=tlabel))
        step("drawing the map")
        maps = [partial(model_dot, model, target=target, stagger=st, **shown, **kw) for st in (None, 3, 2)]
        added = [c for c in amap.claims if c not in first.map.claims]
        if base is not None and overview and added:      # the lead figure draws them: the overview may leave them out
            note = (f"The {len(added)} claim{'s' if len(added) != 1 else ''} the overlays add "
                    f"{'are' if len(added) != 1 else 'is'} drawn in the diff figure")
            maps += [partial(model_dot, model, target=target, stagger=st, only=list(first.map.claims), notes=[note],
                             **shown, **kw) for st in (None, 3)]
        _legible_files(files, "map", maps, dpi, legend)
        if overview:
            files["map-full.svg"] = render_dot(model_dot(model, target=target, **kw), "svg")
        if base is not None:
            step("drawing the diff")
            base_result = base.run(target, **kw)
            bundle.base_probability = base_result.probability
            if focus or not big:      # the user chose what to show, or the map is small: the diff of that
                candidates = [partial(model_diff_dot, base, model, target=target, **shown, **kw)]
            else:                     # the lead figure: what the critique acts on, drawn claim by claim
                candidates = [partial(model_diff_dot, base, model, target=target, only=only, large=True,
                                      rankdir="TB", stagger=st, **kw)
                              for only in lead_claims(base, model, target, cond) for st in (3, 2)]
            drawn = _legible_files(files, "diff", candidates, dpi, legend)
            bundle.lead_shows = None if len(candidates) == 1 else drawn // 2
            step("the shift over joint draws")
            from ..analysis.shift import carrying_chains, shift_spread
            moved = shift_spread(base, model, target, **kw, seed=seed, correlation=correlation, words=words,
                                 shared_factor=shared_factor)
            carried = carrying_chains(base, model, base.marginals(cond.given, cond.set, scenario=None),
                                      model.marginals(cond.given, cond.set, scenario=None), target,
                                      [*cond.given, *cond.set])
        step("cruxes")
        # claims that depend on the target re-describe the answer rather than bear on it: not cruxes
        all_cruxes = cruxes(model, target, **kw)
        crux_rows = [r for r in all_cruxes if r["rank"] is not None]     # what a person can argue about
        groups = group_cruxes(model, dict(amap.crux_groups), target, **kw) if amap.crux_groups else []
        step("residual")
        res = residual(model, target, **kw)
        if rows and kept_spreads is None:
            charts["tornado"] = start(tornado_part)
        step("the spread's chart")
        spreads = drawing.result() if drawing is not None else []
        if spreads and kept_spreads is None:
            files.update((f"spread.{fmt}", data) for fmt, data in spread_charts(
                chart_rows(spreads), ("svg", "png"), stated=spreads[0].stated, target_label=tlabel).items())
        step("waiting for the page, the formula and the charts")
        page, formula = (t.result() for t in texts)
        for name, chart in charts.items():
            for fmt, drawn_chart in chart.result().items():
                files[f"{name}.{fmt}"] = drawn_chart
    except BaseException:
        running: list[Pending[Any]] = [*texts, *([drawing] if drawing else []), *charts.values()]
        for p in running:
            p.cancel()
        raise
    files["summary.md"] = _summary(model, base, result, rows, crux_rows, all_cruxes, formula, cond, overview,
                                   command, "tornado.png" in files, res, groups, bundle.lead_shows,
                                   (moved, carried) if base is not None else None, spreads)
    files["explore.html"] = page
    folder = Path(out)
    step(f"writing {len(files)} files")
    for name in sorted(files):
        data = files[name]
        bundle.files.append(atomic_write(folder / name, data))
    for name in sorted(n for n in BUNDLE_FILES if n not in files):    # left from an earlier bundle
        stale = folder / name
        if stale.is_file() and not stale.is_symlink():
            stale.unlink()
            step(f"removed {stale} (left from an earlier export)")
    return bundle


def _spread_part(model: Model, target: str, conditions: dict, entry: str | None,
                 options: dict) -> tuple[Pending[list[Spread]], list[Spread] | None]:
    """The headline's spread on every scale, and the spreads if known at once: kept by an earlier export of the
    same entry with the same options (:mod:`argmap.analysis.sensitivity.spreadkept`), else None: being drawn in a
    process of its own (and kept)."""
    from ..analysis.sensitivity import spreadkept
    from ..analysis.sensitivity.spread import spread_by_scale
    from ..base.forked import Pending, start
    from ..base.scales import SCALES

    scales = (model.scale, *(s for s in SCALES if s != model.scale))
    material = None if entry is None else spreadkept.material(entry, target, conditions, scales, **options)
    found = spreadkept.lookup(material)
    if found is not None:
        return Pending(lambda: found, value=found), found
    draw = partial(spread_by_scale, model, target, **conditions, scales=scales, **options)
    return start(partial(_spread_with_kept_tables, draw, material)), None


_QUANTILE_LIBRARIES = ("scipy",)
"""The library kept quantile tables and fits come from (a kept text is read only under the same version)."""


def _spread_with_kept_tables(spread: Callable[[], list[Spread]], material: str | None = None) -> list[Spread]:
    """``spread()`` (the spread on every scale) with the beta quantile tables, beta fits and gamma tables its draws
    read kept in the cache folder (:mod:`argmap.inference.kept`) for the next export: each is a fixed function of
    its numbers (``betaincinv`` at fixed points, a fit, ``gammaincinv``), the same whenever computed, so those of
    numbers an edit left alone are not computed again; with all of them kept the spread imports no scipy. With a
    ``material`` (:func:`argmap.analysis.sensitivity.spreadkept.material`) the spreads themselves are kept too."""
    from ..analysis.sensitivity import spreadkept
    from ..inference import distributions, kept

    text = kept.text("beta-tables", distributions.BETA_TABLE_GRID, _QUANTILE_LIBRARIES)
    if text is not None:
        distributions.learn_beta_tables(text)
    before = distributions.quantiles_computed()
    spreads = spread()
    if distributions.quantiles_computed() != before:
        kept.keep("beta-tables", distributions.BETA_TABLE_GRID, distributions.beta_tables_text(), _QUANTILE_LIBRARIES)
    spreadkept.keep(material, spreads)
    return spreads


def _formula_markdown(model: Model, target: str, conditions: dict) -> str:
    """The summary's formula section: P(target) in root credences. Its numbers come from the engine; sympy
    (imported only here) turns them into the formula, unless a run before kept the section for exactly these
    numbers, symbols and legend (:mod:`argmap.inference.kept`: a re-export of an unchanged map)."""
    text, numbers, material = _formula_kept(model, target, conditions)
    return text if text is not None else _formula_made(model, numbers, material)


def _formula_part(model: Model, target: str, conditions: dict) -> Pending[str]:
    """:func:`_formula_markdown` for the bundle: a kept section at once, else sympy's in a process of its own
    (:func:`argmap.base.forked.start`; importing sympy is most of its cost)."""
    from ..base.forked import Pending, start

    text, numbers, material = _formula_kept(model, target, conditions)
    if text is not None:
        return Pending(lambda: text, value=text)
    return start(partial(_formula_made, model, numbers, material))


def _formula_kept(model: Model, target: str, conditions: dict) -> tuple[str | None, Any, str]:
    """(the kept section or None, the engine's numbers, the material that keys the section)."""
    import json

    from ..analysis.symbolic import formula_numbers
    from ..inference import kept

    numbers = formula_numbers(model, target, **conditions)
    legend = [[c, model.map.claims[c].title, list(model.map.claims[c].sections)] for c, *_ in numbers.roots]
    material = json.dumps([numbers.to_json(), legend], ensure_ascii=False)
    return kept.text("formula", material, _SYMBOLIC), numbers, material


def _formula_made(model: Model, numbers, material: str) -> str:
    """The formula section made by sympy from the engine's ``numbers``, and kept for the next run."""
    from ..analysis.symbolic import formula_from
    from ..inference import kept

    text = _formula_text(model, formula_from(numbers))
    kept.keep("formula", material, text, _SYMBOLIC)
    return text


_SYMBOLIC = ("sympy", "mpmath")
"""The libraries a formula's text comes from (a kept one is read only under the same versions)."""


def lead_claims(base: Model, model: Model, target: str, cond: Conditions) -> list[set[str]]:
    """What the lead diff of a critique may draw, fullest first: the claims its overlays act on (not those
    the conditions fix) with every claim on a path from them to the target; then those claims alone."""
    from ..maps.reach import chain_to, touched_claims

    fixed = set(cond.given) | set(cond.set)
    acted = [c for c in touched_claims(base.map, model.map) if c not in fixed]
    return [set(chain_to(model.map, acted, target)) | set(acted), set(acted)]


def _legible_files(files: dict, name: str, candidates: Sequence[Callable[..., str]], dpi: int | None,
                   legend: str) -> int:
    """NAME.svg and a post-sized NAME.png (with ``legend="separate"``, NAME-legend.svg/.png too) for the
    first candidate whose text is legible in a post's column (:func:`argmap.render.raster.post_fit`), else
    the most legible; returns the index of the one drawn."""
    from ..render.raster import post_fit, render_dot

    best = None
    for i, make in enumerate(candidates):
        source = make(legend=legend)
        svg = render_dot(source, "svg")
        fit = post_fit(svg, dpi=dpi)
        if best is None or fit.min_text_px > best[0].min_text_px:
            best = (fit, i, make, source, svg)
        if fit.ok:
            break
    assert best is not None
    fit, index, make, source, svg = best
    files[f"{name}.svg"] = svg
    files[f"{name}.png"] = render_dot(source, "png", dpi=fit.dpi)
    if legend == "separate":
        key = make(legend="key")
        files[f"{name}-legend.svg"] = render_dot(key, "svg")
        files[f"{name}-legend.png"] = render_dot(key, "png", dpi=dpi)
    return index


def _inputs(model: Model, target: str, marginals, fixed=()) -> list[tuple[str, float]]:
    out = []
    for r in model.map.relations_into(target):
        if r.source in fixed:
            continue
        dist = marginals.get(r.source, {})
        if is_binary(dist):
            out.append((model.map.claims[r.source].title, p_true(dist)))
    return out


def _summary(model: Model, base: Model | None, result, rows, crux_rows, all_cruxes, formula, cond, big: bool,
             command: str | None, has_tornado: bool, res=None, groups=(), lead: int | None = None,
             shift=None, spreads=()) -> str:
    from ..analysis.report import verdict_word
    from ..render.style import fmt_delta

    amap = model.map
    target = result.target
    tclaim = amap.claims[target]
    p = result.probability
    lines = [f"# {_md(amap.title or amap.name)}: P({_md(tclaim.title.lower())}) = {fmt_p(p)}", ""]
    conds = conditions_text(cond.given, cond.set, quote="`")
    if cond.scenario:
        desc = amap.scenarios[cond.scenario].description if cond.scenario in amap.scenarios else ""
        lines.append(f"**Scenario `{_md(cond.scenario)}`:** {_md(desc)}")
        if conds:
            lines += ["", "Conditions: " + conds + "."]
    elif conds:
        lines.append("Given " + conds + ".")
    else:
        lines.append("No conditions applied (unconditional).")
    stated = [st for st in amap.stated if st.claim == target and st.scenario == cond.scenario and not st.verdict]
    for st in stated:
        who = ", ".join(_md(x) for x in (st.holder, st.source) if x)
        by = f"by overlay `{_md(st.overlay)}`" if st.overlay else "in the source"
        lines += ["", f"Stated {by}: {_md(st.describe())}" + (f" ({who})" if who else "")
                  + (f". {_md(st.note)}" if st.note else "")]
    if stated:
        lines += ["", "The map's own figure is computed from its arguments, not fitted to the stated one."]
    if result.verdicts:
        lines += ["", "The source's verdicts on the stages, beside what the map composes from its arguments:", "",
                  "| stage | stated | composed | the map's value |", "| --- | --- | ---: | --- |"]
        for v in result.verdicts:
            cond_v = ", ".join(f"{k}={s}" for k, s in (v.get("given") or {}).items())
            label = f"P({v['claim']}" + (f" | {cond_v}" if cond_v else "") + ")"
            flag = verdict_word(v)
            lines.append(f"| {_md(label)} | {_md(v['text'])} | "
                         f"{'—' if v['probability'] is None else fmt_p(v['probability'])} | "
                         f"{flag if v['agrees'] is not False else f'**{flag}** (disagrees)'} |")
    if base is not None:
        bp = base.run(target, given=cond.given, set=cond.set, scenario=None).probability
        lines += ["", f"**With {', '.join(f'`{o}`' for o in amap.overlays)}:** P({_md(tclaim.title.lower())}) "
                      f"moves from {fmt_p(bp)} to {fmt_p(p)} ({fmt_delta(p - bp, 3)})."]
    for t, f, earlier, later in result.overrides:
        lines += ["", f"Override: `{_md(later)}` overrides the {_md(f)} of `{_md(t)}` set by `{_md(earlier)}`."]
    if command:
        lines += ["", f"Regenerate with `{command}`."]
    marg = result.marginals
    if base is not None:
        lines += ["", "## What the overlays change", "", _image("diff.png", _alt_diff(base, model, cond, target, lead))]
        if shift is not None:
            lines += ["", *_shift_lines(*shift)]
        lines += ["", _moved_table(base, model, cond), "", _changes_table(model)]
    lines += ["", "## The map", "", _image("map.png", _alt_map(model, result, big))]
    if big:
        lines += ["", "The full map, every claim drawn, is in `map-full.svg` (zoom in; hover for each claim's "
                      "text, provenance and rationale)."]
    lines += ["", "## Top claims", "", _top_claims_table(model, target, marg, crux_rows, cond)]
    lines += ["", "## Cruxes: what would move the headline most", "",
              f"Learning each claim's truth would move P({_md(tclaim.title.lower())}) from {fmt_p(p)} to the values "
              "below; the expected shift weighs both outcomes by their probability.", "",
              _crux_table(model, crux_rows)]
    if groups:
        from ..analysis.sensitivity.text import group_lines
        lines += ["", "Learned together (joint value of information of a group the map names):", "",
                  "| group | expected shift | |", "| --- | ---: | --- |"]
        lines += [f"| {_md(name)} | {shift} | {_md(what)} |" for name, shift, what in group_lines(list(groups))]
    composed = [r for r in all_cruxes if r["rank"] is None and not r["downstream"]]
    if composed:
        lines += ["", "Not ranked: stages fixed by their parents (argue about their inputs instead): "
                  + "; ".join(f"{_md(r['title'])} ({r['expected_shift']:.3f})" for r in composed) + "."]
    downstream = [r["title"] for r in all_cruxes if r["downstream"]]
    if downstream:
        lines += ["", f"Not listed: {len(downstream)} claim(s) that depend on the headline itself "
                      f"({', '.join(_md(t) for t in downstream)}); learning them is largely learning the answer."]
    if res is not None:
        from ..analysis.sensitivity.text import residual_markdown
        lines += ["", *residual_markdown(res, f"P({_md(tclaim.title.lower())})")]
    if has_tornado:
        lines += ["", "## Which numbers matter", "", _image("tornado.png", _alt_tornado(model, target, rows, p))]
    else:
        lines += ["", "## Which numbers matter", "", "No number in this map carries a range or distribution, so "
                  "there is no tornado chart."]
    if spreads:
        lines += ["", *_spread_section(spreads, f"P({_md(tclaim.title.lower())})")]
    lines += ["", "## The headline as a formula", "", formula]
    lines += ["", "---", "", "Numbers are the map's; every illustrative credence is the map authors' reading "
              "(see each claim's provenance in the SVG tooltips or the argument files)."]
    return "\n".join(lines) + "\n"


def _shift_lines(moved, carried) -> list[str]:
    """The shift with its interval over joint draws, and the chains that carried it."""
    from ..analysis.shift import chain_text

    out = [f"**Over the map's uncertain numbers:** {moved.text()} ({moved.how()})."]
    if carried:
        out += ["", "**Carried by** (from each edited claim, the claim that moved most at each step to the "
                    "conclusion):", ""]
        out += [f"- {_md(chain_text(c))}" for c in carried]
    return out
def _spread_section(spreads, label: str) -> list[str]:
    """The headline with its spread: the reported scale's two readings, then every scale, then the figure."""
    from ..analysis.sensitivity.spreadtext import scales_markdown, spread_markdown

    sp = spreads[0]
    lines = ["## How wide the words are", "", *spread_markdown(sp),
             "The same on every shipped verbal scale (each word-read number re-read on it; docs/sensitivity.md):",
             "", *scales_markdown(spreads), ""]
    where = "; ".join(f"{s.scale} {s.independent.q05:.2f}–{s.independent.q95:.2f} independent, "
                      f"{s.correlated.q05:.2f}–{s.correlated.q95:.2f} correlated" for s in spreads)
    alt = (f"Violin plot of {label} over {sp.samples:,} joint draws of the map's uncertain numbers on each "
           f"verbal scale, with independent hedges (blue) and hedges correlated at rank correlation "
           f"{sp.correlation:g} (orange); 90% intervals: {where}"
           + (f"; a dashed line marks the stated {sp.stated:g}." if sp.stated is not None else "."))
    return lines + [_image("spread.png", alt)]


def _image(path: str, alt: str) -> str:
    return f"![{_md(alt)}]({path})\n\n*Alt text:* {_md(alt)}"


def _alt_map(model: Model, result, big: bool) -> str:
    amap = model.map
    t = amap.claims[result.target].title
    fixed = set(result.conditions.given) | set(result.conditions.set)
    ins = sorted(_inputs(model, result.target, result.marginals, fixed), key=lambda x: (-x[1], x[0]))
    view = ("an overview with each part of the report collapsed into one box" if big
            else "every claim of the map")
    parts = ", ".join(f"{title} {pp:.2f}" for title, pp in ins[:6])
    return (f"Argument map of {amap.title or amap.name}, showing {view}. Boxes are claims coloured by "
            f"probability (dark purple for unlikely through green to yellow for likely); green arrows support, "
            f"red dashed arrows oppose, dotted arrows undercut, grey arrows are requirements"
            + (", blue double-headed arrows are routes (any one suffices)"
               if any(r.type == "route" for r in amap.relations) else "")
            + ". The conclusion, "
            f"'{t}', has probability {result.probability:.3f}"
            + (f"; its direct inputs: {parts}." if parts else "."))


def _moves(base: Model, model: Model, cond: Conditions) -> list[Move]:
    """The true/false claims both maps have, by how far the overlays moved them (largest first)."""
    moves = claim_moves(base.marginals(cond.given, cond.set, scenario=None),
                        model.marginals(cond.given, cond.set, scenario=None), [*cond.given, *cond.set])
    return [m for m in moves if m.before is not None and not m.categorical]


_LEAD_SHOWS = ("the claims the overlays act on and every claim between them and the conclusion",
               "the claims the overlays act on, and the conclusion")


def _alt_diff(base: Model, model: Model, cond, t: str, lead: int | None = None) -> str:
    moves = _moves(base, model, cond)
    tb = next((m for m in moves if m.claim == t), None)
    rest = [m for m in moves if m.claim != t and abs(m.shift) >= 0.005][:4]
    added = [model.map.claims[c].title for c in model.map.claims if c not in base.map.claims]
    shows = f", showing {_LEAD_SHOWS[lead]}" if lead is not None else ""
    text = (f"Diff diagram of the map with {', '.join(model.map.overlays)}{shows}: claims coloured blue where "
            "their probability fell and red where it rose, white where unchanged, on a scale fitted to these "
            "moves (its legend gives the ends). ")
    if tb:
        text += f"The conclusion moves from {fmt_p(tb.before or 0.0)} to {fmt_p(tb.after)}. "
    if rest:
        text += "Largest other moves: " + "; ".join(
            f"{model.map.claims[m.claim].title} {m.before:.2f} to {m.after:.2f}" for m in rest) + ". "
    if added:
        text += "New claims: " + "; ".join(added[:5]) + "."
    return text.strip()


def _alt_tornado(model: Model, target: str, rows, p: float) -> str:
    t = model.map.claims[target].title
    top = "; ".join(f"{r['title']} ({r['p_low']:.2f} to {r['p_high']:.2f})" for r in rows[:3])
    return (f"Tornado chart: for each number in the map, P({t}) when that number sits at the low and the high "
            f"end of its 90% range, all else fixed; the vertical line is the map's value, {p:.3f}. "
            f"The widest bars: {top}.")


def _moved_table(base: Model, model: Model, cond) -> str:
    from ..render.style import fmt_delta

    rows = ["| claim | section | before | after | change |", "| --- | --- | ---: | ---: | ---: |"]
    for m in _moves(base, model, cond)[:TOP_CLAIMS]:
        claim = model.map.claims[m.claim]
        rows.append(f"| {_md(claim.title)} | {_md(_secs(claim.sections))} | {fmt_p(m.before or 0.0)} | "
                    f"{fmt_p(m.after)} | {fmt_delta(m.shift, 3)} |")
    return "\n".join(rows)


def _changes_table(model: Model) -> str:
    rows = ["| overlay edit | from | to | by | why |", "| --- | --- | --- | --- | --- |"]
    for ch in model.map.changes:
        old, new = ch.old, ch.new
        rows.append(f"| {_md(ch.target)}: {_md(ch.field)} | {_md(old)} | {_md(new)} | "
                    f"{_md(ch.author or ch.overlay)} | {_md(ch.reason)} |")
    added = [c for c in model.map.claims.values() if c.added_by]
    from ..render.style import fmt_ratio

    for c in added:
        does = "; ".join(("a route to" if r.type == "route" else r.type) + f" '{model.map.claims[r.target].title}'"
                         + (f" (odds {fmt_ratio(r.ratio.value)})" if r.ratio is not None else "")
                         + (f" (p {r.p.value:g})" if r.p is not None else "")
                         for r in model.map.relations_from(c.id))
        rows.append(f"| new claim: {_md(c.title)}" + (f" — {_md(does)}" if does else "") + " | | "
                    f"{_md(c.credence[-1].value if c.credence else '')} | "
                    f"{_md(c.provenance.holder or c.added_by)} | {_md(c.provenance.rationale or c.text)} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def _top_claims_table(model: Model, target: str, marg, crux_rows, cond) -> str:
    """The target's direct inputs plus the claims whose truth matters most, with their probability."""
    amap = model.map
    order = [target] + [r.source for r in amap.relations_into(target)]
    order += [r["claim"] for r in crux_rows[:TOP_CLAIMS]]
    seen, rows = set(), ["| claim | kind | section | P(true) |", "| --- | --- | --- | ---: |"]
    for c in order:
        if c in seen or c not in amap.claims:
            continue
        seen.add(c)
        dist = marg[c]
        pr = fmt_p(p_true(dist)) if is_binary(dist) else \
            ", ".join(f"{s} {v:.2f}" for s, v in dist.items())
        claim = amap.claims[c]
        if c in cond.given or c in cond.set:
            pr = f"{cond.given.get(c, cond.set.get(c))} ({'given' if c in cond.given else 'set'})"
        rows.append(f"| {_md(claim.title)} | {claim.kind} | {_md(_secs(claim.sections))} | {pr} |")
    return "\n".join(rows)


def _crux_table(model: Model, crux_rows) -> str:
    rows = ["| claim | section | P(claim) | if true | if false | expected shift |",
            "| --- | --- | ---: | ---: | ---: | ---: |"]
    for r in crux_rows[:TOP_CLAIMS]:
        states = {s["state"]: s for s in r["states"]}
        if set(states) == {"false", "true"}:
            pc = f"{states['true']['probability']:.2f}"
            yes = _opt(states["true"]["p_target"])
            no = _opt(states["false"]["p_target"])
        else:
            pc = ", ".join(f"{s} {v['probability']:.2f}" for s, v in states.items())
            yes = "; ".join(f"{s}: {_opt(v['p_target'])}" for s, v in states.items())
            no = ""
        rows.append(f"| {_md(r['title'])} | {_md(_secs(r['sections']))} | {pc} | {yes} | {no} | "
                    f"{r['expected_shift']:.3f} |")
    return "\n".join(rows)


def _opt(x) -> str:
    return "impossible" if x is None else f"{x:.3f}"


def _formula_text(model: Model, formula) -> str:
    amap = model.map
    out = []
    if formula.fixed:
        n, k = len(formula.roots), len(formula.fixed)
        out.append(f"P as an exact function of the {n} root credence{'s' if n != 1 else ''} that move it most; "
                   f"the other {k} root credence{'s enter' if k != 1 else ' enters'} at "
                   f"{'their values' if k != 1 else 'its value'} "
                   "(P is multilinear: linear in each credence, so this is exact, not a linearisation).")
    else:
        out.append("P as an exact function of every root credence it depends on (P is multilinear: linear in each).")
    out += ["", "$$", formula.latex(), "$$", "", "| symbol | credence | section | value |",
            "| --- | --- | --- | ---: |"]
    for tex, claim, state, value in formula.legend():
        c = amap.claims[claim]
        what = f"P({c.title}" + (f" = {state})" if state else ")")
        out.append(f"| ${tex}$ | {_md(what)} | {_md(_secs(c.sections))} | {value:.3g} |")
    out += ["", f"At these values the formula gives {formula.evaluate():.4f}, the map's P."]
    return "\n".join(out)
