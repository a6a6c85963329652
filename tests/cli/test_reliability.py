"""Round three of the red team's cases (issue 25), outside the signal tests: exports that could
hang or crash the tool, paths, the user's modules, flags accepted by mistake, results/latest."""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import strategies
from bench.cli import output
from bench.cli.app import main
from bench.collectors.base import SleepCollector
from bench.harness.execution import StrategyOptions
from bench.model import Usage
from tests.conftest import make_plan, optional
from tests.terminal import ROOT

QUICK = ["--strategies", "asyncio", "--tasks", "3", "--latency", "0.01"]
Capture = pytest.CaptureFixture[str]


def test_an_export_into_a_fifo_nobody_reads_is_one_line_and_exit_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    """A plain open() of a FIFO waits for a reader forever, and the run's end with it."""
    monkeypatch.setattr(output, "FIFO_READER_WAIT_S", 0.1)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    argv = ["run", *QUICK, "-q", "--out", str(tmp_path / "out"), "--export-json", str(fifo)]
    assert main(argv) == 4
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        f"bench: error: --export-json: cannot write {fifo}: a FIFO nobody is reading "
        "(waited 0.1 s for a reader)"
    )
    json.loads((tmp_path / "out" / "results.json").read_text())  # the run itself is saved


@pytest.mark.slow
def test_ctrl_c_ends_an_export_into_a_reader_that_never_reads(tmp_path: Path) -> None:
    """The reader opened the FIFO and reads nothing: the write fills the pipe and waits. The
    exports run after the reports, where an interrupt is no longer held back."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        argv = [*QUICK[:2], "--tasks", "3000", "--latency", "0", "-q", "--out", str(tmp_path)]
        with subprocess.Popen(
            [sys.executable, "-m", "bench", "run", *argv, "--export-json", str(fifo)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        ) as proc:
            # The export has begun once something is in the pipe; 3000 tasks fill its 64 KiB.
            assert select.select([reader], [], [], 90)[0], "the export never started"
            time.sleep(0.2)  # into the blocked write (one-sided: later is still blocked)
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=30)  # a hang would never end
            assert proc.stderr is not None
            err = proc.stderr.read()
    finally:
        os.close(reader)
    assert code == 130, err
    assert "Traceback" not in err, err
    assert err.splitlines()[-1].startswith(
        "bench: error: interrupted while writing the summary and the exports: "
    ), err
    json.loads((tmp_path / "results.json").read_text())


def _closed_stdout(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "bench", *argv],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_an_export_to_a_closed_stdout_is_refused_before_the_run(tmp_path: Path) -> None:
    done = _closed_stdout("run", *QUICK, "--out", str(tmp_path), "--export-json", "-")
    assert done.returncode == 4, done.stderr
    assert done.stderr == (
        "bench: error: --export-json -: stdout is closed; give it a file instead\n"
    )
    assert not (tmp_path / "results.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--version"], "--version: stdout is closed"),
        (["list"], "list: stdout is closed; nowhere to write the answer"),
        (["completion", "bash"], "completion: stdout is closed; nowhere to write the answer"),
    ],
)
def test_an_answer_for_a_closed_stdout_is_one_line_and_exit_4(argv: list[str], line: str) -> None:
    """They wrote to sys.stdout, which Python leaves None when fd 1 is closed: a traceback."""
    done = _closed_stdout(*argv)
    assert (done.returncode, done.stderr) == (4, f"bench: error: {line}\n")


LONG = "a" * 300  # one component over NAME_MAX (255): every call on the path fails ENAMETOOLONG


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["report", f"/tmp/{LONG}/results.json"], 3),
        (["report", f"/tmp/{LONG}"], 3),
        (["compare", f"/tmp/{LONG}", f"/tmp/{LONG}"], 3),
        (["run", *QUICK, "--export-json", f"/tmp/{LONG}/x.json"], 4),
        (["run", *QUICK, "--export-csv", f"/tmp/{LONG}"], 4),
        (["demo", "--fast", "--out", f"/tmp/{LONG}"], 4),
    ],
    ids=["report-file", "report-folder", "compare", "export-in", "export-named", "demo-out"],
)
def test_a_path_with_a_name_too_long_is_one_line(
    argv: list[str], code: int, tmp_path: Path, capsys: Capture
) -> None:
    if argv[0] == "run":
        argv = [*argv, "--out", str(tmp_path)]
    assert main(argv) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("bench: error: "), err
    assert "File name too long" in err
    assert not (tmp_path / "results.json").exists()  # refused before anything ran


@pytest.mark.parametrize("exit_call", ["sys.exit(7)", "sys.exit('no config file')", "sys.exit()"])
def test_a_collector_module_that_exits_when_imported_is_the_users_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture, exit_call: str
) -> None:
    """Its SystemExit once went straight through: bench exited 7, with no word why."""
    module = f"exits_{abs(hash(exit_call))}"
    (tmp_path / f"{module}.py").write_text(f"import sys\n{exit_call}\ndef fetch(s):\n    pass\n")
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--collector", f"{module}:fetch", "--strategies", "threads"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"bench: error: --collector: cannot import '{module}': it calls sys.exit")


def _peak_overlap(tasks: list[dict[str, float]]) -> int:
    edges = sorted(
        [(t["started_at"], 1) for t in tasks] + [(t["finished_at"], -1) for t in tasks],
        key=lambda edge: (edge[0], edge[1]),  # an end before a start at the same instant
    )
    peak = now = 0
    for _, step in edges:
        now += step
        peak = max(peak, now)
    return peak


@pytest.mark.parametrize(
    "strategy", ["asyncio", "asyncio-workers", optional("asyncio-uvloop"), optional("trio")]
)
def test_io_to_thread_restores_the_overlap_a_blocking_call_took(
    strategy: str, tmp_path: Path, capsys: Capture
) -> None:
    """The README's fix for `--io blocking`, reachable at last: the blocking call on a thread,
    so `workers` tasks overlap again (from the recorded spans) where blocking gave one."""
    peaks = {}
    for io in ("blocking", "to-thread"):
        out = tmp_path / io
        argv = ["run", "--strategies", strategy, "--tasks", "6", "--workers", "3"]
        assert main([*argv, "--latency", "0.05", "--io", io, "-q", "--out", str(out)]) == 0
        document = json.loads((out / "results.json").read_text())
        assert document["config"]["io"] == io
        run = document["runs"][0]
        assert {t["status"] for t in run["tasks"]} == {"ok"}
        peaks[io] = _peak_overlap(run["tasks"])
    assert peaks == {"blocking": 1, "to-thread": 3}
    capsys.readouterr()


@pytest.mark.parametrize("strategy", ["sequential", "threads", "processes", "asyncio+processes"])
def test_io_to_thread_is_refused_where_there_is_no_async_face(
    strategy: str, tmp_path: Path, capsys: Capture
) -> None:
    argv = ["run", "--strategies", f"asyncio,{strategy}", "--io", "to-thread"]
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"bench: error: --io to-thread: {strategy} does not call the collector's async face, so "
        "it has no event loop to hand a blocking call off from; it is for the strategies that "
        "call the async face (`bench list` says which)\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--io", "http", "--http-faults", "error=0.5,error=0.2"], "error is given twice"),
        (["run", "--io", "http", "--http-faults", "error=0.1", "--http-faults", "slow=0.1"], ""),
        (["serve", "--faults", "rate_limit=0.1,rate_limit=0"], "rate_limit is given twice"),
        (["serve", "--faults", "error=0.1", "--faults", "error=0.1"], ""),
    ],
    ids=["run-key", "run-flag", "serve-key", "serve-flag"],
)
def test_a_fault_given_twice_is_refused_not_the_last_one_winning(
    argv: list[str], message: str, tmp_path: Path, capsys: Capture
) -> None:
    assert main([*argv, *(["--out", str(tmp_path)] if argv[0] == "run" else [])]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert (message or "was given twice: give it once") in err
    assert not (tmp_path / "results.json").exists()


def test_a_hand_made_latest_folder_is_left_alone_and_said_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    """It once left results/.latest.<pid>.tmp behind, and said nothing."""
    monkeypatch.chdir(tmp_path)  # results/ is relative to where bench runs
    mine = tmp_path / "results" / "latest"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine")
    assert main(["run", *QUICK, "-q", "--out", "results/run1"]) == 0
    err = capsys.readouterr().err
    expected = "note: results/latest is a folder, not bench's link: left alone, so it does not "
    assert err.count(expected + "name this run\n") == 1, err
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["latest", "run1"]
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_an_interrupt_between_the_start_and_the_first_task_stops_the_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The collection before the timed region can take a while; an interrupt there escaped as
    a bare KeyboardInterrupt: the pool left running (its semaphores 'leaked'), nothing saved."""
    from bench.harness import runner
    from bench.harness.runner import RunInterrupted

    stopped: list[bool] = []
    threads = strategies.get("threads")

    class Watched(threads):  # type: ignore[misc,valid-type]
        def stop(self, abandon: bool = False) -> Usage:
            stopped.append(abandon)
            usage: Usage = super().stop(abandon)
            return usage

    collect, raised = gc.collect, list[bool]()

    def interrupted() -> int:
        if raised:  # one interrupt: a signal's copies are not raised again once it is taken
            return collect()
        raised.append(True)
        raise KeyboardInterrupt

    monkeypatch.setattr(gc, "collect", interrupted)
    options = StrategyOptions(2, SleepCollector())
    with pytest.raises(RunInterrupted) as caught:
        runner.run_strategy(Watched, make_plan(4, 0.01), options)
    record = caught.value.record
    assert record.status == "interrupted"
    assert [t.status for t in record.tasks] == ["not_run"] * 4
    assert stopped == [True]  # the pool was stopped, once


@pytest.mark.parametrize("where", ["before the second run", "while the first run is saved"])
def test_an_interrupt_between_runs_saves_what_finished_and_writes_the_reports(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    """An interrupt that reaches the session outside a run (a strategy's module importing, the
    results being saved) once escaped it: exit 130 with no reports, and the job lost. Before
    the second strategy is built, its run is saved as interrupted during start-up; while the
    first is saved, the first is kept."""
    from bench.cli import session
    from bench.harness import interrupts, runner

    monkeypatch.setattr(interrupts._State, "taken", False)  # the session marks it taken
    real_run, real_saved = runner.run_strategy, session._saved
    runs: list[str] = []

    def run_strategy(make: Any, *args: Any) -> Any:
        runs.append(make.name)
        if where == "before the second run" and len(runs) == 2:
            raise KeyboardInterrupt  # as a signal landing on the call's entry
        return real_run(make, *args)

    def saved(*args: Any) -> Any:
        results = real_saved(*args)
        if where == "while the first run is saved" and len(runs) == 1:
            runs.append("saved")
            raise KeyboardInterrupt  # landing just after the file was written
        return results

    monkeypatch.setattr(session, "run_strategy", run_strategy)
    monkeypatch.setattr(session, "_saved", saved)
    argv = ["run", "--strategies", "sequential,asyncio", "--tasks", "3", "--latency", "0.01"]
    assert main([*argv, "-q", "--out", str(tmp_path)]) == 130
    assert capsys.readouterr().err.endswith(f"interrupted: what finished is saved in {tmp_path}\n")
    got = json.loads((tmp_path / "results.json").read_text())["runs"]
    assert (got[0]["strategy"], got[0]["status"]) == ("sequential", "completed")
    if where == "before the second run":
        assert (got[1]["strategy"], got[1]["status"]) == ("asyncio", "interrupted")
        assert got[1]["reason"] == "interrupted during start-up"
        assert {t["status"] for t in got[1]["tasks"]} == {"not_run"}
    else:
        assert len(got) == 1
    assert (tmp_path / "report.html").exists() and (tmp_path / "tasks.csv").exists()
