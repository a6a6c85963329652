"""Every shell example in the README and docs/ calls the tool one way (`.venv/bin/bench`) and is
one the tool accepts: parsed by the real parser, and a run's flags checked as `bench run`
checks them. Synopsis lines (`[--flag X]`, `a|b`) are notation, not commands. Every example also
runs for real, at a small scale, through the CLI, and where a page shows what it prints (an
output block after it, or `make bench`'s answers), the tool prints that, up to the figures."""

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


# Every example at a scale a test can afford: the page's flags, with the plan's latencies scaled
# down (or, where the page gives none, the default's scaled) and fewer worker counts swept.
SMALLER = {"--latency": "0.005", "--workers": "1,4"}
SCALED = ["--latency-scale", "0.005"]
# advise sizes its own sweep (about 3 s of the quota a point): pinned small here.
EXTRA = {"advise": ["--tasks", "20", "--workers", "1,2"]}
TESTED_ELSEWHERE = {
    "compare": "tests/analysis/test_compare.py compares two real saves",
    "demo": "tests/e2e/test_demo.py runs demo --fast end to end",
}
# What a page's example expects to exist: a file it names, a run for `latest` to name.
LATENCIES = "seconds\n0.08\n0.1\n0.12\n0.1\n0.3\n"


def _smaller(words: list[str]) -> list[str]:
    out = list(words)
    for n, word in enumerate(out[:-1]):
        if word in SMALLER and (word != "--workers" or out[0] == "sweep"):
            out[n + 1] = SMALLER[word]
    latency = {"--latency", "--latency-from", "--latency-scale"} & set(out)
    if out[0] in ("run", "sweep") and not latency:
        out += SCALED
    return out + EXTRA.get(out[0], [])


def _run(words: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = app.main(words)
    except SystemExit as done:  # --version answers through argparse
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _command(line: str) -> list[str]:
    """The tool's words of a shell line: a pipe or a redirection after them cut."""
    return shlex.split(line.split(" | ", maxsplit=1)[0].split(" >", maxsplit=1)[0])[1:]


def _shown() -> dict[str, list[str]]:
    """A page's example followed (a sentence at most between) by an output block: what it shows."""
    shown: dict[str, list[str]] = {}
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        pattern = r"```sh\n([^\n]+)\n```\n\n(?:[^\n`]+\n\n)?```(?:text)?\n(.*?)```"
        for command, output in re.findall(pattern, text, re.S):
            shown[command.split(" # ")[0].strip()] = output.splitlines()
    return shown


SHOWN = _shown()
# What differs from run to run: clock times, pids, thread ids, asyncio's task numbers, and every
# measured figure (a decimal, a duration). Counts (threads, processes, tasks in flight) and words
# stay.
_VARIES = [
    (r"\d\d:\d\d:\d\d\.\d+", "HH:MM:SS"),
    (r"PID \d+", "PID N"),
    (r"Thread-\d+", "Thread-N"),
    (r"Task-\d+", "Task-N"),
    (r"\d+(?:\.\d+)? (?:s|ms|us|µs)\b", "X s"),  # a duration, in the unit its size chose
    (r"\d+\.\d+", "X"),
]


def _masked(line: str) -> str:
    for pattern, placeholder in _VARIES:
        line = re.sub(pattern, placeholder, line)
    return line.strip()


def test_shown_output_is_found_for_the_pages_examples() -> None:
    """Every output block right after an example is paired with it, and compared below."""
    assert any("-v" in command for command in SHOWN), SHOWN  # the parser above found them
    assert set(SHOWN) <= {line for _, line in RUNNABLE}
    blocks_after_examples = sum(
        len(re.findall(r"```sh\n[^`]*```\n\n(?:[^\n`]+\n\n)?```(?:text)?\n", p.read_text()))
        for p in PAGES
        if "_build" not in p.parts
    )
    assert blocks_after_examples == len(SHOWN)


RUNNABLE = [(page, line) for page, line in EXAMPLES if _command(line)[0] not in TESTED_ELSEWHERE]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("page", "line"), RUNNABLE, ids=[f"{p}:{n}" for n, (p, _) in enumerate(RUNNABLE)]
)
def test_every_example_runs(
    page: str,
    line: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Run for real, in a folder of its own (results/ and `latest` are relative to it), and
    where the page shows what it prints, every line shown is one it printed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my-latencies.csv").write_text(LATENCIES)
    words = _command(line)
    if "latest" in words:  # a run first, for `latest` to name
        assert _run(["run", "--tasks", "2", *SCALED, "-q"], capsys)[0] == 0
    if words[0] in ("run", "sweep", "advise"):
        words = [*_smaller(words), "-q"]
    code, printed = _run(words, capsys)
    assert code == 0, (page, line, printed[-2000:])
    for shown in SHOWN.get(line, []):
        assert _masked(shown) in {_masked(p) for p in printed.splitlines()}, (shown, printed)


def _answer_blocks() -> list[tuple[str, list[str]]]:
    """The pages' copies of `make bench`'s answers (an output block of `strategy: ...` lines)."""
    blocks = []
    for page in PAGES:
        for block in re.findall(
            r"```\n(sequential: .*?)```", page.read_text(encoding="utf-8"), re.S
        ):
            blocks.append((page.relative_to(ROOT).as_posix(), block.splitlines()))
    return blocks


@pytest.mark.slow
def test_the_answers_the_pages_show_are_what_make_bench_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make bench`'s plan (its latencies scaled down): the same strategies in the same order,
    the same threads, processes and tasks in flight, the baseline's line word for word."""
    blocks = _answer_blocks()
    assert {page for page, _ in blocks} >= {"README.md", "docs/statistics.md"}
    code, printed = _run(["run", *SCALED, "--out", str(tmp_path), "-q"], capsys)
    assert code == 0, printed[-2000:]
    # The answers; not a warning a loaded machine can add (a loop held 100 ms by the load).
    lines = [
        line
        for line in printed.splitlines()
        if ": " in line and "file://" not in line and not line.startswith("warning:")
    ]
    for page, block in blocks:
        assert [_where(line) for line in block] == [_where(line) for line in lines], (page, printed)
        assert _masked(block[0]) == _masked(lines[0])  # the baseline's line, whole


def _where(answer: str) -> str:
    """An answer's first clause: where the tasks ran and how many overlapped. How the speeds
    compare depends on the machine (on a loaded one the small plan's ratios move a lot)."""
    return answer.split(";", maxsplit=1)[0]
