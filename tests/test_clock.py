"""The one-clock claim: a worker process's monotonic reading falls inside the parent's bracket."""

from __future__ import annotations

import multiprocessing
import time

import pytest


def _read_clock() -> int:
    return time.monotonic_ns()


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_worker_clock_is_the_parents_clock(method: str) -> None:
    context = multiprocessing.get_context(method)
    with context.Pool(2) as pool:
        pool.apply(_read_clock)  # warm: the first call pays for start-up
        for _ in range(20):
            before = time.monotonic_ns()
            inside = pool.apply(_read_clock)
            after = time.monotonic_ns()
            assert before <= inside <= after
