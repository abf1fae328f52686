"""Fixed-width text for the terminal: cells cut with an ellipsis, never silently."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["clip", "text_table"]


def clip(text: object, width: int) -> str:
    """``text`` on one line, at most ``width`` characters; a cut one ends in "…".

    >>> clip("carlsmith-reply-2023", 8), clip("1.1.3, 2.2", 20)
    ('carlsmi…', '1.1.3, 2.2')
    """
    s = str(text if text is not None else "")
    if not (s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " "):
        s = " ".join(s.split())     # the test above: no whitespace but single inner spaces, so split would keep s
    if width <= 0:
        return ""
    return s if len(s) <= width else s[: width - 1] + "…"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, align: str = "",
               widths: Sequence[int | None] = ()) -> str:
    """Rows under headers, columns padded to fit; ``align`` is one of "l"/"r" per column (default left).

    A column with a width in ``widths`` is clipped to it (with "…"); others are as wide as their cells.

    >>> print(text_table(["a", "b"], [["x", 1], ["yy", 22]], align="lr"))
    a   b
    x   1
    yy 22
    """
    n = len(headers)
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    limits = list(widths) + [None] * (n - len(widths))
    cells = [[clip(c, w) if (w := limits[i]) else c for i, c in enumerate(r)] for r in cells]
    sizes = [max(len(r[i]) for r in cells) for i in range(n)]
    out = []
    for r in cells:
        parts = [c.rjust(sizes[i]) if align[i:i + 1] == "r" else c.ljust(sizes[i]) for i, c in enumerate(r)]
        out.append(" ".join(parts).rstrip())
    return "\n".join(out)
