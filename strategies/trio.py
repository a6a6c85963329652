"""trio: one trio task per symbol in a nursery, at most `workers` inside a trio.CapacityLimiter,
running the collector's async face under trio (the `trio` extra).

asyncio.sleep and aiohttp need asyncio's loop, so the collector is asked for its trio face
(Collector.on_trio: trio.sleep for the sleep collector, httpx for HTTP). Deadlines are trio
cancel scopes: move_on_after per task for --task-timeout, an outer one for --run-timeout. Like
asyncio, a Ctrl-C cancels the run's scope (scheduled with the loop's token, which is safe from
a signal handler) rather than raising inside trio's machinery; each cancelled task records
itself. The collector's start and stop run in trio.run calls of their own, outside the clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from bench.collectors.base import Collector
from bench.harness import interrupts
from bench.harness.execution import RUN_TIMEOUT_REACHED
from bench.harness.recording import (
    http_details,
    log_line,
    now_ns,
    record_ended,
    task_failure,
    with_http,
)
from bench.model import Meta, RawRecord, TaskSpec, TaskStatus, Usage
from bench.notes import RunNotes
from strategies._host.loopwatch import LoopBlockedDeadline, LoopWatchdog
from strategies.base import Abilities, Strategy, StrategyAborted, StrategyOptions

if TYPE_CHECKING:
    import trio
else:
    trio = None  # the engine, imported when a run makes a TrioStrategy (_import_trio): reading
    # the class's declarations (`bench list`, a check of the flags) must not cost trio's 40-60 ms


def _import_trio() -> None:
    global trio  # the module's own name, which every function below reads
    import trio


class TrioStrategy(Strategy):
    name = "trio"
    summary = "one task per symbol in a trio nursery, bounded by trio.CapacityLimiter(workers)"
    abilities = Abilities(deadlines=frozenset({"task", "run"}), faces=frozenset({"async"}))

    def __init__(self, options: StrategyOptions) -> None:
        _import_trio()
        super().__init__(options)
        self._collector = options.collector.on_trio()
        self._watchdog = LoopWatchdog(
            options.task_timeout_s, options.run_timeout_s, _in_trio_task, self._cancel_scope
        )
        self._token: trio.lowlevel.TrioToken | None = None
        self._scope: trio.CancelScope | None = None
        self._aborted: str | None = None

    def start(self) -> None:
        # Per-run resources (an HTTP client, and its imports) open here: start-up, not wall.
        trio.run(self._collector.astart, self.workers)

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        with self._watchdog.watching(), interrupts.cancelling(self._cancel):
            try:
                trio.run(self._main, tasks, sink)
            except BaseException as exc:
                inner = _unwrapped(exc)
                if isinstance(inner, LoopBlockedDeadline):
                    raise StrategyAborted(self._watchdog.aborted or str(inner)) from None
                raise inner from None
        if self._watchdog.aborted or self._aborted:
            raise StrategyAborted(self._watchdog.aborted or self._aborted or "")

    def _cancel(self) -> bool:
        """An interrupt's way in (see interrupts.cancelling): cancel the run's scope from the
        loop itself. False when there is no run to cancel."""
        token = self._token
        if token is None:
            return False
        try:
            token.run_sync_soon(self._cancel_scope)
        except trio.RunFinishedError:
            return False
        return True

    def _cancel_scope(self) -> None:
        if self._scope is not None:
            self._scope.cancel()

    async def _main(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        # The scope exists before the token that lets an interrupt cancel it (a scope cancelled
        # before it is entered starts cancelled): no moment where a cancel could be lost.
        self._scope = trio.CancelScope()
        self._token = trio.lowlevel.current_trio_token()
        run_timeout = self.options.run_timeout_s
        try:
            with self._scope:
                with trio.move_on_after(math.inf if run_timeout is None else run_timeout) as run:
                    async with trio.open_nursery() as nursery:
                        if self._watchdog.needed:
                            nursery.start_soon(self._watchdog.heartbeat, trio.sleep)
                        await self._spawn(nursery, tasks, sink)
                if run.cancelled_caught:
                    self._aborted = RUN_TIMEOUT_REACHED
        finally:
            self._token = self._scope = None

    async def _spawn(
        self, nursery: trio.Nursery, tasks: Sequence[TaskSpec], sink: list[RawRecord]
    ) -> None:
        """One task per symbol, started once the limiter lends it a slot: trio runs tasks
        started together in an order of its own choosing (deliberately random), so the tokens
        are taken here, in plan order, on each task's behalf. The heartbeat (if any) is
        cancelled once every task is done."""
        limit = trio.CapacityLimiter(self.workers)
        # --io to-thread hands each call to trio.to_thread, whose own default limiter (40
        # threads) would silently cap a wider run: the width is ours to set, not trio's.
        trio.to_thread.current_default_thread_limiter().total_tokens = max(self.workers, 1)
        queued = now_ns()  # released together: the wait at the limiter is the whole wait
        async with trio.open_nursery() as inner:
            for spec in tasks:
                await limit.acquire_on_behalf_of(spec.index)
                inner.start_soon(self._one, spec, limit, sink, queued, name=f"Task-{spec.index}")
        nursery.cancel_scope.cancel()

    async def _one(
        self, spec: TaskSpec, limit: trio.CapacityLimiter, sink: list[RawRecord], queued: int
    ) -> None:
        options = self.options
        name = trio.lowlevel.current_task().name
        try:
            # A task cancelled before its first step would still run until its first
            # checkpoint (a blocking call never reaches one): never start it instead.
            await trio.lowlevel.checkpoint_if_cancelled()
            record = await _record(self._collector, spec, options, queued, name, sink)
        finally:
            limit.release_on_behalf_of(spec.index)
        options.progress(len(sink))
        if options.log:
            took = (record.finished_ns - record.started_ns) / 1e9
            ok = record.status == "ok"  # the same words as asyncio's log lines
            done = f"Completed {spec.symbol} in" if ok else f"Failed {spec.symbol} after"
            log_line(f"{done} {took:.2f}s" + ("" if ok else f": {record.error}"), name)

    def stop(self, abandon: bool = False) -> Usage:
        del abandon  # cancelled tasks recorded themselves: the collector closes the same way
        trio.run(self._collector.astop)
        return Usage()

    def details(self) -> Meta:
        return {
            "executor": "trio nursery + CapacityLimiter",
            **RunNotes.note(loop=f"trio {trio.__version__}"),
            "loop_watchdog_interrupts": self._watchdog.interrupted,
        }


async def _record(
    collector: Collector,
    spec: TaskSpec,
    options: StrategyOptions,
    queued: int,
    name: str,
    sink: list[RawRecord],
) -> RawRecord:
    """Run the async face for one task and record it; the record goes to `sink` however the
    task ends, a cancellation included (then re-raised, as trio requires)."""
    started = now_ns()
    status: TaskStatus = "ok"
    error: str | None = None
    outcome: object = None
    try:
        if options.log:
            log_line(f"Starting to process {spec.symbol}", name)
        with trio.move_on_after(options.task_timeout_s or math.inf) as deadline:
            outcome = await collector.acollect(spec)
        if deadline.cancelled_caught:
            status, error = "timeout", "exceeded --task-timeout"
    except trio.Cancelled:
        status, error = "cancelled", "cancelled while running"
        raise
    except BaseException as exc:
        status, error, outcome = task_failure(exc)
        if status == "cancelled":  # an interrupt or the watchdog's abort: it ends the run
            raise
    finally:
        record = record_ended(spec.index, status, queued, started, name, error)
        record = with_http(record, http_details(outcome))
        sink.append(record)
    return record


def _in_trio_task() -> bool:
    try:
        trio.lowlevel.current_task()
    except RuntimeError:  # no run: it is over
        return False
    return True


def _unwrapped(exc: BaseException) -> BaseException:
    """trio's nurseries wrap what escapes them in exception groups: the interrupt or the
    watchdog's deadline inside is what the runner must see."""
    if isinstance(exc, trio.TrioInternalError) and isinstance(exc.__cause__, KeyboardInterrupt):
        return exc.__cause__  # landed in trio's own machinery, before or after the run proper
    leaves = list(_leaves(exc))
    for kind in (KeyboardInterrupt, LoopBlockedDeadline):
        for leaf in leaves:
            if isinstance(leaf, kind):
                return leaf
    return leaves[0] if len(leaves) == 1 else exc  # several errors at once: a bug, shown whole


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc
