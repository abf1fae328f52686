"""Graphviz diagrams of argument maps: DOT building, views, and SVG/PNG/PDF output.

The drawing functions (:func:`map_dot`, :func:`diff_dot`) take a map plus plain dicts of numbers and
return DOT; they compute nothing. :mod:`argmap.views.diagrams` gets those numbers from a
:class:`argmap.Model` first. :func:`render_dot` turns DOT into file bytes with the Graphviz engine
bundled in pygraphviz (or a ``dot`` on PATH).

The render layer draws what it is handed and never computes it: it may import the inference, map and
base layers.

>>> from argmap import Model
>>> from argmap.views.diagrams import model_dot
>>> from argmap.render import render_dot
>>> svg = render_dot(model_dot(Model.load("tests/data/maps/tiny")), "svg")   # doctest: +SKIP
"""

from .diff import diff_dot
from .dot import map_dot
from .raster import FORMATS, PNG_DPI, PNG_MAX_WIDTH, PostFit, RenderError, engine_name, render_dot, render_png
from .views import View, make_view

__all__ = [
    "map_dot", "diff_dot", "make_view", "View",
    "render_dot", "render_png", "PostFit", "engine_name", "RenderError", "FORMATS", "PNG_DPI", "PNG_MAX_WIDTH",
]
