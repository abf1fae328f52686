"""The one-per-idea helpers: formatting a probability, describing conditions, reading marginals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from argmap.base.formatting import conditions_text, fmt_p
from argmap.base.marginals import claim_moves, p_true
from argmap.base.texttable import clip


@given(st.floats(min_value=0.0, max_value=1.0) | st.floats(min_value=0.0, max_value=1e-9).map(lambda e: 1.0 - e),
       st.sampled_from([2, 3]))
def test_fmt_p_never_shows_an_uncertain_value_as_certain(p, digits):
    text = fmt_p(p, digits)
    if 0 < p < 1:
        assert float(text) not in (0.0, 1.0)
        assert abs(float(text) - p) <= max(0.5 * 10 ** -digits, 0.05 * p)
    else:
        assert text == f"{p:.{digits}f}"


@given(st.floats(min_value=0.0, max_value=1.0) | st.floats(min_value=0.0009, max_value=0.0011)
       | st.floats(min_value=0.9989, max_value=0.9991) | st.sampled_from([0.001, 0.999, 0.0009995, 0.9995]))
def test_fmt_p_shortcut_is_the_rounding_loop(p):
    """fmt_p's shortcut for 3 digits gives what the rounding loop gives."""
    digits = 3
    while 0 < p < 1 and digits < 16 and round(p, digits) in (0.0, 1.0):
        digits += 1
    assert fmt_p(p) == (f"{p:.1e}" if 0 < p < 0.001 else f"{p:.{digits}f}")


@given(st.text(st.sampled_from("ab \t\n\u00a0\u2003\x1c\x85é")), st.integers(min_value=0, max_value=8))
def test_clip_is_one_line_of_the_words(text, width):
    s = " ".join(text.split())
    assert clip(text, width) == ("" if width <= 0 else s if len(s) <= width else s[: width - 1] + "…")


def test_conditions_text_lists_observations_then_interventions():
    assert conditions_text({"a": "true", "b": "low"}, {"c": "false"}) == "a=true, b=low, do(c=false)"
    assert conditions_text({}, {}) == ""
    assert conditions_text({"a": "x"}, {}, quote="`") == "`a=x`"


def test_p_true_is_the_last_state():
    assert p_true({"low": 0.2, "mid": 0.3, "high": 0.5}) == 0.5


def test_claim_moves_signed_for_binary_total_variation_for_categorical():
    before: dict[str, dict[str, float]] = {
        "a": {"false": 0.5, "true": 0.5}, "k": {"x": 0.2, "y": 0.3, "z": 0.5}, "g": {"false": 1.0, "true": 0.0}}
    after: dict[str, dict[str, float]] = {
        "a": {"false": 0.7, "true": 0.3}, "k": {"x": 0.5, "y": 0.3, "z": 0.2}, "g": {"false": 0.0, "true": 1.0},
        "new": {"false": 0.4, "true": 0.6}}
    moves = {m.claim: m for m in claim_moves(before, after, skip=["g"])}
    assert set(moves) == {"a", "k", "new"}
    assert moves["a"].shift == pytest.approx(-0.2) and not moves["a"].categorical
    assert moves["k"].shift == pytest.approx(0.3) and moves["k"].categorical       # ½ Σ |Δ| = ½ (0.3 + 0 + 0.3)
    assert moves["new"].before is None and moves["new"].after == 0.6
    assert [m.claim for m in claim_moves(before, after, skip=["g"])] == ["k", "a", "new"]


_NUMBERS = (st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 1.0, 1e15, 0.5, 1e-300])
            | st.integers(-3, 3) | st.booleans() | st.just("1/3") | st.none())


@given(_NUMBERS | st.fixed_dictionaries({"value": _NUMBERS, "range": st.lists(_NUMBERS, min_size=1, max_size=3)})
       | st.fixed_dictionaries({"value": _NUMBERS, "range": st.tuples(_NUMBERS, _NUMBERS).map(list)})
       | st.fixed_dictionaries({"value": _NUMBERS, "beta": st.tuples(_NUMBERS, _NUMBERS).map(list)})
       | st.lists(st.floats(0, 2) | st.sampled_from([0.0, 1.0, 1e15, 0.1]), min_size=3, max_size=3).map(
           sorted).map(lambda x: {"value": x[1], "range": [x[0], x[2]]}),
       st.sampled_from(["probability", "ratio", "weight", "scale"]))
def test_parse_quantity_shortcuts_are_the_general_reading(raw, domain):
    """parse_quantity's shortcuts (a float in (0, 1], a {value, range} of floats) give what the general
    reading gives: the same Quantity, or the same error."""
    from argmap.base.quantity import _parse_general, parse_quantity

    def outcome(fn):
        try:
            q = fn(raw, domain, "credence")
        except ValueError as err:
            return str(err)
        return q, type(q.exact), q.exact is None or (q.exact.numerator, q.exact.denominator)
    assert outcome(parse_quantity) == outcome(_parse_general)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e14, max_value=1e14), max_size=30))
def test_a_float_s_fraction_is_the_one_its_repr_names_made_or_remembered(xs):
    from fractions import Fraction

    from argmap.base import quantity

    for x in xs + xs:                           # the second time from the kept ones
        assert quantity._decimal_fraction(x) == Fraction(repr(x))
    assert len(quantity._FRACTIONS) <= 1 << 16
