"""The rules of the house (docs/architecture.md), read from the imports of lintas/ with ast.

Every import counts, the ones inside functions too: a lazy import still ties two modules together.
Importing `a.b.c` also runs the `__init__` of `a.b`, so that arrow is counted as well.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lintas"

# The ground floor: every stage may use it, it uses nothing above it.
GROUND = {"lintas", "lintas.cache", "lintas.config", "lintas.escape", "lintas.i18n", "lintas.outputs", "lintas.problems",
          "lintas.urls", "lintas.write"}
# The floors of the house, bottom up (docs/architecture.md): a module imports only from its own
# place or from a lower floor.
FLOORS = [GROUND, {"lintas.content"}, {"lintas.publish"}, {"lintas.site"}, {"lintas.checker"},
          {"lintas.datasets"}, {"lintas.pipeline"}, {"lintas.preview"}, {"lintas.serve"}, {"lintas.cli"}]


def place(module: str) -> str:
    """The folder of a module (lintas.site.render -> lintas.site), or the module on the top level."""
    if module in GROUND:
        return module
    return ".".join(module.split(".")[:2])


def floor(module: str) -> int:
    return next(i for i, places in enumerate(FLOORS) if place(module) in places or module in places)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


class Imports:
    """The modules of a package and, for each, the modules and outside libraries it imports."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
        self.arrows: dict[str, set[str]] = {m: set() for m in self.files}
        self.libraries: dict[str, set[str]] = {m: set() for m in self.files}
        for mod, path in self.files.items():
            for target in self._targets(mod, path):
                if target.split(".")[0] != root.name:
                    self.libraries[mod].add(target.split(".")[0])
                    continue
                for found in self._modules(target):
                    if found != mod and not mod.startswith(found + "."):
                        self.arrows[mod].add(found)

    def _targets(self, mod: str, path: Path) -> Iterable[str]:
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                yield from (alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                yield base
                yield from (f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`

    def _modules(self, target: str) -> set[str]:
        """The modules an import of `target` runs: the deepest one that exists, and its packages."""
        while target and target not in self.files:
            target = target.rpartition(".")[0]
        found = set()
        while target:
            found.add(target)
            target = target.rpartition(".")[0]
        return found

    def reachable(self, mod: str) -> set[str]:
        seen: set[str] = set()
        todo = [mod]
        while todo:
            for nxt in self.arrows[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    def circles(self) -> list[list[str]]:
        """Strongly connected components of more than one module (Tarjan, iteratively)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []
        for start in sorted(self.arrows):
            if start in index:
                continue
            work = [(start, iter(sorted(self.arrows[start])))]
            index[start] = low[start] = len(index)
            stack.append(start)
            on_stack.add(start)
            while work:
                node, children = work[-1]
                child = next(children, None)
                if child is not None:
                    if child not in index:
                        index[child] = low[child] = len(index)
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(sorted(self.arrows[child]))))
                    elif child in on_stack:
                        low[node] = min(low[node], index[child])
                    continue
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
        return found


@pytest.fixture(scope="module")
def imports() -> Imports:
    return Imports(PACKAGE)


def write_package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "pkg"


def test_the_graph_finds_a_circle_through_a_lazy_import_and_a_package(tmp_path: Path) -> None:
    # a -> b at the top, b -> a inside a function; c -> d.e runs d/__init__, which imports c.
    root = write_package(tmp_path, {
        "__init__.py": "",
        "a.py": "from .b import x\n",
        "b.py": "def f():\n    from . import a\n",
        "c.py": "from .d.e import y\n",
        "d/__init__.py": "from ..c import z\n",
        "d/e.py": "import os\n",
        "f.py": "from .a import x\n",
    })
    graph = Imports(root)
    assert graph.circles() == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]
    assert graph.arrows["pkg.c"] == {"pkg.d", "pkg.d.e"}
    assert graph.libraries["pkg.d.e"] == {"os"}


def test_lintas_has_no_import_circle(imports: Imports) -> None:
    assert len(imports.files) > 40, "the graph did not find the package"
    assert imports.circles() == []


def test_only_the_renderer_imports_mkdocs(imports: Imports) -> None:
    users = sorted(m for m, libs in imports.libraries.items() if libs & {"mkdocs", "material"})
    assert users == ["lintas.site.renderer"]


def test_loading_and_validation_reach_no_jinja2(imports: Imports) -> None:
    # Not even through another module: checking content must not need the template engine.
    content = [m for m in imports.files if m.startswith("lintas.content")]
    assert content
    for mod in content:
        reached = {mod} | imports.reachable(mod)
        users = sorted(m for m in reached if imports.libraries[m] & {"jinja2", "markupsafe"})
        assert users == [], f"{mod} reaches Jinja2 through {users}"


def test_the_model_imports_nothing_from_rendering_or_publishing(imports: Imports) -> None:
    for mod in (m for m in imports.files if m.startswith("lintas.content")):
        above = sorted(m for m in imports.reachable(mod)
                       if m.startswith(("lintas.site", "lintas.publish", "lintas.datasets", "lintas.pipeline")))
        assert above == [], f"{mod} reaches {above}"


def test_the_ground_floor_imports_only_the_ground_floor(imports: Imports) -> None:
    assert set(imports.files) >= GROUND
    for mod in GROUND:
        assert imports.arrows[mod] <= GROUND, f"{mod} imports {sorted(imports.arrows[mod] - GROUND)}"


def test_the_pipeline_reads_no_files_itself(imports: Imports) -> None:
    # Ordering stages only: YAML, tables and regions are read by the stages that own them.
    assert not imports.arrows["lintas.pipeline"] & {"lintas.content.yamlio", "lintas.datasets.source"}
    assert not imports.libraries["lintas.pipeline"] & {"yaml", "duckdb", "csv"}



def test_every_folder_imports_only_from_lower_floors(imports: Imports) -> None:
    # Every module has a floor, so a new folder or top-level module has to be placed on purpose.
    for mod in imports.files:
        floor(mod)
    upwards = sorted(f"{a} -> {b}" for a, targets in imports.arrows.items() for b in targets
                     if floor(b) > floor(a))
    assert upwards == []


def test_the_floors_find_an_upward_import(tmp_path: Path) -> None:
    root = write_package(tmp_path, {"__init__.py": "", "content/__init__.py": "", "site/__init__.py": "",
                                    "content/model.py": "from ..site import render\n",
                                    "site/render.py": "from ..content import model\n"})
    graph = Imports(root)
    upwards = [(a, b) for a, targets in graph.arrows.items() for b in targets
               if place(a.replace("pkg", "lintas")) != place(b.replace("pkg", "lintas"))
               and floor(b.replace("pkg", "lintas")) > floor(a.replace("pkg", "lintas"))]
    assert ("pkg.content.model", "pkg.site") in upwards
    assert ("pkg.site.render", "pkg.content") not in upwards
