"""The layering of docs/architecture.md: the import-linter contracts in pyproject.toml hold,
they cover every module, they fail when broken, no module imports another in a cycle, and
no module grows past the size where it should be split by subject."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("incubator", "cohorts", "mentoring", "api", "bench", "config")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 800
# Modules that compose the subjects rather than belong to the core: they load, route or run
# them by name (apps.py, urls.py) or are Django's own packages.
COMPOSITION = {"__init__", "apps", "urls"}


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["name"]: contract for contract in config["contracts"]}


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("contract", "package"),
    [("The core imports no subject package", "incubator"), ("cohorts reads mentoring only", "cohorts")],
)
def test_every_module_of_a_core_is_under_its_contract(contract, package):
    """A new core module is checked from the day it is written: it must be listed."""
    (listed,) = [c["source_modules"] for name, c in contracts().items() if name.startswith(contract)]
    modules = {path.stem for path in (ROOT / package).glob("*.py")} - COMPOSITION
    assert sorted(f"{package}.{name}" for name in modules) == sorted(listed)


@pytest.mark.parametrize(
    ("module", "bad_import", "broken"),
    [
        ("incubator/models.py", "import cohorts.models", "incubator imports none of the apps built on it"),
        ("incubator/services.py", "import incubator.funding.models", "The core imports no subject package"),
        ("incubator/path/models.py", "import incubator.funding.models", "path uses only the core and calendar"),
        ("mentoring/models.py", "import api.urls", "Nothing imports the API"),
    ],
)
def test_a_broken_contract_fails_the_check(tmp_path, module, bad_import, broken):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.html"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{bad_import}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = edges[node]
            if position < len(successors):
                work.append((node, position + 1))
                nxt = successors[position]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
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
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def test_no_import_cycles_between_modules():
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert _cycles(graph) == [["a.x", "a.y"]]


def test_no_module_is_longer_than_the_split_size():
    long = {
        str(path.relative_to(ROOT)): n
        for package in PACKAGES + ("tests",)
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def _private_imports(source: str, module: str) -> list[str]:
    """``from x.views import _name`` in another module: a views module is no library, what
    two modules share (an access check, a query) belongs in a selector or a service."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        views = isinstance(node, ast.ImportFrom) and (node.module or "").rsplit(".", 1)[-1] == "views"
        if views and node.module != module:
            found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    return found


def test_no_module_imports_private_names_of_a_views_module():
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            if names := _private_imports(path.read_text(), module):
                found[module] = names
    assert found == {}


def test_the_private_import_finder_finds_one():
    assert _private_imports("from mentoring.views import _timesheet, timesheet\n", "mentoring.documents") == [
        "mentoring.views._timesheet"
    ]
    assert _private_imports("from mentoring.views import timesheet\n", "mentoring.documents") == []
    assert _private_imports("from mentoring.selectors import _rows\n", "mentoring.documents") == []
