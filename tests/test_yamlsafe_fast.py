"""The fast YAML path gives the reference path's data and positions, and declines what it cannot do."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from argmap.base import yamlsafe
from argmap.base.errors import ValidationError

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for d in ("arguments", "tests/data") for p in (ROOT / d).rglob("*.y*ml"))


def _both(text: str):
    """(fast result or None, reference result or the error text)."""
    fast = yamlsafe._plain_doc(text, Path("x.yaml"))
    try:
        ref = yamlsafe._reference_doc(text, Path("x.yaml"))
    except ValidationError as err:
        return fast, err.format()
    return fast, ref


def _same(fast, ref) -> None:
    assert not isinstance(ref, str), f"the fast path accepted what the reference refuses: {ref}"
    assert fast.data == ref.data
    assert [type(v) for v in _leaves(fast.data)] == [type(v) for v in _leaves(ref.data)]
    assert fast.positions == ref.positions
    assert fast.key_positions == ref.key_positions


def _leaves(x):
    if isinstance(x, dict):
        for k, v in x.items():
            yield k
            yield from _leaves(v)
    elif isinstance(x, list):
        for v in x:
            yield from _leaves(v)
    else:
        yield x


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_in_the_repository_parses_the_same(path):
    text = path.read_bytes().decode("utf-8", errors="replace")
    fast, ref = _both(text)
    if fast is not None:
        _same(fast, ref)


def test_the_argument_files_take_the_fast_path():
    for path in (ROOT / "arguments").rglob("*.yaml"):
        assert yamlsafe._plain_doc(path.read_text(), path) is not None, path


@pytest.mark.parametrize("text", [
    "a: &x [1, 2]\nb: *x\n", "a: !!python/object:os.system x\n", "<<: {a: 1}\n", "a: 1\na: 2\n",
    "? [a]\n: 1\n", "a: 1\n---\nb: 2\n", "a: 017\n", "a: .inf\n", "a: 1:30\n", "1.5: x\n",
    "~: x\n", "a: [\n", "a: !!str 3\n", "a: !custom x\n",
])
def test_what_the_fast_path_declines(text):
    assert yamlsafe._plain_doc(text, Path("x.yaml")) is None


SCALARS = st.sampled_from(["1", "-2", "+3", "0", "1.5", "-.5", "1.", "1e5", "1.0e+3", "yes", "No", "on", "OFF",
                           "true", "False", "null", "~", "", "'1'", '"x y"', "2023-11-15", "abc", "a b", "0.1_0",
                           "1_000", "0x1F", "NaN", ".nan", "x: y"])


@settings(max_examples=200, deadline=None)
@given(st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.dictionaries(st.sampled_from(["a", "b", "c", "1", "true", "k k"]), inner, max_size=4).map(
        lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"))), st.booleans())
def test_flow_documents_parse_the_same(doc, block):
    text = f"top: {doc}\nother:\n  - {doc}\n" if block else doc
    fast, ref = _both(text)
    if fast is not None:
        _same(fast, ref)


def _at(data, loc):
    for part in loc:
        data = data[part]
    return data


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_positions_read_lazily_are_the_full_tables(path):
    """The fast path records where each collection and list item starts; every other position is read
    again on first use, and the tables then equal a full reading's (and the reference path's)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    doc = yamlsafe._plain_doc(text, path)
    if doc is None:
        return
    eager = dict(doc._positions)
    full = yamlsafe._plain_events(yamlsafe.yaml.CSafeLoader(text), path, True)
    assert eager.items() <= full.positions.items()
    for loc, pos in full.positions.items():
        if isinstance(_at(doc.data, loc), (dict, list)) or (loc and isinstance(_at(doc.data, loc[:-1]), list)):
            assert eager[loc] == pos          # an origin never needs the text read again
    for loc in full.positions:
        assert doc.pos(loc) == full.pos(loc)
    for loc in full.key_positions:
        assert doc.pos(loc, key=True) == full.pos(loc, key=True)
    assert doc.positions == full.positions and doc.key_positions == full.key_positions


def test_a_value_s_position_is_read_when_asked_for():
    doc = yamlsafe.parse_yaml("a:\n  b: 1\n  c: [x, {d: 2}]\n", "x.yaml")
    assert doc._text is not None and ("a", "b") not in doc._positions
    assert doc.pos(("a", "c", 1)) == (3, 10)            # recorded while reading: no second reading
    assert doc._text is not None
    assert doc.pos(("a", "b")) == (2, 6) and doc.pos(("a", "b"), key=True) == (2, 3)
    assert doc._text is None
    assert doc.pos(("a", "c", 1, "d")) == (3, 14) and doc.pos(("a", "nosuch")) == (2, 3)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[-+]?[0-9]{1,40}\.[0-9]{1,40}", fullmatch=True))
def test_decimals_read_as_the_reference_path_reads_them(number):
    fast, ref = _both(f"a: {number}\nb: [{number}]\n")
    if fast is not None:
        _same(fast, ref)
    else:
        assert len(number) > 64           # declined only where the reference keeps the text
