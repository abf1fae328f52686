"""The line reader of plain block YAML gives libyaml's data and positions, or declines the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from argmap.base import yamlsafe
from argmap.base.errors import ValidationError
from argmap.base.yamllines import block_data

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for d in ("arguments", "tests/data", "docs") for p in (ROOT / d).rglob("*.y*ml"))


def _lines(text: str):
    try:
        return block_data(text, yamlsafe._plain_value, yamlsafe.MAX_VALUES, yamlsafe.MAX_DEPTH)
    except yamlsafe._NotPlain:
        return None


def _events(text: str):
    try:
        return yamlsafe._plain_events(yamlsafe.yaml.CSafeLoader(text), Path("x.yaml"), False)
    except (yamlsafe._NotPlain, yamlsafe.yaml.YAMLError):
        return None


def _types(x):
    if isinstance(x, dict):
        return {repr(k): (type(k), _types(v)) for k, v in x.items()}
    if isinstance(x, list):
        return [_types(v) for v in x]
    return type(x)


def _check(text: str) -> bool:
    """Whether the line reader took ``text``; if it did, libyaml's events and the reference path agree."""
    got = _lines(text)
    if got is None:
        return False
    data, positions = got
    ev = _events(text)
    assert ev is not None, "the line reader took a file libyaml's events decline"
    assert data == ev.data and _types(data) == _types(ev.data)
    assert positions == ev._positions
    try:
        ref = yamlsafe._reference_doc(text, Path("x.yaml"))
    except ValidationError as err:
        raise AssertionError(f"the line reader took a file the reference path refuses: {err.format()}") from err
    assert data == ref.data and _types(data) == _types(ref.data)
    return True


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_in_the_repository_reads_the_same(path):
    _check(path.read_bytes().decode("utf-8", errors="replace"))


LARGE_MAP_STYLE = """part: main
claims:
- id: c334
  title: Claim 334
  kind: claim
  states:
  - low
  - high
  base:
    value: 0.1288
    range:
    - 0.0
    - 0.292
  requires:
  - claim: c335
    leak:
      value: 0.1495
  note: 'it''s "quoted"'
  # a comment
  other: plain text # and a comment
  rows:
    - {when: {a: true, b: false},
       probs: {x: 0, y: 1}}
    - {when: {a: true,  b: true},  
         probs: [0.5,
                 0.5]}
- {id: c1, title: Claim 1, credence: 0.2, range: [0.1, -2.5e-3], sub: {a: [x, 'y z'], b: "w"}}
-   id: c2
    folded: >-
      A long text folded
      over lines: with # and - inside

      and a paragraph.
    literal: |
      kept

      as written
    empty:
    on: yes
    7: seven

    r:
      - 1
      - {a: 2}
"""


def test_the_large_maps_style_is_read_by_lines():
    assert _check(LARGE_MAP_STYLE)
    assert yamlsafe.parse_yaml(LARGE_MAP_STYLE, "x.yaml").data["claims"][0]["rows"][1] == {
        "when": {"a": True, "b": True}, "probs": [0.5, 0.5]}
    assert yamlsafe.parse_yaml(LARGE_MAP_STYLE, "x.yaml").data["claims"][2] == {
        "id": "c2", "folded": "A long text folded over lines: with # and - inside\nand a paragraph.",
        "literal": "kept\n\nas written\n", "empty": None, "true": True, 7: "seven", "r": [1, {"a": 2}]}


@pytest.mark.parametrize("text", [
    "a: b\n  continued\n", "a:\n  b\n", "- a\n  b\n", "a: &x 1\nb: *x\n",
    "a: !!str 1\n", "a: 1\na: 2\n", "a:\tb\n", "a: b\r\n", "a: b: c\n", "a: b:\n", "a: 'x\n  y'\n",
    "'a\\'': 1\n", "\"a\\\"b\": 1\n", "\"\": 1\n", "\"a\\tb\": 1\n", "'a'b: 1\n", "\"a\":b\n",
    "a: \"x\\ty\"\n", "a: [1,\n  2]\n", "a: [1, ]\n", "a: {b: }\n", "a: {b}\n", "- - 1\n", "-\n  a: 1\n",
    "a: 1\n---\nb: 2\n", "%YAML 1.1\n---\na: 1\n", "a: 1\n b: 2\n", "- 1\na: 2\n", "a:\n  - 1\n- 2\n",
    "1.5: x\n", "null: x\n", "a: ? x\n", "a: - x\n", "a: -\n", "plain\n", "", "# only a comment\n",
    "a: [b: c]\n", "a: {b: 1, b: 2}\n", "a: [x] # c\n", "a: 'x' # c\n", "a: 'x'y'\n", "a: @x\n",
    "a: >-\n  x\n    y\n", "a: |\n  x \n", "a: >\n  x", "a: >2\n  x\n", "a: >+\n  x\n", "a: >-\n\n  x\n",
    "a: >-\n  \n  x\n", "- >-\n  x\n", "a: >-\nb: 1\n", "a: >-\n  x\n     \n  y\n", "a: |\n  x\n \n  y\n",
])
def test_what_the_line_reader_declines(text):
    assert _lines(text) is None


PLAIN = st.sampled_from(["a", "b c", "1", "-2", "+3", "0.5", "-0.25", "1.", "1e5", "yes", "Off", "null", "~", "x:y",
                         "x#y", "é ü", "a - b", "2023-11-15", "0x1F", "1_000", ".5", "a,b", "a]", "007", "-x", "0.1 ",
                         "x #c", "true", "1:30", ".inf", "'q'", "'it''s'", '"dq"', "''", '""', "[a, 1]", "{a: 1}",
                         "[]", "{}", "{a: [1, {b: c}], 'd': \"e\"}", "[x, 'y', -1.5]", "[a,b]", "{a: 1,b: 2}",
                         "{a: x y, b: -1}", "[ a , b ]", "{a : 1}", "{a:1}", "[a, , b]", "{a: 1, }", "[-, x]",
                         "[- x]", "{a: b: c}", "{a:b: 1}", "{-a: 1}", "[a%b, c]", "{a: 1, a: 2}", "{on: 1, 2: -}",
                         "[1.5, 007, on, ~, 2023-01-01]", "{a: 1.0, b: 0.25, c: x}", "[a:b, c]", "{a: b #c}",
                         "['a,b', \"c,d\", {e: [f, g]}]"])
BLOCK_LINES = st.one_of(
    st.sampled_from(["Some text", "more: text # here", "- a dash", "", "'quoted'", "é ü", "[a, b]", "x",
                     "# not a comment", "...", "a |> b"]),
    st.sampled_from(["  more indented", " ", "trail ", "\t"]))      # mostly lines the reader takes
KEYS = st.sampled_from(["a", "b", "k_1", "on", "no", "1", "2", "x.y", "a-b", "True", '"1"', "'2'", '"1.2.3"', '"a"',
                        "'on'", '"a: b #c"', "'it''s'", '"x\'y"', "'x\"y'", '"a\\tb"', '"é"', "''''", '"\\\\"',
                        "'a\\'", '""', "''", "'#'", '"[x]"'])


def _spread(draw, text: str, indent: int) -> str:
    """``text``, a flow collection perhaps, broken over lines after some of its commas (or anywhere)."""
    if "," not in text or draw(st.integers(0, 1)):
        return text
    parts = text.split(",")
    out = parts[0]
    for part in parts[1:]:
        if draw(st.booleans()):
            out += "," + draw(st.sampled_from(["", "  ", " # c"])) + "\n" + " " * (indent + draw(st.integers(-1, 24)))
            part = part.lstrip(" ") if draw(st.integers(0, 3)) else part
        else:
            out += ","
        out += part
    return out


def _block(draw, value, indent: int, lines: list[str], prefix: str) -> None:
    """Append ``value`` written in block style, choosing indentation and compact forms at random."""
    pad = " " * indent
    if isinstance(value, dict) and value:
        step = draw(st.integers(1, 3))
        for i, (k, v) in enumerate(value.items()):
            lead = prefix if i == 0 else pad
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{lead}{k}:")
                if draw(st.booleans()):
                    lines.append(draw(st.sampled_from(["", "# note", pad + "  # note"])))
                inner = indent if isinstance(v, list) and draw(st.booleans()) else indent + step
                _block(draw, v, inner, lines, " " * inner)
            elif draw(st.integers(0, 5)) == 0:          # a block scalar: folded or literal, of a few lines
                lines.append(f"{lead}{k}: " + draw(st.sampled_from([">-", ">", "|", "|-", ">+", "|2", ">-  ", "> #c"])))
                deeper = indent + draw(st.sampled_from([2, 1, 3, 0]))
                for _ in range(draw(st.integers(1, 4))):
                    text = draw(BLOCK_LINES)
                    lines.append(text if not text.strip() else " " * deeper + text)
            else:
                lines.append(f"{lead}{k}:" + ("" if v is None else " " + _spread(draw, str(v), indent)))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            lead = prefix if i == 0 else pad
            dash = "-" + " " * draw(st.integers(1, 3))
            if isinstance(v, (dict, list)) and v:
                _block(draw, v, indent + len(dash), lines, lead + dash)
            else:
                lines.append(f"{lead}{dash}{_spread(draw, str(v), indent)}")
    else:
        lines.append(prefix + ("[]" if isinstance(value, list) else "{}" if isinstance(value, dict) else str(value)))


@st.composite
def block_documents(draw):
    tree = draw(st.recursive(PLAIN, lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3), st.dictionaries(KEYS, inner, min_size=1, max_size=3)), max_leaves=12))
    if not isinstance(tree, (dict, list)):
        tree = {"top": tree}
    lines: list[str] = []
    _block(draw, tree, 0, lines, "")
    if draw(st.booleans()):                           # a small slip: a changed indent, character or line
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["indent", "dedent", "char", "drop", "dup", "tab"]))
        line = lines[i]
        if how == "indent":
            lines[i] = " " + line
        elif how == "dedent":
            lines[i] = line[1:]
        elif how == "char" and line:
            j = draw(st.integers(0, len(line)))
            lines[i] = line[:j] + draw(st.sampled_from(list(":-#'\"[]{},&*!|> ?"))) + line[j:]
        elif how == "drop":
            del lines[i]
        elif how == "dup":
            lines.insert(i, line)
        else:
            lines[i] = line.replace(" ", "\t", 1)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\n# end\n"]))


@settings(max_examples=1500, deadline=None)
@given(block_documents())
def test_block_documents_read_as_libyaml_reads_them(text):
    _check(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", " ", "  ", "    "]), st.sampled_from(["", "- ", "-  ", "-"]),
                          st.sampled_from(["", "a: ", "b:", "c:  ", "on: ", "1: ", "a:b ", '"1": ', "'a':",
                                           "'x''y': "]),
                          PLAIN), max_size=8))
def test_lines_put_together_at_random_read_as_libyaml_reads_them(parts):
    _check("\n".join("".join(p) for p in parts) + "\n")


def test_a_file_of_more_lines_than_twice_the_values_allowed_is_left_to_the_other_paths():
    """The lines are split all at once, so a hostile file of millions of short lines is declined before
    (the events path stops counting at the limit, and the reference path names it)."""
    text = "- 1\n" + "\n" * 1000                  # two values, a thousand lines
    assert block_data(text, yamlsafe._plain_value, 400, 64) is None
    assert block_data(text, yamlsafe._plain_value, 600, 64) == ([1], {(): (1, 1), (0,): (1, 3)})


def test_the_fast_path_takes_lines_first_and_reads_the_rest_on_demand():
    doc = yamlsafe.parse_yaml(LARGE_MAP_STYLE, "x.yaml")
    assert doc._text is not None and ("claims", 0, "title") not in doc._positions
    full = yamlsafe._plain_events(yamlsafe.yaml.CSafeLoader(LARGE_MAP_STYLE), Path("x.yaml"), True)
    assert doc.positions == full.positions and doc.key_positions == full.key_positions


TOP_LEVEL = ("name: m\ntarget: t  # the claim\nn: 0.5\nq: 'a b'\nd: \"c\"\nb: >-\n  folded\n  text\ne:\n"
             "l: [1, 2]\nm:\n  k: v\n")


@pytest.mark.parametrize("events", [False, True])
def test_top_level_values_are_placed_without_reading_the_text_again(events):
    """A map file's header (its target, default scenario, ...) is placed from the fast path's own table: asking
    where a written top-level value starts reads nothing again (no PyYAML), and gives libyaml's position."""
    if events:
        doc = yamlsafe._plain_events(yamlsafe.yaml.CSafeLoader(TOP_LEVEL), Path("x.yaml"), False)
        doc._text = TOP_LEVEL
    else:
        doc = yamlsafe.parse_yaml(TOP_LEVEL, "x.yaml")
    written = [k for k in doc.data if k != "e"]                  # "e:" has no value written
    found = {k: doc.pos((k,)) for k in written}
    assert doc._text is not None                                 # nothing read again
    full = yamlsafe._plain_events(yamlsafe.yaml.CSafeLoader(TOP_LEVEL), Path("x.yaml"), True)
    assert found == {k: full.positions[(k,)] for k in written}
    assert ("e",) not in doc._positions and doc.pos(("e",)) == full.positions[("e",)]



@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "- ", "  ", "  - "]), KEYS, st.sampled_from([
    "{a: 1, b: [x, 'y'], c: {d: e}}", "[0.5, 0.25, -1]", "{when: {s: true, t: false}, probs: {x: 0, y: 1}}",
    "['a,b', \"c,d\", {e: [f, g]}]", "[a, b c, 'd''e']", "{a: [1, {b: c}], 'd': \"e\"}", "{a: x y, b: -1}"])),
    min_size=1, max_size=4), st.data())
def test_flow_collections_over_lines_read_as_libyaml_reads_them(items, data):
    lines = [f"{lead}{key}: {_spread(data.draw, flow, len(lead))}" for lead, key, flow in items]
    _check("\n".join(lines) + "\n")


def test_quoted_keys_and_flow_collections_over_lines_are_read_by_lines():
    text = "\"1.2.3\": x\n'on': [a,\n       b]\nk:\n  - {'x''y': 1,\n     \"z\": {a: 2,\n      b: [3]}}\n"
    assert _check(text)
    assert _lines(text) == ({"1.2.3": "x", "on": ["a", "b"], "k": [{"x'y": 1, "z": {"a": 2, "b": [3]}}]},
                            {(): (1, 1), ("1.2.3",): (1, 10), ("on",): (2, 7), ("on", 0): (2, 8), ("on", 1): (3, 8),
                             ("k",): (5, 3), ("k", 0): (5, 5), ("k", 0, "z"): (6, 11), ("k", 0, "z", "b"): (7, 10),
                             ("k", 0, "z", "b", 0): (7, 11)})


def test_the_resolver_table_is_pyyamls():
    import yaml

    from argmap.base import yamlresolve
    ours = {first: [(tag, rx.pattern, rx.flags) for tag, rx in rs] for first, rs in yamlresolve.RESOLVERS.items()}
    theirs = {first: [(tag, rx.pattern, rx.flags) for tag, rx in rs]
              for first, rs in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}
    assert ours == theirs
    assert yamlresolve.BOOLS == yaml.constructor.SafeConstructor.bool_values
