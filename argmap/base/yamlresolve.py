"""PyYAML's implicit resolvers for plain scalars (its ``Resolver`` table, copied so that reading a plain
file need not import PyYAML: tests/test_yamllines.py holds the copy equal to PyYAML's own)."""

from __future__ import annotations

import re

__all__ = ["RESOLVERS", "BOOLS"]

_T = "tag:yaml.org,2002:"
_TABLE = (
    ("bool", r'''^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$''', re.X, "yYnNtTfFoO"),
    ("float", r'''^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$''', re.X, "-+0123456789."),
    ("int", r'''^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$''', re.X, "-+0123456789"),
    ("merge", r'^(?:<<)$', 0, "<"),
    ("null", r'''^(?: ~
                    |null|Null|NULL
                    | )$''', re.X, ("~", "n", "N", "")),
    ("timestamp", r'''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$''', re.X, "0123456789"),
    ("value", r'^(?:=)$', 0, "="),
    ("yaml", r'^(?:!|&|\*)$', 0, "!&*"),
)


def _resolvers() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    out: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, flags, firsts in _TABLE:
        rx = re.compile(pattern, flags)
        for first in firsts:
            out.setdefault(first, []).append((_T + tag, rx))
    return {first: tuple(rs) for first, rs in out.items()}


RESOLVERS = _resolvers()
"""First character of a plain scalar -> its (tag, pattern) pairs, tried in order (PyYAML's table)."""
BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
"""PyYAML's ``SafeConstructor.bool_values``."""
