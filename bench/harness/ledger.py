"""The leanest recording, for the common asyncio run: no semaphore, no log, no deadline, no
progress (100,000 tasks, each with a worker of its own).

Of a task's 15 recorded fields only five are its own: when it started and finished, how it ended,
and any HTTP details. The rest (when it was queued, the process, the loop's thread, the asyncio
task's name) is the same for every task of the loop, or kept by the task object itself. So a task
appends a short row while the clock runs, and the ledger builds the full records once it has
stopped. With 100,000 zero-latency tasks and the GC off (callgrind, the timed region only): 58.9k
instructions a task against 65.6k when each task built its full record, and 58.1k for a bare
create_task + gather of the same collector; 31.5k page faults a run against 35.2k (bare 27.5k).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeAlias

from bench.harness import recording
from bench.harness.recording import Http, http_details, now_ns, task_failure, with_http
from bench.model import RawRecord, TaskSpec, TaskStatus

# (index, status, started_ns, finished_ns, error, HTTP details or None), read in one place:
# records(). A plain tuple, not a NamedTuple: its Python-level __new__ costs about 190 ns a task
# here (timeit), 3% of a 100,000-task zero-latency run, on the path `make perf` holds to pyperf.
Row: TypeAlias = tuple[int, TaskStatus, int, int, str | None, Http | None]


class Ledger:
    """The rows of one run on one event loop, and what every row shares."""

    def __init__(self, queued_ns: int) -> None:
        self.queued_ns = queued_ns
        self.rows: list[Row] = []
        self.where = recording.thread_here()  # made on the loop's thread, like every task
        self.specs: Sequence[TaskSpec] = ()
        self.tasks: list[asyncio.Task[None]] = []

    def spawn(
        self, collect: Callable[[TaskSpec], Awaitable[object]], specs: Sequence[TaskSpec]
    ) -> list[asyncio.Task[None]]:
        """One task per spec, on the running loop."""
        add, keep, create = self.rows.append, self.tasks.append, asyncio.create_task
        self.specs = specs
        for spec in specs:  # kept one by one: an interrupt midway leaves each task's name
            keep(create(run_row(collect, spec, add)))
        return self.tasks

    def records(self) -> list[RawRecord]:
        """The full record of every task that ended, once the clock has stopped. A task that
        never ran has no row, as it would have no record."""
        # An interrupt may have stopped spawn() midway: fewer tasks than specs, in plan order.
        ran = zip(self.specs, self.tasks, strict=False)
        names = {spec.index: task.get_name() for spec, task in ran}
        self.tasks = []  # done with them: the records below need the memory more
        ident, thread = self.where
        pid, made = recording.pid(), []
        for index, status, started, finished, error, http in self.rows:
            record = RawRecord(
                task_index=index,
                status=status,
                queued_ns=self.queued_ns,
                started_ns=started,
                finished_ns=finished,
                pid=pid,
                thread_id=ident,
                thread_name=thread,
                task_name=names.get(index),
                error=error,
            )
            made.append(with_http(record, http))
        self.rows.clear()  # the same list the tasks append to: nothing can add to a lost one
        return made


async def run_row(
    collect: Callable[[TaskSpec], Awaitable[object]], spec: TaskSpec, add: Callable[[Row], None]
) -> None:
    """recording.run_async without a semaphore, a log line, a deadline or progress, and with a
    row for a record. Its row is added as soon as the task ends, also when it is cancelled, as
    run_async's record is."""
    started = now_ns()
    error: str | None = None
    status: TaskStatus = "ok"
    outcome: object = None
    try:
        outcome = await collect(spec)
    except BaseException as exc:
        status, error, outcome = task_failure(exc)
        if status == "cancelled":
            raise
    finally:
        # The details, not the outcome: an HTTP error holds its traceback and the frames' locals.
        http = http_details(outcome) if hasattr(outcome, "attempts") else None
        add((spec.index, status, started, now_ns(), error, http))
