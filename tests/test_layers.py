"""The package's layers are its folders, and the import graph respects their order.

Each module's layer is the package it sits in (``argmap/base/…`` is the base layer, and so on), so a new
module needs no edit here; only a new layer package does. Every ``import`` of an argmap module is read
from the source with :mod:`ast` (imports inside functions and under ``TYPE_CHECKING`` included, since a
lazy import is still a dependency) and must point to the importing module's own layer or one below it.
The graph must also have no cycle. The checks are functions of a package folder, so the tests can plant
an upward import and a cycle in a copy of the package and see them caught.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "argmap"

# Bottom to top: a module may import modules of its own layer and of the layers listed before it.
LAYERS = ["base", "maps", "inference", "render", "api", "analysis", "views", "commands"]
# The few modules at the top level, and the layer each belongs to; nothing else may sit there.
TOP_LEVEL = {"argmap._version": "base", "argmap": "api", "argmap.api": "api", "argmap.__main__": "commands"}


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(package: Path) -> dict[str, Path]:
    return {_module_name(p, package): p for p in sorted(package.rglob("*.py"))}


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


def layer_of(name: str) -> int:
    """The layer index of a module, from the package it sits in."""
    if name in TOP_LEVEL:
        return LAYERS.index(TOP_LEVEL[name])
    parts = name.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS and parts[1] != "api":
        return LAYERS.index(parts[1])
    raise AssertionError(f"{name} sits in no layer package: move it into one of argmap/{{{','.join(LAYERS)}}}/ "
                         "(README's Design section says which)")


def graph(package: Path) -> dict[str, set[str]]:
    mods = _modules(package)
    return {name: _imports(name, path, set(mods)) for name, path in mods.items()}


def upward_imports(package: Path) -> list[str]:
    g = graph(package)
    bad = []
    for name, targets in sorted(g.items()):
        for t in sorted(targets):
            if t in g and layer_of(t) > layer_of(name):
                bad.append(f"{name} ({LAYERS[layer_of(name)]}) imports {t} ({LAYERS[layer_of(t)]})")
    return bad


def import_cycle(package: Path) -> list[str] | None:
    """One import cycle as a list of module names, or None."""
    g = graph(package)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for t in sorted(g.get(n, ())):
            if t not in g:
                continue
            if state.get(t) == 1:
                return stack[stack.index(t):] + [t]
            if t not in state and (found := visit(t)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(g):
        if n not in state and (found := visit(n)):
            return found
    return None


def test_top_level_holds_only_the_root_api_and_layer_packages():
    entries = {p.name for p in PACKAGE.iterdir() if p.name not in {"__pycache__", "py.typed"}}
    allowed = {"__init__.py", "__main__.py", "_version.py", "api.py"} | {f for f in LAYERS if f != "api"}
    assert entries <= allowed | {"_bundled", "_docs"}, sorted(entries - allowed)
    for layer in LAYERS:
        if layer != "api":
            doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text(encoding="utf-8")))
            assert doc and "may import" in doc, f"argmap/{layer}/__init__.py must say what it holds and may import"


def test_every_module_has_a_layer():
    for name in graph(PACKAGE):
        layer_of(name)


def test_no_module_imports_a_higher_layer():
    bad = upward_imports(PACKAGE)
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def test_import_graph_has_no_cycle():
    cycle = import_cycle(PACKAGE)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "argmap"
    shutil.copytree(PACKAGE, dst, ignore=shutil.ignore_patterns("__pycache__", "_bundled", "_docs", "assets"))
    return dst


def test_a_planted_upward_import_is_caught(package_copy: Path):
    """A lazy import inside a function from render up to the api layer fails the layer check."""
    assert upward_imports(package_copy) == []
    (package_copy / "render" / "planted.py").write_text("def f():\n    from ..api import Model\n    return Model\n")
    assert upward_imports(package_copy) == ["argmap.render.planted (render) imports argmap.api (api)"]


def test_a_planted_cycle_is_caught(package_copy: Path):
    """Two modules of one layer importing each other form a cycle, which the check names."""
    assert import_cycle(package_copy) is None
    (package_copy / "base" / "planted_a.py").write_text("from .planted_b import x\ny = 1\n")
    (package_copy / "base" / "planted_b.py").write_text("from . import planted_a\nx = 2\n")
    assert import_cycle(package_copy) == ["argmap.base.planted_a", "argmap.base.planted_b", "argmap.base.planted_a"]


def test_a_module_outside_every_layer_package_is_caught(package_copy: Path):
    (package_copy / "stray.py").write_text("x = 1\n")
    with pytest.raises(AssertionError, match="sits in no layer package"):
        for name in graph(package_copy):
            layer_of(name)
