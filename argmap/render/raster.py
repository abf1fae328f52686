"""Turn DOT source into SVG, PNG or PDF bytes.

Uses a ``dot`` executable on PATH when there is one, else the Graphviz engine bundled in the
pygraphviz wheel, so rendering works after a plain ``pip install`` with no system Graphviz.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile

from ..base.errors import ArgmapError
from ..base.records import dataclass

__all__ = ["FORMATS", "PNG_DPI", "PNG_MAX_WIDTH", "MIN_TEXT_PX", "POST_COLUMN_PX", "PostFit", "post_fit", "render_png",
           "RenderError", "render_dot", "engine_name"]

FORMATS = ("svg", "png", "pdf", "dot")
PNG_DPI = 200
"""Highest default PNG resolution: about twice the 96-dpi reference (sharp on high-density screens)."""
PNG_MAX_WIDTH = 1600
"""Default PNG width limit in pixels: twice a post's ~800 px column, so it drops into a post as it is."""
POST_COLUMN_PX = 800
"""The width of a post's text column, in CSS pixels: a wider PNG is shown shrunk to it."""
MIN_TEXT_PX = 11
"""The smallest text a post figure should carry, in pixels as shown in a :data:`POST_COLUMN_PX` column."""

_WIDTH = re.compile(rb'<svg[^>]*?width="([0-9.]+)pt"')
_FONT = re.compile(rb'font-size="([0-9.]+)"')


@dataclass(frozen=True)
class PostFit:
    """How a diagram fits a post: the PNG resolution chosen, its width, and its smallest text in pixels as
    shown in a post's :data:`POST_COLUMN_PX` column (a wider PNG is shrunk to the column)."""

    dpi: float
    width_px: int
    min_text_px: float

    @property
    def ok(self) -> bool:
        return self.min_text_px >= MIN_TEXT_PX

    def advice(self) -> str | None:
        """None when the text is legible, else what to do about it."""
        if self.ok:
            return None
        return (f"shown {min(self.width_px, POST_COLUMN_PX)} px wide in a post, the smallest text is "
                f"{self.min_text_px:.1f} px (under {MIN_TEXT_PX}): too small for a post. Draw less with "
                "--collapse-all, --collapse PART or --focus CLAIM, or use SVG (which zooms)")


def post_fit(svg: bytes, max_width: int = PNG_MAX_WIDTH, dpi: float | None = None) -> PostFit:
    """The resolution that keeps the diagram at most ``max_width`` px wide (never above :data:`PNG_DPI`),
    or the one given, with the resulting width and the smallest text size as shown in a post's column
    (:data:`POST_COLUMN_PX`), from the diagram's SVG."""
    m = _WIDTH.search(svg)
    width_pt = float(m.group(1)) if m else 0.0
    if dpi is None:     # a pixel short of the limit: the rasteriser rounds the width up
        dpi = PNG_DPI if width_pt <= 0 else min(PNG_DPI, math.floor((max_width - 1) * 7200.0 / width_pt) / 100)
    sizes = [float(x) for x in _FONT.findall(svg)]
    smallest = min(sizes) if sizes else 14.0
    shown = min(dpi / 72.0, POST_COLUMN_PX / width_pt) if width_pt > 0 else dpi / 72.0   # px per pt in the column
    return PostFit(dpi, int(width_pt * dpi / 72.0), smallest * shown)


def render_png(source: str, *, dpi: float | None = None, max_width: int = PNG_MAX_WIDTH) -> tuple[bytes, PostFit]:
    """PNG bytes and how they fit a post; by default at most ``max_width`` px wide (see :func:`post_fit`)."""
    fit = post_fit(render_dot(source, "svg"), max_width, dpi)
    return render_dot(source, "png", dpi=fit.dpi), fit


class RenderError(ArgmapError):
    """Graphviz could not lay out or rasterise a diagram."""


def engine_name() -> str:
    """``dot`` when a system Graphviz is on PATH, else ``pygraphviz`` (its bundled engine)."""
    return "dot" if shutil.which("dot") else "pygraphviz"


def prepare() -> None:
    """Start Graphviz where it runs in this process (pygraphviz, when no ``dot`` is on PATH) with one empty
    layout: processes forked after it (:mod:`argmap.base.forked`) then share the import and Graphviz's start-up."""
    if shutil.which("dot"):
        return
    try:
        render_dot("digraph {}", "svg")
    except RenderError:
        pass                          # the first real drawing says why


def render_dot(source: str, fmt: str = "svg", *, dpi: float | None = None) -> bytes:
    """Lay out ``source`` with Graphviz ``dot`` and return the file's bytes in ``fmt``.

    ``dpi`` applies to PNG only; by default a PNG is post-sized (at most :data:`PNG_MAX_WIDTH` px wide,
    see :func:`render_png`). SVG and PDF are vector formats.
    """
    if fmt not in FORMATS:
        raise RenderError(f"unknown format '{fmt}' (choose one of {', '.join(FORMATS)})")
    if fmt == "dot":
        return source.encode("utf-8")
    if fmt == "png" and dpi is None:
        return render_png(source)[0]
    args = [f"-Gdpi={dpi:.2f}"] if fmt == "png" else []
    device = "png:cairo" if fmt == "png" else "pdf:cairo" if fmt == "pdf" else "svg"
    exe = shutil.which("dot")
    if exe:
        return _with_exe(exe, source, device, args)
    return _with_pygraphviz(source, device, args)


def _with_exe(exe: str, source: str, device: str, args: list[str]) -> bytes:
    proc = subprocess.run([exe, f"-T{device}", *args], input=source.encode("utf-8"),
                          capture_output=True, check=False, timeout=300)
    if proc.returncode != 0 or not proc.stdout:
        raise RenderError(f"Graphviz failed: {_quiet(proc.stderr.decode('utf-8', 'replace'))}")
    return proc.stdout


def _with_pygraphviz(source: str, device: str, args: list[str]) -> bytes:
    try:
        import pygraphviz
    except ImportError as err:
        raise RenderError("rendering needs Graphviz: install pygraphviz (pip install pygraphviz) "
                          "or put Graphviz's 'dot' on PATH") from err
    with _stderr_filtered():
        try:
            graph = pygraphviz.AGraph(string=source)
            data = graph.draw(format=device, prog="dot", args=" ".join(args))
        except Exception as err:  # pygraphviz raises plain exceptions for Graphviz failures
            raise RenderError(f"Graphviz failed: {err}") from err
    if not data:
        raise RenderError("Graphviz produced no output")
    return data


def _quiet(text: str) -> str:
    return "\n".join(ln for ln in text.splitlines() if not ln.startswith("Fontconfig")).strip() or "unknown error"


class _stderr_filtered:
    """Capture file descriptor 2 while the C library runs, then re-emit it without fontconfig noise.

    The bundled fontconfig warns about newer system config files on every run; that says nothing
    useful to a user, so it is dropped. Anything else Graphviz prints is passed on.
    """

    _saved: int | None

    def __enter__(self):
        try:
            self._saved = os.dup(2)
        except OSError:
            self._saved = None
            return self
        self._tmp = tempfile.TemporaryFile()
        os.dup2(self._tmp.fileno(), 2)
        return self

    def __exit__(self, *exc):
        if self._saved is None:
            return False
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._tmp.seek(0)
        rest = _quiet(self._tmp.read().decode("utf-8", "replace"))
        self._tmp.close()
        if rest != "unknown error":
            os.write(2, (rest + "\n").encode())
        return False
