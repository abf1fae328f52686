"""Text from argument and network files made safe to show and to use as a file name.

Anyone may write a title, a state name or a map name, so two kinds of character are never passed
on raw: **control characters** (C0 except tab and newline, DEL, C1), which a terminal executes
(``ESC ]0;title BEL`` retitles the window, ``ESC [31m`` recolours it) and which XML 1.0 cannot hold
at all, and **bidirectional formatting characters** (U+202A-U+202E, U+2066-U+2069, U+200E/F,
U+061C), which reorder what a reader sees ("Trojan Source"). The loader refuses both in every
string it reads (:func:`first_unsafe`); every writer — terminal, DOT/SVG, XMLBIF, BIF, Markdown —
passes text through :func:`visible`, which shows each such character as a harmless escape such as
``\\x1b`` or ``\\u202e``, so text from any other route (an imported network, a library caller) is
shown, never obeyed.

:func:`safe_component` turns a map or network name into one file-name component, so a name like
``../../tmp/x`` cannot make a command write outside its destination.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["UNSAFE", "UNSAFE_RAW", "first_unsafe", "describe_char", "visible", "safe_component", "brief",
           "safe_link", "MAX_RUN", "MAX_MESSAGE"]

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Control characters (C0 but tab and newline, DEL, C1), line/paragraph separators and bidi controls."""

UNSAFE_RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
""":data:`UNSAFE` less carriage return: for scanning a whole file's text, whose line ends YAML normalises."""

MAX_RUN = 160
"""Longest run of non-space characters an error message quotes whole (ids are at most 80, paths rarely more)."""
MAX_MESSAGE = 2000
"""Longest error message or hint shown; a longer one is cut."""
# compiled on first use (re's own cache): a warm run never needs them
_LONG_RUN = r"\S{" + str(MAX_RUN + 1) + ",}"
_LINK = r"(?:(https?)://|doi:)[^\s\x00-\x1f\x7f-\x9f]+"
_COMPONENT_BAD = r"[^A-Za-z0-9._-]+"
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_COMPONENT = 80


def first_unsafe(text: str) -> tuple[int, str] | None:
    """The offset and the character of the first unsafe character of ``text``, or None."""
    m = UNSAFE.search(text)
    return (m.start(), m.group()) if m else None


def describe_char(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: a character named for an error message.

    >>> describe_char("\\x1b")
    'U+001B (control character)'
    """
    name = unicodedata.name(char, "")
    if not name:
        name = "control character" if unicodedata.category(char) == "Cc" else "unnamed character"
    return f"U+{ord(char):04X} ({name})"


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def visible(text: object) -> str:
    r"""``text`` with every unsafe character shown as an escape (``\x1b``, ``\u202e``); CR/LF → LF.

    >>> visible("\x1b]0;pwned\x07 ok \u202eevil")
    '\\x1b]0;pwned\\x07 ok \\u202eevil'
    """
    s = "" if text is None else str(text)
    return UNSAFE.sub(_escape, s.replace("\r\n", "\n").replace("\r", "\n"))


def brief(text: object) -> str:
    """``text`` for an error message: each run of more than :data:`MAX_RUN` non-space characters (a
    500 KB id or state name) cut to its start and its length, the whole at most :data:`MAX_MESSAGE`.

    >>> brief("no state " + "x" * 1000 + " here") == "no state " + "x" * 60 + "… (1,000 characters) here"
    True
    """
    s = re.sub(_LONG_RUN, lambda m: f"{m.group()[:60]}… ({len(m.group()):,} characters)", str(text))
    return s if len(s) <= MAX_MESSAGE else s[: MAX_MESSAGE - 1] + "…"


def safe_link(url: object) -> str | None:
    """Where a claim's ``url:`` may link: an ``http``/``https`` address as written, ``doi:X`` as
    ``https://doi.org/X``; None for anything else (``javascript:``, ``data:``, ``file:``, a relative
    path), which the loader refuses and no writer links to.

    >>> safe_link("doi:10.48550/arXiv.2311.08379"), safe_link("javascript:alert(1)")
    ('https://doi.org/10.48550/arXiv.2311.08379', None)
    """
    s = str(url or "").strip()
    m = re.fullmatch(_LINK, s, re.IGNORECASE)
    if m is None:
        return None
    return s if m.group(1) else "https://doi.org/" + s[4:]


def safe_component(name: object, fallback: str = "argmap") -> str:
    """``name`` as one safe file-name component: letters, digits, ``.``, ``_`` and ``-`` only, no
    leading dot, at most 80 characters; ``fallback`` if nothing is left.

    >>> safe_component("../../../../tmp/x/ESCAPED")
    'tmp_x_ESCAPED'
    >>> safe_component("..")
    'argmap'
    """
    s = re.sub(_COMPONENT_BAD, "_", unicodedata.normalize("NFKC", str(name or "")))
    s = re.sub(r"\.{2,}", "_", s).strip("._-")[:MAX_COMPONENT].strip("._-")
    if not s or s.split(".")[0].upper() in _RESERVED:
        return fallback
    return s
