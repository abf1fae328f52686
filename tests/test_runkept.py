"""argmap run's kept report (argmap.commands.runkept): printed without loading the map only when it is, byte for
byte, what the full run prints now — for these options, this terminal width, an entry whose files are unchanged —
and kept only from a run that read its map and every figure from that very entry."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

import argmap.inference.cache as cache
from argmap.commands import common, runkept
from argmap.commands.cli import main
from argmap.inference import kept


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    monkeypatch.setenv("COLUMNS", "100")
    kept.stats.clear()
    return folder


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", *argv])
    return code, out.getvalue(), err.getvalue()


def _not_loaded(monkeypatch) -> None:
    def refuse(_args, **_kwargs):
        raise AssertionError("the map was loaded")
    monkeypatch.setattr(common, "model_from_args", refuse)
    monkeypatch.setattr("argmap.commands.run.model_from_args", refuse)


def _reports(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*.{runkept.KIND}"))


@pytest.mark.parametrize("options", [[], ["--json"], ["--target", "aware"], ["--scenario", "none"],
                                     ["--with", "pope-2023"]])
def test_a_kept_report_is_the_full_runs_and_loads_nothing(cache_dir, own_map, monkeypatch, options):
    path = [] if "--with" in options else [str(own_map)]    # a bundled overlay goes with the bundled map
    fresh = _run(*path, *options, "--no-cache")
    assert fresh[0] == 0 and not cache_dir.exists()
    assert _run(*path, *options) == fresh                   # writes the entry
    if "--scenario" not in options:                         # (a run naming a scenario loads the map: it may be another)
        _not_loaded(monkeypatch)
    assert _run(*path, *options) == fresh                   # reads its figures (no numpy), keeps the report
    assert kept.stats["stored"] == 1 and len(_reports(cache_dir)) == 1 and "hit" not in kept.stats
    _not_loaded(monkeypatch)
    assert _run(*path, *options) == fresh
    assert kept.stats["hit"] == 1


def test_other_options_or_another_width_are_another_report(cache_dir, own_map, monkeypatch):
    for _ in range(2):
        _run(str(own_map))
    assert len(_reports(cache_dir)) == 1
    monkeypatch.setenv("COLUMNS", "60")
    narrow = _run(str(own_map), "--no-cache")
    assert _run(str(own_map)) == narrow and len(_reports(cache_dir)) == 2
    target = _run(str(own_map), "--target", "goals", "--no-cache")
    assert _run(str(own_map), "--target", "goals") == target and len(_reports(cache_dir)) == 3
    monkeypatch.setenv("COLUMNS", "70")
    at_70 = _run(str(own_map), "--no-cache")
    monkeypatch.setenv("COLUMNS", "60")
    _not_loaded(monkeypatch)
    assert _run(str(own_map)) == narrow and _run(str(own_map), "--target", "goals") == target
    assert kept.stats["hit"] == 2
    monkeypatch.setenv("COLUMNS", "100")
    assert _run(str(own_map))[1] != narrow[1]                           # as kept at width 100
    monkeypatch.setenv("COLUMNS", "70")
    assert _run(str(own_map)) == at_70                      # never kept at 70: made from the entry's figures, kept
    assert kept.stats["hit"] == 3 and len(_reports(cache_dir)) == 4


def test_an_edited_map_is_not_answered_by_its_old_report(cache_dir, own_map):
    for _ in range(3):
        old = _run(str(own_map))
    assert kept.stats["hit"] == 1
    part = own_map / "claims.yaml"
    part.write_text(part.read_text().replace("base: 0.25", "base: 0.5"))
    new = _run(str(own_map))
    assert new == _run(str(own_map), "--no-cache") and new[1] != old[1]
    assert _run(str(own_map)) == new == _run(str(own_map))


def test_a_report_edited_or_signed_with_another_key_is_refused(cache_dir, own_map, monkeypatch):
    for _ in range(2):
        right = _run(str(own_map))
    (report,) = _reports(cache_dir)
    raw = report.read_bytes()
    report.write_bytes(raw.replace(b"The conclusion", b"The concLusion"))
    assert _run(str(own_map)) == right and kept.stats["refused"] == 1
    key = (cache_dir / "key").read_bytes()
    (cache_dir / "key").write_bytes(bytes(32))          # another folder's key: the entry and report are refused
    assert _run(str(own_map)) == right
    (cache_dir / "key").write_bytes(key)
    report.write_bytes(raw)
    assert _run(str(own_map)) == right                  # the entry written under the other key: refused, rebuilt
    _not_loaded(monkeypatch)
    assert _run(str(own_map)) == right                  # the same entry, the same signature: the report answers


@pytest.mark.parametrize("options", [["--scenario", "aware"], ["--given", "aware=true"], ["--set", "goals=false"],
                                     ["--spread", "--samples", "50"], ["--scale", "icd203"]])
def test_a_run_that_computes_its_figures_is_not_kept(cache_dir, own_map, options):
    """The entry keeps the usual query's figures (the tiny map has no default scenario); another scenario's, or
    the numbers re-read on another scale (the bundled map's words), are computed in the run (with this numpy),
    and a run with conditions or a spread is never kept nor looked up."""
    path = [] if "--scale" in options else [str(own_map)]
    fresh = _run(*path, *options, "--no-cache")
    for _ in range(3):
        assert _run(*path, *options) == fresh
    assert "stored" not in kept.stats and _reports(cache_dir) == []
    if "--given" in options or "--set" in options or "--spread" in options:
        assert kept.stats == {}


def test_a_report_is_kept_only_from_the_entry_the_map_was_read_from(cache_dir, own_map):
    """cache.hit_signature names the entry of the last lookup's hit: none after a miss, though an earlier load
    in this process hit (the files changed in between)."""
    from argmap import Model

    Model.load(own_map)
    assert cache.hit_signature(own_map) is None                 # written, not read
    Model.load(own_map)
    signature = cache.hit_signature(own_map)
    assert signature is not None and signature == cache.verified(own_map)
    part = own_map / "claims.yaml"
    part.write_text(part.read_text().replace("base: 0.25", "base: 0.5"))
    assert cache.verified(own_map) is None
    Model.load(own_map)
    assert cache.hit_signature(own_map) is None
    with cache.disabled():
        assert cache.verified(own_map) is None


def test_a_load_without_the_cache_names_no_entry(cache_dir, own_map):
    """A load with the cache off reads the files, not an entry: hit_signature is None after it, though an earlier
    load of the same request in this process hit (else a long-lived process, e.g. a notebook exporting with and
    without the cache, would key a text made from the files under that entry)."""
    from argmap import Model

    Model.load(own_map)
    Model.load(own_map)
    assert cache.hit_signature(own_map) is not None
    Model.load(own_map, cache=False)
    assert cache.hit_signature(own_map) is None
    Model.load(own_map)
    assert cache.hit_signature(own_map) is not None
    with cache.disabled():
        Model.load(own_map)
    assert cache.hit_signature(own_map) is None


def test_a_terminal_resized_during_the_run_keeps_no_report_of_another_width(cache_dir, own_map, monkeypatch):
    """The width is read once: the report is formatted at the width its material names, so a resize between the
    lookup and the formatting cannot file a report of one width under another."""
    wide = _run(str(own_map), "--no-cache")
    _run(str(own_map))
    real = runkept.material

    def resized(args, columns):
        found = real(args, columns)
        monkeypatch.setenv("COLUMNS", "60")                  # the terminal shrinks meanwhile
        return found

    monkeypatch.setattr(runkept, "material", resized)
    assert _run(str(own_map)) == wide                        # formatted at the 100 columns it was looked up at
    monkeypatch.setattr(runkept, "material", real)
    monkeypatch.setenv("COLUMNS", "100")
    assert _run(str(own_map)) == wide and kept.stats["hit"] == 1


def test_what_the_entry_cannot_answer_is_left_to_the_full_run(cache_dir, own_map, monkeypatch):
    """The first cached run makes its report from the entry's kept figures only when the full run would print
    exactly that: an unknown target is the full run's error (message and status), and a query that warns is
    answered by the full run, which warns once."""
    for argv in ([str(own_map), "--target", "nosuch"], [str(own_map), "--json", "--target", "nosuch"]):
        fresh = _run(*argv, "--no-cache")
        assert fresh[0] == 1 and "nosuch" in fresh[2]
        assert _run(*argv) == fresh and _run(*argv) == fresh
    assert _reports(cache_dir) == []
    from argmap import api

    real = api.Model.run

    def warns(self, *a, **k):
        api._warn("a warning the full run gives")
        return real(self, *a, **k)

    monkeypatch.setattr(api.Model, "run", warns)
    code, out, err = _run(str(own_map))
    assert code == 0 and err.count("a warning the full run gives") == 1
