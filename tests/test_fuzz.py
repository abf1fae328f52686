"""Hostile and broken input: property-based fuzzing of the loader, the CLI and the network readers.

Every outcome must be success or an :class:`~argmap.base.errors.ArgmapError`; file problems must carry a
file position. Never another exception, a hang (each example runs under an alarm) or unbounded memory
(sizes are capped in :mod:`argmap.base.yamlsafe` and :mod:`argmap.analysis.interchange`). Hypothesis runs
derandomized with bounded examples so the suite is reproducible and stays well under a minute;
set ``ARGMAP_FUZZ_EXAMPLES`` (and ``ARGMAP_FUZZ_SEARCH=1`` for fresh seeds) to search harder locally.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import signal
import tempfile
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from argmap import Model
from argmap.analysis.interchange import export_model, read_network
from argmap.base.errors import ArgmapError, ValidationError
from argmap.base.yamlsafe import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, parse_yaml
from argmap.commands.cli import main

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "maps" / "tiny"
KEYWORDS = ROOT / "tests" / "data" / "maps" / "keywords"
EXAMPLES = int(os.environ.get("ARGMAP_FUZZ_EXAMPLES", "40"))
SEARCH = bool(os.environ.get("ARGMAP_FUZZ_SEARCH"))       # set to explore with fresh random seeds
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not SEARCH, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
ALARM_SECONDS = 20


@contextlib.contextmanager
def no_hang(seconds: int = ALARM_SECONDS):
    """Fail (instead of hanging) if the body runs longer than ``seconds``."""
    def fire(signum, frame):
        raise TimeoutError(f"no result after {seconds} s: a hang")
    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def assert_positioned(err: ArgmapError) -> None:
    """A file error names a file, and a line wherever the file could be read."""
    if isinstance(err, ValidationError):
        assert err.diagnostics
        for d in err.diagnostics:
            assert d.path is not None, d.format()
            assert d.line is not None and d.line >= 1, d.format()
        assert "Traceback" not in err.format()


def load_outcome(folder: Path, overlays=()) -> Model | None:
    """Load and propagate; return the model, or None after checking the error is a positioned ArgmapError."""
    with no_hang():
        try:
            model = Model.load(folder, overlays)
            model.marginals(scenario=None)
            return model
        except ArgmapError as err:
            assert_positioned(err)
            return None


def cli_outcome(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with no_hang(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code in (0, 1), (code, err.getvalue())
    assert "Traceback" not in err.getvalue()
    if code == 1:
        assert err.getvalue().strip(), "a failure must say what went wrong"
    return code, out.getvalue(), err.getvalue()


def map_folder(tmp: Path, claims: bytes | str, head: bytes | str | None = None) -> Path:
    folder = tmp / "m"
    folder.mkdir(exist_ok=True)
    (folder / "map.yaml").write_bytes(_b(head) if head is not None else (TINY / "map.yaml").read_bytes())
    (folder / "claims.yaml").write_bytes(_b(claims))
    return folder


def _b(x: bytes | str) -> bytes:
    return x if isinstance(x, bytes) else x.encode("utf-8")


# ------------------------------------------------------------------------------------- mutation fuzzing

TOKENS = [
    b"&a ", b"*a", b"!!python/object/apply:os.system ['true']", b"!!python/name:os.system", b"{", b"}", b"[",
    b"]", b"- ", b": ", b"nan", b".nan", b".inf", b"-.inf", b"1e400", b"9" * 400, b'"', b"'", b"\n", b"  ",
    b"\t", b"<<: *a", b"~", b"null", b"true", b"!!binary aGVsbG8=", b"!!set {a, b}", b"? ", b"|", b">",
    b"%YAML 1.1\n", b"---\n", b"\xff", b"\x00", b"credence: ", b"table:", b"rows:", b"given: [", b"when: {",
    b"p: ", b"states: [a, b]", b"requires: [", b"supports: [{claim: ", b"ratio: ", b"weight: 1e308",
    b"id: class", b"base: ", b"leak: ", b"0", b"1", b"-1", b"0.5", b"1/0", b"1/3", b"2017-01-01", b"0x1F",
    b"1_000", b"{value: ", b"range: [", b"beta: [", b"modulated_by: {claim: ", b"scale: {", b"section: ",
    b"kind: ", b"undercuts: [", b"id: graph", b"title: '<b>\"q\"</b>'", b"concentration: ", b"part: ",
]
BASES = [TINY / "claims.yaml"] + sorted((ROOT / "arguments" / "scheming").glob("[0-9]*.yaml"))[:2] + \
    [KEYWORDS / "claims.yaml"]


@st.composite
def mutated(draw, sources: list[bytes]) -> bytes:
    """A valid file with a few random edits: token insertions, deletions, byte flips, line copies."""
    data = bytearray(draw(st.sampled_from(sources)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "flip", "dup", "prefix"]))
        i = draw(st.integers(0, len(data)))
        if op == "insert":
            data[i:i] = draw(st.sampled_from(TOKENS))
        elif op == "delete":
            del data[i:i + draw(st.integers(1, 30))]
        elif op == "flip" and data:
            data[min(i, len(data) - 1)] = draw(st.integers(0, 255))
        else:
            lines = bytes(data).split(b"\n")
            k = draw(st.integers(0, len(lines) - 1))
            if op == "dup":
                lines.insert(draw(st.integers(0, len(lines))), lines[k])
            else:
                lines[k] = draw(st.sampled_from(TOKENS)) + lines[k]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


_PART_SOURCES = [p.read_bytes() for p in BASES]


@FUZZ
@given(text=mutated(_PART_SOURCES))
def test_mutated_part_files_load_or_fail_cleanly(tmp_path, text):
    load_outcome(map_folder(tmp_path, text))


@FUZZ
@given(text=st.binary(max_size=2000))
def test_random_bytes_load_or_fail_cleanly(tmp_path, text):
    load_outcome(map_folder(tmp_path, text))


@FUZZ
@given(text=st.lists(st.sampled_from(TOKENS + [b"claims:\n", b"- id: x\n", b"  title: t\n", b"    "]),
                     max_size=40).map(b"".join))
def test_token_soup_loads_or_fails_cleanly(tmp_path, text):
    load_outcome(map_folder(tmp_path, text))


_HEAD_SOURCES = [(TINY / "map.yaml").read_bytes(), (ROOT / "arguments" / "scheming" / "map.yaml").read_bytes()]


@FUZZ
@given(head=mutated(_HEAD_SOURCES))
def test_mutated_map_headers_through_cli(tmp_path, head):
    folder = map_folder(tmp_path, (TINY / "claims.yaml").read_bytes(), head)
    load_outcome(folder)
    cli_outcome(["check", str(folder)])
    code, out, _ = cli_outcome(["run", str(folder), "--json"])
    if code == 0:
        assert 0.0 <= json.loads(out)["probability"] <= 1.0


_OVERLAY_DIR = ROOT / "tests" / "data" / "compare"
_OVERLAY_SOURCES = [p.read_bytes() for p in sorted(_OVERLAY_DIR.glob("*.yaml"))] or [b"overlay: x\nauthor: y\n"]


@FUZZ
@given(overlay=mutated(_OVERLAY_SOURCES))
def test_mutated_overlays_through_cli(tmp_path, overlay):
    path = tmp_path / "critique.yaml"
    path.write_bytes(overlay)
    base = _OVERLAY_DIR / "map" if (_OVERLAY_DIR / "map").is_dir() else TINY
    code, out, err = cli_outcome(["run", str(base), "--with", str(path), "--json"])
    if code == 1:
        assert str(path) in err or "error" in err


# ------------------------------------------------------------------------------------- structured fuzzing

NASTY = st.recursive(
    st.none() | st.booleans() | st.integers(-(10 ** 30), 10 ** 30) | st.sampled_from([10 ** 400, -(10 ** 400)])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12) | st.sampled_from(["1/3", "1/0", "0/0", "nan", "inf", "-1", "class", "a<b", "x\"y",
                                             "true", "1e999", "0x10", "", " ", "\u202e", "c0", "c1"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
        ["value", "range", "beta", "claim", "ratio", "weight", "leak", "when", "given", "rows", "p", "probs",
         "scale", "modulated_by", "true", "false", "low", "high"]), inner, max_size=4),
    max_leaves=12)
FIELDS = ["title", "text", "kind", "section", "part", "states", "credence", "concentration", "base",
          "requires", "supports", "opposes", "undercuts", "table", "provenance", "url", "surprise"]


@st.composite
def claim_files(draw) -> str:
    claims = []
    for i in range(draw(st.integers(1, 4))):
        claim = {"id": draw(st.sampled_from([f"c{i}", "class", "graph", "node", "strict", "Bad-Id", 7]))}
        for f in draw(st.lists(st.sampled_from(FIELDS), max_size=5, unique=True)):
            claim[f] = draw(NASTY)
        claim.setdefault("title", f"Claim {i}")
        claims.append(claim)
    return yaml.safe_dump({"claims": claims}, allow_unicode=True)


@FUZZ
@given(text=claim_files())
def test_random_field_values_load_or_fail_cleanly(tmp_path, text):
    head = "argmap: 1\nname: fuzz\ntarget: c0\n"
    load_outcome(map_folder(tmp_path, text, head))


@FUZZ
@given(change=st.dictionaries(st.sampled_from(["claim", "relation", "credence", "base", "ratio", "weight",
                                               "leak", "table", "reason", "author", "concentration"]),
                              NASTY, max_size=5),
       add=st.lists(st.fixed_dictionaries({"id": st.sampled_from(["new", "aware", "class"]),
                                           "title": st.just("t")},
                                          optional={"credence": NASTY, "supports": NASTY, "undercuts": NASTY}),
                    max_size=2))
def test_random_overlays_apply_or_fail_cleanly(tmp_path, change, add):
    path = tmp_path / "o.yaml"
    path.write_text(yaml.safe_dump({"overlay": "fuzz", "author": "someone", "change": [change], "add": add}))
    load_outcome(TINY, [path])


# ------------------------------------------------------------------------------------- network readers

def _network_sources() -> list[bytes]:
    model = Model.load(TINY)
    kw = Model.load(KEYWORDS)
    return [export_model(m, f).encode() for m in (model, kw) for f in ("bif", "xmlbif")]


_NET_SOURCES = _network_sources()
_NET_TOKENS = [b"{", b"}", b"(", b")", b";", b",", b"|", b"table", b"default", b"variable x", b"probability",
               b"property", b"nan", b"1e400", b"-0.5", b"<", b">", b"&", b"<!ENTITY a 'x'>", b"&a;", b"/*", b"//",
               b'"', b"<TABLE>", b"</TABLE>", b"<GIVEN>aware</GIVEN>", b"\xff", b"discrete [ 3 ]"]


@FUZZ
@given(data=st.data())
def test_mutated_network_files_import_or_fail_cleanly(tmp_path, data):
    source = bytearray(data.draw(st.sampled_from(_NET_SOURCES)))
    for _ in range(data.draw(st.integers(1, 5))):
        i = data.draw(st.integers(0, len(source)))
        if data.draw(st.booleans()):
            source[i:i] = data.draw(st.sampled_from(_NET_TOKENS))
        else:
            del source[i:i + data.draw(st.integers(1, 20))]
    suffix = ".xml" if source.lstrip().startswith(b"<") else ".bif"
    path = tmp_path / f"net{suffix}"
    path.write_bytes(bytes(source))
    with no_hang():
        try:
            read_network(path)
        except ArgmapError as err:
            assert_positioned(err)
    out = Path(tempfile.mkdtemp(dir=tmp_path)) / "imported"
    code, _, _ = cli_outcome(["import", str(path), "-o", str(out)])
    assert out.exists() == (code == 0)
    if code == 0:
        cli_outcome(["check", str(out)])


# ------------------------------------------------------------------------------------- named hostile cases

BILLION_LAUGHS = """
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
claims: *i
"""


def test_billion_laughs_is_refused_in_bounded_memory(tmp_path):
    tracemalloc.start()
    try:
        with no_hang(10), pytest.raises(ValidationError) as info:
            Model.load(map_folder(tmp_path, BILLION_LAUGHS))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    d = info.value.diagnostics[0]
    assert f"more than {MAX_VALUES:,} values" in d.message and d.line is not None
    assert peak < 200 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB while refusing an alias bomb"


@pytest.mark.parametrize("text", ["claims: &a [1, *a]\n", "claims: &a {x: *a, y: *a}\n",
                                  "claims: &c\n  - id: x\n    title: t\n    text: *c\n"])
def test_recursive_aliases_are_refused(tmp_path, text):
    with no_hang(5), pytest.raises(ValidationError) as info:
        Model.load(map_folder(tmp_path, text))
    assert "recursive" in info.value.diagnostics[0].message
    assert_positioned(info.value)


@pytest.mark.parametrize("text", [
    "[" * 1200 + "]" * 1200,
    "{a: " * 1200 + "1" + "}" * 1200,
    "".join(" " * i + "- \n" for i in range(0, 400, 2)),
    "claims:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 6) + "x",
], ids=["flow-lists", "flow-maps", "block-lists", "block-maps"])
def test_deep_nesting_is_refused_with_a_position(tmp_path, text):
    with no_hang(), pytest.raises(ValidationError) as info:
        Model.load(map_folder(tmp_path, text))
    assert_positioned(info.value)


@pytest.mark.parametrize("field,value,message", [
    ("credence", "1e400", "finite"),
    ("credence", "9" * 5000, "numbers are limited to 64 characters"),
    ("credence", ".nan", "finite"),
    ("credence", ".inf", "finite"),
    ("credence", "-.inf", "finite"),
    ("credence", "'nan'", "number"),
    ("credence", "{value: 0.5, range: [.nan, 0.9]}", "finite"),
    ("credence", "{beta: [1e400, 1]}", "finite"),
    ("credence", "'1/0'", "divides by zero"),
    ("credence", "'1e999/1'", "exponents are limited to ±400"),
    ("credence", "1e-400", None),                 # underflows to 0.0: a valid credence
    ("concentration", "1e400", "concentration"),
    ("concentration", ".nan", "concentration"),
    ("section", "1e400", "section"),
    ("title", "9" * 5000, "title"),
    ("states", "[.nan, .inf]", "credence per state"),
    ("supports", "[{claim: x, ratio: 1e400}]", "finite"),
    ("supports", "[{claim: x, weight: 1e308}]", "too large"),
    ("supports", "[{claim: x, ratio: .nan}]", "finite"),
    ("supports", "[{claim: x, ratio: 1e-400}]", "positive"),
], ids=lambda v: str(v)[:20])
def test_huge_and_non_finite_numbers(tmp_path, field, value, message):
    extra = "" if field == "credence" else "    credence: 0.5\n"
    text = (f"claims:\n  - id: x\n    title: X\n    credence: 0.5\n  - id: y\n    title: Y\n    {field}: {value}\n"
            + extra)
    head = "argmap: 1\nname: n\ntarget: x\n"
    folder = map_folder(tmp_path, text, head)
    with no_hang():
        if message is None:
            assert Model.load(folder).probability("y", scenario=None) == 0.0
            return
        with pytest.raises(ValidationError) as info:
            Model.load(folder)
    assert_positioned(info.value)
    assert any(message in d.message and d.line in (7, 8) for d in info.value.diagnostics), info.value.format()


@pytest.mark.parametrize("raw,line", [
    (b"claims:\n  - id: x\n    title: caf\xe9\n", 3),
    (b"\xff\xfeclaims", 1),
    ("claims: []\n".encode("utf-16"), 1),
    (b"claims:\n  - id: x\x00\n", 2),
], ids=["latin-1", "bad-bom", "utf-16", "nul"])
def test_non_utf8_bytes(tmp_path, raw, line):
    with no_hang(), pytest.raises(ValidationError) as info:
        Model.load(map_folder(tmp_path, raw))
    assert_positioned(info.value)
    assert info.value.diagnostics[0].line == line


def test_multi_megabyte_files_are_refused_above_the_limit(tmp_path):
    big = b"# " + b"x" * (MAX_FILE_BYTES + 10) + b"\nclaims: []\n"
    folder = map_folder(tmp_path, big)
    with no_hang(), pytest.raises(ValidationError) as info:
        Model.load(folder)
    d = info.value.diagnostics[0]
    assert "limited to" in d.message and d.line == 1 and d.path == folder / "claims.yaml"
    code, _, err = cli_outcome(["check", str(folder)])
    assert code == 1 and "limited to" in err
    with pytest.raises(ValidationError, match="limited to"):
        parse_yaml(big)


def test_many_values_below_the_byte_limit_are_refused(tmp_path):
    text = "claims: [" + ", ".join(["1"] * (MAX_VALUES + 10)) + "]\n"
    assert len(text.encode()) < MAX_FILE_BYTES
    with no_hang(), pytest.raises(ValidationError, match="values"):
        Model.load(map_folder(tmp_path, text))


def test_keyword_ids_and_hostile_names_work_everywhere(tmp_path):
    """Ids equal to Python/Graphviz/BIF keywords and names with quotes and <> load, run, print and export."""
    model = Model.load(KEYWORDS)
    ids = set(model.map.claims)
    assert {"class", "graph", "node", "edge", "strict", "digraph", "subgraph", "import", "lambda"} <= ids
    code, out, _ = cli_outcome(["run", str(KEYWORDS), "--json"])
    assert code == 0
    data = json.loads(out)
    assert set(data["marginals"]) == ids
    assert set(data["marginals"]["variable"]) == {"a<b", "it's \"q\"", "x & y", "2.5", "default"}
    assert cli_outcome(["check", str(KEYWORDS)])[0] == 0
    assert cli_outcome(["run", str(KEYWORDS), "--given", "class", "--set", "graph=false"])[0] == 0
    for fmt in ("bif", "xmlbif"):
        assert cli_outcome(["export", str(KEYWORDS), "--format", fmt, "-o", str(tmp_path / f"k.{fmt}")])[0] == 0
    try:
        from argmap.render import render_dot  # noqa: F401  (diagram issue's module, if built)
    except ImportError:
        return
    code, _, _ = cli_outcome(["render", str(KEYWORDS), "--format", "dot", "-o", str(tmp_path / "k.dot")])
    assert code == 0
    pygraphviz = pytest.importorskip("pygraphviz")
    graph = pygraphviz.AGraph(string=(tmp_path / "k.dot").read_text())
    assert ids <= {n.name for n in graph.nodes()}      # 'node', 'edge', 'graph', 'strict' stay node names


PAYLOADS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/apply:subprocess.check_call [['touch', '{marker}']]",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/name:os.system",
    "!!python/object:argmap.api.Model {{}}",
    "!python/object/apply:os.system ['touch {marker}']",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
@pytest.mark.parametrize("where", ["value", "key", "claims", "header", "overlay"])
def test_python_tags_are_never_constructed(tmp_path, monkeypatch, payload, where):
    marker = tmp_path / "pwned"
    calls: list[tuple] = []

    def fake_system(*a, **k) -> int:
        calls.append(a)
        return 0

    monkeypatch.setattr(os, "system", fake_system)
    tag = payload.format(marker=marker)
    claims = (TINY / "claims.yaml").read_text()
    head = (TINY / "map.yaml").read_text()
    overlays = []
    if where == "value":
        claims = claims.replace("title: Long goals", f"title: {tag}")
    elif where == "key":
        claims = claims.replace("title: Long goals", f"? {tag}\n    : x\n    title: Long goals")
    elif where == "claims":
        claims = f"claims: {tag}\n"
    elif where == "header":
        head = head.replace("name: tiny", f"name: {tag}")
    else:
        (tmp_path / "o.yaml").write_text(f"overlay: x\nauthor: {tag}\n")
        overlays = [tmp_path / "o.yaml"]
    folder = map_folder(tmp_path, claims, head)
    with pytest.raises(ValidationError) as info:
        Model.load(folder, overlays)
    refused = ("unsupported YAML tag", "mapping keys must be plain names")
    assert any(d.message.startswith(refused) for d in info.value.diagnostics), info.value.format()
    assert_positioned(info.value)
    code, _, err = cli_outcome(["check", str(folder)] + [a for o in overlays for a in ("--with", str(o))])
    assert code == 1 and any(r in err for r in refused)
    assert not marker.exists() and not calls


@pytest.mark.parametrize("toc,message", [
    ("toc.yaml", "is not in the map folder"),
    ("../../../../etc/passwd", "must be a file name in the map folder"),
    ("/etc/passwd", "must be a file name in the map folder"),
    ("..", "must be a file name in the map folder"),
])
def test_toc_must_be_a_file_in_the_folder(tmp_path, toc, message):
    """Regression: a missing toc file was reported without a line, and any path was read."""
    head = (TINY / "map.yaml").read_text() + f"toc: {toc!r}\n"
    folder = map_folder(tmp_path, (TINY / "claims.yaml").read_bytes(), head)
    with pytest.raises(ValidationError) as info:
        Model.load(folder)
    d = info.value.diagnostics[0]
    assert message in d.message and d.path == folder / "map.yaml" and d.line == head.count("\n")


def test_forbidden_characters_are_positioned(tmp_path):
    """Regression: a NUL or other control character was reported at 1:1 with PyYAML's internal text."""
    with pytest.raises(ValidationError) as info:
        Model.load(map_folder(tmp_path, b"claims:\n  - id: x\n    title: a\x07b\n"))
    d = info.value.diagnostics[0]
    assert (d.line, d.column) == (3, 13) and "U+0007" in d.message


def test_huge_integers_are_errors_not_crashes(tmp_path):
    """Regression: an integer beyond float range crashed quantity parsing with OverflowError."""
    text = "claims:\n  - id: x\n    title: X\n    credence: 1" + "0" * 400 + "\n"
    with pytest.raises(ValidationError) as info:
        Model.load(map_folder(tmp_path, text, "argmap: 1\nname: n\ntarget: x\n"))
    assert "numbers are limited to 64 characters" in info.value.diagnostics[0].message
    assert info.value.diagnostics[0].line == 4


# ------------------------------------------------------------------------------------- issue 14 classes
# Extreme values and shapes, each class generated: huge and tiny exponents, special files, names with
# separators, control characters, many independent claims, wide fan-in. Fewer examples each (these build
# whole maps), so the file stays near half a minute.

SMALL = settings(FUZZ, max_examples=max(4, EXAMPLES // 4))


@st.composite
def number_texts(draw) -> str:
    """A number as written in a file: long mantissas, huge and tiny exponents, long fractions."""
    digits = st.text("0123456789", min_size=1, max_size=draw(st.sampled_from([3, 20, 80])))
    kind = draw(st.sampled_from(["exp", "fraction", "decimal", "int"]))
    if kind == "exp":
        exp = draw(st.one_of(st.integers(-500, 500), st.integers(-10**9, 10**9)))
        return f"{draw(digits)}.{draw(digits)}e{exp}"
    if kind == "fraction":
        return f'"{draw(digits)}/{draw(digits)}"'
    if kind == "decimal":
        return f"0.{draw(digits)}"
    return draw(digits)


@SMALL
@given(field=st.sampled_from(["credence", "base", "ratio", "weight", "leak", "scale"]), number=number_texts())
def test_extreme_numbers_load_or_fail_cleanly(tmp_path, field, number):
    a = {"credence": f"credence: {number}"}.get(field, "credence: 0.5")
    rel = {"ratio": f"ratio: {number}", "weight": f"weight: {number}"}.get(field, "ratio: 2")
    mod = f", modulated_by: {{claim: m, scale: {{true: {number}, false: 1}}}}" if field == "scale" else ""
    req = f"{{claim: a, leak: {number}}}" if field == "leak" else "m"
    text = (f"claims:\n  - {{id: a, title: A, {a}, supports: [{{claim: c, {rel}{mod}}}]}}\n"
            f"  - {{id: m, title: M, credence: 0.5}}\n"
            f"  - {{id: c, title: C, base: {number if field == 'base' else 0.5}, requires: [{req}]}}\n")
    model = load_outcome(map_folder(tmp_path, text, "argmap: 1\nname: fuzz\ntarget: c\n"))
    if model is not None:
        for dist in model.marginals(scenario=None).values():
            assert all(0.0 <= p <= 1.0 for p in dist.values()) and abs(sum(dist.values()) - 1) < 1e-9


@settings(FUZZ, max_examples=12)
@given(kind=st.sampled_from(["zero", "fifo", "dir", "outside", "dangling"]),
       where=st.sampled_from(["part", "map.yaml", "overlay", "network"]))
def test_special_files_everywhere_fail_cleanly(tmp_path, kind, where):
    base = Path(tempfile.mkdtemp(prefix=f"{kind}-{where}-", dir=tmp_path))
    folder = base / "m"
    folder.mkdir()
    (folder / "map.yaml").write_bytes((TINY / "map.yaml").read_bytes())
    (folder / "claims.yaml").write_bytes((TINY / "claims.yaml").read_bytes())
    special = {"part": folder / "extra.yaml", "map.yaml": folder / "map.yaml"}.get(where, base / "special.yaml")
    if special.exists():
        special.unlink()
    outside = base / "outside.yaml"
    outside.write_bytes((TINY / "claims.yaml").read_bytes())
    make = {"zero": lambda p: p.symlink_to("/dev/zero"), "fifo": os.mkfifo, "dir": lambda p: p.mkdir(),
            "outside": lambda p: p.symlink_to(outside), "dangling": lambda p: p.symlink_to(base / "nothing")}
    make[kind](special)
    argv = {"overlay": ["run", str(TINY), "--with", str(special)],
            "network": ["import", str(special), "-o", str(base / "out")]}.get(where, ["check", str(folder)])
    code, _, err = cli_outcome(argv)
    if not (where == "overlay" and kind == "outside"):          # a regular file given with --with is read
        assert code == 1 and str(special) in err


@settings(FUZZ, max_examples=200)
@given(name=st.lists(st.sampled_from(list("ab./\\:~\x00\x1b\u202e-_ ") + ["..", "CON", "\uff0f"]),
                    max_size=30).map("".join))
def test_names_with_separators_become_one_safe_component(name):
    from argmap.base.textsafe import safe_component
    from argmap.commands.export import default_out

    part = safe_component(name)
    assert part and len(part) <= 80 and part not in (".", "..") and not part.startswith(".")
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in part)
    out = Path(default_out(name, [f"{name}.yaml"]))
    assert out.parent == Path("exports") and len(out.parts) == 2


CONTROL = st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp"])


@settings(FUZZ, max_examples=200)
@given(text=st.text(st.one_of(CONTROL, st.characters(codec="utf-8")), max_size=40))
def test_visible_never_lets_control_or_bidi_characters_through(text):
    from argmap.base.textsafe import UNSAFE, visible

    shown = visible(text)
    assert not UNSAFE.search(shown)
    if not UNSAFE.search(text) and "\r" not in text:
        assert shown == text


@SMALL
@given(title=st.text(st.one_of(CONTROL, st.sampled_from(list("ab <&\"'\\"))), min_size=1, max_size=20))
def test_control_characters_in_titles_fail_cleanly_or_load(tmp_path, title):
    from argmap.base.textsafe import UNSAFE

    text = "claims:\n  - id: a\n    title: " + json.dumps(title) + "\n    credence: 0.5\n"
    try:
        with no_hang():
            Model.load(map_folder(tmp_path, text, "argmap: 1\nname: fuzz\ntarget: a\n"))
        assert not UNSAFE.search(title.replace("\t", " ").replace("\n", " ")) or not title.strip()
    except ValidationError as err:
        assert_positioned(err)
        assert not UNSAFE.search(err.format())


@settings(FUZZ, max_examples=4)
@given(n=st.integers(1, 1500), observed=st.integers(0, 20), seed=st.integers(0, 2**16))
def test_many_independent_claims_have_exact_marginals(tmp_path, n, observed, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    cred = rng.uniform(0.05, 0.95, n).round(3)
    lines = ["claims:"] + [f"  - {{id: c{i}, title: C, credence: {c}}}" for i, c in enumerate(cred)]
    lines += [f"  - {{id: e{j}, title: E, base: 0.2, requires: [{{claim: c{j}, leak: 0.5}}]}}"
              for j in range(min(observed, n))]
    folder = map_folder(tmp_path, "\n".join(lines) + "\n", "argmap: 1\nname: many\ntarget: c0\n")
    with no_hang(60):
        margs = Model.load(folder).marginals(given={f"e{j}": "true" for j in range(min(observed, n))}, scenario=None)
    for i, c in enumerate(cred):
        want = c if i >= observed else c * 0.2 / (c * 0.2 + (1 - c) * 0.1)     # Bayes on its own evidence
        assert abs(margs[f"c{i}"]["true"] - want) < 1e-12


@settings(FUZZ, max_examples=8)
@given(data=st.data(), k=st.integers(1, 14))
def test_wide_fan_in_matches_brute_force(tmp_path, data, k):
    import itertools

    import numpy as np

    ratio = st.sampled_from([1e-300, 1e-9, 0.2, 0.5, 1.0, 2.0, 7.0, 1e9, 1e300])
    claims, logr, req = [], [], []
    for i in range(k):
        p = data.draw(st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]), label=f"p{i}")
        kind = data.draw(st.sampled_from(["supports", "opposes", "requires"]), label=f"k{i}")
        claim = {"id": f"p{i}", "title": "P", "credence": p}
        if kind == "requires":
            req.append((i, data.draw(st.sampled_from([0.0, 0.3])), p))
        else:
            r = data.draw(ratio)
            r = max(r, 1.0) if kind == "supports" else min(r, 1.0)
            claim[kind] = [{"claim": "c", "ratio": r}]
            logr.append((i, math.log(r), p))
        claims.append(claim)
    c = {"id": "c", "title": "C", "base": 0.3}
    if req:
        c["requires"] = [{"claim": f"p{i}", "leak": leak} for i, leak, _ in req]
    if not logr:
        c.pop("base")
    claims.append(c)
    folder = map_folder(tmp_path, yaml.safe_dump({"claims": claims}), "argmap: 1\nname: fan\ntarget: c\n")
    with no_hang(60):
        got = Model.load(folder).probability(scenario=None)
    exact = 0.0                       # every assignment of the parents, in log-odds
    for bits in itertools.product((0, 1), repeat=k):
        w = math.prod(p if bits[i] else 1 - p for i, _, p in logr + [(i, 0, p) for i, _, p in req])
        if w == 0:
            continue
        z = math.log(0.3 / 0.7) + sum(lr for i, lr, _ in logr if bits[i])
        pc = (1 / (1 + math.exp(-z)) if z > -700 else 0.0) if logr else 1.0
        pc *= math.prod(1 if bits[i] else leak for i, leak, _ in req)
        exact += w * pc
    assert abs(got - exact) < 1e-9 and np.isfinite(got)
