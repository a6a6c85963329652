"""The teaching demo: every claim of the "why do all my workers show the same thread id"
explanation, measured live, each with a verdict computed from the records (bench.verdicts).

The lesson only measures and describes; the CLI decides how to show it (live view or log lines)
and prints.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from bench.collectors.base import (
    BlockingSleepCollector,
    Collector,
    SleepCollector,
    ToThreadCollector,
)
from bench.harness.calibrate import with_cpu_estimates
from bench.harness.environment import gil_enabled, usable_cpus
from bench.harness.execution import Strategy, StrategyOptions
from bench.harness.runner import run_strategy
from bench.lesson import verdicts
from bench.lesson.verdicts import Verdict
from bench.model import RunRecord, TaskSpec
from bench.workload import LatencyModel, Scenario, symbols_for

LATENCY_S = 2.0

# (collector, seconds the run should take) -> a context to run it in (the CLI's live view)
ContextCollector = AbstractContextManager[Collector | None]
Display = Callable[[Collector | None, float], ContextCollector]


def no_display(
    collector: Collector | None, seconds: float
) -> AbstractContextManager[Collector | None]:
    del seconds  # nothing is drawn
    return nullcontext(collector)


@dataclass
class Chapter:
    number: int
    title: str
    explanation: str
    verdict: Verdict | None = None
    runs: list[RunRecord] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # the log's conclusions, always shown


StrategyGetter = Callable[[str], type[Strategy]]


@dataclass
class Lesson:
    scale: float
    get: StrategyGetter  # the registry lookup, handed in: the harness does not import strategies
    display: Display = no_display
    cache: dict[tuple[str, int, int, str], RunRecord] = field(default_factory=dict)

    def plan(self, count: int, latency_s: float, workload: str) -> tuple[TaskSpec, ...]:
        latency = LatencyModel("constant", latency_s, scale=self.scale)
        scenario = Scenario(symbols_for(count), latency, workload=workload, cpu_work=200_000)
        plan = scenario.plan()
        return with_cpu_estimates(plan, SleepCollector()) if workload != "io" else plan

    def measure(
        self,
        strategy: str,
        count: int,
        workers: int,
        io: str = "sleep",
        latency_s: float = LATENCY_S,
        workload: str = "io",
    ) -> RunRecord:
        key = (strategy, count, workers, f"{io}:{latency_s}:{workload}")
        if key not in self.cache:
            plan = self.plan(count, latency_s, workload)
            inner = {
                "sleep": SleepCollector,
                "blocking": BlockingSleepCollector,
                "to_thread": ToThreadCollector,
            }[io]()
            abilities = self.get(strategy).abilities
            # Tasks in another process cannot reach the live board: those runs show log lines.
            live_ok = not abilities.leaves_process
            width = abilities.fixed_workers or workers
            seconds = sum(t.latency_ns + t.cpu_ns for t in plan) / 1e9 / width
            with self.display(inner if live_ok else None, seconds) as shown:
                cores = usable_cpus() if workload != "io" else 0
                options = StrategyOptions(
                    workers, shown or inner, log=shown is None, cores=cores, watch_loop=False
                )
                self.cache[key] = run_strategy(self.get(strategy), plan, options)
        return self.cache[key]

    def offers(self, strategy: str) -> bool:
        """Whether the strategy can run here (an optional engine's extra may be missing)."""
        try:
            self.get(strategy)
        except LookupError:  # strategies.MissingExtra: the lesson goes on without it
            return False
        return True


def _classic_log(run: RunRecord, label: str) -> list[str]:
    """The log users know, rebuilt from the records in time order (times from the run's
    start): sequentially each "Completed" comes before the next "Starting"."""
    events = []
    for t in run.tasks:
        if t.started_ns is not None and t.finished_ns is not None:
            events.append((t.started_ns, 1, f"Starting collection for {t.symbol}"))
            events.append((t.finished_ns, 0, f"Completed collection for {t.symbol}"))
    lines = [f"+{at / 1e9:6.2f}s  {text}" for at, _, text in sorted(events)]
    lines.append(f"{label} processing took {run.wall_ns / 1e9:.2f} seconds")
    return lines


def _semaphore_log(run: RunRecord) -> list[str]:
    lines = []
    for t in sorted((t for t in run.tasks if t.ran), key=lambda t: t.started_ns or 0):
        wait = t.queue_wait_ns / 1e9
        if wait >= 0.001:
            lines.append(f"[{t.task_name}] Waiting for semaphore...")
            lines.append(f"[{t.task_name}] Acquired semaphore after {wait:.2f}s wait")
        lines.append(f"[{t.task_name}] Starting to process {t.symbol}")
    return lines


def _c1(lesson: Lesson, ch: Chapter) -> None:
    run = lesson.measure("asyncio", 6, 6)
    ch.runs, ch.verdict = [run], verdicts.one_thread(run)
    if lesson.offers("gevent"):
        # The same answer from another engine: greenlets share one OS thread too.
        greenlets = lesson.measure("gevent", 6, 6)
        ch.runs.append(greenlets)
        ch.log = ch.summary = [
            verdicts.like_asyncio(greenlets),
            "(its log lines show a Thread- id per greenlet: monkey-patched, "
            "threading.get_ident() returns the greenlet's id, not the OS thread's)",
        ]


def _c2(lesson: Lesson, ch: Chapter) -> None:
    run = lesson.measure("asyncio", 6, 6)
    ch.runs, ch.verdict = [run], verdicts.overlapping(run)


def _c3(lesson: Lesson, ch: Chapter) -> None:
    L, s = LATENCY_S, lesson.scale
    seq, par = lesson.measure("sequential", 6, 1), lesson.measure("asyncio", 6, 6)
    ch.runs, ch.verdict = [seq, par], verdicts.speedup(seq, par, L * s)
    ch.log = _classic_log(seq, "Sequential") + _classic_log(par, "Parallel")
    ch.summary = [line for line in ch.log if " processing took " in line]


def _c4(lesson: Lesson, ch: Chapter) -> None:
    L, s = LATENCY_S, lesson.scale
    tenth = Lesson(s * 0.1, lesson.get, lesson.display, lesson.cache)
    seq, par = tenth.measure("sequential", 10, 1), tenth.measure("asyncio", 10, 10)
    big = tenth.measure("asyncio", 100, 10)
    ch.runs, ch.verdict = [seq, par, big], verdicts.arithmetic(seq, par, big, L * s * 0.1)


def _c5(lesson: Lesson, ch: Chapter) -> None:
    run = lesson.measure("asyncio", 6, 2)
    ch.runs, ch.verdict = [run], verdicts.semaphore_queues(run)
    ch.log = _semaphore_log(run)


def _c6(lesson: Lesson, ch: Chapter) -> None:
    threads, procs = lesson.measure("threads", 6, 6), lesson.measure("processes", 6, 6)
    ch.runs, ch.verdict = (
        [threads, procs],
        verdicts.distinct_workers(threads, procs, os.getpid()),
    )


def _c7(lesson: Lesson, ch: Chapter) -> None:
    aio, threads = lesson.measure("asyncio", 6, 6), lesson.measure("threads", 6, 6)
    procs = lesson.measure("processes", 6, 6)
    ch.runs, ch.verdict = [aio, threads, procs], verdicts.io_costs(aio, threads, procs)


def _c8(lesson: Lesson, ch: Chapter) -> None:
    runs = [
        lesson.measure(name, 4, 1 if name == "sequential" else 4, workload="cpu")
        for name in ("sequential", "asyncio", "threads", "processes")
    ]
    seq, aio, threads, procs = runs
    ch.runs = runs
    ch.verdict = verdicts.cpu_bound(seq, aio, threads, procs, usable_cpus(), gil_enabled())


def _c9(lesson: Lesson, ch: Chapter) -> None:
    L = LATENCY_S
    blocked = lesson.measure("asyncio", 6, 6, io="blocking", latency_s=L / 4)
    fixed = lesson.measure("asyncio", 6, 6, io="to_thread", latency_s=L / 4)
    ch.runs, ch.verdict = [blocked, fixed], verdicts.blocking_call(blocked, fixed)


_MEASURES = (_c1, _c2, _c3, _c4, _c5, _c6, _c7, _c8, _c9)


def chapters(lesson: Lesson) -> Iterator[tuple[Chapter, Callable[[Chapter], None]]]:
    """Each chapter with the measurement that fills it in; the CLI runs them in order."""
    pairs = zip(texts(LATENCY_S * lesson.scale, gil_enabled()), _MEASURES, strict=True)
    for number, ((title, explanation), measure) in enumerate(pairs, 1):
        yield Chapter(number, title, explanation), functools.partial(measure, lesson)


def _s(seconds: float) -> str:
    return f"{seconds:g} s"


def texts(latency_s: float, gil: bool = True) -> list[tuple[str, str]]:
    """Each chapter's title and explanation, with the latency the lesson really uses (--fast
    scales it by 0.1: its chapter 3 is "1.2 s vs 0.2 s", not "12 s vs 2 s"), and the CPU
    chapter's promise for this interpreter: threads held back by the GIL, or not without it."""
    one, tenth = latency_s, latency_s / 10
    chosen = [*TEXTS[:7], TEXTS[7] if gil else CPU_WITHOUT_GIL, *TEXTS[8:]]
    return [
        (
            title.format(one=_s(one), six=_s(6 * one)),
            text.format(one=_s(one), tenth=_s(tenth), ten=_s(10 * one), wait=f"{one:.2f}s"),
        )
        for title, text in chosen
    ]


TEXTS = [
    (
        "One thread id",
        "asyncio runs every coroutine on the thread that runs the event loop: 6 symbols, "
        "6 workers, and every record shows the same thread id and pid.",
    ),
    (
        "...yet overlapping",
        "Waiting is not computing: while one coroutine awaits, the loop runs the next. The same "
        "run: do the tasks overlap in time?",
    ),
    ("{six} vs {one}", "6 symbols x {one} each, one after another, then with 6 asyncio workers."),
    (
        "The arithmetic",
        "10 symbols x {one} = {ten} sequential vs about {one} with 10 workers; 100 symbols "
        "with 10 workers: 10 waves, about {ten}. Run at a tenth of the latency ({tenth} a "
        "task).",
    ),
    (
        "Semaphore queuing",
        "With 2 workers for 6 symbols, asyncio.Semaphore(2) makes the other four wait: 'Waiting "
        "for semaphore...', then 'Acquired semaphore after {wait} wait'.",
    ),
    (
        "Threads and processes",
        "A thread pool runs tasks on different threads; a process pool in different processes.",
    ),
    (
        "What each model costs",
        "For waiting, threads are not much faster than asyncio; processes pay in memory and "
        "start-up; one thread means few context switches (counted by the OS, for the harness and "
        "its workers).",
    ),
    (
        "CPU-bound work",
        "Now the tasks compute (factors over a price series): asyncio cannot help, threads are "
        "held back by the GIL, processes use the cores.",
    ),
    (
        "A blocking call in a coroutine",
        "time.sleep inside a coroutine holds the loop's one thread: every task waits its turn. "
        "asyncio.to_thread hands the call to a thread and restores the overlap: the case where "
        "threads are the right tool.",
    ),
]
# Chapter 8 on a free-threaded build running without the GIL (3.13t, 3.14t).
CPU_WITHOUT_GIL = (
    "CPU-bound work",
    "Now the tasks compute (factors over a price series): asyncio cannot help; this Python runs "
    "without the GIL, so threads use the cores, as processes do.",
)
