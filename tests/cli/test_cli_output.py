"""What the command line shows and exports: hyperfine's --export-* (stdout holding only the
export when it is -), -q, one-line answers, `bench list`, results/latest, --open, the help
texts, the sweep's time estimate, shell completion."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import subprocess
import sys
import webbrowser
from pathlib import Path
from typing import Any

import pytest

import strategies
from bench.analysis.notices import loop_warning
from bench.cli import session
from bench.cli.app import HANDLERS, main
from bench.cli.args import build_parser
from bench.model import TaskSpec
from bench.notes import RunNotes
from reports.frames import load_frames

QUICK = ["--strategies", "sequential,asyncio", "--tasks", "4", "--latency", "0.01"]
Capture = pytest.CaptureFixture[str]
# Every answer leads with where the tasks ran and how many overlapped (4 tasks, 6 workers).
FACT = r"asyncio: 1 OS thread, 1 process, 4 tasks in flight at once; "
# 4 x 10 ms reads about 4x faster; on a machine loaded enough to starve the loop, "about as fast"
# is the honest answer (the wording's own cases are exact in tests/reports/test_answers.py).
ONE_RUN = r"(\d\.\dx faster than sequential \(one run each\)|about as fast as sequential \(.*\))"


def _run(tmp_path: Path, *extra: str) -> int:
    return main(["run", *QUICK, "--out", str(tmp_path / "out"), *extra])


def test_json_to_stdout_is_the_results_document_and_all_else_goes_to_stderr(
    tmp_path: Path, capsys: Capture
) -> None:
    assert _run(tmp_path, "--export-json", "-") == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == json.loads((tmp_path / "out" / "results.json").read_text())
    assert "asyncio: 1 OS thread" in err and "Summary" in err and "open the report" in err


def test_markdown_to_stdout_has_the_answers_and_one_row_per_run(
    tmp_path: Path, capsys: Capture
) -> None:
    assert _run(tmp_path, "--export-markdown", "-") == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == ("Scenario: 4 tasks x 10 ms, workers 6, 1 round, io sleep, seed 42"), (
        "the scenario above everything"
    )
    assert re.fullmatch(
        r"- sequential: 1 OS thread, 1 process, 1 task in flight at once; .*", lines[2]
    )
    assert re.fullmatch(
        r"- " + FACT + ONE_RUN,
        lines[3],
    )
    header = lines.index(next(line for line in lines if line.startswith("| strategy |")))
    rows = lines[header + 2 :]
    assert [row.split(" | ")[0] for row in rows] == ["| sequential", "| asyncio"]
    assert all(row.count("|") == lines[header].count("|") for row in rows)
    assert "asyncio: 1 OS thread" in err


def test_csv_to_a_file_is_tasks_csv_and_stdout_keeps_the_tables(
    tmp_path: Path, capsys: Capture
) -> None:
    target = tmp_path / "tasks-export.csv"
    assert _run(tmp_path, "--export-csv", str(target)) == 0
    out, _ = capsys.readouterr()
    assert target.read_text() == (tmp_path / "out" / "tasks.csv").read_text()
    assert len(list(csv.DictReader(io.StringIO(target.read_text())))) == 8
    assert "Summary" in out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--export-json", "-", "--export-csv", "-"], "only one --export-* can be - (stdout)"),
        (["--export-json", "nowhere/x.json"], "is in a folder that does not exist"),
        (["--export-json", "a.json", "--export-json", "b.json"], "--export-json was given twice"),
        (["--export-json", "x", "--export-csv", "./x"], "--export-json and --export-csv both"),
    ],
)
def test_bad_exports_are_refused_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture, flags: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _run(tmp_path, *flags) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "out" / "results.json").exists()


def test_quiet_prints_only_the_answers_and_the_report(tmp_path: Path, capsys: Capture) -> None:
    assert _run(tmp_path, "-q") == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 3, out
    assert re.fullmatch(
        FACT + ONE_RUN,
        lines[1],
    )
    assert lines[2] == f"open the report: {(tmp_path / 'out' / 'report.html').as_uri()}"
    assert err == ""  # no progress either


def test_repeats_give_the_interval(tmp_path: Path, capsys: Capture) -> None:
    assert _run(tmp_path, "-q", "--repeat", "3") == 0
    first = capsys.readouterr().out.splitlines()[1]
    pattern = FACT + r"\d+\.\d\d \+/- \d+\.\d\d times faster than sequential"
    assert re.fullmatch(pattern + r" \(95% interval, 3 rounds\)", first), first


def test_a_sweep_answers_with_the_knee(tmp_path: Path, capsys: Capture) -> None:
    argv = ["sweep", "--strategies", "sequential,asyncio", "--workers", "1,2,4"]
    argv += ["--tasks", "8", "--latency", "0.02", "--out", str(tmp_path), "-q"]
    assert main(argv) == 0
    # 8 tasks of 20 ms: 160, 80, 40 ms at 1, 2, 4 workers; only 4 is within 5% of the best.
    assert "asyncio: fewest workers within 5% of the best: 4" in capsys.readouterr().out


def test_list_shows_every_strategy_its_abilities_and_how_to_get_a_missing_one(
    monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    real = strategies.unavailable
    monkeypatch.setattr(
        strategies,
        "unavailable",
        lambda name, python=None: (
            strategies.MissingExtra(name, "dask") if name == "dask" else real(name, python)
        ),
    )
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in strategies.names():
        assert re.search(rf"^  {re.escape(name)} ", out, re.M), name
    flat = " ".join(out.split())
    assert "dask not available here: strategy 'dask' needs the 'dask' extra" in flat
    assert "pip install 'concurrency-bench[dask]'" in flat
    assert "threads ThreadPoolExecutor" in flat and "honours --task-timeout" in flat
    assert "http real HTTP" in flat and "Workloads (--workload): io, cpu, mixed" in flat


def test_latest_names_the_newest_run_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", *QUICK, "-q"]) == 0
    first = Path("results/latest").resolve()
    assert main(["run", *QUICK, "-q"]) == 0
    second = Path("results/latest").resolve()
    assert Path("results/latest").is_symlink() and first != second
    assert second.parent == (tmp_path / "results").resolve()
    capsys.readouterr()
    assert main(["report", "latest", "-q"]) == 0
    assert main(["compare", str(first), "latest"]) == 0
    tasks, runs = load_frames("latest")
    assert len(runs) == 2 and len(tasks) == 8


def test_report_prints_only_what_it_wrote(tmp_path: Path, capsys: Capture) -> None:
    assert _run(tmp_path, "-q") == 0
    capsys.readouterr()
    assert main(["report", str(tmp_path / "out"), "--out", str(tmp_path / "again")]) == 0
    listed = re.findall(r"^(\S+):\s+(\S+)$", capsys.readouterr().out, re.M)
    assert {name for name, _ in listed} == {"report.html", "trace.json", "tasks.csv"}
    assert all(Path(path).exists() for _, path in listed)


def test_open_uses_the_browser_only_where_there_is_a_display(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    opened: list[str] = []

    def browser(uri: str) -> bool:
        opened.append(uri)
        return True

    monkeypatch.setattr(webbrowser, "open", browser)
    monkeypatch.setenv("DISPLAY", ":0")
    assert _run(tmp_path, "-q", "--open") == 0
    assert opened == [(tmp_path / "out" / "report.html").as_uri()]
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert _run(tmp_path, "-q", "--open", "--force") == 0
    assert len(opened) == 1
    assert "--open: no browser to open here (no display)" in capsys.readouterr().out


def _help(command: str) -> tuple[str, list[tuple[str, str]]]:
    parser = build_parser(HANDLERS, strategies.names(), ",".join(strategies.DEFAULT))
    choices: Any = next(a for a in parser._actions if a.dest == "command").choices
    sub = choices[command]
    options = [
        (action.option_strings[-1], action.help or "")
        for action in sub._actions
        if action.option_strings and action.nargs != 0 and action.help != argparse.SUPPRESS
    ]
    return sub.format_help(), options


@pytest.mark.parametrize("command", ["run", "sweep", "advise"])
def test_every_flag_shows_its_default_and_the_command_an_example(command: str) -> None:
    text, options = _help(command)
    missing = [flag for flag, help_text in options if "default" not in help_text]
    assert missing == []
    assert f"\nexamples:\n  bench {command} " in text


def test_sweep_help_has_its_own_defaults_and_says_it_takes_lists() -> None:
    text = " ".join(_help("sweep")[0].split())
    assert "comma-separated list: concurrency limit (default 1,2,4,8,16,32,64)" in text
    assert "(default 0.05)" in text and "(default 64)" in text
    run_text = " ".join(_help("run")[0].split())
    assert "concurrency limit (default 6)" in run_text and "(default 2.0)" in run_text


def test_the_estimate_counts_each_strategys_start_up() -> None:
    plan = tuple(TaskSpec(i, f"S{i}", 100_000_000) for i in range(4))
    jobs = [session.Job(0, "processes", plan, 4), session.Job(0, "asyncio", plan, 4)]
    # processes ran 0.1 s of work in 0.11 s but paid 0.5 s to start; asyncio is not seen yet.
    seen = {"processes": (0.11, 0.1, 0.5)}
    assert session.time_left(seen, jobs) == pytest.approx((0.11 + 0.5) + (1.1 * 0.1 + 0.5))
    assert session.time_left({}, jobs) == 0.0


def test_completion_scripts_load_and_complete_subcommands_and_flags(tmp_path: Path) -> None:
    script = subprocess.run(
        [sys.executable, "-m", "bench", "completion", "bash"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    loaded = subprocess.run(
        ["bash", "-c", 'eval "$1" && complete -p bench', "_", script],
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode == 0 and "bench" in loaded.stdout, loaded.stderr
    zsh = [sys.executable, "-m", "bench", "completion", "zsh"]
    assert (
        "#compdef bench" in subprocess.run(zsh, capture_output=True, text=True, check=True).stdout
    )
    cases = [
        ("bench ru", "run"),
        ("bench run --export-j", "--export-json"),
        ("bench run --io h", "http"),
        ("bench run --fail-mode ha", "hang"),
        ("bench report lat", "latest"),
    ]
    for line, expected in cases:
        answer = tmp_path / "completions"
        env = {
            **os.environ,
            "_ARGCOMPLETE": "1",
            "_ARGCOMPLETE_IFS": "\v",
            "COMP_LINE": line,
            "COMP_POINT": str(len(line)),
            "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
        }
        subprocess.run([sys.executable, "-m", "bench"], env=env, check=True, timeout=60)
        assert expected in answer.read_text().split(), line  # "run ": a space to go on


def test_latest_is_a_small_file_where_links_are_impossible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.results import folder as results_folder

    run = tmp_path / "results" / "20260101-000000"
    run.mkdir(parents=True)
    (run / "results.json").write_text("{}")

    def no_links(*_args: object, **_kwargs: object) -> None:
        raise OSError("links not supported here")

    monkeypatch.setattr(Path, "symlink_to", no_links)
    results_folder.mark_latest(run, tmp_path / "results")
    latest = tmp_path / "results" / "latest"
    assert latest.is_file() and not latest.is_symlink()
    assert results_folder.resolve_latest(latest, tmp_path / "results") == run
    elsewhere = tmp_path / "mine"
    elsewhere.mkdir()
    results_folder.mark_latest(elsewhere, tmp_path / "results")  # --out elsewhere: untouched
    assert results_folder.resolve_latest(latest, tmp_path / "results") == run


def test_a_reader_that_leaves_is_fine_but_a_broken_pipe_of_ours_is_a_bug(
    monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    piped = subprocess.run(
        f"{sys.executable} -m bench list | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert piped.stdout == "Strategies (--strategies):\n" and "Traceback" not in piped.stderr

    def broken(_args: object) -> int:
        raise BrokenPipeError("a pipe to a worker")

    monkeypatch.setitem(HANDLERS, "list", broken)
    assert main(["list"]) == 70  # once read as "stdout went away" and exit 0, hiding the bug
    assert "internal error" in capsys.readouterr().err


def test_exports_write_through_links_pipes_and_devices_never_replacing_them(
    tmp_path: Path, capsys: Capture
) -> None:
    target = tmp_path / "target.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    flags = ["--export-json", str(link), "--export-csv", str(fifo)]
    assert _run(tmp_path, "-q", *flags) == 0
    assert link.is_symlink() and json.loads(target.read_text())["runs"]
    out, _ = reader.communicate(timeout=30)
    assert out == (tmp_path / "out" / "tasks.csv").read_text()
    assert fifo.is_fifo()
    capsys.readouterr()


def test_a_full_stdout_is_one_line_and_exit_4(tmp_path: Path) -> None:
    argv = ["run", *QUICK, "--out", str(tmp_path / "out"), "-q", "--export-json", "-"]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "bench", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]  # after the answers, which went to stderr
    assert last == "bench: error: --export-json: cannot write stdout: No space left on device"


def test_each_sweep_point_is_read_against_the_sequential_run_of_its_own_plan(
    tmp_path: Path,
) -> None:
    from bench.analysis.stats import summarize_all
    from bench.results.loader import load
    from reports.reading import readings

    argv = ["sweep", "--strategies", "sequential,asyncio", "--workers", "2", "--tasks", "4,8"]
    assert main([*argv, "--latency", "0.02", "--out", str(tmp_path), "-q"]) == 0
    runs = load(tmp_path / "results.json").runs
    checked = 0
    for text, summary in zip(readings(runs), summarize_all(runs), strict=True):
        if summary.speedup is not None and summary.strategy == "asyncio":
            assert f"({summary.speedup:.2f}x)" in text, text  # the tables' own speed-up
            checked += 1
    assert checked == 2


@pytest.mark.parametrize(
    ("blocked", "busy", "tail"),
    [
        (1, 0, ": a blocking call inside a coroutine serialises every task"),
        (
            1,
            1,
            " by CPU work on its thread: a CPU-bound call inside a coroutine, or very many tasks' "
            "steps back to back (this run had 100,000 tasks)",
        ),
        (
            3,
            1,
            ": 2 waiting in a call (a blocking call inside a coroutine serialises every task), "
            "1 by CPU work on its thread: a CPU-bound call inside a coroutine, or very many "
            "tasks' steps back to back (this run had 100,000 tasks)",
        ),
    ],
)
def test_the_loop_warning_says_how_the_loop_was_held(blocked: int, busy: int, tail: str) -> None:
    notes = RunNotes(loop_blocked=blocked, loop_blocked_busy=busy, loop_longest_block_seconds=0.45)
    times = "once" if blocked == 1 else f"{blocked} times"
    expected = f"warning: asyncio: the event loop was blocked {times} (longest 0.45 s){tail}"
    assert loop_warning("asyncio", notes, 100_000) == expected


def test_bench_version_imports_nothing_heavy() -> None:
    """`bench --version` answers before the CLI loads: the modules it imports are pinned here
    (whole-process time is measured by hyperfine-style runs, not here)."""
    probe = (
        "import sys; sys.argv = ['bench', '--version']; from bench.cli.launch import main; "
        "main(); print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('bench', 'strategies', 'reports', 'rich', 'asyncio', 'pandas', 'matplotlib', "
        "'aiohttp', 'numpy', 'dask')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    version, modules = done.stdout.splitlines()
    assert re.fullmatch(r"concurrency-bench \d+\.\d+\.\d+", version)
    assert modules == "['bench', 'bench.cli', 'bench.cli.launch', 'bench.version']"
