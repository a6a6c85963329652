"""Politeness toward an endpoint the user names (`--base-url`): a request-rate cap and a total
request cap, shared by every worker of the process, checked before each attempt is sent.

A reservation, not a lock held while waiting: each request takes the next free slot under a lock
and then waits (with time.sleep, asyncio.sleep or trio.sleep, as its face does) until the slot,
so threads and coroutines share one limiter. The caps hold within one process: the CLI refuses
strategies whose tasks run in other processes or interpreters, where each would keep its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class RequestCapReached(Exception):
    """The total-request cap is spent: the request is not sent."""


class Politeness:
    def __init__(
        self, rate_per_s: float, max_requests: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not rate_per_s > 0 or max_requests < 1:
            raise ValueError("politeness needs a rate above 0 and at least one request")
        self.rate_per_s, self.max_requests, self._clock = rate_per_s, max_requests, clock
        self._lock = threading.Lock()
        self._next = -float("inf")
        self.sent = 0

    def __getstate__(self) -> dict[str, Any]:
        return {"rate_per_s": self.rate_per_s, "max_requests": self.max_requests}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["rate_per_s"], state["max_requests"])  # type: ignore[misc]

    def reserve(self) -> float:
        """Seconds to wait before sending the next request; RequestCapReached past the cap."""
        with self._lock:
            if self.sent >= self.max_requests:
                raise RequestCapReached(
                    f"not sent: the cap of {self.max_requests} requests (--max-requests) is spent"
                )
            self.sent += 1
            now = self._clock()
            at = max(now, self._next)
            self._next = at + 1.0 / self.rate_per_s
            return at - now
