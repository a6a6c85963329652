"""Dependencies run one way: strategies and reports depend on bench, never on each other; only
the CLI wires everything together."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


FORBIDDEN = {
    "bench": {"strategies", "reports"},
    "strategies": {"reports"},
    "reports": {"strategies"},
}
WIRING = {"bench/cli.py", "bench/commands.py", "bench/demo_cli.py", "bench/session.py"}
# bench.config and the CLI parse flags without importing aiohttp: only the server and the HTTP
# collector do, when used.


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package: str) -> None:
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in WIRING:
            continue
        bad = _imports(path) & FORBIDDEN[package]
        assert not bad, f"{relative} imports {sorted(bad)}"


def test_worker_module_stays_light() -> None:
    heavy = {"pandas", "matplotlib", "rich", "jinja2", "reports"}
    assert not _imports(ROOT / "strategies" / "procworker.py") & heavy
