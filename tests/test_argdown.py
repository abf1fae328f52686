"""Argdown export, checked with Argdown's own parser (@argdown/core under Node, tests/js/parse.js).

Every exported file must parse without errors into exactly the map's elements: one statement per
claim, one argument per argument or critique, the same relations (requires drawn as supports), each
element in its part's section, its data block read by js-yaml as the numbers argmap wrote.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from argdown_node import argdown_parser
from randmaps import random_map_files

from argmap import Model
from argmap.analysis.interchange.argdown import (
    ARGUMENT_KINDS,
    argdown_document,
    argdown_escape,
    claim_data,
    observation_relations,
    readback,
)
from argmap.base.errors import ArgmapError, ValidationError
from argmap.base.textsafe import UNSAFE
from argmap.commands.cli import main

ROOT = Path(__file__).resolve().parent.parent
MAPS = ROOT / "tests" / "data" / "maps"
OVERLAYS = sorted((ROOT / "arguments" / "critiques").glob("*.yaml")) + sorted(
    (ROOT / "arguments" / "viewpoints").glob("*.yaml"))

HOSTILE = [
    "a [b] <c> #d {e} f", "x -- y == z === w", "see http://e.x/a.b:c and //not a comment", ":happy: .v. .~. :+1:",
    "_it_ *b* __x__ **y**", "back\\slash \\", "-lead", "+lead <+ [x]", "quote \" ' `", "tab\tnew\nline  gap",
    "bidi \u202e x \u2028 y", "emoji \U0001f600 ok", "} x {", "===", "/* c */ <!-- c -->", "@[m] @<n>",
    "(1) list", "1. x", "* y", "1/3", "...", "a.b.c.d", "::", "x: y", "[t]: u", "<a>: b", "# h", "-> _> +>",
    "  ", "0.5. Then", "50% (or 0.5)", "a,b;c", "{id: x}",
]


def _hostile_files(rng: np.random.Generator) -> dict[str, str]:
    files = random_map_files(rng)
    doc = yaml.safe_load(files["claims.yaml"])
    loadable = [h for h in HOSTILE if not UNSAFE.search(h)]     # the loader refuses bidi and control characters
    for c in doc["claims"]:
        c["title"] = str(rng.choice([h for h in loadable if h.strip()]))
        if rng.random() < 0.7:
            c["text"] = str(rng.choice(loadable))
    files["claims.yaml"] = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return files


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@functools.cache
def _bundled() -> Model | None:
    try:
        return Model.load()
    except ArgmapError:
        return None


def _with_prerequisites(overlay: Path) -> list[Path]:
    """The overlay after those it builds on (bundled overlays named in ``builds_on``)."""
    by_name = {o.stem: o for o in OVERLAYS}
    chain: list[Path] = []
    for name in yaml.safe_load(overlay.read_text(encoding="utf-8")).get("builds_on") or []:
        chain += [p for p in _with_prerequisites(by_name[name]) if p not in chain]
    return chain + [overlay]


def _models(tmp: Path, n_random: int = 20, n_hostile: int = 12) -> dict[str, Model]:
    models: dict[str, Model] = {}
    base = _bundled()
    if base is not None:
        models["bundled"] = base
        for ov in OVERLAYS:
            models[f"bundled+{ov.stem}"] = Model.load(None, _with_prerequisites(ov))
    for name in ("tiny", "hostile", "keywords", "routes"):
        models[name] = Model.load(MAPS / name)
    models["routes+more"] = Model.load(MAPS / "routes", [MAPS / "routes_overlays" / "more-routes.yaml"])
    observe = ROOT / "tests" / "data" / "observe"
    models["observe"] = Model.load(observe / "map")                          # observed under a scenario
    models["observe+paper"] = Model.load(observe / "map", [observe / "paper.yaml"])   # and always
    for seed in range(n_random):
        models[f"random{seed}"] = Model.load(_write(tmp / f"r{seed}", random_map_files(np.random.default_rng(seed))))
    for seed in range(n_hostile):
        rng = np.random.default_rng(1000 + seed)
        models[f"hostile{seed}"] = Model.load(_write(tmp / f"h{seed}", _hostile_files(rng)))
    return models


def _shown(claim) -> str:
    return readback(claim.text) if claim.text and readback(claim.text) else readback(claim.title)


def _check(model: Model, parsed: dict) -> None:
    amap = model.map
    assert parsed["errors"] == []
    assert parsed["frontMatter"]["argmap"]["target"] == amap.target
    seen: dict[str, tuple[str, str]] = {}
    marginals = model.marginals(scenario=None)
    for kind, elements in (("statement", parsed["statements"]), ("argument", parsed["arguments"])):
        for title, el in elements.items():
            assert el["data"] is not None, f"{kind} {title!r} has no data block"
            cid = el["data"]["id"]
            assert cid not in seen, f"{cid} written twice"
            seen[cid] = (kind, title)
            claim = amap.claims[cid]
            assert (claim.kind in ARGUMENT_KINDS) == (kind == "argument")
            assert el["data"].get("title", title) == claim.title
            texts = el["text"] if kind == "statement" else el["texts"][-1]
            assert texts == _shown(claim) or (not _shown(claim) and texts == title)
            part_title = amap.parts.get(claim.part, claim.part) if claim.part else None
            assert el["section"] == (readback(part_title) if part_title else None)
            expected = json.loads(json.dumps(claim_data(claim, amap, title, marginals[cid])))
            assert el["data"] == expected
    assert set(seen) == set(amap.claims)
    by_title = {(("argument" if k == "argument" else "equivalence-class"), t): cid for cid, (k, t) in seen.items()}
    drawn = {"supports": "support", "opposes": "attack", "undercuts": "undercut", "requires": "support",
             "route": "support"}
    want = {(r.source, r.target, drawn[r.type]) for r in amap.relations}
    want |= {(e, c, drawn[k]) for e, c, k in observation_relations(amap)}
    got = {(by_title[(r["from"]["type"], r["from"]["title"])], by_title[(r["to"]["type"], r["to"]["title"])],
            r["type"]) for r in parsed["relations"]}
    assert got == want


def test_exports_read_by_argdown_parser(tmp_path):
    parse = argdown_parser()
    models = _models(tmp_path)
    paths = {}
    for name, model in models.items():
        path = tmp_path / f"{name}.argdown"
        path.write_text(argdown_document(model, scenario=None), encoding="utf-8")
        paths[name] = path
    results = parse(list(paths.values()))
    for name, model in models.items():
        try:
            _check(model, results[str(paths[name])])
        except AssertionError as err:
            raise AssertionError(f"{name}: {err}") from err


def test_escaped_text_reads_back_exactly(tmp_path):
    """Every hostile string, written as statement text, parses back to itself (whitespace collapsed)."""
    parse = argdown_parser()
    lines = [f"[T{i}]: {argdown_escape(h) or 'x'}\n" for i, h in enumerate(HOSTILE)]
    path = tmp_path / "escape.argdown"
    path.write_text("\n".join(lines), encoding="utf-8")
    got = parse([path])[str(path)]
    assert got["errors"] == []
    for i, h in enumerate(HOSTILE):
        assert got["statements"][f"T{i}"]["text"] == (readback(h) or "x")


def test_export_is_deterministic_and_cli(tmp_path):
    out = tmp_path / "tiny.argdown"
    assert main(["export", str(MAPS / "tiny"), "--format", "argdown", "-o", str(out)]) == 0
    again = tmp_path / "again.argdown"
    assert main(["export", str(MAPS / "tiny"), "-o", str(again)]) == 0  # format from the suffix
    assert out.read_text() == again.read_text()
    text = out.read_text()
    assert "[The conclusion]: The conclusion" in text and "<+ [Awareness]" in text
    assert "+> [The conclusion]" in text
    assert "{id: aware, credence: {value: 0.8, range: [0.6, 0.95]}, probability: 0.8}" in text
    # probabilities follow the conditions: under the scenario 'aware', awareness is certain
    scen = tmp_path / "aware.argdown"
    assert main(["export", str(MAPS / "tiny"), "--scenario", "aware", "-o", str(scen)]) == 0
    assert "{id: aware, credence: {value: 0.8, range: [0.6, 0.95]}, probability: 1.0}" in scen.read_text()
    assert "probability: {scenario: aware, given: {aware: \"true\"}}" in scen.read_text()


def test_export_refuses_writing_into_the_map(tmp_path, capsys):
    assert main(["export", str(MAPS / "tiny"), "-o", str(MAPS / "tiny" / "x.argdown")]) != 0
    assert "never writes into an argument folder" in capsys.readouterr().err


# --------------------------------------------------------------------------------- round trips


def _q(q):
    return None if q is None else (q.value, q.range, q.beta)


def _claim_key(c):
    table = None if c.table is None else (c.table.given, tuple((combo, tuple(map(_q, dist)))
                                                               for combo, dist in c.table.rows))
    return (c.title, c.kind, c.text, c.states, c.sections, c.part,
            None if c.credence is None else tuple(map(_q, c.credence)), c.concentration, _q(c.base), table,
            c.provenance, c.url)


def _relation_key(r):
    return (r.type, r.source, r.target, _q(r.ratio), _q(r.leak), _q(r.p), r.when,
            tuple((m, tuple((s, _q(q)) for s, q in scale)) for m, scale in r.modulators), r.provenance)


def _same_map(a: Model, b: Model) -> None:
    ma, mb = a.map, b.map
    assert set(ma.claims) == set(mb.claims)
    for cid in ma.claims:
        ca, cb = ma.claims[cid], mb.claims[cid]
        if ca.credence is not None and cb.base is not None and ca.base is None:
            # a claim with a credence that gained relations from an overlay: its credence is its base
            assert _q(cb.base) == _q(ca.credence[1])
            ca = ca.__class__(**{**ca.__dict__, "credence": None, "base": ca.credence[1]})
        assert _claim_key(ca) == _claim_key(cb), cid
    assert sorted(map(_relation_key, ma.relations), key=repr) == sorted(map(_relation_key, mb.relations), key=repr)
    assert ma.target == mb.target and ma.name == mb.name
    assert ma.crux_groups == mb.crux_groups
    assert [s.to_spec() for s in ma.stated] == [s.to_spec() for s in mb.stated]
    def observed(amap):
        return {k: (tuple((c, tuple((s, _q(q)) for s, q in d)) for c, d in o.likelihood), _q(o.reliability), o.data,
                    o.scenario) for k, o in amap.observations.items()}
    assert observed(ma) == observed(mb)
    assert ma.scenarios.keys() == mb.scenarios.keys()
    for name in ma.scenarios:
        assert (ma.scenarios[name].given, ma.scenarios[name].set) == (mb.scenarios[name].given, mb.scenarios[name].set)
    na, nb = a.network, b.network
    assert set(na.variables) == set(nb.variables)
    for v in na.variables:  # the same table for every claim, parents aligned
        assert set(na.parents[v]) == set(nb.parents[v]), v
        ta = na.builders[v](na.theta0[None, :])[0]
        tb = nb.builders[v](nb.theta0[None, :])[0]
        axes = [list(nb.parents[v]).index(p) for p in na.parents[v]] + [len(na.parents[v])]
        # the numbers are identical (checked above); the order log-odds are summed in may differ by an ulp
        np.testing.assert_allclose(np.transpose(tb, axes), ta, rtol=0, atol=1e-14, err_msg=v)
    for scenario in (None, "default"):
        ours, theirs = a.marginals(scenario=scenario), b.marginals(scenario=scenario)
        for v in ours:
            np.testing.assert_allclose(list(theirs[v].values()), list(ours[v].values()), rtol=0, atol=1e-12)


def test_roundtrip_keeps_structure_and_every_number(tmp_path):
    from argmap.analysis.interchange.argdown_import import import_argdown

    for name, model in _models(tmp_path, n_random=10, n_hostile=6).items():
        path = tmp_path / f"{name}.argdown"
        path.write_text(argdown_document(model), encoding="utf-8")
        folder, report = import_argdown(path, tmp_path / f"{name}-map")
        assert not report.placeholders, name
        if any(o.scenario is None for o in model.map.observations.values()):
            # a map file observes only within a scenario: said so, and the evidence comes back unobserved
            assert "is observed in every query of the exported map" in report.format()
            continue
        again = Model.load(folder)
        try:
            _same_map(model, again)
        except AssertionError as err:
            raise AssertionError(f"{name}: {err}") from err


# --------------------------------------------------------------------------------- Argdown in

EXAMPLES = ROOT / "tests" / "data" / "argdown"


def _v(q) -> float:
    assert q is not None
    return q.value


def _import(tmp: Path, name: str):
    from argmap.analysis.interchange.argdown_import import import_argdown

    return import_argdown(EXAMPLES / f"{name}.argdown", tmp / name)


def test_reader_agrees_with_argdown_on_the_examples():
    """The examples' statements, arguments, relations and data as argmap's reader and Argdown's parser see them."""
    from argmap.analysis.interchange.argdown_read import read_argdown

    parse = argdown_parser()
    files = sorted(EXAMPLES.glob("*.argdown"))
    theirs = parse(files)
    names = {"support": "support", "attack": "attack", "undercut": "undercut", "contradiction": "contradictory"}
    for path in files:
        got, doc = theirs[str(path)], read_argdown(path)
        assert got["errors"] == [], path
        ours = {ref: el for ref, el in doc.elements.items() if el.titled}
        assert {t for t in got["statements"] if not t.startswith("Untitled")} == \
            {t for k, t in ours if k == "statement"}, path
        assert set(got["arguments"]) == {t for k, t in ours if k == "argument"}, path
        assert sum(t.startswith("Untitled") for t in got["statements"]) == \
            sum(not el.titled for el in doc.elements.values() if el.kind == "statement"), path
        for (kind, title), el in ours.items():
            theirs_el = got["statements" if kind == "statement" else "arguments"][title]
            assert (theirs_el["data"] or {}) == el.data, (path, title)
            texts = theirs_el["texts"]
            assert texts == [t for t, _ in el.texts], (path, title)
            assert theirs_el["section"] == (doc.sections[el.section][0] if el.section else None), (path, title)
        want = {(r["from"]["title"], r["to"]["title"], r["type"]) for r in got["relations"]}
        have = {(link.source[1], link.target[1], names[link.type]) for link in doc.links}
        assert have == want, path


def test_premise_conclusion_structures_import(tmp_path):
    folder, report = _import(tmp_path, "pcs")
    assert main(["check", str(folder)]) == 0
    model = Model.load(folder)
    amap = model.map
    assert {(r.type, r.source, r.target) for r in amap.relations} >= {
        ("requires", "guarding", "classic_story"), ("requires", "cares_about_the_future", "classic_story"),
        ("supports", "classic_story", "scheming"), ("supports", "crystallization", "guarding")}
    ratio = {r.key: r for r in amap.relations}
    assert _v(ratio["classic_story -> scheming"].ratio) == 5          # the argument's single relation
    assert "placeholder" in str(ratio["crystallization -> guarding"].provenance.rationale)
    assert _v(amap.claims["guarding"].base) == 0.4                    # a credence on a claim with parents
    assert _v((amap.claims["cares_about_the_future"].credence or ())[1]) == 0.6
    assert report.mapped["premise-conclusion structures"] == 2
    text = report.format()
    assert "pcs.argdown:34:1: intermediary conclusion (3) of <Crystallization>" in text
    assert "pcs.argdown:32:1: inference rules and data of <Crystallization>" in text
    assert amap.target == "scheming"


def test_undercuts_and_contradictions_import(tmp_path):
    folder, report = _import(tmp_path, "undercuts")
    assert main(["check", str(folder)]) == 0
    amap = Model.load(folder).map
    rels = {r.key: r for r in amap.relations}
    assert rels["count_parameters -> counting_argument"].type == "undercuts"
    assert rels["simplicity -> speed_costs"].type == "undercuts"
    assert rels["speed_costs -> schemers_are_likely"].type == "opposes"
    assert _v(rels["counting_argument -> schemers_are_likely"].ratio) == 4   # named by title in the data
    assert amap.claims["count_parameters"].kind == "critique"
    text = report.format()
    assert "contradiction between [Schemers are likely] and [Training saints]" in text
    assert "tags of <Count parameters>: #critique" in text
    assert "ratio of <Simplicity> undercuts <Speed costs>" in text


def test_equivalence_classes_import(tmp_path):
    folder, report = _import(tmp_path, "equivalence")
    assert main(["check", str(folder)]) == 0
    amap = Model.load(folder).map
    aware = amap.claims["aware"]
    assert aware.text == "The model understands that it is being trained and how its outputs are used. #awareness"
    assert amap.claims["long_goals"].provenance.source == "report 2.2"
    req = {r.source: r for r in amap.relations if r.target == "scheming" and r.type == "requires"}
    assert set(req) == {"aware", "long_goals"} and _v(req["long_goals"].leak) == 0.1
    assert {c.part for c in amap.claims.values()} == {"awareness", "scheming"}
    text = report.format()
    assert "1 other formulation(s) of [Aware]" in text
    assert "untitled statement in no relation: This paragraph introduces" in text
    assert "data of [Scheming] not used: color" in text
    assert "Not a statement" not in json.dumps(amap.claims, default=str)       # commented out


def test_import_cli_prints_the_account_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["import", str(EXAMPLES / "undercuts.argdown"), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "mapped: 2 statements, 4 arguments" in printed and "left as text (" in printed
    before = sorted(p.read_text() for p in out.iterdir())
    assert main(["import", str(EXAMPLES / "pcs.argdown"), "-o", str(out)]) != 0
    assert "never overwrites" in capsys.readouterr().err
    assert sorted(p.read_text() for p in out.iterdir()) == before


BAD = {
    "unknown-ref": ("[A]: a\n  {supports: [{claim: Bee, ratio: 2}]}\n  +> [Be]: b\n", "2:14",
                    "names 'Bee', which is no element"),
    "two-kinds": ("[A]: a\n  +> [B]: b\n\n[A]\n  -> [B]\n", "5:6", "already bears on [B] as support"),
    "cycle": ("[A]: a\n  +> [B]: b\n    +> [A]\n", "3:8", "bear on each other"),
    "self": ("[A]: a\n  + [A]\n", "2:5", "cannot bear on itself"),
    "bad-yaml": ("[A]: a {credence: [0.5}\n", "1:", "YAML syntax error"),
    "bad-number": ("[A]: a\n  {credence: 2}\n", "2:14", "not a probability"),
    "bad-kind": ("<A>: a {kind: critic}\n", "1:15", "did you mean 'critique'?"),
    "undrawn": ("[A]: a {opposes: [B]}\n\n[B]: b\n", "1:18", "draws no such relation"),
    "pcs-no-conclusion": ("<A>\n\n(1) p\n(2) q\n", "3:1", "needs premises, an inference line"),
    "pcs-open-inference": ("<A>\n\n(1) p\n--\nrule\n(2) q\n", "4:1", "not closed"),
    "front-matter": ("===\n- a list\n===\n\n[A]: a\n", "2:1", "front matter must be a YAML mapping"),
    "empty": ("// nothing here\n", "1:1", "no statements or arguments"),
    "python-tag": ("[A]: a {credence: !!python/object:os.system 1}\n", "1:19", "unsupported YAML tag"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_import_errors_point_into_the_argdown_file(name, tmp_path):
    from argmap.analysis.interchange.argdown_import import import_argdown

    text, where, message = BAD[name]
    path = tmp_path / f"{name}.argdown"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        import_argdown(path, tmp_path / "out")
    formatted = info.value.format()
    assert f"{path}:{where}" in formatted and message in formatted, formatted
    assert not (tmp_path / "out").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_import_of_garbled_argdown_gives_positioned_errors_never_a_traceback(tmp_path):
    """Random fragments of Argdown syntax: each file imports, or fails with a positioned ArgmapError."""
    import random

    from argmap.analysis.interchange.argdown_import import import_argdown

    pieces = ["[A]", "[A]: ", "<B>", "<B>: ", "text ", "{", "}", "{credence: 0.5}", "{credence: 2}", "\n", "\n\n",
              "  + ", "  - ", "  _ ", "  +> ", "  -> ", "  _> ", "  <+ ", "  >< ", "(1) ", "(2) ", "----\n", "--\n",
              "# H ", "===\n", "//", "/*", "*/", "<!--", "-->", "\\", "#tag ", "@[A]", "[l](u)", "*", "_", ":", ".",
              "{supports: [A]}", "{requires: [{claim: A}]}", "{id: x}", "{kind: argument}", "{table: 3}", "* ", "1. ",
              "{states: [a, b]}", "{base: 0.3}", "{ratio: 3}", "[C]: c", "<D>: d", "{opposes: [{claim: B}]}"]
    rng = random.Random(17)
    imported = 0
    for i in range(150):
        path = tmp_path / f"f{i}.argdown"
        path.write_text("".join(rng.choice(pieces) for _ in range(rng.randint(1, 25))), encoding="utf-8")
        try:
            import_argdown(path, tmp_path / f"m{i}")
            imported += 1
        except ValidationError as err:
            assert all(d.path == path and d.line for d in err.diagnostics), err.format()
        except ArgmapError as err:
            assert "please report" not in str(err), err
    assert imported > 10
