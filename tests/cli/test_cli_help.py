"""The command line as a new user meets it: grouped help (golden text on an 80-column console),
"did you mean" for every closed choice, records that stay one line in a pipe, and messages whose
numbers come from the run they describe.

The golden files are tests/golden/help/*.txt. After changing a flag or a help text on purpose,
rewrite them with `UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/cli/test_cli_help.py` and read
the diff.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import strategies
from bench.analysis.notices import MANY_TASKS, loop_warning
from bench.cli import runflags, running
from bench.cli.app import HANDLERS, main
from bench.cli.args import build_parser
from bench.cli.lines import say
from bench.cli.runflags import IO_MODES
from bench.notes import RunNotes
from tests.samples import large_results

GOLDEN = Path(__file__).parent.parent / "golden" / "help"
COMMANDS = ["run", "sweep", "advise", "report", "compare", "list", "demo", "serve", "completion"]
# Fixed, so the golden text does not change with the plugins installed here.
NAMES = ("sequential", "asyncio", "threads", "processes", "trio")
Capture = pytest.CaptureFixture[str]


def _parser(monkeypatch: pytest.MonkeyPatch) -> argparse.ArgumentParser:
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps to the console (shutil reads COLUMNS)
    monkeypatch.setenv("NO_COLOR", "1")  # Python 3.14's argparse colours a terminal's help
    monkeypatch.setattr(runflags, "default_start_method", lambda: "forkserver")  # per platform
    return build_parser(HANDLERS, NAMES, "sequential,asyncio,threads,processes")


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    choices: Any = next(a for a in parser._actions if a.dest == "command").choices
    sub: argparse.ArgumentParser = choices[command]
    return sub


@pytest.mark.parametrize("command", ["bench", *COMMANDS])
def test_help_text_is_the_golden_text(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    parser = _parser(monkeypatch)
    text = (parser if command == "bench" else _subparser(parser, command)).format_help()
    golden = GOLDEN / f"{command}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()
    assert max(map(len, text.splitlines())) <= 80


def test_run_help_is_grouped_with_closed_choices_and_meaningful_metavars(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = _subparser(_parser(monkeypatch), "run").format_help()
    groups = re.findall(r"^(\S[^:\n]*):$", text, re.MULTILINE)
    assert groups == [
        "options",
        "strategies and workers",
        "workload",
        "faults and deadlines",
        "your own endpoint (--io http)",
        "statistics",
        "output",
        "examples",
    ]
    assert "--io {sleep,blocking,to-thread,http}" in text
    assert "--fail-mode {exception,timeout,hang,crash}" in text
    assert "--workers N " in text and "--out DIR " in text and "--task-timeout SECONDS" in text
    assert text.startswith("usage: bench run [options]\n")


@pytest.mark.parametrize("command", COMMANDS)
def test_no_metavar_shouts_its_flags_name(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--workers WORKERS`, `--io IO`: argparse's default, which says nothing."""
    sub = _subparser(_parser(monkeypatch), command)
    shouting = [
        a.option_strings[-1]
        for a in sub._actions
        if a.option_strings and a.nargs != 0 and a.help != argparse.SUPPRESS and a.metavar is None
    ]
    assert shouting == []


def test_bench_help_lists_each_command_on_one_line_and_gives_examples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = _parser(monkeypatch).format_help()
    commands = text.split("commands:\n")[1].split("\n\n")[0].splitlines()
    assert [line.split()[0] for line in commands] == COMMANDS  # one line each, at 80 columns
    examples = text.split("examples:\n")[1].splitlines()
    assert sum(line.startswith("  bench ") for line in examples) >= 5


def _closed_flags(parser: argparse.ArgumentParser) -> set[tuple[str, str]]:
    """(subcommand, flag) of every flag declared closed, and every argparse `choices`."""
    found = {("bench", "COMMAND")}
    for command in COMMANDS:
        for action in _subparser(parser, command)._actions:
            if getattr(action, "closed", None) is not None or (
                action.choices and not isinstance(action.choices, dict)
            ):
                found.add((command, action.option_strings[-1] if action.option_strings else "*"))
    return found


# One mistyped value per closed choice: (argv, the suggestion that must end the line).
MISTYPED = [
    (["run", "--strategies", "asyncoi"], "did you mean asyncio?"),
    (["run", "--strategies", "asyncio,thread"], "did you mean threads?"),
    (["sweep", "--strategies", "Trio"], "did you mean trio?"),
    (["run", "--io", "slep"], "did you mean sleep?"),
    (["run", "--latency-dist", "lognormol"], "did you mean lognormal?"),
    (["run", "--fail-mode", "hnag"], "did you mean hang?"),
    (["run", "--workload", "mixd"], "did you mean mixed?"),
    (["run", "--cpu-impl", "numpi"], "did you mean numpy?"),
    (["run", "--gc", "of"], "did you mean off?"),
    (["run", "--start-method", "spwan"], "did you mean spawn?"),
    (["run", "--io", "http", "--http-faults", "eror=0.1"], "did you mean error?"),
    (["sweep", "--io", "blockng"], "did you mean blocking?"),
    (["serve", "--faults", "rate-limit=0.1"], "did you mean rate_limit?"),
    (["rnu"], "did you mean run? (see --help)"),
    (["completion", "bsh"], "did you mean bash? (see --help)"),
    (["run", "--wrokers", "3"], "did you mean --workers? (see --help)"),
    (["sweep", "--latncy=0.1"], "did you mean --latency? (see --help)"),
]
COVERS = {
    ("run", "--strategies"),
    ("sweep", "--strategies"),
    ("run", "--io"),
    ("sweep", "--io"),
    ("run", "--latency-dist"),
    ("run", "--fail-mode"),
    ("run", "--workload"),
    ("run", "--cpu-impl"),
    ("run", "--gc"),
    ("run", "--start-method"),
    ("bench", "COMMAND"),
    ("completion", "*"),
}


def test_every_closed_choice_has_a_did_you_mean_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """A closed flag added to run is in sweep and advise too (the same run_flags); each of run's
    must have its case above."""
    closed = _closed_flags(_parser(monkeypatch))
    missing = {(cmd, flag) for cmd, flag in closed if cmd not in ("sweep", "advise")} - COVERS
    assert not missing, f"add a MISTYPED case for {sorted(missing)}"


@pytest.mark.parametrize(("argv", "suggestion"), MISTYPED, ids=[" ".join(a) for a, _ in MISTYPED])
def test_a_mistyped_name_gets_the_nearest_in_the_one_line(
    argv: list[str], suggestion: str, tmp_path: Path, capsys: Capture
) -> None:
    out = ["--out", str(tmp_path / "out")] if argv[0] in ("run", "sweep") else []
    assert main([*argv, *out]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("bench") and ": error: " in err
    assert err.rstrip("\n").endswith(suggestion), err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--strategies", "celery"],
        ["run", "--io", "pigeon"],
        ["run", "--bogus"],
        ["frobnicate"],
    ],
)
def test_nothing_near_is_not_suggested(argv: list[str], capsys: Capture) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean" not in err, err


def test_a_record_is_one_line_in_a_log_and_wrapped_at_words_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = "asyncio: completed, 100000/100000 tasks finished in 12.34 s " * 3

    def shown(terminal: bool) -> str:
        out = io.StringIO()
        say(Console(file=out, width=80, force_terminal=terminal, color_system=None), record)
        return out.getvalue()

    monkeypatch.delenv("CI", raising=False)
    assert shown(terminal=False) == record + "\n"
    lines = shown(terminal=True).splitlines()
    assert len(lines) > 1 and all(len(line) <= 80 for line in lines)
    assert " ".join(lines).split() == record.split()  # no word cut in two
    monkeypatch.setenv("CI", "true")  # a CI job's terminal is recorded as a log
    assert shown(terminal=True) == record + "\n"


@pytest.mark.slow  # a subprocess, for a real pipe
def test_a_piped_run_prints_each_progress_line_whole(tmp_path: Path) -> None:
    argv = ["run", "--strategies", "sequential,asyncio", "--tasks", "3", "--latency", "0.01"]
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "CI")}
    done = subprocess.run(
        [sys.executable, "-m", "bench", *argv, "--repeat", "2", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stderr.splitlines() if "tasks finished in" in line]
    record = r"(sequential|asyncio): completed, 3/3 tasks finished in \d+\.\d\d s "
    record += r"\(start-up \d+\.\d{3} s\) \[\d/4, round [12]; about \d+ s left\]"
    assert len(progress) == 4, done.stderr
    for line in progress:
        assert len(line) > 80 and re.fullmatch(record, line), line  # once cut at column 80


def test_a_million_task_run_is_counted_in_its_own_warning() -> None:
    """The count as the run gives it (building a million records to say so cost 6 s)."""
    notes = RunNotes(loop_blocked=1, loop_blocked_busy=1, loop_longest_block_seconds=0.5)
    assert loop_warning("asyncio", notes, 1_000_000).endswith("(this run had 1,000,000 tasks)")


@pytest.mark.parametrize("tasks", [1_234, MANY_TASKS])
def test_the_loop_warning_counts_the_runs_own_tasks(tasks: int, capsys: Capture) -> None:
    run = large_results(tasks, workers=100_000).runs[0]
    details = {"loop_blocked": 1, "loop_blocked_busy": 1, "loop_longest_block_seconds": 0.5}
    running.warn_about(dataclasses.replace(run, details=details))
    err = capsys.readouterr().err
    assert err == (
        "warning: asyncio: the event loop was blocked once (longest 0.5 s) by CPU work on its "
        "thread: a CPU-bound call inside a coroutine, or very many tasks' steps back to back "
        f"(this run had {tasks:,} tasks)\n"
    )
    assert "100,000" not in err


def test_a_few_tasks_are_not_offered_as_what_held_the_loop() -> None:
    notes = RunNotes(loop_blocked=2, loop_blocked_busy=2, loop_longest_block_seconds=0.3)
    line = loop_warning("asyncio", notes, MANY_TASKS - 1)
    assert line == (
        "warning: asyncio: the event loop was blocked 2 times (longest 0.3 s) by CPU work on "
        "its thread: a CPU-bound call inside a coroutine"
    )


def test_completion_offers_each_closed_choices_declared_values() -> None:
    from bench.cli.completion import add_completers

    parser = build_parser(HANDLERS, strategies.names(), ",".join(strategies.DEFAULT))
    add_completers(parser)
    run = _subparser(parser, "run")
    completers = {a.option_strings[-1]: getattr(a, "completer", None) for a in run._actions}
    assert completers["--io"] is not None and completers["--io"]("") == list(IO_MODES)
    assert completers["--latency-dist"] is not None and "lognormal" in completers["--latency-dist"](
        "log"
    )
    assert completers["--strategies"] is not None and completers["--strategies"]("asy") == [
        n for n in strategies.names() if n.startswith("asy")
    ]


def test_a_piped_list_keeps_each_strategys_line_whole(capsys: Capture) -> None:
    assert main(["list"]) == 0  # stdout captured: not a terminal
    lines = capsys.readouterr().out.splitlines()
    continued = [line for line in lines if line.startswith(" " * 21)]
    assert continued and all(line.strip().startswith("available here;") for line in continued)
    assert any(len(line) > 80 for line in continued)  # once wrapped at 80 columns


def test_the_synopsis_in_the_docs_names_every_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    """It once listed `--io sleep|blocking` and left out six flags."""
    page = (Path(__file__).parents[2] / "docs" / "running.md").read_text()
    synopsis = page.split("```sh\n")[1].split("```")[0]
    parser = _parser(monkeypatch)

    def named(flag: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", synopsis) is not None

    missing = [
        f"{command} {action.option_strings[-1]}"
        for command in COMMANDS
        for action in _subparser(parser, command)._actions
        if action.option_strings and action.help not in (argparse.SUPPRESS, None)
        if action.dest != "help" and not any(map(named, action.option_strings))
    ]
    assert missing == []
    assert "--io {" + ",".join(IO_MODES) + "}" in synopsis


def test_every_example_in_the_help_parses_and_its_run_flags_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shlex

    from bench.cli.config import build_config

    parser = _parser(monkeypatch)
    texts = [parser.format_help(), *(_subparser(parser, c).format_help() for c in COMMANDS)]
    examples = [
        line.strip()
        for text in texts
        for line in text.split("examples:\n")[1].splitlines()
        if line.startswith("  bench ")
    ]
    assert len(examples) >= 12
    for example in examples:
        args = parser.parse_args(shlex.split(example)[1:])
        if args.command == "run":
            build_config(args, strategies.names(), [], running.abilities)


def test_advise_offers_only_what_it_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    """advise measures one plan with the HTTP collector: no list metavars where one value is
    taken, no --io choices it would refuse (each refused with one line, tested in test_capacity)."""
    text = _subparser(_parser(monkeypatch), "advise").format_help()
    assert "--io {" not in text
    assert "--tasks N|auto" in text and "--latency SECONDS " in text
    assert "--tasks N,..." not in text and "--latency SECONDS," not in text


def test_a_sweep_point_is_a_run_of_its_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sweep hands each point's parsed numbers to build_config (the lists stay in --workers,
    --tasks and --latency, unparsed): its config is the one `bench run` builds from the same
    numbers given as flags, and a point's numbers are checked as a run's are."""
    from bench.cli.config import build_config
    from bench.cli.plan import Point
    from bench.errors import UsageError

    parser = _parser(monkeypatch)
    common = ["--strategies", "asyncio,threads", "--latency-scale", "0.5", "--seed", "7"]
    swept = parser.parse_args(["sweep", *common, "--workers", "1,4", "--tasks", "3,9"])
    run = parser.parse_args(["run", *common, "--workers", "4", "--tasks", "9", "--latency", "0.25"])
    point = build_config(swept, strategies.names(), [], running.abilities, Point(4, 9, 0.25))
    assert point == build_config(run, strategies.names(), [], running.abilities)
    with pytest.raises(UsageError, match="--latency x --latency-scale"):
        build_config(swept, strategies.names(), [], running.abilities, Point(4, 9, 1e308))
