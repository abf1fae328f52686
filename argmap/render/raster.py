"""Turn DOT source into SVG, PNG or PDF bytes.

Uses a ``dot`` executable on PATH when there is one, else the Graphviz engine bundled in the
pygraphviz wheel, so rendering works after a plain ``pip install`` with no system Graphviz.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from ..errors import ArgmapError

__all__ = ["FORMATS", "PNG_DPI", "RenderError", "render_dot", "engine_name"]

FORMATS = ("svg", "png", "pdf", "dot")
PNG_DPI = 200
"""PNG resolution: about twice the 96-dpi reference, so diagrams stay sharp on high-density screens."""


class RenderError(ArgmapError):
    """Graphviz could not lay out or rasterise a diagram."""


def engine_name() -> str:
    """``dot`` when a system Graphviz is on PATH, else ``pygraphviz`` (its bundled engine)."""
    return "dot" if shutil.which("dot") else "pygraphviz"


def render_dot(source: str, fmt: str = "svg", *, dpi: int | None = None) -> bytes:
    """Lay out ``source`` with Graphviz ``dot`` and return the file's bytes in ``fmt``.

    ``dpi`` applies to PNG only (default :data:`PNG_DPI`); SVG and PDF are vector formats.
    """
    if fmt not in FORMATS:
        raise RenderError(f"unknown format '{fmt}' (choose one of {', '.join(FORMATS)})")
    if fmt == "dot":
        return source.encode("utf-8")
    args = [f"-Gdpi={int(dpi or PNG_DPI)}"] if fmt == "png" else []
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
