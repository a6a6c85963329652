"""A bounded submission window for executor pools.

Submitting 100,000 futures at once holds 100,000 futures (and their arguments) in memory; the window
keeps at most `size` in flight and refills as they finish, from a done-callback, so the feeding
loop costs O(1) per task instead of re-scanning pending futures.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class SubmissionWindow:
    def __init__(self, size: int, total: int, progress: Callable[[int], None]) -> None:
        self._slots = threading.Semaphore(max(1, size))
        self._lock = threading.Lock()
        self._all_done = threading.Event()
        self._remaining = total
        self._done = 0
        self._progress = progress
        if total == 0:
            self._all_done.set()

    def acquire(self, timeout: float | None = None) -> bool:
        return self._slots.acquire(timeout=timeout)

    def release(self, count: int = 1) -> None:
        """Called once per finished submission, covering `count` tasks."""
        with self._lock:
            self._remaining -= count
            self._done += count
            done, finished = self._done, self._remaining <= 0
        self._slots.release()
        self._progress(done)
        if finished:
            self._all_done.set()

    def extend(self, count: int) -> None:
        """`count` more submissions to wait for (a split chunk sent again)."""
        with self._lock:
            self._remaining += count
            self._all_done.clear()

    def wait_all(self, timeout: float | None = None) -> bool:
        return self._all_done.wait(timeout)
