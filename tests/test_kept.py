"""Kept texts (argmap.inference.kept): the post bundle's formula kept in the cache folder is the fresh one,
found only for the very numbers, code and library versions it was made from, and refused when edited,
signed by another folder's key, not a regular file, or with the cache off."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import argmap.inference.cache as cache
from argmap import Model
from argmap.analysis import symbolic
from argmap.inference import kept
from argmap.views.bundle import _formula_markdown

DATA = Path(__file__).parent / "data" / "maps"


@pytest.fixture(scope="module")
def bundled() -> Model:
    return Model.load(cache=False)


def _no_sympy(monkeypatch) -> None:
    def refuse(_numbers):
        raise AssertionError("the formula was built again")
    monkeypatch.setattr(symbolic, "formula_from", refuse)


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.formula"))


def test_the_bundle_forks_for_a_formula_only_when_none_is_kept(cache_dir, bundled, monkeypatch):
    """The export's formula part: a process of its own (sympy) on a miss, the kept section at once on a hit;
    the same text either way."""
    from argmap.base import forked
    from argmap.views.bundle import _formula_part

    started = []

    def start(fn):
        started.append(fn)
        return forked.Pending(fn, value=fn())
    monkeypatch.setattr(forked, "start", start)
    made = _formula_part(bundled, bundled.map.target, {}).result()
    assert len(started) == 1 and kept.stats["stored"] == 1
    again = _formula_part(bundled, bundled.map.target, {})
    assert again.result() == made and len(started) == 1 and kept.stats["hit"] == 1


def test_a_kept_formula_is_the_fresh_one_and_is_not_built_again(cache_dir, bundled, monkeypatch):
    with cache.disabled():
        fresh = _formula_markdown(bundled, bundled.map.target, {})
    assert not cache_dir.exists() and kept.stats == {}
    assert _formula_markdown(bundled, bundled.map.target, {}) == fresh
    assert kept.stats["stored"] == 1 and len(_entries(cache_dir)) == 1
    _no_sympy(monkeypatch)
    assert _formula_markdown(bundled, bundled.map.target, {}) == fresh
    assert kept.stats["hit"] == 1
    with pytest.raises(AssertionError, match="built again"):       # other conditions: other numbers, a miss
        _formula_markdown(bundled, bundled.map.target, {"scenario": None})


def test_other_numbers_titles_code_or_libraries_are_not_read(cache_dir, bundled, monkeypatch):
    target = bundled.map.target
    _formula_markdown(bundled, target, {})
    numbers = symbolic.formula_numbers(bundled, target)
    other = bundled.on_scale("survey")                    # word-read numbers re-read: other corner values
    assert symbolic.formula_numbers(other, target).joint != numbers.joint
    _no_sympy(monkeypatch)
    with pytest.raises(AssertionError, match="built again"):
        _formula_markdown(other, target, {})
    assert kept.text("formula", "[]", ("sympy", "mpmath")) is None
    monkeypatch.setattr(cache, "_code_version", lambda: "other code")
    with pytest.raises(AssertionError, match="built again"):
        _formula_markdown(bundled, target, {})
    monkeypatch.undo()
    monkeypatch.setenv(cache.ENV, str(cache_dir))
    monkeypatch.setattr(kept, "_versions", lambda libraries: "sympy=0.0")
    assert kept.text("formula", "x", ("sympy",)) is None
    kept.keep("formula", "x", "kept", ("sympy",))
    assert kept.text("formula", "x", ("sympy",)) == "kept"
    monkeypatch.setattr(kept, "_versions", lambda libraries: "sympy=0.1")
    assert kept.text("formula", "x", ("sympy",)) is None


def test_a_kept_text_with_other_titles_is_not_read(cache_dir, tiny_map, tmp_path, monkeypatch):
    import shutil

    folder = tmp_path / "map"
    shutil.copytree(tiny_map, folder)
    model = Model.load(folder, cache=False)
    first = _formula_markdown(model, model.map.target, {"scenario": None})
    map_file = folder / "map.yaml"
    claim = next(iter(symbolic.formula_numbers(model, model.map.target, scenario=None).roots))[0]
    old = model.map.claims[claim].title
    texts = [p for p in folder.rglob("*.yaml") if f"title: {old}" in p.read_text()]
    assert texts, map_file
    texts[0].write_text(texts[0].read_text().replace(f"title: {old}", "title: A renamed root"))
    renamed = Model.load(folder, cache=False)
    again = _formula_markdown(renamed, renamed.map.target, {"scenario": None})
    assert "A renamed root" in again and again != first and kept.stats["hit"] == 0


@pytest.mark.parametrize("how", ["text", "material", "mac", "truncated", "fifo", "huge", "other key"])
def test_a_bad_entry_is_refused_and_the_text_made_again(cache_dir, bundled, how, monkeypatch):
    target = bundled.map.target
    fresh = _formula_markdown(bundled, target, {})
    (entry,) = _entries(cache_dir)
    raw = entry.read_bytes()
    head, _, rest = raw.partition(b"\n")
    material, _, body = rest.partition(b"\n")
    if how == "text":
        entry.write_bytes(head + b"\n" + material + b"\n" + body.replace(b"the map's P", b"a forged P"))
    elif how == "material":
        entry.write_bytes(head + b"\n" + material[:-2] + b"00\n" + body)
    elif how == "mac":
        entry.write_bytes(head[:-4] + b"0000\n" + rest)
    elif how == "truncated":
        entry.write_bytes(raw[: len(raw) // 2])
    elif how == "fifo":
        entry.unlink()
        os.mkfifo(entry)
    elif how == "huge":
        entry.write_bytes(raw + b" " * kept.MAX_BYTES)
    else:
        (cache_dir / "key").write_bytes(os.urandom(32))
    kept.stats.clear()
    assert _formula_markdown(bundled, target, {}) == fresh
    assert kept.stats["hit"] == 0 and kept.stats["refused"] + kept.stats["absent"] == 1


def test_with_the_cache_off_nothing_is_read_or_written(cache_dir, bundled, monkeypatch):
    _formula_markdown(bundled, bundled.map.target, {})
    _no_sympy(monkeypatch)
    with cache.disabled(), pytest.raises(AssertionError, match="built again"):
        _formula_markdown(bundled, bundled.map.target, {})
    assert len(_entries(cache_dir)) == 1


def test_a_re_export_does_not_import_sympy(cache_dir, tmp_path):
    """The whole command: a second export of the same map reads the formula and never imports sympy."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root), cache.ENV: str(cache_dir), "ARGMAP_JOBS": "1"}
    probe = ("import sys\nfrom argmap.commands.cli import main\n"        # the command's main (its console ends
             "main(['export', '--out', sys.argv[1]])\nprint('sympy' in sys.modules)")    # the process at once)
    outs = [subprocess.run([sys.executable, "-c", probe, str(tmp_path / f"b{k}")], env=env, capture_output=True,
                           text=True, check=True).stdout.split()[-1] for k in range(2)]
    assert outs == ["True", "False"]
    assert (tmp_path / "b0" / "summary.md").read_text().split("## The headline as a formula")[1] == \
        (tmp_path / "b1" / "summary.md").read_text().split("## The headline as a formula")[1]


def _fresh_quantiles(monkeypatch, distributions) -> None:
    """As in a new process: no beta table, fit or gamma table known."""
    for name in ("_BETA_TABLES", "_BETA_USED", "_FITS", "_FITS_USED", "_GAMMA_TABLES", "_GAMMA_USED"):
        monkeypatch.setattr(distributions, name, {})


def test_kept_beta_tables_give_the_same_draws_without_computing_them(cache_dir, bundled, monkeypatch):
    """The export's spread keeps the beta quantile tables, beta fits and gamma tables its draws read; a later
    export learns them and computes none again (no betaincinv or gammaincinv call: the spread's process needs
    no scipy), and its spread is the same to the last bit."""
    import numpy as np

    from argmap.analysis.sensitivity.spread import spread_by_scale
    from argmap.inference import distributions
    from argmap.views.bundle import _spread_with_kept_tables

    def spread():
        return spread_by_scale(bundled, bundled.map.target, samples=2000, seed=3)

    _fresh_quantiles(monkeypatch, distributions)
    points, all_computed = distributions.beta_points_computed(), distributions.quantiles_computed()
    first = _spread_with_kept_tables(spread)
    assert kept.stats["stored"] == 1 and distributions.beta_points_computed() > points
    assert distributions.quantiles_computed() - all_computed > distributions.beta_points_computed() - points  # fits
    assert distributions._FITS_USED and distributions._GAMMA_USED      # the bundled map has both
    _fresh_quantiles(monkeypatch, distributions)                        # a new process: nothing known
    import scipy.special

    def refuse(*_a):
        raise AssertionError("a table point or fit was computed again")
    for name in ("betaincinv", "gammaincinv", "ndtr"):
        monkeypatch.setattr(scipy.special, name, refuse)
    again = _spread_with_kept_tables(spread)
    assert kept.stats["hit"] == 1 and kept.stats["stored"] == 1
    for a, b in zip(first, again, strict=True):
        assert np.array_equal(a.correlated_values, b.correlated_values)
        assert np.array_equal(a.independent_values, b.independent_values)


def test_kept_beta_tables_are_refused_under_another_scipy(cache_dir, monkeypatch):
    """The quantile tables' header names scipy's version from the package itself (its ``__version__``, never
    importlib.metadata's record): a text kept under one version is not read under another."""
    import importlib.metadata

    import scipy

    def no_metadata(_name):
        raise AssertionError("scipy's version read from importlib.metadata")
    monkeypatch.setattr(importlib.metadata, "version", no_metadata)
    kept.keep("beta-tables", "grid", "tables", ("scipy",))
    assert kept.text("beta-tables", "grid", ("scipy",)) == "tables"
    monkeypatch.setattr(scipy, "__version__", scipy.__version__ + ".post1")
    assert kept.text("beta-tables", "grid", ("scipy",)) is None
    assert kept._versions(("scipy",)) == f"scipy={scipy.__version__}"


def test_the_quantile_tables_version_needs_no_importlib_metadata():
    """Reading scipy's version for the kept tables imports scipy's package, not importlib.metadata (whose
    import costs the spread's process more)."""
    import subprocess

    probe = ("import sys\nfrom argmap.inference import kept\nv = kept._versions(('scipy',))\n"
             "print(v, 'importlib.metadata' in sys.modules, 'scipy.special' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    import scipy
    assert out == [f"scipy={scipy.__version__}", "False", "False"]


def test_learned_fits_and_gamma_tables_are_the_computed_ones(monkeypatch):
    """A fit or gamma table read back from the kept text is the computed one, bit for bit."""
    import numpy as np

    from argmap.inference import distributions

    _fresh_quantiles(monkeypatch, distributions)
    fits = {(lo, hi): distributions.fit_beta(lo, hi) for lo, hi in ((0.1, 0.5), (0.02, 0.3), (0.0, 0.9))}
    gammas = {a: distributions._gamma_table(a).copy() for a in (0.7, 3.0)}
    text = distributions.beta_tables_text()
    _fresh_quantiles(monkeypatch, distributions)
    assert distributions.learn_beta_tables(text) is True
    before = distributions.quantiles_computed()
    assert {k: distributions.fit_beta(*k) for k in fits} == fits
    assert all(np.array_equal(distributions._gamma_table(a), g) for a, g in gammas.items())
    assert distributions.quantiles_computed() == before


def _doubles(*values: float) -> str:
    import base64
    import struct

    return base64.b64encode(struct.pack(f"<{len(values)}d", *values)).decode()


@pytest.mark.parametrize("text", ['{"args": [[2, 5]], "values": "AAAA"}', '{"args": [[2, -5]], "values": ""}',
                                  '{"args": [], "values": "!!"}', "not json", '{"args": [[2, 5, 1]], "values": ""}',
                                  '{"args": [], "values": "", "fits": "AAAA"}',
                                  '{"args": [], "values": "", "gammas": [2.0], "gamma_values": ""}',
                                  '{"args": [], "values": "", "gammas": [-1.0], "gamma_values": ""}',
                                  '{"args": [], "values": "", "gammas": "x"}',
                                  *('{"args": [], "values": "", "fits": "' + _doubles(*fit) + '"}' for fit in (
                                      (0.1, 0.5, 0.9, -2.0, 3.0), (0.1, 1.5, 0.9, 2.0, 3.0), (0.1, 0.5, 1.0, 2.0, 3.0),
                                      (0.1, 0.5, 0.9, 2.0, float("nan"))))])
def test_malformed_beta_tables_are_not_learned(text, monkeypatch):
    from argmap.inference import distributions

    for name in ("_BETA_TABLES", "_FITS", "_GAMMA_TABLES"):
        monkeypatch.setattr(distributions, name, {})
    assert distributions.learn_beta_tables(text) is False
    assert distributions._BETA_TABLES == {} and distributions._FITS == {} and distributions._GAMMA_TABLES == {}


def test_gamma_tables_not_finite_are_not_learned(monkeypatch):
    import numpy as np

    from argmap.inference import distributions

    monkeypatch.setattr(distributions, "_GAMMA_TABLES", {})
    values = np.zeros(distributions._TABLE_POINTS)
    values[7] = np.inf
    text = '{"args": [], "values": "", "gammas": [2.0], "gamma_values": "' + _doubles(*values) + '"}'
    assert distributions.learn_beta_tables(text) is False and distributions._GAMMA_TABLES == {}


def test_beta_tables_out_of_range_are_not_learned(monkeypatch):
    import base64
    import json

    import numpy as np

    from argmap.inference import distributions

    monkeypatch.setattr(distributions, "_BETA_TABLES", {})
    values = np.full(distributions._TABLE_POINTS, np.nan)
    values[10] = 1.5
    text = json.dumps({"args": [[2.0, 5.0]], "values": base64.b64encode(values.astype("<f8").tobytes()).decode()})
    assert distributions.learn_beta_tables(text) is False
    values[10] = 0.25
    text = json.dumps({"args": [[2.0, 5.0]], "values": base64.b64encode(values.astype("<f8").tobytes()).decode()})
    assert distributions.learn_beta_tables(text) is True and distributions._BETA_TABLES[(2.0, 5.0)][10] == 0.25
