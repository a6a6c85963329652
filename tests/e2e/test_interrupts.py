"""Real signals to a real `bench run`: partial results saved, the right exit code, no orphans.

Each test waits for the log line that proves tasks are running (structure, not a sleep), then
signals. Latencies are long (10 s) so the signal lands mid-task even on a loaded machine; the run
itself is cut short.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import strategies
from bench.harness.interrupts import SAME_INTERRUPT_S
from bench.results.loader import load
from tests.conftest import optional
from tests.early import interpreter_took_it, signalled


def _start(tmp_path: Path, strategy: str, *extra: str) -> subprocess.Popen[str]:
    argv = _argv(tmp_path, strategy, *extra)
    # A session of its own, so a signal can go to the whole group, as a terminal sends Ctrl-C.
    return subprocess.Popen(
        argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True
    )


def _argv(tmp_path: Path, strategy: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench",
        "run",
        "--strategies",
        strategy,
        "--tasks",
        "6",
        "--workers",
        "2",
        "--latency",
        "10",
        "-v",
        "--out",
        str(tmp_path),
        *extra,
    ]


# A terminal's Ctrl-C goes to the whole foreground group, wrapper included, and the wrapper passes
# its own copy on: `timeout --foreground` once more, `timeout` to the child and then the group.
# (bash waits for its child and then goes on; dash, signalled itself, would die at once.)
WRAPPERS = {
    "timeout --foreground": ["timeout", "--foreground", "120"],
    "timeout": ["timeout", "120"],
    "a shell": ["bash", "-c", '"$@"; exit $?', "sh"],
}


@pytest.mark.parametrize("wrapper", list(WRAPPERS))
def test_one_ctrl_c_through_a_wrapper_is_one_interrupt(tmp_path: Path, wrapper: str) -> None:
    """Every copy of one Ctrl-C arrives within a few ms: the run is saved, reported, and ends
    130, never "interrupted again: exiting now" with everything lost."""
    argv = [*WRAPPERS[wrapper], *_argv(tmp_path, "sequential,threads")]
    with subprocess.Popen(
        argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True
    ) as proc:
        _wait_for_tasks(proc, 1)
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=90) == 130
        assert proc.stderr is not None
        err = proc.stderr.read()
    assert "exiting now" not in err, err
    assert "interrupted: what finished is saved" in err, err
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    assert run["status"] == "interrupted"
    assert (tmp_path / "report.html").exists() and (tmp_path / "tasks.csv").exists()


def _wait_for_tasks(proc: subprocess.Popen[str], count: int) -> None:
    assert proc.stderr is not None
    started = 0
    deadline = time.monotonic() + 60
    while started < count and time.monotonic() < deadline:
        line = proc.stderr.readline()
        assert line, "bench exited before its tasks started"
        started += "Starting to process" in line


def _family(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def _running(process: psutil.Process) -> bool:
    """A zombie has exited: it only waits for its (new) parent, often PID 1, to reap it."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _gone_within(processes: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    deadline = time.monotonic() + seconds
    alive = [p for p in processes if _running(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [p for p in alive if _running(p)]
    return alive


# gevent: the child ignores the group's SIGINT; the parent has its greenlets record themselves.
# trio: the interrupt cancels the run's cancel scope; each cancelled task records itself.
@pytest.mark.parametrize(
    "strategy",
    ["sequential", "asyncio", "threads", "processes", optional("gevent"), optional("trio")],
)
def test_ctrl_c_saves_partial_results_and_exits_130(tmp_path: Path, strategy: str) -> None:
    with _start(tmp_path, strategy) as proc:
        _wait_for_tasks(proc, 1 if strategy == "sequential" else 2)
        children = _family(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=90) == 130
        assert _gone_within(children, 2) == []
        run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
        assert run["status"] == "interrupted"
        statuses = [t["status"] for t in run["tasks"]]
        assert len(statuses) == 6
        assert statuses.count("cancelled") == (1 if strategy == "sequential" else 2)
        assert set(statuses) == {"cancelled", "not_run"}


@pytest.mark.parametrize("strategy", ["asyncio", "asyncio-workers"])
def test_ctrl_c_reaches_a_loop_held_by_a_blocking_call(tmp_path: Path, strategy: str) -> None:
    """An interrupt cancels a loop's run (it does not raise inside the loop's machinery); when a
    blocking call holds the loop and the cancel cannot run, it is raised in that call instead."""
    hang = ["--io", "blocking", "--fail-mode", "hang", "--fail-rate", "1", "--run-timeout", "300"]
    with _start(tmp_path, strategy, *hang) as proc:
        _wait_for_tasks(proc, 1)
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=60) == 130  # generous: escalation comes after 1 s
        run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
        assert run["status"] == "interrupted"
        statuses = [t["status"] for t in run["tasks"]]
        assert statuses.count("cancelled") == 1  # the one call holding the loop
        assert set(statuses) == {"cancelled", "not_run"}


def _started_with(how: str, tmp_path: Path) -> subprocess.Popen[str]:
    """A run started as a parent left SIGINT: ignored (a background job of a script; over HTTP
    the mock server in the same group must ignore it too), or blocked (a mask inherited from the
    thread that forked)."""
    if how.startswith("ignored"):  # the run goes on to the end: short tasks
        io = ["--io", "http"] if how == "ignored-http" else []
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            return _start(tmp_path, "asyncio", "--latency", "0.5", *io)
        finally:
            signal.signal(signal.SIGINT, previous)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return _start(tmp_path, "asyncio")  # 10 s tasks: the signal lands mid-run however slow
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


@pytest.mark.parametrize(("how", "code"), [("ignored", 0), ("ignored-http", 0), ("blocked", 130)])
def test_a_sigint_the_parent_ignored_stays_ignored_and_a_blocked_one_is_taken(
    tmp_path: Path, how: str, code: int
) -> None:
    with _started_with(how, tmp_path) as proc:
        _wait_for_tasks(proc, 1)
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=60) == code
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    assert run["status"] == ("completed" if code == 0 else "interrupted")
    if code == 0:
        assert {t["status"] for t in run["tasks"]} == {"ok"}  # the server went on serving


def test_sigterm_takes_the_same_path_with_143(tmp_path: Path) -> None:
    with _start(tmp_path, "threads") as proc:
        _wait_for_tasks(proc, 2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=90) == 143
        run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
        assert run["status"] == "interrupted"


def test_a_second_ctrl_c_exits_at_once_leaving_a_valid_file(tmp_path: Path) -> None:
    with _start(tmp_path, "asyncio,threads") as proc:
        _wait_for_tasks(proc, 2)
        os.killpg(proc.pid, signal.SIGINT)
        # Past the window in which a second SIGINT is a copy of the first (one-sided: later is
        # still a person insisting).
        time.sleep(SAME_INTERRUPT_S + 0.1)
        os.killpg(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=30)
        assert code in (130, -signal.SIGINT)
        path = tmp_path / "results.json"
        if path.exists():  # the first Ctrl-C may or may not have got as far as writing
            json.loads(path.read_text())
        assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["processes"], "worker"),
        (["asyncio", "--io", "http"], "serve"),
        pytest.param(["gevent"], "geventworker", marks=optional("gevent").marks),
    ],
    ids=["process-pool-workers", "mock-server", "gevent-child"],
)
def test_nothing_outlives_a_killed_parent(tmp_path: Path, args: list[str], expected: str) -> None:
    with _start(tmp_path, *args) as proc:
        _wait_for_tasks(proc, 2)
        children = _family(proc.pid)
        if expected == "worker":
            assert len(children) >= 2  # the fork server and the workers
        else:
            assert any(expected in " ".join(p.cmdline()) for p in children)
        proc.kill()
        proc.wait(timeout=10)
        # Workers and the server poll for the harness every 0.25 s; the fork server and the
        # gevent child exit on EOF.
        assert _gone_within(children, 3) == []


def test_ctrl_c_during_an_http_run_stops_the_server(tmp_path: Path) -> None:
    with _start(tmp_path, "threads", "--io", "http") as proc:
        _wait_for_tasks(proc, 2)
        children = _family(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=90) == 130
        assert _gone_within(children, 2) == []
        run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
        assert run["status"] == "interrupted"


def test_a_supervisor_repeating_sigterm_still_gets_the_results(tmp_path: Path) -> None:
    """coreutils `timeout` sends TERM to the process and then to its group: the second TERM is
    not a person insisting, so the graceful path goes on and the results are saved."""
    with _start(tmp_path, "asyncio,threads") as proc:
        _wait_for_tasks(proc, 2)
        proc.send_signal(signal.SIGTERM)
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=90) == 143
        run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
        assert run["status"] == "interrupted"
        assert (tmp_path / "report.html").exists()


def _wait_for_children(proc: subprocess.Popen[str], count: int) -> list[psutil.Process]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = _family(proc.pid)
        if len(children) >= count or proc.poll() is not None:
            return children
        time.sleep(0.005)
    return _family(proc.pid)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupt_during_pool_start_up_is_one_line_and_leaves_nothing(
    tmp_path: Path, signum: signal.Signals
) -> None:
    # spawn: each of 8 workers starts a fresh interpreter: start-up takes a second or two.
    with _start(tmp_path, "processes", "--start-method", "spawn", "--workers", "8") as proc:
        children = _wait_for_children(proc, 3)  # the resource tracker and the first workers
        os.killpg(proc.pid, signum)
        code = proc.wait(timeout=60)
        assert proc.stderr is not None
        err = proc.stderr.read()
        assert code == 128 + signum, err
        assert "Traceback" not in err, err
        assert _gone_within(children + _family_safe(proc.pid), 3) == []
        runs = json.loads((tmp_path / "results.json").read_text())["runs"]
        assert runs[0]["status"] == "interrupted"
        assert runs[0]["reason"] == "interrupted during start-up", runs[0]["reason"]
        assert {t["status"] for t in runs[0]["tasks"]} == {"not_run"}


def _family_safe(pid: int) -> list[psutil.Process]:
    try:
        return _family(pid)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.parametrize("twice", [False, True], ids=["once", "twice"])
@pytest.mark.parametrize("delay", [0.0, 0.02, 0.05, 0.1, 0.15, 0.3])
def test_ctrl_c_while_starting_up_is_one_line(tmp_path: Path, delay: float, twice: bool) -> None:
    """The first few hundred ms are imports: an interrupt there is as quiet as any other. Seen in
    CI before start-up held signals: one inside importlib's callbacks ("Exception ignored", a
    traceback), and a copy of it inside the "interrupted" line's own write (death by SIGINT)."""
    argv = [sys.executable, "-m", "bench", "run", "--out", str(tmp_path)]
    code, err = signalled(argv, signal.SIGINT, delay, 2 if twice else 1, 60, tmp_path)
    # Early on (at 0 ms, or later on a loaded machine) the signal may land in the interpreter's
    # own start-up; from our first line on, it is one line.
    if interpreter_took_it(code, err, signal.SIGINT):
        return
    assert code == 130, err
    assert "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("bench: error: interrupted"), err


def test_two_runs_into_one_folder_the_second_is_refused(tmp_path: Path) -> None:
    with _start(tmp_path, "asyncio") as first:
        _wait_for_tasks(first, 2)
        second = subprocess.run(
            [sys.executable, "-m", "bench", "run", "--force", "--out", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 4, second.stderr
        assert "another bench command is writing to" in second.stderr
        assert second.stderr.count("\n") == 1
        os.killpg(first.pid, signal.SIGINT)
        assert first.wait(timeout=30) == 130
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    assert run["strategy"] == "asyncio"  # the first run's file, untouched by the second


@pytest.mark.skipif(not strategies.available("dask"), reason="the dask extra is not installed")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_dask_interrupted_records_its_running_tasks_as_cancelled(
    tmp_path: Path, signum: signal.Signals
) -> None:
    with _start(tmp_path, "dask") as proc:
        _wait_for_tasks(proc, 2)
        os.killpg(proc.pid, signum)  # the group, as a terminal or `timeout` sends it
        assert proc.wait(timeout=60) == 128 + signum
        assert proc.stderr is not None
        err = proc.stderr.read()
        assert "ERROR" not in err and "Traceback" not in err, err
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    statuses = [t["status"] for t in run["tasks"]]
    assert run["status"] == "interrupted"
    assert statuses.count("cancelled") == 2, statuses  # the two running when Ctrl-C came
    assert set(statuses) == {"cancelled", "not_run"}


def _started_workers(proc: subprocess.Popen[str], match: str) -> list[psutil.Process]:
    _wait_for_tasks(proc, 2)
    family = _family(proc.pid)
    return [p for p in family if match in " ".join(p.cmdline())]


def test_a_killed_fork_server_is_named_not_exit_code_255(tmp_path: Path) -> None:
    with _start(tmp_path, "processes") as proc:
        server = _started_workers(proc, "multiprocessing.forkserver")[0]
        server.kill()
        assert proc.wait(timeout=60) == 5
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    assert run["reason"].startswith("the fork server died"), run["reason"]
    errors = [t["error"] for t in run["tasks"] if t["status"] == "error"]
    assert errors and all("fork server died" in e for e in errors)


def test_a_worker_killed_by_sigterm_is_named(tmp_path: Path) -> None:
    with _start(tmp_path, "processes") as proc:
        server = _started_workers(proc, "multiprocessing.forkserver")[0]
        victim = server.children()[0]
        victim.terminate()
        assert proc.wait(timeout=60) == 5
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    assert f"worker pid {victim.pid} was killed by SIGTERM" in run["reason"]
    assert any(t["status"] == "error" and "killed by SIGTERM" in t["error"] for t in run["tasks"])


@pytest.mark.skipif(not strategies.available("dask"), reason="the dask extra is not installed")
def test_a_dask_worker_killed_is_named(tmp_path: Path) -> None:
    """Dask's nanny starts a new worker and the scheduler runs the lost task again: the run
    completes, and says which worker died and how. (SIGKILL, as the OOM killer sends it: the
    workers ignore SIGINT and SIGTERM, which are the harness's to act on.)"""
    argv = [
        sys.executable,
        "-m",
        "bench",
        "run",
        "--strategies",
        "dask",
        "--tasks",
        "4",
        "--workers",
        "2",
        "--latency",
        "1",
        "-v",
        "--out",
        str(tmp_path),
    ]
    proc = subprocess.Popen(
        argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True
    )
    with proc:
        victim = _started_workers(proc, "spawn_main")[0]
        victim.kill()
        assert proc.wait(timeout=120) == 0
        assert proc.stderr is not None
        err = proc.stderr.read()
    assert f"worker pid {victim.pid} was killed by SIGKILL" in err
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    assert run["details"]["worker_deaths"] == [f"worker pid {victim.pid} was killed by SIGKILL"]
    assert [t["status"] for t in run["tasks"]] == ["ok"] * 4


FINALIZER_SCRIPT = """
import os, signal, threading, time
from bench.harness import interrupts

interrupts.install()


class Slow:
    def __del__(self):
        time.sleep(0.5)  # the interrupt arrives in here, where it cannot propagate


threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT)).start()
try:
    item = Slow()
    del item
    time.sleep(5)
    print("lost")
except KeyboardInterrupt:
    print("delivered")
"""


def test_an_interrupt_inside_a_finalizer_is_delivered_again() -> None:
    """Python drops an exception raised in a finalizer ("Exception ignored"); the garbage
    collector runs them anywhere (matplotlib's weakref callbacks did, while reports rendered)."""
    proc = subprocess.run(
        [sys.executable, "-c", FINALIZER_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.stdout.strip() == "delivered", proc.stderr
    assert "Exception ignored" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.skipif(not strategies.available("dask"), reason="the dask extra is not installed")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupt_while_dask_starts_is_one_line(tmp_path: Path, signum: signal.Signals) -> None:
    """Its workers start with the signals blocked (the resource tracker unblocked them before),
    and the parent takes the interrupt once the cluster is up: no worker traceback, no
    half-imported numpy breaking the reports."""
    with _start(tmp_path, "dask") as proc:
        _wait_for_children(proc, 2)  # the resource tracker and the first worker
        os.killpg(proc.pid, signum)
        code = proc.wait(timeout=120)
        assert proc.stderr is not None
        err = proc.stderr.read()
    assert code == 128 + signum, err
    assert "Traceback" not in err and "Exception" not in err and "ERROR" not in err, err
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    assert run["status"] == "interrupted"
    assert (tmp_path / "report.html").exists()


@pytest.mark.parametrize("strategy", ["asyncio", optional("gevent"), optional("trio")])
def test_ctrl_c_keeps_the_tasks_that_finished(tmp_path: Path, strategy: str) -> None:
    """Half the tasks hang (until a deadline far away), the rest take 50 ms: once one has been
    logged complete, Ctrl-C. Every task logged complete is `ok` in the file, those running are
    `cancelled`, and nothing else ran."""
    hang = ["--fail-mode", "hang", "--fail-rate", "0.5", "--task-timeout", "300"]
    with _start(tmp_path, strategy, "--tasks", "8", "--latency", "0.05", *hang) as proc:
        assert proc.stderr is not None
        seen: list[str] = []
        while not any("Completed" in line for line in seen):
            line = proc.stderr.readline()
            assert line, "bench exited before a task completed"
            seen.append(line)
        os.killpg(proc.pid, signal.SIGINT)
        seen += proc.stderr.readlines()
        assert proc.wait(timeout=90) == 130
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    assert run["status"] == "interrupted"
    statuses = [t["status"] for t in run["tasks"]]
    assert statuses.count("ok") == sum("Completed" in line for line in seen) >= 1
    # Every task that started and did not end was running at the interrupt: `cancelled` (none
    # if the signal fell between one task's end and the next one's start).
    started = sum("Starting to process" in line for line in seen)
    ended = sum("Completed" in line or "Failed" in line for line in seen)
    assert statuses.count("cancelled") == started - ended <= 2
    assert set(statuses) <= {"ok", "cancelled", "not_run"}


@pytest.mark.skipif(not strategies.available("gevent"), reason="the gevent extra is not installed")
def test_a_killed_gevent_child_names_the_signal_and_its_tasks_in_flight(tmp_path: Path) -> None:
    """The two tasks running when the child died once read `not_run`, as if never started. A
    process pool records a task whose worker process was killed as an `error` naming the signal,
    and `cancelled` only the tasks the harness then stopped in the workers that survived. Every
    greenlet lives in the one gevent process: each task in flight was in the process the signal
    killed, so each is an `error` naming it; none is `cancelled` (nothing survived for the
    harness to stop), and the tasks never started are `not_run`."""
    with _start(tmp_path, "gevent") as proc:
        child = _started_workers(proc, "geventworker")[0]
        child.kill()
        assert proc.wait(timeout=60) == 5
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    how = f"the gevent process (pid {child.pid}) was killed by SIGKILL"
    assert run["status"] == "aborted" and run["reason"] == how
    statuses = [t["status"] for t in run["tasks"]]
    assert statuses == ["error", "error", "not_run", "not_run", "not_run", "not_run"], statuses
    died = run["tasks"][:2]
    assert {t["error"] for t in died} == {f"{how} while this task ran"}
    assert {t["task_name"] for t in died} == {"Greenlet-0", "Greenlet-1"}
    assert all(t["pid"] == child.pid and t["started_at"] is not None for t in died), died


def test_a_killed_resource_tracker_costs_nothing(tmp_path: Path) -> None:
    """multiprocessing starts a new tracker, which knew none of the pool's semaphores: each one
    unregistered later printed a KeyError traceback from it. They are handed over now."""
    with _start(tmp_path, "processes", "--latency", "0.5") as proc:
        _wait_for_tasks(proc, 2)
        tracker = [p for p in _family(proc.pid) if "resource_tracker" in " ".join(p.cmdline())]
        assert tracker, "no resource tracker to kill"
        tracker[0].kill()
        assert proc.wait(timeout=60) == 0
        assert proc.stderr is not None
        err = proc.stderr.read()
    assert "Traceback" not in err and "KeyError" not in err and "leak" not in err, err
    run = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    assert [t["status"] for t in run["tasks"]] == ["ok"] * 6


PATIENT_SCRIPT = """
import os, signal, threading, time
from bench.harness import interrupts

interrupts.install()
threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGTERM)).start()
began = time.monotonic()
try:
    with interrupts.patient(0.3):
        with interrupts.deferred():  # a block inside: the interrupt waits for its end
            time.sleep(0.5)
        time.sleep(30)  # a stage far longer than the patience
    print("lost")
except interrupts.Terminated:
    print(f"ended {time.monotonic() - began:.1f}")
"""


def test_a_patient_block_holds_an_interrupt_only_so_long() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PATIENT_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.stdout.startswith("ended "), proc.stderr
    # Not before the inner block's end (0.5 s); well before the 30 s stage ends (one-sided).
    assert 0.5 <= float(proc.stdout.split()[1]) < 20


def test_sigterm_ends_a_large_runs_reports_within_seconds(tmp_path: Path) -> None:
    """A run of 10,000+ tasks says which file it is writing; a SIGTERM meanwhile ends that
    stage within GRACE_S, keeping results.json (a million tasks' took 110 s to end)."""
    argv = [sys.executable, "-m", "bench", "run", "--strategies", "asyncio-workers"]
    argv += ["--tasks", "10000", "--latency", "0", "--workers", "100", "--out", str(tmp_path)]
    with subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("writing report.html (10,000 tasks;"):
                break
        else:
            raise AssertionError("no stage line for the report")
        proc.send_signal(signal.SIGTERM)
        began = time.monotonic()
        code = proc.wait(timeout=90)
        took = time.monotonic() - began
        err = proc.stderr.read()
    assert code == 143, err
    assert took < 30, took  # GRACE_S is 3 s; generous for a loaded machine, one-sided
    last = err.strip().splitlines()[-1]
    assert last.startswith("bench: error: terminated while writing "), err
    assert last.endswith(
        f"{tmp_path / 'results.json'} is saved (`bench report {tmp_path}` writes the rest)"
    )
    saved = json.loads((tmp_path / "results.json").read_text())  # 10,000 tasks: tasks.parquet
    assert saved["runs"][0]["tasks_count"] == 10000 and saved["tasks_file"] == "tasks.parquet"
    assert len(load(tmp_path / "results.json").runs[0].tasks) == 10000
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_interrupt_after_the_command_ended_is_ignored_not_fatal() -> None:
    """Python puts the default handlers back while it finalizes: a Ctrl-C in those last ms killed
    a finished `bench demo` by SIGINT (exit -2, nothing printed). An ignored signal stays so."""
    script = (
        "import os, signal\n"
        "from bench.harness import interrupts\n"
        "interrupts.install()\n"
        "interrupts.leaving()\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "raise SystemExit(3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 3 and done.stderr == ""
