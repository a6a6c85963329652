"""asyncio: one task per symbol on one event loop, at most `workers` inside an asyncio.Semaphore.

The event loop, and any per-run resource of the collector (an HTTP session, and the import of
its client library), are made in start(): one-time costs are start-up, never wall time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from bench.harness import interrupts
from bench.harness.execution import RUN_TIMEOUT_REACHED, no_progress
from bench.harness.ledger import Ledger
from bench.harness.recording import now_ns, run_async
from bench.model import Meta, RawRecord, TaskSpec, Usage
from bench.notes import RunNotes
from strategies._host.loopwatch import LoopBlockedDeadline, LoopWatchdog
from strategies.base import (
    Abilities,
    Strategy,
    StrategyAborted,
    StrategyOptions,
    cancel_main,
    main_thread_takes_interrupts,
)

BLOCKED_S = 0.1  # asyncio's own slow_callback_duration: a callback this long blocked the loop
HEARTBEAT_S = BLOCKED_S  # a wake-up every 100 ms: a block that long cannot slip between two
SETTLE_S = 5.0  # cancelled tasks record themselves at once; this only bounds a lost wake-up


class AsyncioStrategy(Strategy):
    name = "asyncio"
    summary = "one task per symbol on one event loop, bounded by asyncio.Semaphore(workers)"
    abilities = Abilities(deadlines=frozenset({"task", "run"}), faces=frozenset({"async"}))

    def __init__(self, options: StrategyOptions) -> None:
        super().__init__(options)
        self.blocked = 0
        self.longest_block_s = 0.0
        self.busy = 0  # blocks during which the loop's thread was mostly computing, not waiting
        self._watchdog = LoopWatchdog(options.task_timeout_s, options.run_timeout_s)
        self._runner: asyncio.Runner | None = None
        self._main_task: asyncio.Task[None] | None = None
        self._ledger: Ledger | None = None
        self._watchers: list[asyncio.Task[None]] = []

    def loop_factory(self) -> Callable[[], asyncio.AbstractEventLoop] | None:
        """The event loop to run on (None: asyncio's default)."""
        return None

    def start(self) -> None:
        self._runner = asyncio.Runner(loop_factory=self.loop_factory())
        loop = self._runner.get_loop()
        # asyncio.to_thread (--io to-thread) runs on the loop's default executor, min(32,
        # CPUs + 4) threads (6 on 2 cores), which would silently cap a wider run: the width is
        # the run's. The Runner shuts it down when it closes.
        loop.set_default_executor(
            ThreadPoolExecutor(self.workers, "bench-to-thread", main_thread_takes_interrupts)
        )
        # Collectors with a per-run resource (an HTTP session) open it here and close it in stop().
        self._runner.run(self.options.collector.astart(self.options.workers))

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        assert self._runner is not None, "start() makes the event loop"
        with self._watchdog.watching(), interrupts.cancelling(lambda: cancel_main(self._main_task)):
            completed = False
            try:
                self._runner.run(self._main(tasks, sink))
                completed = True
            except (LoopBlockedDeadline, StrategyAborted, asyncio.CancelledError) as exc:
                # The watchdog's abort cancels every task, the main one's gather included.
                if self._watchdog.aborted is None and isinstance(exc, asyncio.CancelledError):
                    raise
                raise StrategyAborted(self._watchdog.aborted or str(exc)) from None
            finally:
                self._settle(completed)

    def _settle(self, completed: bool) -> None:
        """Cancel what an interrupt or an abort left running, and let each task record it.
        Bounded: a task whose wake-up an interrupt dropped would never end. After a completed
        run only the watchers can be left: scanning the 100,000 finished tasks a ledger keeps
        cost 0.4-0.7 us a task."""
        assert self._runner is not None
        loop = self._runner.get_loop()
        left = self._watchers if completed else asyncio.all_tasks(loop)
        pending = [task for task in left if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            with interrupts.deferred():
                loop.run_until_complete(asyncio.wait(pending, timeout=SETTLE_S))

    def deferred_records(self) -> list[RawRecord]:
        ledger, self._ledger = self._ledger, None
        return [] if ledger is None else ledger.records()

    def stop(self, abandon: bool = False) -> Usage:
        del abandon  # cancelled tasks were settled in execute: the loop closes the same way
        if self._runner is None:
            return Usage()
        try:
            self._runner.run(self.options.collector.astop())
        finally:
            self._runner.close()
            self._runner = None
        return Usage()

    async def _main(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        self._main_task = asyncio.current_task()
        try:
            async with asyncio.timeout(self.options.run_timeout_s):
                await self._gather(tasks, sink)
        except TimeoutError:
            raise StrategyAborted(RUN_TIMEOUT_REACHED) from None

    async def _gather(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        # Created first so it runs first, but only once the tasks below exist: creating 100,000
        # of them is the harness's own work, not a blocking call in the collector.
        self._watchers = watchers = []
        if self.options.watch_loop:
            watchers.append(asyncio.create_task(self._heartbeat(), name="bench-heartbeat"))
        if self._watchdog.needed:
            watchers.append(asyncio.create_task(self._watchdog.heartbeat(), name="bench-beat"))
        running = self._spawn(tasks, sink)
        try:
            # gather, not a TaskGroup: one task's failure is data, it must not cancel the others.
            await asyncio.gather(*running)
        finally:
            for watcher in watchers:
                watcher.cancel()

    def _spawn(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> list[asyncio.Task[None]]:
        """One task per symbol, each waiting its turn at the semaphore."""
        options = self.options
        collector, log = options.collector, options.log
        # No call per task when nobody watches (the common case at 100,000 tasks).
        progress = None if options.progress is no_progress else options.progress
        # A semaphore that can never block only costs time: leave it out when workers >= tasks.
        limit = asyncio.Semaphore(options.workers) if options.workers < len(tasks) else None

        timeout = options.task_timeout_s
        # Every task is queued when the plan is released, whenever its first step runs: the
        # wait at the semaphore is then the whole wait, as with a pool's queue.
        released = now_ns()
        if limit is None and not log and timeout is None and progress is None:
            self._ledger = Ledger(released)  # the common case, recorded for the least
            return self._ledger.spawn(collector.acollect, tasks)
        return [
            asyncio.create_task(
                run_async(collector, spec, limit, sink, log, timeout, released, progress)
            )
            for spec in tasks
        ]

    async def _heartbeat(self) -> None:
        """Measure how late the loop wakes us: a late wake-up means something held it. The loop
        thread's CPU time over the same span says how: almost none, a call that waited
        (time.sleep, blocking I/O); much of it, work on the loop's thread (a CPU-bound call, or
        very many tasks' steps back to back, as when 100,000 tasks start at once)."""
        loop = asyncio.get_running_loop()
        while True:
            before, cpu = loop.time(), time.thread_time()
            try:
                await asyncio.sleep(HEARTBEAT_S)
            finally:
                # Also when cancelled at the end: the last block may be the only one.
                lag = loop.time() - before - HEARTBEAT_S
                if lag >= BLOCKED_S:
                    self._held(lag, time.thread_time() - cpu)

    def _held(self, lag_s: float, cpu_s: float) -> None:
        self.blocked += 1
        self.longest_block_s = max(self.longest_block_s, lag_s)
        # The span's first 100 ms were on time and may have been busy: only CPU beyond them
        # counts. A quarter of the lag, not all: on a loaded machine a busy thread gets only
        # its share of a core, while one that waits uses almost none.
        self.busy += cpu_s - HEARTBEAT_S >= lag_s / 4

    def details(self) -> Meta:
        return {
            "executor": "asyncio.gather + Semaphore",
            **RunNotes.note(
                loop="asyncio",
                loop_blocked=self.blocked,
                loop_blocked_busy=self.busy,
                loop_longest_block_seconds=round(self.longest_block_s, 4),
            ),
            "loop_watchdog_interrupts": self._watchdog.interrupted,
        }
