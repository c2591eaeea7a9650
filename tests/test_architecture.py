"""The app order and the absence of import cycles (docs/decisions/0011-app-order.md).

The contracts live in pyproject.toml ([tool.importlinter]); `make lint` runs them too. These
tests run them on the tree, and on a copy with one import that breaks the order, so that a
contract that could never fail would show here.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of production modules that import each other in a circle, directly or not,
    counting imports placed inside functions too (Tarjan's strongly connected components)."""

    def production(module: str) -> bool:
        return ".tests" not in module and ".migrations" not in module

    modules = sorted(m for m in graph.modules if production(m))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative, so that a long chain of imports cannot exhaust the recursion limit.
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, children = work[-1]
            child = next((c for c in children if production(c)), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph("ctip", include_external_packages=False, cache_dir=None)
    assert import_cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")):
        graph.add_import(importer=importer, imported=imported)
    graph.add_import(importer="p.tests.t", imported="p.a")
    graph.add_import(importer="p.a", imported="p.tests.t")  # tests may loop; not counted
    assert import_cycles(graph) == [["p.a", "p.b", "p.c"]]


def test_the_app_order_holds() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_against_the_order_breaks_it(tmp_path: Path) -> None:
    shutil.copytree(
        ROOT / "ctip",
        tmp_path / "ctip",
        ignore=shutil.ignore_patterns("tests", "migrations", "__pycache__", "static", "locale"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    models = tmp_path / "ctip" / "registry" / "models.py"
    models.write_text(models.read_text() + "\nimport ctip.stats.models  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "ctip.registry.models -> ctip.stats.models" in result.stdout


# Decision 0001: an app's services or selectors past about 600 lines become a package by
# sub-domain. The rule names those two rooms; a module in either (or in a package made of one)
# is held to it here, so that a split is not forgotten until someone counts.
ROOM_LIMIT = 600


def oversized_rooms(root: Path) -> list[tuple[str, int]]:
    """(path, lines) of each services or selectors module, or module of such a package, past
    the limit; tests and migrations aside."""
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if "tests" in parts or "migrations" in parts:
            continue
        rooms = {"services", "selectors", "services.py", "selectors.py"}
        if not rooms & set(parts):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > ROOM_LIMIT:
            found.append((str(path.relative_to(root)), lines))
    return found


def test_services_and_selectors_stay_within_the_size_rule() -> None:
    assert oversized_rooms(ROOT / "ctip") == []


def test_the_size_rule_finds_a_long_selectors_module(tmp_path: Path) -> None:
    room = tmp_path / "app" / "selectors"
    room.mkdir(parents=True)
    (room / "core.py").write_text("x = 1\n" * (ROOM_LIMIT + 1))
    (room / "short.py").write_text("x = 1\n" * ROOM_LIMIT)
    (tmp_path / "app" / "views.py").write_text("x = 1\n" * (ROOM_LIMIT + 1))
    assert oversized_rooms(tmp_path) == [("app/selectors/core.py", ROOM_LIMIT + 1)]
