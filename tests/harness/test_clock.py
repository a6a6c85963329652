"""The one-clock claim: a worker process's monotonic reading falls inside the parent's bracket."""

from __future__ import annotations

import multiprocessing
import signal
import time

import pytest


def _read_clock() -> int:
    return time.monotonic_ns()


def _takes_signals() -> None:
    # This process's fork server may have been started by a process strategy earlier in the
    # session, inside its block of SIGINT and SIGTERM, so that its workers inherit the block
    # until their initializer lifts it (strategies._host.procpool). A bare Pool's workers must
    # lift it too, or the Pool's terminate() (SIGTERM) can wait for them forever (seen once in CI).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_worker_clock_is_the_parents_clock(method: str) -> None:
    context = multiprocessing.get_context(method)
    with context.Pool(2, initializer=_takes_signals) as pool:
        pool.apply(_read_clock)  # warm: the first call pays for start-up
        for _ in range(20):
            before = time.monotonic_ns()
            inside = pool.apply(_read_clock)
            after = time.monotonic_ns()
            assert before <= inside <= after
