"""The package's layers, as documented in README's Design section, hold in the import graph.

Every ``import`` of an argmap module is read from the source with :mod:`ast` (imports inside functions
and under ``TYPE_CHECKING`` included, since a lazy import is still a dependency) and must point to the
importing module's own layer or one below it. The graph must also have no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "argmap"

# Bottom to top; a module may import modules of its own layer and of the layers listed before it.
# A name ending in "." covers a subpackage; "argmap" alone is the package root (it re-exports the API).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("_version", "textsafe", "errors", "readfile", "atomic", "quantity", "yamlsafe", "formatting",
                    "marginals", "texttable", "verbal")),
    ("map", ("models", "specs", "resolve", "overlay", "observe", "checks", "bundled", "loader", "sections",
             "scaffold")),
    ("inference", ("program", "elimination", "network", "engine", "distributions", "cache", "netjson")),
    ("render", ("render.",)),
    ("api", ("api", "argmap")),
    ("analyses", ("sensitivity.", "symbolic", "attribution", "pooling", "compare", "provenance", "report", "fit",
                  "interchange.")),
    ("views", ("diagrams", "bundle", "explorer")),
    ("commands", ("commands.", "cli", "__main__")),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The argmap modules that ``name`` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "argmap":
                continue
            for alias in node.names:  # ``from . import style`` imports the submodule argmap.render.style
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in known else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "argmap")
    return out - {name}


def _layer(name: str) -> int:
    rel = name.removeprefix("argmap.") if name != "argmap" else "argmap"
    for i, (_, members) in enumerate(LAYERS):
        if any(rel == m or (m.endswith(".") and (rel + ".").startswith(m)) for m in members):
            return i
    raise AssertionError(f"{name} is in no layer: add it to LAYERS here and to README's Design section")


GRAPH = {name: _imports(name, path, set(_modules())) for name, path in _modules().items()}


def test_every_module_has_a_layer():
    for name in GRAPH:
        _layer(name)


def test_no_module_imports_a_higher_layer():
    bad = []
    for name, targets in sorted(GRAPH.items()):
        for t in sorted(targets):
            if t in GRAPH and _layer(t) > _layer(name):
                bad.append(f"{name} ({LAYERS[_layer(name)][0]}) imports {t} ({LAYERS[_layer(t)][0]})")
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def test_import_graph_has_no_cycle():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for t in sorted(GRAPH.get(n, ())):
            if t not in GRAPH:
                continue
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if t not in state:
                visit(t)
        stack.pop()
        state[n] = 2

    for n in sorted(GRAPH):
        if n not in state:
            visit(n)


def test_the_check_catches_an_upward_import(tmp_path):
    """The graph reader sees a lazy import inside a function (so the layer test can fail)."""
    src = tmp_path / "argmap" / "render" / "x.py"
    src.parent.mkdir(parents=True)
    src.write_text("def f():\n    from ..api import Model\n    return Model\n")
    assert _imports("argmap.render.x", src, {"argmap.api"}) == {"argmap.api"}
    assert _layer("argmap.api") > _layer("argmap.render.x")


def test_readme_names_every_layer():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    design = readme.split("## Design", 1)[1].split("\n## ", 1)[0]
    for layer, _ in LAYERS:
        assert f"**{layer}**" in design, f"README's Design section does not describe the {layer} layer"
