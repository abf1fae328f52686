"""The post bundle's spread kept beside its compiled map (argmap.analysis.sensitivity.spreadkept): read back it is
the drawn spread bit for bit; a later export of the same entry with the same options reads it instead of drawing
and writes the same bundle; another option, an edited file, overlays, another numpy or the cache off never read
it; a text that is not a spread is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import argmap.inference.cache as cache
from argmap import Model
from argmap.analysis.sensitivity import spread as spread_module
from argmap.analysis.sensitivity import spreadkept
from argmap.analysis.sensitivity.spread import spread_by_scale
from argmap.commands.cli import main
from argmap.inference import kept

TINY = Path(__file__).parent / "data" / "maps" / "tiny"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    monkeypatch.setenv("ARGMAP_JOBS", "1")          # every part in this process: the spread's draws are counted
    kept.stats.clear()
    return folder


@pytest.fixture
def drawn(monkeypatch) -> list[int]:
    """How many times an export drew the spread (spread_by_scale called)."""
    calls: list[int] = []

    def counted(*args, **kwargs):
        calls.append(1)
        return spread_by_scale(*args, **kwargs)
    monkeypatch.setattr(spread_module, "spread_by_scale", counted)
    return calls


def _same(a, b) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x.independent_values, y.independent_values)
        assert np.array_equal(x.correlated_values, y.correlated_values)
        assert x.independent_values.dtype == y.independent_values.dtype == np.float64
        for name in ("query", "scale", "words", "samples", "seed", "point", "stated", "stated_by", "correlation",
                     "correlation_source", "correlation_rationale", "independent", "correlated", "shared_factor"):
            assert getattr(x, name) == getattr(y, name), name
            assert type(getattr(x, name)) is type(getattr(y, name)), name


def test_a_kept_spread_reads_back_bit_for_bit():
    model = Model.load(cache=False)
    spreads = spread_by_scale(model, model.map.target, samples=300, seed=5, correlation=0.4)
    back = spreadkept.spreads_from(spreadkept.spreads_text(spreads))
    assert back is not None
    _same(spreads, back)
    assert [s.scale for s in back] == ["argmap", "icd203", "ipcc-ar5", "survey"]
    assert back[0].independent_values.flags.writeable


def _mutated(text: str, change) -> str:
    data = json.loads(text)
    change(data[0])
    return json.dumps(data)


@pytest.mark.parametrize("change", [
    lambda d: d.update(independent_values=d["correlated_values"][:-8]),          # one draw short
    lambda d: d.update(samples=d["samples"] + 1),                                # not its number of draws
    lambda d: d.update(correlated_values="not base64!"),
    lambda d: d["independent"].__setitem__(0, "0.5"),                            # a number as text
    lambda d: d["independent"].__setitem__(2, float("nan")),
    lambda d: d["correlated"].pop(),
    lambda d: d.update(point=True),
    lambda d: d.update(seed=1.5),
    lambda d: d.update(words="no"),
    lambda d: d["query"].__setitem__(2, {"a": 1}),
    lambda d: d.pop("scale"),
    lambda d: d.update(stated_by=3),
])
def test_a_text_that_is_not_a_spread_is_refused(change):
    model = Model.load(cache=False)
    text = spreadkept.spreads_text(spread_by_scale(model, model.map.target, samples=50, seed=1))
    assert spreadkept.spreads_from(text) is not None
    assert spreadkept.spreads_from(_mutated(text, change)) is None


@pytest.mark.parametrize("bad", [1.5, -0.25, float("nan"), float("inf")])
def test_draws_outside_zero_one_are_refused(bad):
    model = Model.load(cache=False)
    spreads = spread_by_scale(model, model.map.target, samples=50, seed=1)
    spreads[1].correlated_values[7] = bad
    assert spreadkept.spreads_from(spreadkept.spreads_text(spreads)) is None
    assert spreadkept.spreads_from("[]") is None and spreadkept.spreads_from("{") is None


def _export(folder: Path, out: Path, *extra: str) -> str:
    assert main(["export", str(folder), "--samples", "400", "--out", str(out), *extra]) == 0
    return "\n".join(p.name for p in sorted(out.iterdir()))


def _bundle(out: Path) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    files["summary.md"] = b"\n".join(ln for ln in files["summary.md"].split(b"\n") if b"Regenerate" not in ln)
    return files


def test_a_later_export_of_the_same_entry_reads_the_spread_and_writes_the_same_bundle(cache_dir, drawn, tmp_path):
    folder = tmp_path / "map"
    shutil.copytree(TINY, folder)
    _export(folder, tmp_path / "b1")                  # compiles and stores the entry: nothing to key a spread by
    assert len(drawn) == 1 and not list(cache_dir.glob("*.spreads"))
    _export(folder, tmp_path / "b2")                  # a hit: the spread drawn, then kept under the entry
    assert len(drawn) == 2 and len(list(cache_dir.glob("*.spreads"))) == 1
    _export(folder, tmp_path / "b3")                  # read, not drawn
    assert len(drawn) == 2
    assert "spread.png" in _bundle(tmp_path / "b3")
    assert _bundle(tmp_path / "b1") == _bundle(tmp_path / "b2") == _bundle(tmp_path / "b3")
    with cache.disabled():                            # --no-cache: the same bundle, drawn
        _export(folder, tmp_path / "b4")
    assert len(drawn) == 3 and _bundle(tmp_path / "b4") == _bundle(tmp_path / "b3")
    _export(folder, tmp_path / "b5", "--no-cache")
    assert len(drawn) == 4


def test_other_options_an_edit_or_overlays_draw_again(cache_dir, drawn, tmp_path):
    folder = tmp_path / "map"
    shutil.copytree(TINY, folder)
    for _ in range(3):
        _export(folder, tmp_path / "b")
    assert len(drawn) == 2
    _export(folder, tmp_path / "b", "--seed", "7")          # other draws: drawn (and kept under their own options)
    _export(folder, tmp_path / "b", "--correlation", "0.3")
    assert len(drawn) == 4
    _export(folder, tmp_path / "b", "--scale", "survey")    # another model (re-read): its own spread
    _export(folder, tmp_path / "b", "--scale", "survey")
    assert len(drawn) == 5
    claims = folder / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8") + "\n", encoding="utf-8")   # the entry no longer a hit
    _export(folder, tmp_path / "b")
    assert len(drawn) == 6


def test_a_spread_kept_under_another_numpy_is_not_read(cache_dir, drawn, tmp_path, monkeypatch):
    folder = tmp_path / "map"
    shutil.copytree(TINY, folder)
    for _ in range(3):
        _export(folder, tmp_path / "b")
    assert len(drawn) == 2
    monkeypatch.setattr(np, "__version__", np.__version__ + ".post1")
    _export(folder, tmp_path / "b")
    assert len(drawn) == 3


def test_a_spread_is_kept_only_for_a_model_read_from_an_entry(cache_dir, drawn, tmp_path):
    """A bundle written for models no entry is named for (the library's call; with overlays the command compiles
    them from the files): nothing is kept, every export draws."""
    folder = tmp_path / "map"
    shutil.copytree(TINY, folder)
    from argmap.views.bundle import write_bundle

    model = Model.load(folder)
    write_bundle(folder, tmp_path / "b", models=(model, model), samples=300)      # no entry named: not kept
    write_bundle(folder, tmp_path / "b", models=(model, model), samples=300)
    assert len(drawn) == 2 and not list(cache_dir.glob("*.spreads"))
