"""What strategy authors need in one place: the Strategy base class and its contract (defined on
the harness's side, bench.harness.execution, so the runner never imports strategies), and
signals_deferred for strategies that start worker processes.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import resource_tracker

from bench.harness.execution import Abilities, Strategy, StrategyAborted, StrategyOptions

__all__ = ["Abilities", "Strategy", "StrategyAborted", "StrategyOptions", "signals_deferred"]
INTERRUPTS = {signal.SIGINT, signal.SIGTERM}


def main_thread_takes_interrupts() -> None:
    """Run first in every worker thread a strategy starts: with SIGINT and SIGTERM blocked here,
    the kernel delivers them to the main thread, whose blocking waits they interrupt. (Caught by
    a worker thread, a signal only sets a flag the main thread sees when it next wakes: a Ctrl-C
    during 10 s tasks took effect after 10 s under load on 3.13.)"""
    signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Start worker processes inside this: SIGINT and SIGTERM are blocked meanwhile, and the
    workers inherit the block, so a Ctrl-C cannot reach one before its initializer has set it to
    ignore Ctrl-C (a traceback per worker). The parent receives the signal when the block ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Launching multiprocessing's resource tracker unblocks these signals in the calling thread
    # (it blocks them only around its own spawn): have it running before the block begins.
    resource_tracker.ensure_running()
    with signals_blocked():
        yield


@contextmanager
def signals_blocked() -> Iterator[None]:
    """SIGINT and SIGTERM blocked in the calling (main) thread for the block: threads started
    meanwhile, a library's included, inherit the block, so the signals come to the main thread
    afterwards (see main_thread_takes_interrupts)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def cancel_main(task: asyncio.Task[None] | None) -> bool:
    """An interrupt's way into an event loop's run (see interrupts.cancelling): cancel its main
    task, and wake the loop, whose selector may be asleep until its next timer. False when
    there is no run to cancel."""
    if task is None or task.done():
        return False
    task.cancel()
    task.get_loop().call_soon_threadsafe(_wake)
    return True


def _wake() -> None:
    """Nothing: scheduling it is what wakes the loop."""
