"""The HTTP retry policy, written once and sans-I/O (as h11 and wsproto keep protocol logic
apart from sockets): the three faces (http.client, aiohttp, httpx under trio) do the requests
and the sleeping, and ask one `Attempts` what each outcome means: the wait before the next
attempt, or the error that ends the task.

Retries on 429, 503 and dropped connections, with exponential backoff and full jitter, capped,
honouring Retry-After (seconds or an HTTP date; garbage falls back to backoff). Every attempt is
counted; the final status is recorded; a 500 is an error at once.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

RETRYABLE = (429, 503)
BACKOFF_BASE_S, BACKOFF_CAP_S, RETRY_AFTER_CAP_S = 0.05, 2.0, 5.0


DROPPED = 0  # in `retried`: an attempt whose connection dropped (no status)


@dataclass(frozen=True, slots=True)
class HttpResult:
    symbol: str
    prices: int
    attempts: int
    http_status: int
    retried: tuple[int, ...] = ()  # the status of each attempt that was retried


class HttpError(Exception):
    def __init__(
        self, message: str, http_status: int | None, attempts: int, retried: tuple[int, ...] = ()
    ) -> None:
        super().__init__(message)
        self.http_status, self.attempts, self.retried = http_status, attempts, retried


class HttpTimeout(TimeoutError):
    def __init__(self, message: str, attempts: int, retried: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.http_status, self.attempts, self.retried = None, attempts, retried


def retry_delay(attempt: int, retry_after: str | None, rng: random.Random) -> float:
    """Retry-After when it parses (seconds or an HTTP date), else full-jitter backoff; capped."""
    if retry_after:
        try:
            return min(max(float(retry_after), 0.0), RETRY_AFTER_CAP_S)
        except ValueError:
            when = email.utils.parsedate_to_datetime(retry_after) if "," in retry_after else None
            if when is not None:
                return min(max(when.timestamp() - time.time(), 0.0), RETRY_AFTER_CAP_S)
    return rng.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt))


def parse_body(
    body: bytes, content_type: str, symbol: str, attempts: int, retried: list[int]
) -> HttpResult:
    done = tuple(retried)
    if not content_type.startswith("application/json"):
        raise HttpError(f"malformed response: content type {content_type!r}", 200, attempts, done)
    try:
        data = json.loads(body)
        prices = len(data["prices"])
    except (ValueError, KeyError, TypeError) as exc:
        message = f"malformed response: {type(exc).__name__}: {exc}"
        raise HttpError(message, 200, attempts, done) from None
    return HttpResult(symbol, prices, attempts, 200, done)


class Attempts:
    """One task's attempts: iterate for the attempt numbers, then report each outcome."""

    def __init__(self, max_attempts: int, seed: int, timeout_s: float) -> None:
        self.max_attempts, self.timeout_s = max_attempts, timeout_s
        self.rng, self.retried, self.attempt = random.Random(seed), list[int](), 0

    def __iter__(self) -> Iterator[int]:
        for attempt in range(1, self.max_attempts + 1):
            self.attempt = attempt
            yield attempt

    def _last(self) -> bool:
        return self.attempt >= self.max_attempts

    def _ends(self, error: Exception) -> Exception:
        error.__suppress_context__ = True  # the transport's own exception says no more
        return error

    def timed_out(self) -> HttpTimeout:
        """No response within the collector's timeout: the task ends (never retried)."""
        message = f"no response within {self.timeout_s:g}s"
        return HttpTimeout(message, self.attempt, tuple(self.retried))

    def dropped(self, exc: BaseException) -> float:
        """The connection failed: the wait before the next attempt, or HttpError on the last."""
        if self._last():
            message = f"connection failed: {type(exc).__name__}"
            raise self._ends(HttpError(message, None, self.attempt, tuple(self.retried)))
        self.retried.append(DROPPED)
        return retry_delay(self.attempt, None, self.rng)

    def answered(self, status: int, retry_after: str | None) -> float:
        """A status other than 200: the wait before the next attempt, or HttpError when it is
        not one to retry or this was the last attempt."""
        if status not in RETRYABLE or self._last():
            raise self._ends(HttpError(f"HTTP {status}", status, self.attempt, tuple(self.retried)))
        self.retried.append(status)
        return retry_delay(self.attempt, retry_after, self.rng)

    def ok(self, body: bytes, content_type: str, symbol: str) -> HttpResult:
        """A 200: the result, or HttpError for a body that is not the API's."""
        return parse_body(body, content_type, symbol, self.attempt, self.retried)
