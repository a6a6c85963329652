"""Dependencies run one way, per package, with no exemption by file name: the data model at the
bottom; strategies and reports depend on the harness's model, never on each other; only
bench.cli knows everyone. Each rule below is also stated in its package's docstring. And the
suite mirrors the packages: a test file lives in the folder of the package it tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The bottom of the house. Not `bench` itself: its __init__ is the plugin authors' API, which
# re-exports the harness; a room importing it would import rooms above it.
BOTTOM = {"bench.model", "bench.notes", "bench.errors", "bench.version"}
ALLOWED = {
    "bench/model.py": BOTTOM,
    "bench/notes.py": BOTTOM,
    "bench/version.py": BOTTOM,
    "bench/errors.py": BOTTOM,
    "bench/workload.py": BOTTOM,
    "bench/collectors": BOTTOM | {"bench.workload", "bench.collectors"},
    "bench/harness": BOTTOM | {"bench.workload", "bench.collectors", "bench.harness"},
    "bench/analysis": BOTTOM | {"bench.analysis"},
    "bench/results": BOTTOM | {"bench.analysis", "bench.results"},
    "bench/mockapi": BOTTOM | {"bench.collectors", "bench.mockapi"},
    "bench/lesson": BOTTOM
    | {"bench.workload", "bench.collectors", "bench.harness", "bench.analysis", "bench.lesson"},
    "bench/cli": None,  # the wiring: anything
    "bench/__main__.py": BOTTOM | {"bench.cli"},
    "bench/__init__.py": None,  # the curated API for plugin authors re-exports the harness's
    # The kit for strategy authors (and the built-in strategies' own tests) runs strategies as
    # the CLI does, through the harness; it knows no strategy by name.
    "bench/testing.py": BOTTOM
    | {"bench.workload", "bench.collectors", "bench.harness", "bench.analysis"},
    "strategies": BOTTOM | {"bench.workload", "bench.collectors", "bench.harness", "strategies"},
    "reports": BOTTOM | {"bench.analysis", "bench.results", "reports"},
}


def _imports(path: Path) -> set[str]:
    """Imported modules, as the package they belong to (bench.x for bench, else top level). A
    relative import counts as the absolute one it names, so `from ..cli import x` cannot slip
    past a rule."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append(_absolute(path, node))
    for name in names:
        parts = name.split(".")
        found.add(".".join(parts[:2]) if parts[0] == "bench" else parts[0])
    return found


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def test_a_relative_import_counts_as_the_module_it_names() -> None:
    deep = ROOT / "bench" / "analysis" / "x.py"
    for text, expected in [
        ("from ..cli import app", "bench.cli"),
        ("from . import stats", "bench.analysis"),
        ("from .stats import f", "bench.analysis"),
        ("from bench.model import R", "bench.model"),
    ]:
        node = ast.parse(text).body[0]
        assert isinstance(node, ast.ImportFrom)
        assert ".".join(_absolute(deep, node).split(".")[:2]) == expected


def _rule(relative: str) -> tuple[str, set[str] | None]:
    for prefix in sorted(ALLOWED, key=len, reverse=True):
        if relative == prefix or relative.startswith(prefix.rstrip("/") + "/"):
            return prefix, ALLOWED[prefix]
    raise AssertionError(f"{relative} has no rule: add its package to ALLOWED")


OURS = {"bench", "strategies", "reports"}


@pytest.mark.parametrize("package", ["bench", "strategies", "reports"])
def test_imports_flow_one_way(package: str) -> None:
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        _, allowed = _rule(relative)
        if allowed is None:
            continue
        ours = {m for m in _imports(path) if m.split(".")[0] in OURS}
        assert ours <= allowed, f"{relative} imports {sorted(ours - allowed)}"


def test_every_subpackage_states_its_rule() -> None:
    folders = sorted({p.parent for p in (ROOT / "bench").glob("*/*.py")})
    assert len(folders) >= 7
    for folder in folders:
        init = folder / "__init__.py"
        assert init.exists(), f"{folder} is not a package (a .gitignore rule once hid one)"
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert "May import" in doc or "import everything" in doc, init


def _strategies_imports(path: Path) -> set[str]:
    """The modules of strategies/ a file imports, by full name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and _absolute(path, node).startswith("strategies"):
            found |= {f"{_absolute(path, node)}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("strategies")}
    return found


# strategies/ by where the code runs: executors at the top (one module each, named after the
# strategy: asyncio as aio, '-' and '+' as '_'); _host/, the machinery they use in bench's own
# process; _worker/, what every worker process, interpreter or gevent child imports.
HEAVY = {"pandas", "matplotlib", "rich", "jinja2", "reports", "bench.cli", "bench.analysis"}
WORKER, HOST = "strategies._worker", "strategies._host"


@pytest.mark.parametrize("path", sorted((ROOT / "strategies" / "_worker").glob("*.py")), ids=str)
def test_worker_modules_stay_light(path: Path) -> None:
    assert not _imports(path) & HEAVY
    assert all(name.startswith(WORKER) for name in _strategies_imports(path)), path


@pytest.mark.parametrize("path", sorted((ROOT / "strategies" / "_host").glob("*.py")), ids=str)
def test_host_machinery_knows_no_executor(path: Path) -> None:
    allowed = (WORKER, HOST, "strategies.base")
    assert all(name.startswith(allowed) for name in _strategies_imports(path)), path


def test_executor_modules_are_named_one_way() -> None:
    import strategies

    for name, target in {**strategies.BUILTIN, **strategies.HIDDEN}.items():
        module = name.replace("asyncio", "aio").replace("-", "_").replace("+", "_")
        assert target.split(":")[0] == f"strategies.{module}", (name, target)
    helpers = {p.stem for p in (ROOT / "strategies").glob("*.py")} - {"__init__", "base", "plugins"}
    named = {t.split(":")[0].removeprefix("strategies.") for t in strategies.BUILTIN.values()}
    assert helpers == named | {"fake"}  # nothing else at the top: helpers live in _host, _worker


MODULE_LINES = 300  # shared/STYLE.md: small modules a newcomer reads in one sitting
FUNCTION_LINES = 50


def _sources() -> list[Path]:
    return sorted(p for pkg in OURS for p in (ROOT / pkg).rglob("*.py"))


def test_modules_and_functions_stay_small() -> None:
    too_long = []
    for path in _sources():
        text = path.read_text()
        relative = path.relative_to(ROOT)
        if len(text.splitlines()) > MODULE_LINES:
            too_long.append(f"{relative}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LINES:
                    too_long.append(f"{relative}:{node.lineno} {node.name}: {length} lines")
    assert not too_long, "\n".join(too_long)


# tests/ mirrors the packages (shared/STYLE.md): a test file lives in the folder named after the
# package it tests, tests/bench/ for bench's own top-level modules (workload, notes, model, ...).
# Apart: tests/e2e/ (end to end, slow by folder) and tests/perf/ (make perf's measurements).
TESTS = ROOT / "tests"
APART = {"e2e", "perf"}
# What tests the project as a whole rather than one package: keep this list short.
PROJECT_WIDE = {
    "test_architecture.py": "every package's imports and sizes",
    "test_docs.py": "the docs against the code",
    "test_doc_examples.py": "every example in the docs, run",
    "test_early.py": "start-up: the suite's signal rule, and every module of ours imported",
    "test_perf_smoke.py": "tests/perf's own code at tiny sizes",
}


def _test_folders() -> set[str]:
    rooms = {p.parent.name for p in (ROOT / "bench").glob("*/__init__.py")}
    return rooms | OURS | APART


def _belongs(path: Path) -> list[str]:
    """The test folders named after the packages a test file imports: where it may go."""
    rooms = _test_folders() - APART
    found = set()
    for name in _imports(path):
        top, _, room = name.partition(".")
        if top == "bench":
            found.add(room if room in rooms else "bench")  # bench's own modules: tests/bench/
        elif top in OURS:
            found.add(top)
    return sorted(f"tests/{folder}/" for folder in found)


def _misplaced(path: Path) -> str | None:
    relative = path.relative_to(TESTS)
    folders = _test_folders()
    at_top = len(relative.parts) == 1
    if (at_top and relative.name in PROJECT_WIDE) or (not at_top and relative.parts[0] in folders):
        return None
    guess = " or ".join(_belongs(path)) or "the folder of the package it tests"
    return (
        f"tests/{relative.as_posix()} belongs in {guess} (a test file lives in the folder named "
        "after the package it tests; tests/e2e/ if it drives the tool through processes of its "
        f"own). Folders: {', '.join(sorted(folders))}. Only the project-wide tests "
        "(PROJECT_WIDE in tests/test_architecture.py) stay at tests/ top level."
    )


def test_tests_mirror_the_packages() -> None:
    paths = sorted(TESTS.rglob("test_*.py"))
    misplaced = [m for m in map(_misplaced, paths) if m]
    assert not misplaced, "\n".join(misplaced)
    assert {name for name in PROJECT_WIDE if (TESTS / name).exists()} == set(PROJECT_WIDE)
    # A folder of tests is a package (tests.cli.test_x), so two folders may hold files of the
    # same name without pytest's "import file mismatch".
    bare = sorted({p.parent for p in paths if not (p.parent / "__init__.py").exists()})
    assert not bare, f"add an empty __init__.py to {', '.join(map(str, bare))}"
