"""Escaping text from argument files for DOT, and wrapping it for labels: the one rule for DOT text.

Titles and texts come from files that anyone may write. **Every** DOT attribute value and graph name
goes through :func:`dot_value` (:func:`dot_attrs` for a whole set), which knows two kinds of value:

* :class:`Html` — an HTML-like label argmap built itself with :func:`html_label`, every piece of user
  text in it entity-escaped by :func:`html_text`. Only these reach Graphviz as ``<...>``.
* anything else — a quoted string (:func:`attr_text`: backslashes, quotes and newlines escaped, so no
  text can end a string early or inject attributes), marked so that the ``graphviz`` package never
  takes it for an HTML-like label even when it starts with ``<`` and ends with ``>``.

Control and bidi characters are shown as escapes (:func:`argmap.base.textsafe.visible`). A new
composition (another view, an edge style) stays safe by passing its attributes through
:func:`dot_attrs` and building labels with :func:`html_label`.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping

from graphviz.quoting import NoHtml

from ..base.textsafe import visible

__all__ = ["clean", "html_text", "html_lines", "attr_text", "wrap", "wrap_all", "label_lines", "Html", "html_label",
           "dot_value", "dot_attrs"]


class Html(str):
    """An HTML-like DOT label built by :func:`html_label`: the only value Graphviz reads as markup."""

    __slots__ = ()


class _Quoted(NoHtml):
    """Text already escaped by :func:`attr_text`, to be written as a quoted DOT string (never as HTML)."""

    __slots__ = ()


def html_label(markup: str) -> Html:
    """``<markup>`` as an HTML-like label. ``markup`` must be argmap's own tags around pieces of user
    text each escaped with :func:`html_text` or :func:`html_lines`."""
    return Html(f"<{markup}>")


def dot_value(value: object) -> str:
    r"""The one rule for a DOT attribute value or name: an :class:`Html` label as is, anything else
    escaped by :func:`attr_text` and quoted as a string.

    >>> import graphviz
    >>> g = graphviz.Digraph()
    >>> g.node("a", **dot_attrs(tooltip="<A> label=<lie>", label=html_label("<B>&lt;A</B>")))
    >>> print(g.source.splitlines()[1].strip())
    a [label=<<B>&lt;A</B>> tooltip="<A> label=<lie>"]
    """
    if isinstance(value, (Html, _Quoted)):
        return value
    return attr_text(value)


def dot_attrs(attrs: Mapping[str, object] | None = None, **more: object) -> dict[str, str]:
    """Every value of ``attrs`` (and ``more``) through :func:`dot_value`."""
    return {k: dot_value(v) for k, v in {**(attrs or {}), **more}.items()}

BACKSLASH = "\u29f5"
"""How a backslash in user text is drawn (REVERSE SOLIDUS OPERATOR, which looks the same): Graphviz
reads backslashes as escapes everywhere, so none is ever passed on."""


def clean(text: object) -> str:
    """``text`` as a string with control and bidi characters escaped and normalised line ends."""
    return visible(text)


def html_text(text: object) -> str:
    r"""Escape for an HTML-like label (newlines become spaces; use :func:`html_lines` to keep them).

    Every backslash is drawn as the look-alike ``⧵`` (:data:`BACKSLASH`): Graphviz expands ``\N``,
    ``\G``, ``\L`` ... even in HTML-like labels (after turning ``&#92;`` into a backslash).

    >>> html_text('a "b" <c> & d\\N')
    'a &quot;b&quot; &lt;c&gt; &amp; d⧵N'
    """
    return html.escape(" ".join(clean(text).split()), quote=True).replace("\\", BACKSLASH)


def html_lines(lines: list[str]) -> str:
    """Escape each line and join them with ``<BR/>``."""
    return "<BR/>".join(html_text(line) for line in lines)


def attr_text(text: object, limit: int = 1200) -> str:
    r"""Escape for a quoted DOT attribute such as ``tooltip``: ``"`` → ``\"``, newline → ``\n``, and
    every backslash drawn as the look-alike ``⧵`` (:data:`BACKSLASH`), because Graphviz expands escapes
    such as ``\N`` (the node's name) or ``\L`` in tooltips more than once: no doubling survives.

    >>> print(attr_text('say "hi"\\N\nbye'))
    say \"hi\"⧵N\nbye
    """
    s = clean(text)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return _Quoted(s.replace("\\", BACKSLASH).replace('"', '\\"').replace("\n", "\\n"))


def wrap(text: object, width: int = 24, max_lines: int = 3) -> list[str]:
    """Wrap ``text`` to lines of about ``width`` characters, at most ``max_lines`` (ellipsis after).

    A word longer than the width keeps its own line; only one longer than twice the width is cut.

    >>> wrap("Beyond-episode goals arise because of the training game", 24)
    ['Beyond-episode goals', 'arise because of the', 'training game']
    """
    words = []
    for word in clean(text).split():             # split only words too long to fit even on their own line
        words += [word[i:i + 2 * width] for i in range(0, len(word), 2 * width)]
    lines = textwrap.wrap(" ".join(words), width=width, break_long_words=False, break_on_hyphens=False) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, width - 1)].rstrip() + "…"
    return lines


def wrap_all(text: object, width: int = 24) -> list[str]:
    """Wrap ``text`` at word boundaries to lines of about ``width`` characters, never cutting it.

    >>> wrap_all("largest move -0.06: the training-game-independent story", 20)
    ['largest move -0.06:', 'the', 'training-game-independent', 'story']
    """
    return textwrap.wrap(" ".join(clean(text).split()), width=width, break_long_words=False,
                         break_on_hyphens=False) or [""]


def label_lines(title: str, short: str | None, width: int, max_lines: int) -> list[str]:
    """A node's title lines: the title if it fits in ``max_lines``, else the ``short:`` label, else the
    whole title wrapped on more lines (a label is never cut mid-word).

    >>> label_lines("The training-game-independent proxy story", "Proxy story", 12, 2)
    ['Proxy story']
    >>> label_lines("The training-game-independent proxy story", None, 12, 2)
    ['The', 'training-game-independent', 'proxy story']
    """
    lines = wrap_all(title, width)
    if len(lines) <= max_lines or not short:
        return lines
    return wrap_all(short, width)
