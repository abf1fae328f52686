"""The numbers a diagram shows, computed from a model and handed to the DOT builders.

This is the API-layer side of rendering: it asks :class:`argmap.Model` (and, for the sensitivity
view, :mod:`argmap.analysis.sensitivity`) for plain dicts, then calls :func:`~argmap.render.dot.map_dot` or
:func:`~argmap.render.diff.diff_dot`, which only draw.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from ..api import DEFAULT, Model
from ..base.errors import QueryError
from ..maps.models import ArgumentMap
from ..render.diff import diff_dot
from ..render.dot import map_dot
from ..render.raster import render_dot

__all__ = ["VIEWS", "Diagram", "diagram", "diff_diagram", "claim_effect_sizes", "model_dot", "model_diff_dot"]

VIEWS = ("plain", "sensitivity", "diff")


class Diagram:
    """A rendered diagram: its DOT ``source``; displays as SVG in a notebook.

    >>> from argmap import Model
    >>> d = Diagram(model_dot(Model.load("tests/data/maps/tiny")))   # doctest: +SKIP
    >>> d.save("tiny.png")                                            # doctest: +SKIP
    """

    def __init__(self, source: str):
        self.source = source

    def __repr__(self) -> str:
        return f"<argmap.render.Diagram: {len(self.source)} bytes of DOT>"

    def to_bytes(self, fmt: str = "svg", *, dpi: int | None = None) -> bytes:
        return render_dot(self.source, fmt, dpi=dpi)

    def save(self, path, fmt: str | None = None, *, dpi: int | None = None):
        """Write the diagram (format from the suffix unless ``fmt``), atomically."""
        from pathlib import Path

        from ..base.atomic import atomic_write

        path = Path(path)
        return atomic_write(path, self.to_bytes(fmt or path.suffix.lstrip(".").lower() or "svg", dpi=dpi))

    def _repr_svg_(self) -> str:
        return self.to_bytes("svg").decode("utf-8")


def claim_effect_sizes(model: Model, target: str | None = None, given=None, set=None,
                       scenario: str | None = DEFAULT) -> dict[str, float]:
    """claim → expected shift of P(target) on learning it: the crux ranking ``argmap sensitivity`` prints,
    with claims downstream of the target (and fixed ones) at 0, from :func:`argmap.analysis.sensitivity.claim_effects`.
    """
    from ..analysis.sensitivity import claim_effects

    return claim_effects(model, target=target, given=given, set=set, scenario=scenario)


def model_dot(model: Model, *, target: str | None = None, given=None, set=None, scenario: str | None = DEFAULT,
              view: str = "plain", focus: str | None = None, depth: int | None = None,
              collapse: Iterable[str] = (), collapse_all: bool = False, title: str | None = None,
              rankdir: str | None = None, legend: bool | str = True, stagger: int | None = None,
              only: Iterable[str] | None = None, notes: Iterable[str] = ()) -> str:
    """DOT for ``model`` under the conditions, in the plain or sensitivity view (``legend``, ``stagger``,
    ``only``, ``notes``: see :func:`argmap.render.dot.map_dot`)."""
    if view not in ("plain", "sensitivity"):
        raise QueryError(f"view '{view}' needs a base map to compare with; use model_diff_dot")
    target = target or model.map.target
    cond = model.conditions(given, set, scenario)
    marginals = model.marginals(cond.given, cond.set, scenario=None)
    effects = (claim_effect_sizes(model, target, cond.given, cond.set, scenario=None)
               if view == "sensitivity" else None)
    return map_dot(_drawn(model.map, cond.evidence), marginals, target=target, observed=cond.given,
                   intervened=cond.set,
                   effects=effects, focus=focus, depth=depth, collapse=collapse, collapse_all=collapse_all,
                   title=title, scenario=cond.scenario, rankdir=rankdir, legend=legend, stagger=stagger, only=only,
                   notes=notes)


def model_diff_dot(base: Model, new: Model, *, target: str | None = None, given=None, set=None,
                   scenario: str | None = DEFAULT, focus: str | None = None, depth: int | None = None,
                   collapse: Iterable[str] = (), collapse_all: bool = False, keep: Iterable[str] = (),
                   only: Iterable[str] | None = None, title: str | None = None,
                   rankdir: str | None = None, legend: bool | str = True, large: bool | None = None,
                   stagger: int | None = None) -> str:
    """The diff view: ``new`` (the map with overlays) coloured by how far each claim moved from ``base``
    (``only``, ``large``, ``stagger``: see :func:`argmap.render.diff.diff_dot`)."""
    target = target or new.map.target
    cb = base.conditions(given, set, scenario)
    cn = new.conditions(given, set, scenario)
    return diff_dot(_drawn(base.map, cb.evidence), _drawn(new.map, cn.evidence),
                    base.marginals(cb.given, cb.set, scenario=None),
                    new.marginals(cn.given, cn.set, scenario=None), target, observed=cn.given,
                    intervened=cn.set, focus=focus, depth=depth, collapse=collapse,
                    collapse_all=collapse_all, keep=keep, only=only, title=title, rankdir=rankdir, legend=legend,
                    large=large, stagger=stagger)


def _drawn(amap: ArgumentMap, evidence: Mapping[str, str]) -> ArgumentMap:
    """The map without the observations these conditions do not observe (another scenario's reports)."""
    idle = {o for o in amap.observations if o not in evidence}
    if not idle:
        return amap
    return dataclasses.replace(amap, claims={k: v for k, v in amap.claims.items() if k not in idle},
                               observations={k: v for k, v in amap.observations.items() if k not in idle})


def diagram(model: Model, **options) -> Diagram:
    """The model's :class:`Diagram` (displays in a notebook); options as for :func:`model_dot`.

    >>> from argmap import Model
    >>> diagram(Model.load(), view="sensitivity", collapse_all=True)   # doctest: +SKIP
    """
    return Diagram(model_dot(model, **options))


def diff_diagram(base: Model, new: Model, **options) -> Diagram:
    """The diff view of ``new`` against ``base`` as a :class:`Diagram`; options as for :func:`model_diff_dot`."""
    return Diagram(model_diff_dot(base, new, **options))
