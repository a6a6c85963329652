"""`bench advise`: how many workers for an API, from one command.

It is a sweep (so everything a sweep records and reports, and `bench report` re-renders it) over
the worker counts the question needs, against the mock API with the user's quota and latencies,
followed by the advice computed from the saved runs (bench.analysis.capacity). With `--workers
auto` the counts bracket Little's law's answer (quota x mean latency): from an eighth of it to
four times it, so the curve shows the rise, the ceiling and what lies beyond.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from bench.cli.endpoint import DEFAULT_RATE
from bench.cli.exits import EXIT_ABORTED, EXIT_OK
from bench.cli.httpflags import http_quota
from bench.cli.numbers import parse_float, parse_int, parse_list
from bench.cli.plan import MAX_TASKS, scenario_from
from bench.errors import UsageError
from bench.mockapi.quota import Quota

Sweep = Callable[[argparse.Namespace, dict[str, object]], tuple[int, Path]]
MAX_AUTO_WORKERS: Final = 1024
MAX_AUTO_TASKS: Final = 5000
MAX_JOB_TASKS: Final = 10**12
# Seconds of the quota's rate each point runs for: at 1.5 s, 30 tasks at 20/s, two runs of the
# same plan differed by up to 5% in throughput here, the advice's own tolerance.
QUOTA_SECONDS: Final = 3.0


def add_parser(
    sub: Any, handler: Callable[[argparse.Namespace], int], run_flags: Callable[[Any], None]
) -> None:
    advise = sub.add_parser(
        "advise",
        help="how many workers for an API: the sweep it needs and the answer",
        usage="%(prog)s [options]",
        description="Sweep worker counts against the mock API (with your quota and "
        "latencies) and answer: the fewest workers within 5% of the best throughput, the "
        "ceiling and the limit that sets it (the quota, Little's law, the CPUs), how long "
        "the whole job takes, and what more workers cost. --workers auto brackets Little's "
        "law's answer; --tasks auto measures enough tasks for the quota to show.",
        epilog="examples:\n  bench advise --http-quota 20/s --latency 0.1 --job-tasks 10000\n"
        "  bench advise --http-quota 600/min,burst=10 --latency-from latencies.csv",
    )
    run_flags(advise)
    _narrow(advise)
    advise.add_argument_group("advice").add_argument(
        "--job-tasks",
        metavar="N",
        help="tasks in your whole job, for its expected duration (default: --tasks)",
    )
    advise.set_defaults(handler=handler, io="http", workers="auto", tasks="auto", latency="0.1")


# A sweep's flags take lists; advise measures one plan, over worker counts it may choose itself,
# and only the HTTP collector: its help says so (a value it would refuse is not offered).
_ONE_PLAN: Final = {
    "workers": (
        "N,...|auto",
        "comma-separated worker counts, or auto: a ladder around Little's "
        "law's answer (default auto)",
    ),
    "tasks": ("N|auto", "tasks in each run, or auto: enough for the quota to show (default auto)"),
    "latency": ("SECONDS", "mean latency per request (default 0.1)"),
}


def _narrow(advise: argparse.ArgumentParser) -> None:
    for action in advise._actions:
        if action.dest in _ONE_PLAN:
            action.metavar, action.help = _ONE_PLAN[action.dest]
        elif action.dest == "io":
            action.help = argparse.SUPPRESS  # always http (refused otherwise, one line)


def auto_workers(quota: Quota | None, latency_s: float) -> list[int]:
    """Powers of two around Little's law's answer, and the answer itself."""
    if quota is None or latency_s <= 0:
        return [1, 2, 4, 8, 16, 32, 64]
    need = quota.rate_per_s * latency_s
    low = max(1, math.floor(need / 8))
    top = min(MAX_AUTO_WORKERS, max(8, 4 * math.ceil(need)))
    # The answer rounded both ways, and half again: each request takes longer than the planned
    # latency (the client, the loop, the socket), so the real answer is a little above it.
    ladder = {low, top, max(1, math.floor(need)), min(top, math.ceil(need))}
    ladder.add(min(top, math.ceil(need * 1.5)))
    ladder |= {2**k for k in range(11) if low <= 2**k <= top}
    return sorted(ladder)


def auto_tasks(quota: Quota | None, workers: list[int]) -> int:
    """Enough tasks that every point runs several waves, and the quota outlasts its burst."""
    tasks = max(30, 2 * max(workers))
    if quota is not None:
        tasks = max(tasks, 4 * quota.burst, math.ceil(QUOTA_SECONDS * quota.rate_per_s))
    return min(tasks, MAX_AUTO_TASKS)


def _one(flag: str, text: str) -> str:
    values = parse_list(flag, text)
    if len(values) > 1:
        raise UsageError(f"{flag}: bench advise measures one plan; give one value (got {text!r})")
    return values[0]


def plan_args(args: argparse.Namespace) -> tuple[argparse.Namespace, int | None]:
    """The sweep's arguments with `auto` resolved, and the job's size. On your own endpoint
    (--base-url) the ladder brackets --max-rate x --latency (your guess of its latency)."""
    quota = http_quota(args.http_quota)
    if args.base_url is not None and quota is None:
        rate = parse_float("--max-rate", args.max_rate or DEFAULT_RATE, 0.0, above=True)
        quota = Quota(rate)
    if args.io != "http":
        raise UsageError("bench advise measures the HTTP collector: leave --io out")
    latency = _one("--latency", args.latency)
    parse_float("--latency", latency, 0.0)
    probe = argparse.Namespace(**{**vars(args), "tasks": "1", "latency": latency})
    model = scenario_from(probe).latency
    mean = model.mean_s * model.scale
    ladder = (
        ",".join(map(str, auto_workers(quota, mean))) if args.workers == "auto" else args.workers
    )
    tasks = _one("--tasks", args.tasks)
    if tasks == "auto":
        counts = [int(w) for w in parse_list("--workers", ladder) if w.isdigit()]
        tasks = str(auto_tasks(quota, counts or [1]))
    parse_int("--tasks", tasks, 1, MAX_TASKS)
    job = None
    if args.job_tasks is not None:
        job = parse_int("--job-tasks", args.job_tasks, 1, MAX_JOB_TASKS)
    values = {"workers": ladder, "tasks": tasks, "latency": latency}
    return argparse.Namespace(**{**vars(args), **values}), job


def cmd_advise(args: argparse.Namespace, sweep: Sweep) -> int:
    from bench.analysis.capacity import advise_results
    from bench.cli.commands import load_path
    from reports.advice import advice_lines, advice_table

    swept, job = plan_args(args)
    code, folder = sweep(swept, {"advise": {"job_tasks": job}})
    # An aborted run leaves the others' points (the advice reads completed runs only); an
    # interrupted session is cut short where it stood: no advice from half a curve.
    if code not in (EXIT_OK, EXIT_ABORTED) or not (folder / "results.json").exists():
        return code
    advice = advise_results(load_path(folder))
    if not advice:
        print("no completed runs: no advice", file=sys.stderr)
        return code
    for one in advice:
        print()
        print(advice_table(one))
        for line in advice_lines(one):
            print(line)
    return code
