"""Graphviz diagrams of argument maps: DOT building, views, and SVG/PNG/PDF output.

The drawing functions (:func:`map_dot`, :func:`diff_dot`) take a map plus plain dicts of numbers and
return DOT; they compute nothing. :func:`model_dot`, :func:`model_diff_dot` and
:func:`render_model_svg` get the numbers from a :class:`argmap.Model` first. :func:`render_dot` turns
DOT into file bytes with the Graphviz engine bundled in pygraphviz (or a ``dot`` on PATH).

>>> from argmap import Model
>>> from argmap.render import model_dot, render_dot
>>> svg = render_dot(model_dot(Model.load("tests/data/maps/tiny")), "svg")   # doctest: +SKIP
"""

from .compute import (
                      VIEWS,
                      Diagram,
                      claim_effect_sizes,
                      diagram,
                      diff_diagram,
                      model_diff_dot,
                      model_dot,
                      render_model_svg,
)
from .diff import diff_dot
from .dot import map_dot
from .raster import FORMATS, PNG_DPI, RenderError, engine_name, render_dot
from .views import View, make_view

__all__ = [
    "map_dot", "diff_dot", "make_view", "View",
    "model_dot", "model_diff_dot", "render_model_svg", "claim_effect_sizes", "Diagram", "diagram",
    "diff_diagram", "VIEWS",
    "render_dot", "engine_name", "RenderError", "FORMATS", "PNG_DPI",
]
