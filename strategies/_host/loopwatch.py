"""Deadlines that do not depend on the event loop they guard.

asyncio's own timeouts are callbacks on the loop: a blocking call inside a coroutine
(`time.sleep`, a sync HTTP client) holds the loop's only thread, so they never fire and the run
never ends. A heartbeat on the loop stamps the time it last ran; a watchdog thread outside the
loop sees the stamp go stale and, past a deadline, interrupts the main thread the way a signal
does (SIGALRM sent to it). The handler raises inside the blocking call, in the task that holds
the loop: past --task-timeout that task ends as `timeout`; past --run-timeout the run is aborted.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Awaitable, Callable, Iterator
from types import FrameType

from bench.harness.recording import now_ns

BEAT_S = 0.025  # the heartbeat's period: a stamp older than a few of these means a blocked loop
POLL_S = 0.02


class LoopBlockedTimeout(TimeoutError):
    """Raised in the task that blocked the loop past --task-timeout: it ends as `timeout`."""


class LoopBlockedDeadline(BaseException):
    """Raised in the task that blocked the loop past --run-timeout: the run is aborted.

    A BaseException, so the collector's own `except Exception` cannot swallow it."""


def _in_asyncio_task() -> bool:
    try:
        return asyncio.current_task() is not None
    except RuntimeError:  # no running loop: the run is over
        return False


def _cancel_other_asyncio_tasks() -> None:
    current = asyncio.current_task()
    for task in asyncio.all_tasks():
        if task is not current:
            task.cancel()


class LoopWatchdog:
    """`in_task` says whether the main thread is inside one of the loop's tasks; `cancel_rest`
    cancels every other task at the run deadline (asyncio's by default; trio passes its own)."""

    def __init__(
        self,
        task_timeout_s: float | None,
        run_timeout_s: float | None,
        in_task: Callable[[], bool] = _in_asyncio_task,
        cancel_rest: Callable[[], None] = _cancel_other_asyncio_tasks,
    ) -> None:
        self._in_task, self._cancel_rest = in_task, cancel_rest
        self._task_ns = None if task_timeout_s is None else round(task_timeout_s * 1e9)
        self._run_ns = None if run_timeout_s is None else round(run_timeout_s * 1e9)
        self.beat = now_ns()
        self.interrupted = 0  # blocked tasks the watchdog had to interrupt
        self.aborted: str | None = None  # why the run deadline ended the run, if it did
        self._pending: BaseException | None = None
        self._stop = threading.Event()
        self._main = threading.main_thread().ident or 0

    @property
    def needed(self) -> bool:
        return self._task_ns is not None or self._run_ns is not None

    async def heartbeat(self, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        while True:
            self.beat = now_ns()
            await sleep(BEAT_S)

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """Run the watchdog for the block (the main thread only: signals go there)."""
        if not self.needed or threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGALRM, self._on_alarm)
        started = now_ns()
        thread = threading.Thread(target=self._watch, args=(started,), name="bench-watchdog")
        thread.daemon = True
        self.beat = started
        thread.start()
        try:
            yield
        finally:
            self._stop.set()
            thread.join()
            self._pending = None
            signal.signal(signal.SIGALRM, previous)

    def _watch(self, started: int) -> None:
        stale_ns = round(4 * BEAT_S * 1e9)
        while not self._stop.wait(POLL_S):
            now = now_ns()
            blocked = now - self.beat
            if blocked < stale_ns or self._pending is not None:
                continue
            if self._run_ns is not None and now - started >= self._run_ns:
                self._fire(
                    LoopBlockedDeadline(
                        f"--run-timeout reached while a task blocked the event loop for "
                        f"{blocked / 1e9:.2f} s (a blocking call inside a coroutine)"
                    )
                )
            elif self._task_ns is not None and blocked >= self._task_ns:
                self._fire(
                    LoopBlockedTimeout(
                        f"exceeded --task-timeout {self._task_ns / 1e9:g}s while blocking the "
                        "event loop (a blocking call inside a coroutine)"
                    )
                )

    def _fire(self, exc: BaseException) -> None:
        self._pending = exc
        signal.pthread_kill(self._main, signal.SIGALRM)

    def _on_alarm(self, _signum: int, _frame: FrameType | None) -> None:
        exc, self._pending = self._pending, None
        if exc is None:
            return
        if not self._in_task():
            return  # the loop moved on meanwhile: nothing is blocking it now
        self.beat = now_ns()  # the next task gets a fresh measure
        self.interrupted += 1
        if isinstance(exc, LoopBlockedDeadline):
            # Every other task is cancelled now, as asyncio.timeout would have done had the loop
            # been free: none of them may start a blocking call of its own meanwhile.
            self.aborted = str(exc)
            self._cancel_rest()
        raise exc
