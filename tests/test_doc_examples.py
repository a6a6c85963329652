"""Every shell example in the README and docs/ calls the tool one way (`.venv/bin/bench`) and is
one the tool accepts: parsed by the real parser, and a run's flags checked as `bench run`
checks them. Synopsis lines (`[--flag X]`, `a|b`) are notation, not commands. The
README's five commands also run for real, at a small scale, through the CLI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import strategies
from bench.cli import app, running
from bench.cli.args import build_parser
from bench.cli.config import build_config

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
TOOL = ".venv/bin/bench"


def _commands(page: Path) -> list[str]:
    """The shell lines of a page's ```sh blocks, continuation lines joined, comments cut."""
    text = page.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for raw in block.replace("\\\n", " ").splitlines():
            line = raw.split(" # ")[0].strip()
            if line and not line.startswith("#"):
                found.append(line)
    return found


def _tool_commands() -> list[tuple[str, str]]:
    return [
        (page.relative_to(ROOT).as_posix(), line)
        for page in PAGES
        if "_build" not in page.parts
        for line in _commands(page)
        if "bench" in line.split()[0] or line.split()[:3] == [".venv/bin/python", "-m", "bench"]
    ]


def _notation(line: str) -> bool:
    """A synopsis line: optional parts in brackets, alternatives, or placeholders in capitals."""
    return "[" in line or re.search(r"\w\|\w", line) is not None or "   " in line


def test_examples_call_the_tool_one_way() -> None:
    other = [f"{page}: {line}" for page, line in _tool_commands() if not line.startswith(TOOL)]
    assert other == []


EXAMPLES = [(page, line) for page, line in _tool_commands() if not _notation(line)]


@pytest.mark.parametrize(
    ("page", "line"), EXAMPLES, ids=[f"{p}:{n}" for n, (p, _) in enumerate(EXAMPLES)]
)
def test_every_example_is_one_the_tool_accepts(page: str, line: str) -> None:
    words = shlex.split(line.split(" | ", maxsplit=1)[0].split(" >", maxsplit=1)[0])
    assert words[0] == TOOL, (page, line)
    parser = build_parser(app.HANDLERS, strategies.names(), ",".join(strategies.DEFAULT))
    try:
        args = parser.parse_args(words[1:])
    except SystemExit as done:  # --version and --help answer and exit 0
        assert done.code == 0, (page, line)
        return
    if args.command == "run":
        build_config(args, strategies.names(), list(strategies.HIDDEN), running.abilities)


FRONT = [line for page, line in EXAMPLES if page == "README.md"]
# The README's commands at a scale a test can afford: the page's flags, with the plan's latencies
# scaled down and fewer worker counts swept.
SMALLER = {"--latency": "0.005", "--workers": "1,4"}
# advise sizes its own sweep (about 3 s of the quota a point): pinned small here.
EXTRA = {"advise": ["--tasks", "20", "--workers", "1,2"]}
TESTED_ELSEWHERE = {
    "compare": "tests/test_compare.py compares two real saves",
    "demo": "tests/test_demo.py runs demo --fast end to end",
}


def _smaller(words: list[str]) -> list[str]:
    out = list(words)
    for n, word in enumerate(out[:-1]):
        if word in SMALLER and (word != "--workers" or out[0] == "sweep"):
            out[n + 1] = SMALLER[word]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("line", FRONT)
def test_the_readmes_commands_run(
    line: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    words = shlex.split(line)[1:]
    if words[0] in TESTED_ELSEWHERE:
        pytest.skip(TESTED_ELSEWHERE[words[0]])
    extra = EXTRA.get(words[0], [])
    code = app.main([*_smaller(words), *extra, "--out", str(tmp_path / "out"), "-q"])
    assert code == 0, capsys.readouterr().err[-2000:]
