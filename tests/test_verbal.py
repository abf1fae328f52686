"""The verbal-probability scale: bands are validated against their numbers, and `argmap sources` shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from argmap import Model, ValidationError, load_map
from argmap.base.verbal import MODULATION_WORDS, band_problem
from argmap.commands.cli import main

HEADER = "argmap: 1\nname: t\ntarget: c\n"


def _map(tmp_path: Path, claims: str) -> Path:
    (tmp_path / "map.yaml").write_text(HEADER)
    (tmp_path / "10.yaml").write_text("claims:\n" + claims)
    return tmp_path


ROOT_A = """  - id: a
    title: A
    credence: 0.3
    provenance: {basis: illustrative, qualifier: "a live possibility (1.2)", band: BAND}
    supports: [{claim: c, ratio: RATIO, provenance: {band: RBAND}}]
  - id: c
    title: C
    base: 0.1
    provenance: {basis: illustrative, qualifier: "remote without a (2)", band: unlikely}
"""


def _claims(band="plausible", ratio="4", rband="strong") -> str:
    return ROOT_A.replace("RBAND", rband).replace("RATIO", ratio).replace("BAND", band)


def test_bands_that_fit_load_and_sources_print_them(tmp_path, capsys):
    path = _map(tmp_path, _claims())
    assert main(["sources", str(path)]) == 0
    out = capsys.readouterr().out
    assert "<plausible>" in out and "<strong>" in out and "word: a live possibility (1.2)" in out


@pytest.mark.parametrize("kw, message, hint", [
    ({"band": "likley"}, "unknown band 'likley'", "likely"),
    ({"band": "likely"}, "0.3 is outside 'likely'", "band"),
    ({"band": "strong"}, "'strong' is a strength word", "plausible"),
    ({"rband": "moderate"}, "ratio 4 is outside 'moderate'", "band"),
    ({"rband": "plausible"}, "'plausible' is a probability word", "strong"),
])
def test_a_band_that_does_not_fit_is_an_error_with_its_position(tmp_path, kw, message, hint):
    path = _map(tmp_path, _claims(**kw))
    with pytest.raises(ValidationError) as e:
        load_map(path)
    text = str(e.value)
    assert message in text and hint in text
    assert "10.yaml:" in text


def test_opposing_ratios_are_banded_by_their_inverse():
    assert band_problem("strong", 0.25, "ratio") is None
    assert band_problem("moderate", 0.25, "ratio") is not None
    assert band_problem("definitional", 1.0, "probability") is None
    assert band_problem("definitional", 0.5, "probability") is not None


def test_categorical_credence_needs_a_band_per_state(tmp_path):
    claims = """  - id: s
    title: S
    states: [low, high]
    credence: {low: 0.3, high: 0.7}
    provenance: {band: {low: plausible}}
  - id: c
    title: C
    credence: 0.5
"""
    (tmp_path / "map.yaml").write_text(HEADER)
    (tmp_path / "10.yaml").write_text("claims:\n" + claims)
    with pytest.raises(ValidationError, match=r"no word for state\(s\) \['high'\]"):
        load_map(tmp_path)


def test_modulation_words_are_fixed_factors(tmp_path):
    claims = """  - id: s
    title: S
    states: [low, high]
    credence: {low: 0.5, high: 0.5}
  - id: a
    title: A
    credence: 0.5
    supports: [{claim: c, ratio: 4, modulated_by: {claim: s, scale: {low: full, high: half}}}]
  - id: c
    title: C
    base: 0.2
"""
    (tmp_path / "map.yaml").write_text(HEADER)
    (tmp_path / "10.yaml").write_text("claims:\n" + claims)
    m = Model.load(tmp_path)
    rel = next(r for r in m.map.relations if r.source == "a")
    assert dict((s, q.value) for s, q in rel.modulators[0][1]) == {"low": MODULATION_WORDS["full"], "high": 0.5}
    odds = lambda p: p / (1 - p)  # noqa: E731
    hi = m.probability(set={"a": "true", "s": "high"}, scenario=None)
    assert odds(hi) == pytest.approx(0.25 * 4 ** 0.5)
