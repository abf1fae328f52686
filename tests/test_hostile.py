"""Hostile and extreme inputs (issue 14): each defect's input built in a temp folder, with the clear,
positioned error or the correct number asserted. Inputs that once hung or exhausted memory run in a
child process under a time limit and an address-space limit, so a regression fails instead of hanging.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
import xml.parsers.expat
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import yaml

from argmap import Model
from argmap.analysis.interchange import export_model, import_network
from argmap.base.errors import ValidationError
from argmap.base.textsafe import UNSAFE, safe_component, visible
from argmap.commands.cli import main

ROOT = Path(__file__).resolve().parent.parent
EVIL = "\x1b]0;title\x07\x1b[31m red \x00 \u202e evil \u2066"


def write_map(folder: Path, claims: list[dict] | str, target: str = "a", **head) -> Path:
    """A map folder with ``map.yaml`` and ``claims.yaml`` (a list of claims, or raw YAML text)."""
    folder.mkdir(parents=True, exist_ok=True)
    header = {"argmap": 1, "name": head.pop("name", "t"), "target": target, **head}
    (folder / "map.yaml").write_text(yaml.safe_dump(header, sort_keys=False))
    text = claims if isinstance(claims, str) else yaml.safe_dump({"claims": claims}, sort_keys=False)
    (folder / "claims.yaml").write_text(text)
    return folder


def run_limited(code: str, *, seconds: float = 30, mib: int = 1024) -> subprocess.CompletedProcess:
    """Run ``code`` in a child Python limited to ``seconds`` and ``mib`` of address space."""
    prelude = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, ({mib} << 20, {mib} << 20))
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=seconds, env=env)


def cli_limited(args: list[str], **kw) -> subprocess.CompletedProcess:
    """``argmap ARGS`` in a limited child process."""
    return run_limited(f"import sys\nfrom argmap.commands.cli import main\nsys.exit(main({args!r}))", **kw)


# ------------------------------------------------------------------ 6. control and bidi characters

def test_control_and_bidi_characters_are_refused_at_load_with_the_character_named(tmp_path):
    m = write_map(tmp_path / "m", 'claims:\n  - id: a\n    title: "\\e]0;title\\a\\e[31m"\n    credence: 0.5\n'
                                  '  - id: b\n    title: "ok \u202e evil"\n    credence: 0.5\n')
    with pytest.raises(ValidationError) as err:
        Model.load(m)
    text = err.value.format()
    assert "claims.yaml:3:12: error: text holds U+001B (control character)" in text
    assert "claims.yaml:6:12: error: text holds U+202E (RIGHT-TO-LEFT OVERRIDE) at character 4" in text
    assert not UNSAFE.search(text)


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\u200f", "\u2028"])
def test_visible_escapes_every_unsafe_character(char):
    out = visible(f"a{char}b")
    assert not UNSAFE.search(out) and out.startswith("a\\") and out.endswith("b")


def _evil_model(tmp_path) -> Model:
    """A valid model whose titles (and map title) were given control and bidi characters after loading,
    as a library caller or an importer might."""
    model = Model.load(write_map(tmp_path / "m", [{"id": "a", "title": "A", "credence": 0.5,
                                                   "supports": [{"claim": "b", "ratio": 2}]},
                                                  {"id": "b", "title": "B", "base": 0.3}], target="b"))
    amap = model.map
    claims = {cid: dataclasses.replace(c, title=f"{c.title} {EVIL}") for cid, c in amap.claims.items()}
    return Model(dataclasses.replace(amap, claims=claims, title=EVIL))


def test_every_writer_escapes_control_and_bidi_characters(tmp_path):
    from argmap.analysis.report import format_result
    from argmap.views.bundle import _md
    from argmap.views.diagrams import model_dot

    model = _evil_model(tmp_path)
    xml_text = export_model(model, "xmlbif")
    xml.parsers.expat.ParserCreate().Parse(xml_text.encode("utf-8"), True)    # well-formed
    outputs = {
        "terminal": format_result(model.map, model.run()),
        "xmlbif": xml_text,
        "bif": export_model(model, "bif"),
        "dot": model_dot(model),
        "markdown": _md(model.map.claims["a"].title),
    }
    for what, text in outputs.items():
        assert not UNSAFE.search(text), what
        assert "\\x1b]0" in text or "\u29f5x1b]0" in text, what     # shown, not obeyed (DOT: no backslash)


def test_a_network_with_control_characters_imports_as_a_map_that_loads(tmp_path):
    net = tmp_path / "evil.bif"
    net.write_text('network "../../evil" {}\nvariable a { type discrete [2] { false, true };'
                   ' property title = "x\x1b[31m\u202e y" ; }\nprobability ( a ) { table 0.5, 0.5; }\n')
    out = import_network(net, tmp_path / "out")
    head = yaml.safe_load((out / "map.yaml").read_text())
    assert head["name"] == "evil"
    model = Model.load(out)
    assert model.map.claims["a"].title == "x\\x1b[31m\\u202e y"


# ------------------------------------------------------------------ 5. names that are paths

@pytest.mark.parametrize("name, expected", [
    ("../../../../tmp/x/ESCAPED", "tmp_x_ESCAPED"), ("..", "argmap"), ("/etc/passwd", "etc_passwd"),
    ("a\\b:c", "a_b_c"), (".hidden", "hidden"), ("CON", "argmap"), ("scheming", "scheming"),
    ("pope-2023.v2", "pope-2023.v2"), ("x" * 300, "x" * 80), ("\u2025\uff0f", "argmap"),
])
def test_safe_component_is_one_harmless_path_component(name, expected):
    out = safe_component(name)
    assert out == expected
    assert "/" not in out and "\\" not in out and out not in (".", "..") and not out.startswith(".")


def test_export_keeps_a_traversing_map_name_inside_exports(tmp_path, monkeypatch, capsys):
    m = write_map(tmp_path / "maps" / "m", [{"id": "a", "title": "A", "credence": 0.5}],
                  name="../../../../" + str(tmp_path).lstrip("/") + "/ESCAPED")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["export", str(m)]) == 0
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "maps" not in p.parts]
    assert written and all(p.is_relative_to(work / "exports") for p in written)
    assert not (tmp_path / "ESCAPED").exists()
    assert (work / "exports").iterdir().__next__().name.endswith("ESCAPED")
    capsys.readouterr()


def test_json_output_of_run_stays_parseable_with_unusual_names(tmp_path, capsys):
    m = write_map(tmp_path / "m", [{"id": "a", "title": "quote \" < & \\ ok", "credence": 0.5}])
    assert main(["run", str(m), "--json"]) == 0
    json.loads(capsys.readouterr().out)


# ------------------------------------------------------------------ 1. ratios beyond floating point

def _supports(ratios: list[float], base: float = 0.5, **extra) -> list[dict]:
    claims = [{"id": f"s{i}", "title": f"S{i}", "credence": 0.5, "supports": [{"claim": "c", "ratio": r, **extra}]}
              for i, r in enumerate(ratios)]
    return claims + [{"id": "c", "title": "C", "base": base}, {"id": "other", "title": "Other", "credence": 0.3}]


def test_products_of_huge_ratios_stay_finite_and_exact(tmp_path):
    model = Model.load(write_map(tmp_path / "m", _supports([1e300, 1e300]), target="c"))
    margs = model.marginals(scenario=None)
    # c is 0.5 when neither argument holds (prob 1/4), and certain otherwise
    assert margs["c"]["true"] == pytest.approx(0.25 * 0.5 + 0.75, abs=1e-12)
    assert margs["other"]["true"] == pytest.approx(0.3, abs=1e-12)
    assert all(np.isfinite(list(m.values())).all() for m in margs.values())


def test_a_modulated_huge_ratio_stays_finite(tmp_path):
    claims = _supports([1e300], modulated_by={"claim": "m", "scale": {"true": 2, "false": 1}})
    claims.append({"id": "m", "title": "M", "credence": 0.5})
    model = Model.load(write_map(tmp_path / "m", claims, target="c"))
    assert model.probability(scenario=None) == pytest.approx(0.5 * 0.5 + 0.5, abs=1e-12)


def test_huge_and_tiny_ratios_that_cancel_are_exact(tmp_path):
    claims = _supports([1e250, 1e250]) + [{"id": "o1", "title": "O1", "credence": 1.0,
                                           "opposes": [{"claim": "c", "ratio": 1e-250}]},
                                          {"id": "o2", "title": "O2", "credence": 1.0,
                                           "opposes": [{"claim": "c", "ratio": 1e-250}]}]
    model = Model.load(write_map(tmp_path / "m", claims, target="c"))
    net = model.network
    theta = net.theta0[None, :]
    prog = net.program()
    assert prog is not None
    fast = prog.tables(prog.run(theta.T.copy()))["c"][..., 0]
    slow = net.cpts(theta)["c"][0]
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-300)
    # both oppositions hold: odds 1 only when both supports hold (1/4), otherwise about 0
    assert model.probability(scenario=None) == pytest.approx(0.25 * 0.5, abs=1e-9)


def test_routes_with_huge_ratios_take_the_log_path_exactly(tmp_path):
    """The noisy-OR feeds the log-space formula: a base of 0 stays 0 without a route, whatever the ratio."""
    claims = _supports([1e300], base=0.0) + [
        {"id": "r", "title": "R", "credence": 0.5, "route": [{"claim": "c", "p": 0.5}]},
        {"id": "q", "title": "Q", "credence": 0.5, "route": [{"claim": "c", "p": 1.0}]},
        {"id": "o", "title": "O", "credence": 0.5, "opposes": [{"claim": "c", "ratio": 1e-300}]}]
    model = Model.load(write_map(tmp_path / "m", claims, target="c"))
    net = model.network
    theta = net.theta0[None, :]
    prog = net.program()
    assert prog is not None and prog.route_passes
    fast = prog.tables(prog.run(theta.T.copy()))["c"][..., 0]
    slow = net.cpts(theta)["c"][0]
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-300)
    assert np.isfinite(fast).all()
    # a route of p 1 makes c certain, which no ratio moves; s's 1e300 and o's 1e-300 cancel
    c = net.cpts(theta)["c"][0][..., 1]

    def at(**states):
        return float(c[tuple(states[v] for v in net.parents["c"])])
    assert at(s0=0, r=0, q=0, o=0) == 0.0 and at(s0=1, r=0, q=0, o=0) == 0.0      # base 0: no route, nothing
    assert at(s0=0, r=1, q=0, o=0) == pytest.approx(0.5, abs=1e-15)
    assert at(s0=0, r=0, q=1, o=1) == 1.0 and at(s0=1, r=1, q=0, o=1) == pytest.approx(0.5, abs=1e-9)


def test_a_wide_fan_in_of_routes_is_the_noisy_or(tmp_path):
    n = 16
    claims = [{"id": f"r{i}", "title": f"R{i}", "credence": 0.3, "route": [{"claim": "x", "p": 0.2}]} for i in range(n)]
    claims.append({"id": "x", "title": "X", "base": 0.05})
    model = Model.load(write_map(tmp_path / "m", claims, target="x"))
    assert model.probability(scenario=None) == pytest.approx(1 - 0.95 * (1 - 0.3 * 0.2) ** n, abs=1e-12)


@pytest.mark.parametrize("field, value, message", [
    ("ratio", 1e308, "ratio 1e+308 is beyond the limit: a ratio (and its range) must lie between e^-700 and e^700"),
    ("weight", 701, "weight 701 is too large (|weight| <= 700"),
])
def test_strengths_beyond_the_limit_are_refused_with_the_limit_named(tmp_path, field, value, message):
    claims = [{"id": "s", "title": "S", "credence": 0.5, "supports": [{"claim": "c", field: value}]},
              {"id": "c", "title": "C", "base": 0.5}]
    with pytest.raises(ValidationError) as err:
        Model.load(write_map(tmp_path / "m", claims, target="c"))
    assert "claims.yaml:7:" in err.value.format() and "error: " + message in err.value.format()


def test_a_modulator_scale_beyond_the_limit_is_refused(tmp_path):
    claims = _supports([2], modulated_by={"claim": "m", "scale": {"true": 1e6, "false": 1}})
    claims.append({"id": "m", "title": "M", "credence": 0.5})
    with pytest.raises(ValidationError, match="scale 1e.06 of 'true' is beyond the limit 100"):
        Model.load(write_map(tmp_path / "m", claims, target="c"))


# ------------------------------------------------------------------ 8. many independent claims

def test_marginals_are_normalised_per_component(tmp_path):
    """400 independent pairs, each observed at probability 0.1: P(all evidence) = 1e-400 underflows,
    but each component's marginals are exact because each is normalised by its own evidence."""
    claims = []
    for i in range(400):
        claims += [{"id": f"h{i}", "title": "H", "credence": 0.5, "supports": [{"claim": f"e{i}", "ratio": 9}]},
                   {"id": f"e{i}", "title": "E", "base": 0.1 / 0.9 * 0.5 / (1 - 0.05)}]
    model = Model.load(write_map(tmp_path / "m", claims, target="h0"))
    given = {f"e{i}": "true" for i in range(400)}
    margs = model.marginals(given=given, scenario=None)
    one = Model.load(write_map(tmp_path / "one", claims[:2], target="h0")).marginals(given={"e0": "true"},
                                                                                     scenario=None)
    for i in range(400):
        assert margs[f"h{i}"]["true"] == pytest.approx(one["h0"]["true"], rel=1e-12)


def test_ten_thousand_independent_claims_finish(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "map.yaml").write_text("argmap: 1\nname: many\ntarget: c0\n")
    for part in range(2):
        lines = ["claims:"] + [f"  - {{id: c{i}, title: C, credence: 0.{i % 9 + 1}}}"
                               for i in range(part * 5000, (part + 1) * 5000)]
        (folder / f"part{part}.yaml").write_text("\n".join(lines) + "\n")
    res = run_limited(f"""
        from argmap import Model
        m = Model.load({str(folder)!r}).marginals(scenario=None)
        assert len(m) == 10000 and all(abs(m[f"c{{i}}"]["true"] - (i % 9 + 1) / 10) < 1e-12 for i in range(10000))
        print("ok")
    """, seconds=240)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]


# ------------------------------------------------------------------ 9. wide fan-in

def test_twenty_supports_into_one_claim_compile_vectorised_in_bounded_memory(tmp_path):
    m = write_map(tmp_path / "m", [{"id": f"p{i}", "title": "P", "credence": 0.5,
                                    "supports": [{"claim": "c", "ratio": 1.5}]} for i in range(20)]
                  + [{"id": "c", "title": "C", "base": 0.2}], target="c")
    res = run_limited(f"""
        import math, tracemalloc
        from argmap import Model
        tracemalloc.start()
        p = Model.load({str(m)!r}).probability(scenario=None)
        peak = tracemalloc.get_traced_memory()[1]
        expit = lambda z: 1 / (1 + math.exp(-z))
        exact = sum(math.comb(20, k) / 2**20 * expit(math.log(0.2 / 0.8) + k * math.log(1.5)) for k in range(21))
        assert abs(p - exact) < 1e-12, (p, exact)
        assert peak < 200 * 2**20, f"peak {{peak >> 20}} MiB"
        print("ok")
    """, seconds=240, mib=1536)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]


def test_program_matches_the_builders_on_a_wide_mixed_claim(tmp_path):
    """Supports, oppositions, a categorical source with `when`, two modulators on one relation and
    requirements with and without a leak, all into one claim: the vectorised program equals the
    log-odds builders."""
    claims = [{"id": f"p{i}", "title": "P", "credence": 0.3 + 0.05 * i,
               "supports": [{"claim": "c", "ratio": 1.5 + i}]} for i in range(6)]
    claims += [{"id": "o", "title": "O", "credence": 0.4, "opposes": [{"claim": "c", "ratio": 0.2,
                                                                       "modulated_by": [
                                                                           {"claim": "k", "scale": {
                                                                               "lo": 0, "mid": 0.5, "hi": 2}},
                                                                           {"claim": "r1", "scale": {
                                                                               "false": 0.3, "true": 1.5}}]}]},
               {"id": "k", "title": "K", "states": ["lo", "mid", "hi"], "credence": {"lo": 0.2, "mid": 0.5, "hi": 0.3},
                "supports": [{"claim": "c", "ratio": 3, "when": ["mid", "hi"]}]},
               {"id": "r1", "title": "R1", "credence": 0.8}, {"id": "r2", "title": "R2", "credence": 0.6},
               {"id": "c", "title": "C", "base": 0.3, "requires": ["r1", {"claim": "r2", "leak": 0.25}]}]
    model = Model.load(write_map(tmp_path / "m", claims, target="c"))
    net = model.network
    rng = np.random.default_rng(0)
    theta = np.repeat(net.theta0[None, :], 5, axis=0) * rng.uniform(0.9, 1.0, size=(5, len(net.params)))
    prog = net.program()
    assert prog is not None
    fast = prog.tables(prog.run(np.ascontiguousarray(theta.T)))
    for v, table in net.cpts(theta).items():
        np.testing.assert_allclose(np.moveaxis(fast[v], -1, 0), table, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------ 2 and 10. special files and symlinks

def _special(kind: str, path: Path) -> None:
    if kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()


@pytest.mark.parametrize("kind, message", [("zero", "a character device, not a regular file"),
                                           ("fifo", "a FIFO (named pipe), not a regular file"),
                                           ("dir", "expected an overlay file, got a folder")])
@pytest.mark.parametrize("where", ["overlay", "network", "map.yaml"])
def test_special_files_are_refused_without_reading_them(tmp_path, kind, message, where):
    m = write_map(tmp_path / "m", [{"id": "a", "title": "A", "credence": 0.5}])
    special = tmp_path / "special.yaml"
    _special(kind, special)
    if where == "overlay":
        args = ["run", str(m), "--with", str(special)]
    elif where == "network":
        args = ["import", str(special), "-o", str(tmp_path / "out")]
        message = message.replace("an overlay file", "a BIF or XMLBIF file")
    else:
        (m / "map.yaml").unlink()
        _special(kind, m / "map.yaml")
        args = ["run", str(m)]
        message = {"zero": "leads outside the map folder (to /dev/zero)", "fifo": message,
                   "dir": "a folder named like a part file"}[kind]
        if kind == "dir":
            args = ["check", str(m / "claims.yaml")]
            message = "not a map folder"
    res = cli_limited(args, seconds=60, mib=1024)
    assert res.returncode == 1, res.stderr[-2000:]
    assert message in res.stderr and "Traceback" not in res.stderr, res.stderr[-2000:]


@pytest.mark.parametrize("kind", ["zero", "fifo", "dir"])
def test_special_part_files_are_refused_with_their_path(tmp_path, kind):
    m = write_map(tmp_path / "m", [{"id": "a", "title": "A", "credence": 0.5}])
    _special(kind, m / "extra.yaml")
    res = cli_limited(["run", str(m)], seconds=60, mib=1024)
    assert res.returncode == 1 and f"{m / 'extra.yaml'}: error: " in res.stderr, res.stderr[-2000:]
    assert "Traceback" not in res.stderr


def test_a_file_one_byte_over_the_limit_is_refused_and_at_the_limit_is_read(tmp_path, monkeypatch):
    from argmap.base import readfile
    from argmap.base.errors import ValidationError as VE

    f = tmp_path / "f.yaml"
    f.write_bytes(b"x" * 100)
    assert readfile.read_limited(f, 100) == b"x" * 100
    with pytest.raises(VE, match="file is larger than 99 bytes; argument files are limited to 99"):
        readfile.read_limited(f, 99)


@pytest.mark.parametrize("name", ["claims.yaml", "toc.yaml", "map.yaml"])
def test_symlinks_leaving_the_map_folder_are_refused_with_the_path_named(tmp_path, name):
    outside = write_map(tmp_path / "elsewhere", [{"id": "b", "title": "B", "credence": 0.5}])
    (outside / "toc.yaml").write_text("- {section: '1', title: One}\n")
    m = write_map(tmp_path / "m", [{"id": "a", "title": "A", "credence": 0.5}], toc="toc.yaml")
    (m / "toc.yaml").write_text("- {section: '1', title: One}\n")
    if name == "map.yaml":
        (outside / "map.yaml").write_text((m / "map.yaml").read_text())
    (m / name).unlink()
    (m / name).symlink_to(outside / name)
    with pytest.raises(ValidationError) as err:
        Model.load(m)
    assert f"{m / name}: error: leads outside the map folder (to {outside / name})" in err.value.format()


def test_symlinks_within_the_map_folder_are_read(tmp_path):
    m = write_map(tmp_path / "m", [{"id": "a", "title": "A", "credence": 0.5}])
    (m / "claims.yaml").rename(m / "real.yml")
    (m / "claims.yaml").symlink_to(m / "real.yml")
    (m / "real.yml").rename(m / "real.txt")
    (m / "claims.yaml").unlink()
    (m / "claims.yaml").symlink_to("real.txt")
    assert Model.load(m).probability(scenario=None) == pytest.approx(0.5)


# ------------------------------------------------------------------ 3. numbers

@pytest.mark.parametrize("text, message", [
    ("1e-99999999", "credence '1e-99999999' has exponent -99999999; exponents are limited to ±400"),
    ("1e-9999999", "has exponent -9999999"),
    ("1.0e+99999", "has exponent 99999"),
    ('"' + "1" * 5000 + '/3"', "is 5,002 characters long; numbers are limited to 64 characters"),
    ("1" * 5000, "is 5,000 characters long"),
    ("0." + "0" * 100 + "1", "is 103 characters long"),
])
def test_numbers_are_bounded_before_conversion(tmp_path, text, message):
    m = write_map(tmp_path / "m", f"claims:\n  - {{id: a, title: A, credence: {text}}}\n")
    res = cli_limited(["check", str(m)], seconds=30, mib=1024)
    assert res.returncode == 1 and "claims.yaml:2:33: error: " in res.stderr and message in res.stderr, res.stderr
    assert "int_max_str_digits" not in res.stderr and "Traceback" not in res.stderr


def test_numbers_within_the_bounds_keep_their_exact_value():
    from argmap.base.quantity import parse_quantity

    assert parse_quantity("1e-300").exact == Fraction(1, 10**300)
    assert parse_quantity("1" * 30 + "/" + "1" * 31).value == pytest.approx(0.1)


# ------------------------------------------------------------------ 4. tables

@pytest.mark.parametrize("parents, states, message", [
    (25, 2, "a table over 25 parents needs 33,554,432 rows (67,108,864 entries); the limits are 20 parents"),
    (3, 300, "a table over 3 parents needs 27,000,000 rows (54,000,000 entries)"),
])
def test_table_sizes_are_checked_before_enumerating(tmp_path, parents, states, message):
    lines = ["claims:"]
    names = [f"s{k}" for k in range(states)]
    for i in range(parents):
        if states == 2:
            lines.append(f"  - {{id: p{i}, title: P, credence: 0.5}}")
        else:
            last = 1 - (states - 1) * (1 / states)
            cred = ", ".join(f"{n}: {1 / states!r}" for n in names[:-1]) + f", {names[-1]}: {last!r}"
            lines.append(f"  - {{id: p{i}, title: P, states: [{', '.join(names)}], credence: {{{cred}}}}}")
    given = ", ".join(f"p{i}" for i in range(parents))
    when = ", ".join(f"p{i}: {'true' if states == 2 else 's0'}" for i in range(parents))
    lines.append(f"  - {{id: c, title: C, table: {{given: [{given}], rows: [{{when: {{{when}}}, p: 0.5}}]}}}}")
    m = write_map(tmp_path / "m", "\n".join(lines) + "\n", target="c")
    res = cli_limited(["check", str(m)], seconds=60, mib=1024)
    assert res.returncode == 1 and message in res.stderr and "Traceback" not in res.stderr, res.stderr[-2000:]


def test_a_table_missing_rows_counts_them_and_shows_three(tmp_path):
    claims = [{"id": f"p{i}", "title": "P", "credence": 0.5} for i in range(12)]
    row = {"when": {f"p{i}": "true" for i in range(12)}, "p": 0.5}
    claims.append({"id": "c", "title": "C", "table": {"given": [f"p{i}" for i in range(12)], "rows": [row]}})
    with pytest.raises(ValidationError, match=r"table is missing 4,095 row\(s\): .* and 4,092 more"):
        Model.load(write_map(tmp_path / "m", claims, target="c"))


# ------------------------------------------------------------------ 7. Sobol with one categorical factor

def test_sensitivity_with_only_a_categorical_concentration(tmp_path, capsys):
    m = write_map(tmp_path / "m", [
        {"id": "a", "title": "A", "states": ["lo", "mid", "hi"], "credence": {"lo": 0.2, "mid": 0.5, "hi": 0.3},
         "concentration": 10},
        {"id": "b", "title": "B", "table": {"given": ["a"], "rows": [
            {"when": {"a": "lo"}, "p": 0.1}, {"when": {"a": "mid"}, "p": 0.5}, {"when": {"a": "hi"}, "p": 0.9}]}}],
        target="b")
    assert main(["sensitivity", str(m), "--json", "--samples", "200", "--sobol-samples", "64"]) == 0
    sobol = json.loads(capsys.readouterr().out)["sobol"]
    assert [(r["S1"], r["ST"]) for r in sobol["indices"]] == [(1.0, 1.0)] and sobol["variance"] > 0


# ------------------------------------------------------------------ 11. smaller points

def test_one_bad_claim_does_not_drop_its_file_or_cascade(tmp_path):
    m = write_map(tmp_path / "m", [{"id": "a", "title": "A", "credence": 0.5, "bogus": 1},
                                   {"id": "c", "title": "C", "base": 0.3, "requires": ["a"]}], target="c")
    (m / "more.yaml").write_text("claims:\n  - {id: e, title: E, credence: 0.5, supports: [{claim: c, ratio: 2}]}\n"
                                 "  - {id: f, title: F, credence: 0.5, supports: [{claim: a, ratio: 2}]}\n")
    with pytest.raises(ValidationError) as err:
        Model.load(m)
    assert [d.message for d in err.value.diagnostics] == ["unknown field 'bogus'"]


def test_a_folder_named_like_a_part_file_is_reported_as_a_folder(tmp_path):
    m = write_map(tmp_path / "m", [{"id": "a", "title": "A", "credence": 0.5}])
    (m / "x.yaml").mkdir()
    with pytest.raises(ValidationError, match="a folder named like a part file") as err:
        Model.load(m)
    assert "overlay" not in err.value.format()


def test_a_look_alike_character_in_an_id_is_named(tmp_path):
    m = write_map(tmp_path / "m", [{"id": "\u0430ware", "title": "A", "credence": 0.5},
                                   {"id": "a", "title": "A", "credence": 0.5}])
    with pytest.raises(ValidationError, match=r"character 1 is U\+0430 \(CYRILLIC SMALL LETTER A\)"):
        Model.load(m)


def test_export_without_overlays_removes_a_stale_diff(tmp_path):
    from argmap.views.bundle import write_bundle

    m = write_map(tmp_path / "m", [{"id": "a", "title": "A", "credence": 0.5}])
    out = tmp_path / "out"
    out.mkdir()
    for name in ("diff.svg", "diff.png", "notes.txt"):
        (out / name).write_text("from an earlier export")
    write_bundle(m, out)
    assert not (out / "diff.svg").exists() and not (out / "diff.png").exists()
    assert (out / "notes.txt").exists() and (out / "summary.md").exists()


def test_conflicting_conditions_follow_the_rule_and_warn(tmp_path, capsys):
    from argmap.base.errors import ConditionWarning

    m = write_map(tmp_path / "m", [{"id": "a", "title": "A", "credence": 0.5, "supports": [{"claim": "b", "ratio": 3}]},
                                   {"id": "b", "title": "B", "base": 0.5}], target="b",
                  scenarios={"s": {"given": {"a": True}}})
    model = Model.load(m)
    with pytest.warns(ConditionWarning, match="the set wins"):
        c = model.conditions(given={"a": "true"}, set={"a": "false"}, scenario=None)
    assert c.set == {"a": "false"} and c.given == {}
    with pytest.warns(ConditionWarning, match="scenario 's' has given a=true; the explicit given a=false replaces it"):
        c = model.conditions(given={"a": "no"}, scenario="s")
    assert c.given == {"a": "false"}
    assert main(["run", str(m), "--scenario", "s", "--set", "a=false"]) == 0
    err = capsys.readouterr().err
    assert "warning: scenario 's' has given a=true; the explicit set a=false replaces it" in err


def test_quoted_no_is_text_and_bare_no_is_false(tmp_path):
    claims = 'claims:\n  - {id: a, title: A, credence: 0.5}\n  - {id: b, title: B, base: 0.5,\n' \
             '     requires: [{claim: a, when: %s}]}\n'
    assert Model.load(write_map(tmp_path / "bare", claims % "no", target="b")).probability(scenario=None) == 0.25
    with pytest.raises(ValidationError, match="'a' has no state 'no'"):
        Model.load(write_map(tmp_path / "quoted", claims % '"no"', target="b"))


def test_a_program_too_large_to_store_is_compiled_not_cached(tmp_path, monkeypatch):
    from argmap.inference import cache, cachecodec

    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    m = write_map(tmp_path / "m", [{"id": f"p{i}", "title": "P", "credence": 0.5,
                                    "supports": [{"claim": "c", "ratio": 2}]} for i in range(8)]
                  + [{"id": "c", "title": "C", "base": 0.2}], target="c")
    monkeypatch.setattr(cachecodec, "MAX_STORED_INDICES", 100)       # 8 parents: 256 formulas, over the limit
    first = Model.load(m).probability(scenario=None)
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())
    monkeypatch.setattr(cachecodec, "MAX_STORED_INDICES", 1 << 21)
    assert Model.load(m).probability(scenario=None) == first
    assert any((tmp_path / "cache").iterdir())
