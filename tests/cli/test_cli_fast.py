"""The command line's quick answers import only what they use: `bench --help`, a Tab of shell
completion and `bench list` build the parser (and list reads the strategies' declarations), and
no more. Pinned by the modules each leaves in sys.modules in a fresh interpreter, not by a
stopwatch: `make perf` times the same commands as whole processes (tests/perf/cli_speed.py).
(`-X importtime` would miss what importlib.import_module loads: the registry's strategies.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.terminal import ROOT

# A few hundred ms each to import, and used only by the commands that run, report or serve.
HEAVY = {
    "pandas",
    "numpy",
    "matplotlib",
    "jinja2",
    "aiohttp",
    "httpx",
    "rich",
    "psutil",
    "dask",
    "distributed",
    "trio",
    "gevent",
    "uvloop",
    "reports",
}
# Not heavy alone, but what the harness, the results file and plugin discovery bring.
PARSER_ONLY = {
    "asyncio",
    "importlib.metadata",
    "bench.harness.runner",
    "bench.harness.execution",
    "bench.results",
    "bench.cli.running",
    "bench.cli.session",
    "bench.cli.output",
}


# The console script's two lines, and sys.modules written down however the process leaves:
# through sys.exit, or through os._exit (argcomplete's way, and entry's with a thread left).
PROBE = """
import atexit, os, sys
def written():
    with open(os.environ["MODULES_OUT"], "w") as out:
        out.write("\\n".join(sorted(sys.modules)))
leave = os._exit
os._exit = lambda code: (written(), leave(code))
atexit.register(written)
sys.argv = ["bench", *sys.argv[1:]]
from bench.cli.launch import main
sys.exit(main())
"""


def imported(argv: list[str], tmp_path: Path, env: dict[str, str] | None = None) -> set[str]:
    """Every module `bench ARGV` has imported when it leaves, started as the console script."""
    out = tmp_path / "modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        env={**os.environ, **(env or {}), "MODULES_OUT": str(out)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = set(out.read_text().splitlines())
    assert "bench.cli.app" in names  # the CLI was loaded: the list is the whole story
    return names


def _among(names: set[str], forbidden: set[str]) -> list[str]:
    """The modules in `names` that are, or belong to, one of `forbidden`."""
    return sorted(n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden))


def _completion(line: str, answer: Path) -> dict[str, str]:
    return {
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\v",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
    }


@pytest.mark.parametrize("argv", [["--help"], ["list", "--help"], ["compare", "--help"]])
def test_help_builds_the_parser_and_imports_nothing_else(argv: list[str], tmp_path: Path) -> None:
    names = imported(argv, tmp_path)
    assert _among(names, HEAVY | PARSER_ONLY) == []
    # No strategy module either, and the plugins are not looked for: no help here names them.
    assert _among(names, {"strategies"}) == ["strategies"]


def test_run_help_finds_the_plugins_it_names_but_imports_no_strategy(tmp_path: Path) -> None:
    names = imported(["run", "--help"], tmp_path)
    assert _among(names, HEAVY | PARSER_ONLY - {"importlib.metadata"}) == []
    assert "importlib.metadata" in names  # --strategies's help lists installed plugins too
    assert _among(names, {"strategies"}) == ["strategies", "strategies.plugins"]


@pytest.mark.parametrize(
    ("line", "expected", "plugins"),
    [
        ("bench ru", "run", False),
        ("bench run --io h", "http", False),
        ("bench run --fail-mode ha", "hang", False),
        ("bench report lat", "latest", False),
        ("bench run --strategies thr", "threads", True),
    ],
)
def test_a_completion_request_imports_only_the_parser(
    tmp_path: Path, line: str, expected: str, plugins: bool
) -> None:
    answer = tmp_path / "completions"
    names = imported([], tmp_path, _completion(line, answer))
    assert expected in answer.read_text().split()
    allowed = {"importlib.metadata"} if plugins else set()  # only to complete a strategy's name
    assert _among(names, HEAVY | PARSER_ONLY - allowed) == []
    assert ("importlib.metadata" in names) is plugins


def test_list_reads_the_strategies_declarations_without_their_engines(tmp_path: Path) -> None:
    names = imported(["list"], tmp_path)
    assert _among(names, HEAVY - {"psutil"}) == []  # psutil: the process pools' supervisor
    assert _among(names, {"bench.results", "bench.cli.running", "bench.cli.session"}) == []
    assert {"strategies.trio", "strategies.dask"} <= names  # read, not run
