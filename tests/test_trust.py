"""Every output tells the truth (issue 24, beyond the cache): what is drawn is what is computed whatever
the text says, links only to the web, bounded messages, and `check` refuses what `run` would.

Each defect of the issue has a test here that failed before its fix (the cache's are in
tests/test_cache.py and tests/test_cache_fuzz.py; the command-by-command bad-input sweep in
tests/test_no_traceback.py).
"""

from __future__ import annotations

import dataclasses
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from argmap import Model
from argmap.base.errors import ValidationError
from argmap.base.textsafe import visible
from argmap.commands.cli import main
from argmap.render import render_dot, style
from argmap.render.dot import map_dot
from argmap.render.text import BACKSLASH

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"

HOSTILE = [
    "<A",
    "> label=<A 0.95> fillcolor=<#fde725> y=<",
    "<A 0.95>",
    "<B>0.99</B>",
    "<<TABLE><TR><TD>0.99</TD></TR></TABLE>>",
    '"; fillcolor="#fde725" label="0.99',
    "ends with a backslash \\",
    "\\N \\G \\E \\L \\n \\\\ \\\"",
    "]]> <![CDATA[ 0.99 ]]>",
    "{{ p }} {{0.99}} {% if %}",
    "&amp; &#48;.99 &lt;b&gt;",
    "it's \"quoted\" 'twice'",
    "tab\there",
]


def _hostile_map(folder: Path, h: str) -> Path:
    """A valid map with ``h`` in every piece of text a file can hold: titles, text, short labels, part
    titles, the map's name and title, state names, rationales and sources."""
    folder.mkdir(parents=True)
    prov = {"holder": h, "basis": "illustrative", "source": h, "rationale": h}
    header = {"argmap": 1, "name": h, "title": h, "target": "a", "parts": {"p": h, "q": h + " q"}}
    claims = [
        {"id": "a", "title": h, "text": h, "short": h[:40], "kind": "conclusion", "base": 0.3, "part": "p",
         "provenance": prov},
        {"id": "b", "title": h + " b", "credence": 0.6, "part": "q",
         "supports": [{"claim": "a", "ratio": 3, "provenance": prov}]},
        {"id": "c", "title": h + " c", "states": [h[:70] + " one", h[:70] + " two"], "part": "q",
         "credence": {h[:70] + " one": 0.25, h[:70] + " two": 0.75}},
    ]
    (folder / "map.yaml").write_text(yaml.safe_dump(header, sort_keys=False))
    (folder / "claims.yaml").write_text(yaml.safe_dump({"claims": claims}, sort_keys=False))
    return folder


def _squash(text: str) -> str:
    """``text`` without white space (labels are wrapped), backslashes as drawn (look-alikes)."""
    return "".join(text.split()).replace("\\", BACKSLASH)


def _drawn(svg: bytes) -> dict[str, dict]:
    """Per node of an SVG diagram: its fill, its bold text (the title) and its other text (the numbers)."""
    root = ET.fromstring(svg)                   # well-formed XML, or this raises
    nodes: dict[str, dict] = {}
    for g in root.iter(SVG + "g"):
        if g.get("class") != "node":
            continue
        name = g.findtext(SVG + "title") or ""
        shape = next(e for e in g.iter() if e.tag in (SVG + "path", SVG + "polygon", SVG + "ellipse"))
        texts = [t for t in g.iter(SVG + "text")]
        nodes[name] = {"fill": shape.get("fill"),
                       "title": _squash("".join(t.text or "" for t in texts if t.get("font-weight") == "bold")),
                       "numbers": _squash("".join(t.text or "" for t in texts if t.get("font-weight") != "bold")),
                       "links": [a.get(XLINK + "href") for a in g.iter(SVG + "a") if a.get(XLINK + "href")]}
    return nodes


def _check_drawn(model: Model, svg: bytes, titles: dict[str, str]) -> None:
    marg = model.marginals()
    nodes = _drawn(svg)
    assert set(nodes) == set(model.map.claims)          # no node injected, none lost
    for cid, node in nodes.items():
        dist = marg[cid]
        if set(dist) == {"false", "true"}:
            p = dist["true"]
            want = f"P={style.fmt_p(p)}" if cid == model.map.target else style.label_p(p)
            assert node["numbers"] == want, (cid, node)
            assert node["fill"] == style.fill_for_probability(p), (cid, node)
        else:
            assert node["numbers"] == _squash("·".join(f"{visible(s)} {style.label_p(q)}" for s, q in dist.items()))
        assert node["title"] in (_squash(visible(titles[cid])), _squash(visible(model.map.claims[cid].short or "")))
        assert node["links"] == []


@pytest.mark.parametrize("h", HOSTILE)
def test_hostile_text_cannot_change_what_is_drawn(tmp_path, h):
    """Defect 4: text that started with < and ended with > reached Graphviz as an HTML-like label
    unescaped, so a valid map with P(a) = 0.30 was drawn as "A 0.95" in yellow. Now the drawn numbers
    and colours are the computed ones, and each title is drawn as written."""
    model = Model.load(_hostile_map(tmp_path / "m", h), cache=False)
    titles = {cid: c.title for cid, c in model.map.claims.items()}
    svg = render_dot(map_dot(model.map, model.marginals()), "svg")
    _check_drawn(model, svg, titles)
    clusters = [_squash("".join(t.text or "" for t in g.iter(SVG + "text")))
                for g in ET.fromstring(svg).iter(SVG + "g") if g.get("class") == "cluster"]
    assert sorted(clusters) == sorted([_squash(visible(h)), _squash(visible(h + " q"))])


def test_the_issues_example_is_drawn_with_its_own_number(tmp_path):
    """The map of defect 4: a tooltip starting with < and ending with > was an HTML-like label that
    injected label=<A 0.95> and a yellow fill on a claim whose P is 0.30."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "map.yaml").write_text("argmap: 1\nname: lie\ntarget: b\n")
    (folder / "claims.yaml").write_text(yaml.safe_dump({"claims": [
        {"id": "a", "title": "<A", "text": "> label=<A 0.95> fillcolor=<#fde725> y=<", "credence": 0.3,
         "provenance": {"holder": "me", "basis": "illustrative", "rationale": "y=>"}},
        {"id": "b", "title": "B", "base": 0.5, "requires": ["a"]}]}))
    model = Model.load(folder, cache=False)
    assert model.marginals()["a"]["true"] == pytest.approx(0.3)
    _check_drawn(model, render_dot(map_dot(model.map, model.marginals()), "svg"), {"a": "<A", "b": "B"})


def test_control_characters_from_a_library_caller_are_drawn_as_escapes(tmp_path):
    model = Model.load(_hostile_map(tmp_path / "m", "plain"), cache=False)
    evil = "\x1b[31m 0.99 \x07 <b>0.99</b> \u202e"
    amap = dataclasses.replace(model.map, claims={cid: dataclasses.replace(c, title=evil + cid)
                                                  for cid, c in model.map.claims.items()})
    model = Model(amap)
    svg = render_dot(map_dot(amap, model.marginals()), "svg")
    _check_drawn(model, svg, {cid: evil + cid for cid in amap.claims})
    assert b"\x1b" not in svg and "\u202e".encode() not in svg


@pytest.mark.parametrize("command", ["render", "export", "explore"])
def test_a_hostile_part_title_does_not_break_any_diagram(tmp_path, command, capsys):
    """Defect 4: a part title like <A 0.95> made render, export and explore fail with a Graphviz syntax
    error and no position."""
    folder = _hostile_map(tmp_path / "m", "<A 0.95>")
    out = tmp_path / "out"
    args = {"render": ["render", str(folder), "-o", str(out / "d.svg")],
            "export": ["export", str(folder), "-o", str(out)],
            "explore": ["explore", str(folder), "-o", str(out / "e.html")]}[command]
    assert main([*args, "--no-cache"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>",
                                 "file:///etc/passwd", "vbscript:x", "//evil.example/x", "relative/page.html",
                                 "http://", "https://a b", " javascript:alert(1)"])
def test_links_other_than_http_https_and_doi_are_refused_at_load(tmp_path, url):
    """Defect 5: url: "javascript:…" became a clickable link in render and the export bundle's SVGs."""
    folder = _hostile_map(tmp_path / "m", "t")
    text = (folder / "claims.yaml").read_text().replace("  credence: 0.6\n", f"  credence: 0.6\n  url: {url!r}\n", 1)
    (folder / "claims.yaml").write_text(text)
    with pytest.raises(ValidationError) as err:
        Model.load(folder, cache=False)
    d = err.value.diagnostics[0]
    assert d.path == folder / "claims.yaml" and d.line is not None and "a link must be" in d.message


def test_web_and_doi_links_are_drawn_as_web_links(tmp_path):
    folder = _hostile_map(tmp_path / "m", "t")
    text = (folder / "claims.yaml").read_text()
    text = text.replace("  credence: 0.6\n", "  credence: 0.6\n  url: doi:10.48550/arXiv.2311.08379\n", 1)
    text = text.replace("  base: 0.3\n", "  base: 0.3\n  url: https://arxiv.org/abs/2311.08379\n", 1)
    (folder / "claims.yaml").write_text(text)
    model = Model.load(folder, cache=False)
    nodes = _drawn(render_dot(map_dot(model.map, model.marginals()), "svg"))
    assert nodes["a"]["links"] == ["https://arxiv.org/abs/2311.08379"]
    assert nodes["b"]["links"] == ["https://doi.org/10.48550/arXiv.2311.08379"]
    # a library caller's javascript: link is not drawn either
    amap = dataclasses.replace(model.map, claims={**model.map.claims,
                                                  "c": dataclasses.replace(model.map.claims["c"], url="javascript:x")})
    assert _drawn(render_dot(map_dot(amap, model.marginals()), "svg"))["c"]["links"] == []


# ------------------------------------------------------------------ bounded messages, state names

BIG = "x" * 500_000


@pytest.mark.parametrize("claim", [
    {"id": "c", "title": "C", "kind": "k" + BIG, "credence": 0.5},
    {"id": "c", "title": "C", "base": 0.5, "requires": [{"claim": "a", "when": "q" + BIG}]},
    {"id": "c", "title": "C", "credence": 0.5, "f" + BIG[:5000]: 1},
    {"id": "c", "title": "C", "states": ["s" + BIG, "t"], "credence": 0.5},
    {"id": "c", "title": "C", "credence": 0.5, "url": "javascript:" + BIG},
    {"id": "B" + BIG[:100], "title": "C", "credence": 0.5},
], ids=["kind", "when", "field", "state", "url", "id"])
def test_messages_quote_a_bounded_slice_of_user_text(tmp_path, claim, capsys):
    """Minor: error messages echoed unbounded user text (a 500 KB state name gave 512 KB of stderr)."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "map.yaml").write_text("argmap: 1\nname: big\ntarget: a\n")
    claims = [{"id": "a", "title": "A", "credence": 0.5}, claim]
    (folder / "claims.yaml").write_text(yaml.safe_dump({"claims": claims}, width=10 ** 7))
    assert main(["check", str(folder), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"claims\.yaml:\d+:\d+: error: ", err) and len(err) < 2000, err[:3000]


def test_state_names_have_a_length_limit_like_ids(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "map.yaml").write_text("argmap: 1\nname: s\ntarget: c\n")
    long = "s" * 81
    (folder / "claims.yaml").write_text(yaml.safe_dump({"claims": [
        {"id": "c", "title": "C", "states": [long, "t"], "credence": {long: 0.5, "t": 0.5}}]}))
    with pytest.raises(ValidationError, match="a state name is at most 80 characters; this one has 81"):
        Model.load(folder, cache=False)
    (folder / "claims.yaml").write_text((folder / "claims.yaml").read_text().replace(long, long[:80]))
    assert Model.load(folder, cache=False).map.claims["c"].states == (long[:80], "t")


# ------------------------------------------------------------------ check refuses what run refuses

def _grid_map(folder: Path, k: int) -> Path:
    """A target alone, and elsewhere a k x k grid of claims each supported from above and from the left:
    its elimination width is about k, so k = 25 needs a 2^25-cell table (the limit is 2^24)."""
    folder.mkdir()
    (folder / "map.yaml").write_text("argmap: 1\nname: grid\ntarget: t\n")
    claims: list[dict] = [{"id": "t", "title": "T", "credence": 0.5}]
    for i in range(k):
        for j in range(k):
            c: dict = {"id": f"g{i}_{j}", "title": f"G {i} {j}", "base": 0.5} if i or j else \
                {"id": "g0_0", "title": "G 0 0", "credence": 0.5}
            out = [{"claim": f"g{i + 1}_{j}", "ratio": 2}] if i + 1 < k else []
            out += [{"claim": f"g{i}_{j + 1}", "ratio": 2}] if j + 1 < k else []
            if out:
                c["supports"] = out
            claims.append(c)
    (folder / "claims.yaml").write_text(yaml.safe_dump({"claims": claims}))
    return folder


def test_check_refuses_a_map_that_run_refuses_elsewhere_than_the_target(tmp_path, capsys):
    """Defect 7: check planned only the target's ancestors, so a map too densely connected elsewhere was
    "ok" and then failed to run."""
    folder = _grid_map(tmp_path / "m", 25)
    assert main(["run", str(folder), "--no-cache"]) == 1
    refused = capsys.readouterr().err
    assert "too densely connected" in refused
    assert main(["check", str(folder), "--no-cache"]) == 1
    assert "too densely connected" in capsys.readouterr().err
    small = _grid_map(tmp_path / "small", 6)                # and a map run accepts, check accepts
    assert main(["run", str(small), "--no-cache"]) == 0
    capsys.readouterr()
    assert main(["check", str(small), "--no-cache"]) == 0
    assert "ok: grid" in capsys.readouterr().out


# ------------------------------------------------------------------ minor: toc and map.yaml as special files

@pytest.mark.parametrize("kind", ["fifo", "loop"])
def test_a_toc_that_is_a_fifo_or_a_loop_is_named_as_such(tmp_path, kind, tiny_map):
    """Minor: a toc: file that was a FIFO or a symlink loop was reported as "not in the map folder"."""
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(tiny_map, folder)
    (folder / "map.yaml").write_text((folder / "map.yaml").read_text() + "toc: toc.yaml\n")
    toc = folder / "toc.yaml"
    if kind == "fifo":
        os.mkfifo(toc)
    else:
        toc.symlink_to("toc.yaml")
    with pytest.raises(ValidationError) as err:
        Model.load(folder, cache=False)
    text = err.value.format()
    assert "not in the map folder" not in text
    assert f"{toc}: error: " + ("a FIFO (named pipe)" if kind == "fifo" else "cannot read file") in text, text


def test_a_map_yaml_that_links_to_itself_is_named_as_such(tmp_path, tiny_map):
    """Minor: map.yaml -> map.yaml was reported as "no map.yaml in this folder"."""
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(tiny_map, folder)
    (folder / "map.yaml").unlink()
    (folder / "map.yaml").symlink_to("map.yaml")
    for given in (folder, folder / "map.yaml"):
        with pytest.raises(ValidationError) as err:
            Model.load(given, cache=False)
        text = err.value.format()
        assert "no map.yaml" not in text and f"{folder / 'map.yaml'}: error: cannot read file" in text, text


def test_chart_labels_are_text_not_formulas():
    """A title holding $...$ was parsed as a formula by matplotlib: "$\\phantom{x}$" drew nothing and an
    unbalanced one ended sensitivity -o and export in a ValueError traceback."""
    import numpy as np

    from argmap.render.charts import histogram_chart, tornado_chart

    for title in (r"bad $\frac{1}{$ math", r"B $\phantom{hidden}$"):
        rows: list[dict] = [{"title": title, "sections": [], "p_low": 0.1, "p_high": 0.5, "low": 0.1, "high": 0.5}]
        svg = tornado_chart(rows, 0.3, path_or_format="svg", target_label=title)
        assert title.encode() in svg                        # matplotlib writes each text as a comment
        assert title.encode() in histogram_chart(list(np.linspace(0, 1, 50)), "svg", baseline=0.3, target_label=title)
