"""The hot path: run one task inside its worker and record what happened, as a plain tuple.

Kept allocation-light (one tuple per task, integer nanoseconds, no logging unless asked) because at
100,000 tasks the recording must not be what the benchmark measures.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final, TypeAlias

from bench.collectors.base import Collector
from bench.errors import describe_error
from bench.model import RawRecord, TaskSpec, TaskStatus

# One system-wide clock: CLOCK_MONOTONIC on Linux, shared by every process (checked in a test), so
# timestamps taken in workers go on one timeline with the parent's.
now_ns: Final[Callable[[], int]] = time.monotonic_ns

_pid = os.getpid()


def _refresh_pid() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_refresh_pid)


def log_line(message: str, task_name: str | None = None) -> None:
    """Write one log line in the style users know from their own collectors."""
    stamp = datetime.now().strftime("%H:%M:%S.%f")[:-3]
    ident = f"[PID {os.getpid()}] [Thread-{threading.get_ident()}]"
    task = f" [{task_name}]" if task_name else ""
    sys.stderr.write(f"{stamp} {ident}{task} {message}\n")
    sys.stderr.flush()


def run_sync(collector: Collector, spec: TaskSpec, queued_ns: int, log: bool = False) -> RawRecord:
    """Run the sync face for one task in the calling thread, and record it."""
    if log:
        log_line(f"Starting to process {spec.symbol}")
    started = now_ns()
    error: str | None = None
    status: TaskStatus = "ok"
    outcome: object
    try:
        outcome = collector.collect(spec)
    except Exception as exc:  # a task's failure is data, not a crash of the harness
        status, error, outcome = task_failure(exc)
    record = record_ended(spec.index, status, queued_ns, started, None, error)
    if log:
        log_line(_outcome(spec, status, record.finished_ns - started, error))
    return with_http(record, http_details(outcome))


_new_tuple = tuple.__new__
# What record_ended does not measure: every later field's default, read from RawRecord itself,
# so a new field with a default changes no producer (tests/results/test_fields.py pins the split).
ENDED_FIELDS = 10
_DEFAULTS = tuple(RawRecord._field_defaults[f] for f in RawRecord._fields[ENDED_FIELDS:])
_here = threading.local()


def pid() -> int:
    """This process's id, kept current across forks without a system call per task."""
    return _pid


def thread_here() -> tuple[int, str]:
    """The calling thread's id and name, looked up once per thread: threading.current_thread()
    and its name property are two Python calls per task otherwise. A thread-local dies with its
    thread, so a reused id never inherits a dead thread's name; a thread renamed after its first
    task keeps its first name here."""
    try:
        where: tuple[int, str] = _here.where
    except AttributeError:
        thread = threading.current_thread()
        where = _here.where = (thread.ident or 0, thread.name)
    return where


def record_ended(
    index: int, status: TaskStatus, queued: int, started: int, task: str | None, error: str | None
) -> RawRecord:
    """The record of a task that ends now, in the calling thread. Built with tuple.__new__ and
    RawRecord's own defaults (_DEFAULTS): a NamedTuple's constructor is a Python function, and
    cost 0.4 us more per task here (measured on the 2-core VM)."""
    try:
        ident, name = _here.where  # inline: thread_here() is a Python call per task
    except AttributeError:
        ident, name = thread_here()
    fields = (index, status, queued, started, now_ns(), _pid, ident, name, task, error)
    return _new_tuple(RawRecord, fields + _DEFAULTS)


def task_failure(exc: BaseException) -> tuple[TaskStatus, str, BaseException | None]:
    """How a task that raised `exc` is recorded: (status, error, what HTTP details come from)."""
    if isinstance(exc, TimeoutError):
        return "timeout", describe_error(exc) if str(exc) else "exceeded --task-timeout", exc
    if isinstance(exc, asyncio.CancelledError):
        return "cancelled", "cancelled while running", None
    if isinstance(exc, Exception):
        return "error", describe_error(exc), exc
    return (
        "cancelled",
        describe_error(exc),
        None,
    )  # an interrupt inside the task: Ctrl-C, a watchdog


# HTTP collectors' details: (attempts, final status, the status of each attempt retried)
Http: TypeAlias = tuple[int, int | None, tuple[int, ...]]


def http_details(outcome: object) -> Http | None:
    """HTTP collectors report attempts and the final status on their result or exception."""
    attempts = getattr(outcome, "attempts", 0)
    if not attempts:
        return None
    return attempts, getattr(outcome, "http_status", None), tuple(getattr(outcome, "retried", ()))


def with_http(record: RawRecord, http: Http | None) -> RawRecord:
    if http is None:
        return record
    attempts, status, retried = http
    return record._replace(attempts=attempts, http_status=status, retried=retried)


async def run_async(
    collector: Collector,
    spec: TaskSpec,
    limit: asyncio.Semaphore | None,
    sink: list[RawRecord],
    log: bool = False,
    timeout_s: float | None = None,
    queued_ns: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Run the async face for one task on the running loop, behind `limit` if given.

    The record goes to `sink` as soon as the task ends, even when it is cancelled mid-run, so an
    interrupted run still knows which tasks were running.
    """
    queued = now_ns() if queued_ns is None else queued_ns
    name = None if (task := asyncio.current_task()) is None else task.get_name()
    if limit is not None:
        if log and limit.locked():
            log_line("Waiting for semaphore...", name)
        await limit.acquire()
    try:
        started = now_ns()
        error: str | None = None
        status: TaskStatus = "ok"
        outcome: object = None
        try:
            # Inside the try whose finally records the task: an interrupt that lands while the
            # log line is written must still leave a record (it did not, 1 run in 8 on 3.12).
            if log:
                _log_start(spec, name, started - queued if limit is not None else 0)
            if timeout_s is None:  # the common case, without a Timeout object per task
                outcome = await collector.acollect(spec)
            else:
                outcome = await _within(timeout_s, collector.acollect(spec))
        except BaseException as exc:
            status, error, outcome = task_failure(exc)
            if status == "cancelled":
                raise
        finally:
            record = record_ended(spec.index, status, queued, started, name, error)
            is_http = hasattr(outcome, "attempts")  # two calls per task saved off HTTP
            sink.append(with_http(record, http_details(outcome)) if is_http else record)
    finally:
        if limit is not None:
            limit.release()
    if progress is not None:
        progress(len(sink))
    if log:
        log_line(_outcome(spec, status, record.finished_ns - started, error), name)


async def _within(timeout_s: float, work: Awaitable[object]) -> object:
    async with asyncio.timeout(timeout_s):
        return await work


def _log_start(spec: TaskSpec, name: str | None, waited_ns: int) -> None:
    if waited_ns > 1_000_000:
        log_line(f"Acquired semaphore after {waited_ns / 1e9:.2f}s wait", name)
    log_line(f"Starting to process {spec.symbol}", name)


def _outcome(spec: TaskSpec, status: str, duration_ns: int, error: str | None) -> str:
    if status == "ok":
        return f"Completed {spec.symbol} in {duration_ns / 1e9:.2f}s"
    return f"Failed {spec.symbol} after {duration_ns / 1e9:.2f}s: {error}"
