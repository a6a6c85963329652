"""Hand-built, deterministic results: the classic scenario as a perfect machine would record it."""

from __future__ import annotations

from dataclasses import replace

from bench.model import Phase, Results, RunRecord, TaskRecord, TaskStatus, Usage

S = 1_000_000_000
SYMBOLS = ("AAPL", "GOOGL", "MSFT", "AMZN", "TSLA", "META")


def _task(
    i: int,
    symbol: str,
    start: int,
    pid: int,
    tid: int,
    task_name: str | None = None,
    status: TaskStatus = "ok",
    error: str | None = None,
) -> TaskRecord:
    return TaskRecord(
        i,
        symbol,
        status,
        2 * S,
        0,
        start,
        start + 2 * S + 10_000_000,
        pid,
        tid,
        "MainThread",
        task_name,
        error,
    )


def sample_results(symbols: tuple[str, ...] = SYMBOLS) -> Results:
    n = len(symbols)
    seq = tuple(_task(i, s, i * (2 * S + 10_000_000), 100, 7) for i, s in enumerate(symbols))
    aio = tuple(_task(i, s, 1_000_000, 100, 7, f"Task-{i + 2}") for i, s in enumerate(symbols))
    step = 2 * S + 10_000_000
    thr = tuple(
        _task(i, s, 2_000_000 + i // 3 * step, 100, 20 + i % 3) for i, s in enumerate(symbols)
    )
    prc = tuple(
        _task(
            i,
            s,
            3_000_000 + i // 2 * step,
            200 + i % 2,
            9,
            status="error" if i == 1 else "ok",
            error="ValueError: boom" if i == 1 else None,
        )
        for i, s in enumerate(symbols)
    )
    runs = (
        RunRecord(
            "sequential",
            1,
            "completed",
            n * (2 * S + 10_000_000),
            0,
            seq,
            Usage(0.01, 0.0, 30 * 2**20, 12, 1),
        ),
        RunRecord(
            "asyncio",
            6,
            "completed",
            2 * S + 12_000_000,
            0,
            aio,
            Usage(0.02, 0.01, 31 * 2**20, 14, 2),
        ),
        RunRecord(
            "threads",
            3,
            "completed",
            4 * S + 25_000_000,
            1_200_000,
            thr,
            Usage(0.03, 0.01, 32 * 2**20, 30, 3),
        ),
        RunRecord(
            "processes",
            2,
            "completed",
            6 * S + 40_000_000,
            95_000_000,
            prc,
            Usage(0.02, 0.01, 33 * 2**20, 20, 2),
            Usage(0.05, 0.02, 80 * 2**20, 40, 5),
            {
                "start_method": "forkserver",
                "ipc_bytes_out_per_task": 310.0,
                "ipc_bytes_in_per_task": 190.0,
            },
        ),
    )
    config = {"workers": 6, "tasks": n, "latency_seconds": 2.0, "seed": 42}
    env = {"python": "3.11.7", "cpu_count": 2, "start_method": "forkserver"}
    return Results(env, config, runs, "2026-11-28T00:00:00+00:00")


def large_results(count: int, workers: int = 1000, latency_ns: int = 50_000_000) -> Results:
    """An asyncio run of `count` tasks as a perfect executor would record it (for size tests)."""
    tasks = tuple(
        TaskRecord(
            i,
            f"SYN{i:06d}",
            "ok",
            latency_ns,
            0,
            (i // workers) * latency_ns,
            (i // workers + 1) * latency_ns,
            100,
            7,
            "MainThread",
            f"Task-{i + 2}",
            None,
        )
        for i in range(count)
    )
    wall = -(-count // workers) * latency_ns
    run = RunRecord("asyncio", workers, "completed", wall, 0, tasks, Usage(1.0, 0.1, 200 * 2**20))
    return Results({"python": "3.11.7"}, {"tasks": count}, (run,), "2026-11-28T00:00:00+00:00")


# As long as a real machine's: the page must wrap these, never scroll sideways (issue 27).
LONG_ENVIRONMENT = {
    "python": "3.11.7",
    "implementation": "CPython",
    "platform": "Linux-6.18.44-fc-v1045-x86_64-with-glibc2.36-and-a-longer-vendor-kernel-suffix",
    "machine": "x86_64",
    "hostname": "ci-runner-7f3c2a9b1e4d-eu-west-1.compute.internal.example.org",
    "cpu_count": 2,
    "usable_cpus": 2,
    "gil_enabled": True,
    "free_threaded_build": False,
    "start_method": "forkserver",
    "clock": "clock_gettime(CLOCK_MONOTONIC) (resolution 1 ns)",
    "packages": {
        "concurrency-bench": "0.1.0",
        "aiohttp": "3.14.5",
        "rich": "15.0.0",
        "matplotlib": "3.10.8",
        "pandas": "2.3.3",
        "jinja2": "3.1.6",
    },
}


def _with(task: TaskRecord, **changes: object) -> TaskRecord:
    from dataclasses import replace

    return replace(task, **changes)  # type: ignore[arg-type]


def rich_results(rounds: int = 3) -> Results:
    """What a new user's richer run leaves: failures of every kind (one at once, with no width),
    a thread pool whose worker_5 took the first task, a blocked event loop, `rounds` rounds, and
    a real machine's long environment strings."""
    from dataclasses import replace

    base = sample_results()
    seq, aio, thr, prc = base.runs
    aio_tasks = list(aio.tasks)
    aio_tasks[2] = _with(
        aio_tasks[2],
        status="error",
        error="ValueError: at once",
        finished_ns=aio_tasks[2].started_ns,
    )
    aio_tasks[4] = _with(
        aio_tasks[4],
        status="timeout",
        error="timed out after 1 s",
        finished_ns=(aio_tasks[4].started_ns or 0) + S,
    )
    aio_tasks[5] = _with(aio_tasks[5], status="cancelled", error="CancelledError")
    names = [5, 0, 1, 4, 2, 3]  # first-task order, not worker order
    thr_tasks = tuple(
        _with(
            t,
            thread_id=140_423_186_274_048 + names[i],
            thread_name=f"bench-worker_{names[i]}",
            started_ns=2_000_000 + i * 1_000,
            finished_ns=2_000_000 + i * 1_000 + 2 * S,
        )
        for i, t in enumerate(thr.tasks)
    )
    runs = (
        seq,
        replace(
            aio,
            tasks=tuple(aio_tasks),
            details={"loop_blocked": 2, "loop_blocked_busy": 0, "loop_longest_block_seconds": 0.45},
        ),
        replace(thr, workers=6, tasks=thr_tasks, wall_ns=2 * S + 20_000_000),
        prc,
    )
    every = tuple(
        replace(r, round=n, wall_ns=r.wall_ns + n * 30_000_000) for n in range(rounds) for r in runs
    )
    config = {
        **base.config,
        "repeat": rounds,
        "strategies": [
            "sequential",
            "asyncio",
            "threads",
            "processes",
            "asyncio-uvloop",
            "asyncio+processes",
            "thread-per-task",
        ],
    }
    return Results(LONG_ENVIRONMENT, config, every, base.created)


def every_kind_of_field() -> Results:
    """rich_results with the optional fields too: phases, HTTP outcomes, an interpreter id."""
    results = rich_results(rounds=2)
    run = results.runs[1]
    tasks = list(run.tasks)
    first = tasks[0]
    assert first.started_ns is not None and first.finished_ns is not None
    tasks[0] = replace(
        first,
        phases=(Phase("io", first.started_ns, first.finished_ns, 11, 12),),
        attempts=3,
        http_status=200,
        retried=(429, 0),
        interpreter_id=2,
        cpu_ns=1_500,
    )
    return replace(
        results, runs=(results.runs[0], replace(run, tasks=tuple(tasks)), *results.runs[2:])
    )
