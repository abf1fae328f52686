"""The export's page fits and tornado intervals kept (argmap.views.keptquantiles): a kept one is the computed one,
bit for bit, and is read instead of calling scipy; a text of another shape is refused and the numbers computed
again; a re-export imports no scipy.special in any process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import argmap.inference.cache as cache
from argmap import Model
from argmap.analysis.sensitivity import tornado
from argmap.inference import distributions, kept
from argmap.views import keptquantiles

TINY = Path(__file__).parent / "data" / "maps" / "tiny"


@pytest.fixture
def fresh(monkeypatch):
    """As in a new process: no fit or interval known."""
    for name in ("_FITS", "_FITS_USED", "_INTERVALS"):
        monkeypatch.setattr(distributions, name, {})


def _no_scipy(monkeypatch) -> None:
    import scipy.special

    def refuse(*_a, **_k):
        raise AssertionError("computed again")
    for name in ("betaincinv", "betainc", "ndtri"):
        monkeypatch.setattr(scipy.special, name, refuse)
    monkeypatch.setattr(distributions, "_fit_beta", refuse)


RANGES = [(0.05, 0.2), (0.1, 0.5), (0.3, 0.9)]


def test_kept_fits_are_the_fitted_ones(cache_dir, fresh, monkeypatch):
    made = keptquantiles.beta_fits(RANGES)
    assert list(made) == ["0.05,0.2", "0.1,0.5", "0.3,0.9"] and kept.stats["stored"] == 1
    assert made == {f"{lo!r},{hi!r}": [float(v) for v in distributions._fit_beta(lo, hi, distributions.MASS)]
                    for lo, hi in RANGES}
    monkeypatch.setattr(distributions, "_FITS", {})
    _no_scipy(monkeypatch)
    again = keptquantiles.beta_fits(RANGES)
    assert again == made and list(again) == list(made) and kept.stats["hit"] == 1
    assert all(type(x) is float for v in again.values() for x in v)
    with pytest.raises(AssertionError, match="computed again"):      # other ranges: a miss
        keptquantiles.beta_fits(RANGES[:2])


@pytest.mark.parametrize("text", ["[[1.0, 2.0]]", "[[1.0, 2.0], [1.0, 2.0], [1.0, -2.0]]",
                                  "[[1.0, 2.0], [1.0, 2.0], [1.0, NaN]]", "[[1.0, 2.0], [1.0, 2.0], [1, 2.0]]",
                                  "[[1.0, 2.0], [1.0, 2.0], [1.0, 2.0, 3.0]]", "{}", "not json"])
def test_fits_of_another_shape_are_refused(cache_dir, fresh, monkeypatch, text):
    made = keptquantiles.beta_fits(RANGES)
    material = json.dumps({"ranges": list(made), "mass": distributions.MASS})
    kept.keep("beta-fits", material, text, ("scipy",))
    monkeypatch.setattr(distributions, "_FITS", {})
    assert keptquantiles.beta_fits(RANGES) == made                # computed again (and kept again)
    assert kept.stats["refused"] == 0 and kept.stats["hit"] == 1   # the text was read, and not used


@pytest.fixture(scope="module")
def bundled() -> Model:
    return Model.load(cache=False)


def test_kept_intervals_give_the_same_tornado_without_scipy(cache_dir, fresh, bundled, monkeypatch):
    wanted = keptquantiles.tornado_intervals(bundled)
    assert wanted is not None and {f.family for f in wanted[1]} == {"dirichlet"}     # the bundled map has two
    rows = tornado(bundled)
    keptquantiles.keep_intervals(wanted)
    assert kept.stats["stored"] == 1
    monkeypatch.setattr(distributions, "_INTERVALS", {})
    _no_scipy(monkeypatch)
    with pytest.raises(AssertionError, match="computed again"):
        tornado(bundled)
    assert keptquantiles.tornado_intervals(bundled) is None and kept.stats["hit"] == 1
    assert tornado(bundled) == rows


@pytest.mark.parametrize("change", [
    lambda ivs: ivs[:1],                                   # one factor short
    lambda ivs: [ivs[0], ivs[1][:-1]],                     # one column short
    lambda ivs: [ivs[0], [[0.9, 0.1], *ivs[1][1:]]],       # low above high
    lambda ivs: [ivs[0], [[0, 0.5], *ivs[1][1:]]],         # an integer
    lambda ivs: [ivs[0], [[0.1, float("inf")], *ivs[1][1:]]],
    lambda ivs: [ivs[0], [[0.1], *ivs[1][1:]]],
    lambda ivs: {"a": ivs},
])
def test_intervals_of_another_shape_are_not_learned(fresh, bundled, change):
    asked = [f for f in distributions.interval_factors(bundled.network, _factors(bundled)) if not f.fitted]
    good = [[list(iv) for iv in f.interval()] for f in asked]
    assert distributions.learn_intervals(asked, distributions.MASS, json.loads(json.dumps(good)))
    distributions._INTERVALS.clear()
    assert not distributions.learn_intervals(asked, distributions.MASS, json.loads(json.dumps(change(good))))
    assert distributions._INTERVALS == {}


def _factors(model: Model):
    from argmap.analysis.sensitivity._query import factors_of

    return factors_of(model)


def test_a_re_export_imports_no_scipy_special(cache_dir, tmp_path):
    """Every part in one process (ARGMAP_JOBS=1): after the first export (which keeps the spread's tables and
    fits and the page's fits) no export computes a quantile."""
    probe = ("import sys\nfrom argmap.commands.cli import main\n"
             f"assert main(['export', {str(TINY)!r}, '--samples', '300', '--out', {str(tmp_path / 'b')!r}]) == 0\n"
             "print('scipy.special' in sys.modules)")
    env = {**__import__("os").environ, "ARGMAP_JOBS": "1", cache.ENV: str(cache_dir)}
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
            for _ in range(3)]
    assert [r.stdout.split()[-1] for r in runs] == ["True", "False", "False"]
