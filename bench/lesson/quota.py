"""Chapter 10: Little's law on the mock API, then the quota that caps it.

A small sweep of asyncio workers against the mock HTTP API with a provider's quota (a token
bucket: a rate a second, a burst at once; beyond it 429 with Retry-After, which the collector
honours and retries). Each run's wall is predicted two ways, and the longer one is the
prediction: Little's law (throughput = workers / latency: waves of `workers` tasks, a latency
each) and the quota's pace (`burst` admitted at once, then one per 1/rate, the last answered a
latency later). Below the quota Little's law sets the pace and nothing is refused; from its answer
on (rate x latency workers) the quota does, and more workers only add 429s.

The verdict is computed from the runs with the other timing chapters' slack (10% + 20 ms of
each wall); the machine's part is the precondition: tasks answered at their first request ended
on time, and where the quota set the pace the client kept asking (a pause between admissions
longer than the bucket takes to fill loses tokens: the machine was late, not the quota).

The mock server is handed in (Lesson.serve: its process is the CLI's to start).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Final

from bench.analysis.capacity import refusals
from bench.collectors.http import HttpCollector
from bench.harness.execution import StrategyOptions
from bench.harness.runner import run_strategy
from bench.lesson.logs import Block
from bench.lesson.preconditions import LATE_NOISE_S, LATE_SHARE, Precondition
from bench.lesson.texts import QUOTA_BURST, QUOTA_SWEEP, quota_plan
from bench.lesson.verdicts import NOISE_S, Verdict
from bench.model import RunRecord, TaskRecord

if TYPE_CHECKING:
    from bench.lesson.chapters import Chapter, Lesson

# (the quota's rate a second, its burst) -> a context holding the mock API's base URL
Serve = Callable[[float, int], AbstractContextManager[str]]

TOLERANCE: Final = 0.1  # of each wall, plus verdicts.NOISE_S: the timing chapters' slack
# Requests a task may make: enough that every task gets through (16 workers on a 2-token bucket
# asked up to 23 times here); the lesson is the 429s, not tasks failing after the default 4.
ATTEMPTS: Final = 100
CLAIM: Final = (
    "throughput = workers / latency (Little's law) until the quota caps it; beyond it, more "
    "workers only add 429s"
)


def pace_s(tasks: int, workers: int, latency_s: float, rate: float, burst: int) -> float:
    """The predicted wall: Little's law's (waves of `workers` tasks, one latency each) or the
    quota's pace (`burst` at once, then one per 1/rate, the last answered a latency later),
    whichever is longer."""
    little = math.ceil(tasks / workers) * latency_s
    return max(little, max(tasks - burst, 0) / rate + latency_s)


def _latency_s(run: RunRecord) -> float:
    return sum(t.latency_ns for t in run.tasks) / max(len(run.tasks), 1) / 1e9


def _little(run: RunRecord) -> float:
    """Little's law's throughput for the run: workers / latency."""
    latency = _latency_s(run)
    return run.workers / latency if latency > 0 else math.inf


def _pace(run: RunRecord, rate: float, burst: int) -> float:
    return pace_s(len(run.tasks), run.workers, _latency_s(run), rate, burst)


def _predicted(run: RunRecord, rate: float, burst: int) -> float:
    """The predicted throughput: the run's tasks over its predicted wall."""
    pace = _pace(run, rate, burst)
    return len(run.tasks) / pace if pace > 0 else math.inf


def quota_paced(run: RunRecord, rate: float, burst: int) -> bool:
    """Whether the quota, not Little's law, sets the run's predicted wall."""
    latency = _latency_s(run)
    little = math.ceil(len(run.tasks) / run.workers) * latency
    return _pace(run, rate, burst) > little


def throughput(run: RunRecord) -> float:
    """Tasks that succeeded a second of the wall (first request to last answer): for whole
    waves of one latency, Little's law's workers / latency exactly."""
    ok = sum(t.status == "ok" for t in run.tasks)
    return ok / (run.wall_ns / 1e9) if run.wall_ns else 0.0


def _late_s(runs: Sequence[RunRecord]) -> tuple[float, float]:
    """How far past its latency the latest task answered at its first request ended, and the
    slack allowed (10% of the latency + 20 ms, as preconditions.on_time)."""
    first = [t for r in runs for t in r.tasks if t.ran and t.attempts <= 1 and t.status == "ok"]
    late = max(
        ((t.finished_ns or 0) - (t.started_ns or 0) - t.latency_ns for t in first), default=0
    )
    latency = min((t.latency_ns for r in runs for t in r.tasks), default=0) / 1e9
    return late / 1e9, LATE_SHARE * latency + LATE_NOISE_S


def _let_in(task: TaskRecord) -> int:
    """When the quota admitted a task that succeeded: the mock answers an admitted request one
    latency after admitting it, so its end minus its latency."""
    return (task.finished_ns or 0) - task.latency_ns


def _pause_s(run: RunRecord) -> float:
    """The longest pause between admissions while a refused task waited for one (from its first
    request to its admission, all through the pause)."""
    ok = [t for t in run.tasks if t.ran and t.status == "ok"]
    waiting = [((t.started_ns or 0), _let_in(t)) for t in ok if t.attempts > 1]
    pauses = [
        b - a
        for a, b in itertools.pairwise(sorted(map(_let_in, ok)))
        if any(start <= a and b <= end for start, end in waiting)
    ]
    return max(pauses, default=0) / 1e9


def kept_pace(runs: Sequence[RunRecord], rate: float, burst: int) -> Precondition:
    """The machine's part: tasks answered at their first request ended on time, and no pause
    between admissions while a refused task waited was longer than the bucket takes to fill
    (`burst` / rate) + 20 ms. The quota tells a refused task when its next token comes: only a
    client late to ask again (this machine) leaves tokens unused while tasks wait. A quota that
    refuses nothing leaves no task waiting, so this never excuses one not enforced."""
    late, limit = _late_s(runs)
    pause = max((_pause_s(r) for r in runs), default=0.0)
    fill = burst / rate
    return Precondition(
        late <= limit and pause <= fill + LATE_NOISE_S,
        f"tasks answered at their first request ended at most {late * 1e3:.0f} ms past their "
        f"latency (limit {limit * 1e3:.0f} ms); while refused tasks waited, at most "
        f"{pause * 1e3:.0f} ms between admissions (limit {(fill + LATE_NOISE_S) * 1e3:.0f} ms: "
        f"the {burst}-request bucket fills in {fill * 1e3:.0f} ms)",
    )


def _counts(runs: Sequence[RunRecord], value: Callable[[RunRecord], str]) -> str:
    return ", ".join(value(r) for r in runs)


def _once(runs: Sequence[RunRecord], value: Callable[[RunRecord], str]) -> str:
    """The runs' values, said once where they are all the same (the same job's prediction)."""
    values = [value(r) for r in runs]
    return values[0] if len(set(values)) == 1 else ", ".join(values)


def little_then_quota(runs: Sequence[RunRecord], rate: float, burst: int) -> Verdict:
    """Confirmed when every wall is within 10% + 20 ms of its prediction, no 429 came where
    Little's law set the pace, where the quota did the 429s rose with every count, and no task
    failed (more workers add only 429s)."""
    little = [r for r in runs if not quota_paced(r, rate, burst)]
    capped = [r for r in runs if quota_paced(r, rate, burst)]
    off = [
        f"{r.workers} workers {r.wall_ns / 1e9:.2f} s (predicted {_pace(r, rate, burst):.2f} s)"
        for r in runs
        if abs(r.wall_ns / 1e9 - _pace(r, rate, burst))
        > TOLERANCE * _pace(r, rate, burst) + NOISE_S
    ]
    early = [f"{r.workers} workers: {refusals(r)}" for r in little if refusals(r)]
    failed = [f"{r.workers} workers: {_failed(r)}" for r in runs if _failed(r)]
    refused = [refusals(r) for r in capped]
    rising = all(a < b for a, b in itertools.pairwise(refused))
    problems = [f"off the prediction: {'; '.join(off)}"] if off else []
    problems += [f"429s under the quota: {', '.join(early)}"] if early else []
    problems += [] if rising else [f"429s not rising with workers: {_counts(capped, _refused)}"]
    problems += [f"tasks failed: {', '.join(failed)}"] if failed else []
    ok = bool(little) and len(capped) >= 2 and not problems
    evidence = (
        f"{_counts(little, _workers)} workers: {_counts(little, _rate)} tasks/s, as Little's law "
        f"says ({_counts(little, lambda r: f'{_little(r):g}')}); "
        f"{_counts(capped, _workers)} workers: {_counts(capped, _rate)} tasks/s, the quota's pace "
        f"({_once(capped, lambda r: f'{_predicted(r, rate, burst):.1f}')}; Little's "
        f"law alone: {_counts(capped, lambda r: f'{_little(r):g}')}); 429s "
        f"{_counts(little, _refused)}, then {_counts(capped, _refused)}"
    )
    if problems:
        evidence += "; " + "; ".join(problems)
    return Verdict.judge(CLAIM, ok, evidence, kept_pace(runs, rate, burst))


def _workers(run: RunRecord) -> str:
    return str(run.workers)


def _rate(run: RunRecord) -> str:
    return f"{throughput(run):.1f}"


def _failed(run: RunRecord) -> int:
    return sum(t.status != "ok" for t in run.tasks)


def _refused(run: RunRecord) -> str:
    return str(refusals(run))


HEAD: Final = f"{'workers':>7}  {'tasks':>5}  {'wall':>6}  {'tasks/s':>7}  {'predicted':<23}  429s"


def table(runs: Sequence[RunRecord], rate: float, burst: int) -> tuple[str, ...]:
    """The sweep as lines: the measured throughput beside the prediction and the limit that
    sets it (with what Little's law alone would say, where the quota caps it)."""
    lines = [HEAD]
    for r in runs:
        predicted = _predicted(r, rate, burst)
        by = f"quota (Little {_little(r):g})" if quota_paced(r, rate, burst) else "Little's law"
        lines.append(
            f"{r.workers:>7}  {len(r.tasks):>5}  {r.wall_ns / 1e9:>4.2f} s  "
            f"{throughput(r):>7.1f}  {f'{predicted:.1f} {by}':<23}  {refusals(r):>4}"
        )
    return tuple(lines)


def _summary(latency: float, rate: float, burst: int) -> tuple[str, ...]:
    tasks = QUOTA_SWEEP[-1][1]
    paced = tasks / pace_s(tasks, QUOTA_SWEEP[-1][0], latency, rate, burst)
    return (
        f"Little's law: tasks/s = workers / latency ({latency:g} s); the quota: {rate:g} "
        f"requests a second, {burst} at once, so {rate * latency:g} workers (rate x latency) "
        "reach it",
        f"predicted: the lower of the two for the run's tasks ({tasks} tasks at the quota: "
        f"{burst} at once, then one every {1e3 / rate:g} ms, the last answered {latency:g} s "
        f"later: {paced:.1f}/s)",
    )


def measure(lesson: Lesson, ch: Chapter, lesson_latency_s: float) -> None:
    """The sweep against the mock API, its quota's rate and burst the chapter's (texts)."""
    latency, rate = quota_plan(lesson_latency_s * lesson.scale)
    if lesson.serve is None:
        ch.verdict = Verdict.judge(
            CLAIM,
            False,
            "nothing measured",
            Precondition(False, "a mock API to run against: the lesson was given none", False),
        )
        return
    runs = []
    with lesson.serve(rate, QUOTA_BURST) as url:
        for workers, tasks in QUOTA_SWEEP:
            plan = lesson.plan(tasks, lesson_latency_s / 2, "io")
            collector = HttpCollector(url, max_attempts=ATTEMPTS)
            options = StrategyOptions(workers, collector, watch_loop=False)
            runs.append(run_strategy(lesson.get("asyncio"), plan, options))
    ch.runs, ch.labels = runs, [f"asyncio, {r.workers} worker{'s' * (r.workers > 1)}" for r in runs]
    ch.verdict = little_then_quota(runs, rate, QUOTA_BURST)
    lines = table(runs, rate, QUOTA_BURST)
    heading = "the sweep (tasks/s: tasks that succeeded a second of the wall):"
    ch.blocks = [Block(heading, lines, _summary(latency, rate, QUOTA_BURST), keep=len(lines))]
