"""Escaping text from argument files for DOT, and wrapping it for labels.

Titles and texts come from files that anyone may write. In HTML-like labels every character is
entity-escaped; in quoted attributes (tooltips) backslashes, quotes and newlines are escaped so no
title can end a string early or inject attributes. Control and bidi characters are shown as escapes
(:func:`argmap.base.textsafe.visible`).
"""

from __future__ import annotations

import html
import re
import textwrap

from ..base.textsafe import visible

__all__ = ["clean", "html_text", "html_lines", "attr_text", "wrap", "wrap_all", "label_lines"]

_RUNS = re.compile(r"\\{2,}")


def clean(text: object) -> str:
    """``text`` as a string with control and bidi characters escaped and normalised line ends."""
    return visible(text)


def html_text(text: object) -> str:
    r"""Escape for an HTML-like label (newlines become spaces; use :func:`html_lines` to keep them).

    Backslashes become ``&#92;``: Graphviz would otherwise read pairs of them as escapes.

    >>> html_text('a "b" <c> & d\\')
    'a &quot;b&quot; &lt;c&gt; &amp; d&#92;'
    """
    return html.escape(" ".join(clean(text).split()), quote=True).replace("\\", "&#92;")


def html_lines(lines: list[str]) -> str:
    """Escape each line and join them with ``<BR/>``."""
    return "<BR/>".join(html_text(line) for line in lines)


def attr_text(text: object, limit: int = 1200) -> str:
    r"""Escape for a quoted DOT attribute such as ``tooltip``: ``\`` → ``\\``, ``"`` → ``\"``, newline → ``\n``.

    Graphviz expands escapes in tooltips more than once, so a run of several backslashes cannot
    survive; such runs are shown with the look-alike ``⧵`` (one per backslash) instead.

    >>> print(attr_text('say "hi"\\\nbye'))
    say \"hi\"\\\nbye
    """
    s = clean(text)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    s = _RUNS.sub(lambda m: "\u29f5" * len(m.group(0)), s)
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


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
