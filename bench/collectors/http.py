"""HTTP collectors for the mock API: an aiohttp async face and a blocking http.client sync face.

- async: one aiohttp.ClientSession per strategy run (opened by `astart`, closed by `astop` on every
  path) with a connector limit equal to the worker count (aiohttp's default of 100 would silently
  cap concurrency) and timeouts with `sock_read` as well as `total` (total alone can wait forever).
- sync: one keep-alive http.client.HTTPConnection per worker thread. The stdlib is enough: a GET
  on a persistent connection is all that is needed; urllib.request would open a connection per
  request (0.83 vs 0.91 efficiency on this machine's baselines) and requests adds a dependency.
- retries: on 429, 503 and dropped connections, with exponential backoff and full jitter, capped,
  honouring Retry-After (seconds or an HTTP date; garbage falls back to backoff). Every attempt is
  counted; the final status is recorded; a 500 is an error at once.
"""

from __future__ import annotations

import asyncio
import email.utils
import http.client
import json
import random
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from bench.collectors.base import Collector
from bench.collectors.polite import Politeness, RequestCapReached
from bench.errors import TaskDeadline
from bench.model import TaskSpec

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


class HttpCollector(Collector):
    """Both faces of the HTTP collector. Picklable: sessions and connections stay per process."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float = 10.0,
        max_attempts: int = 4,
        template: str | None = None,
        polite: Politeness | None = None,
    ) -> None:
        """`template`: the user's own endpoint's path and query with `{symbol}` (base_url is
        then its origin), asked with no latency or attempt of ours and no warm-up requests;
        `polite`: the caps checked before every attempt."""
        self.base_url, self.timeout_s, self.max_attempts = base_url, timeout_s, max_attempts
        self.template, self.polite = template, polite
        self._local = threading.local()
        self._session: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "timeout_s": self.timeout_s,
            "max_attempts": self.max_attempts,
            "template": self.template,
            "polite": self.polite,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.base_url, self.timeout_s = state["base_url"], state["timeout_s"]
        self.max_attempts, self.template = state["max_attempts"], state["template"]
        self.polite = state["polite"]
        self._local, self._session = threading.local(), None  # per process: never pickled

    def wait_s(self, attempt: int, retried: list[int]) -> float:
        """How long to wait before this attempt (politeness); HttpError past the request cap."""
        assert self.polite is not None
        try:
            return self.polite.reserve()
        except RequestCapReached as exc:
            raise HttpError(str(exc), None, attempt - 1, tuple(retried)) from None

    def path(self, spec: TaskSpec, attempt: int) -> str:
        if self.template is not None:
            return self.template.replace("{symbol}", quote(spec.symbol, safe=""))
        return (
            f"/quotes/{quote(spec.symbol, safe='')}?latency={spec.latency_ns / 1e9!r}"
            f"&attempt={attempt}"
        )

    # ---- sync face -------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            parts = urlsplit(self.base_url)
            kind = (
                http.client.HTTPSConnection
                if parts.scheme == "https"
                else http.client.HTTPConnection
            )
            conn = kind(parts.hostname or "127.0.0.1", parts.port, timeout=self.timeout_s)
            self._local.conn = conn
        return conn

    def collect(self, spec: TaskSpec) -> HttpResult:
        rng, retried = random.Random(spec.index), list[int]()
        for attempt in range(1, self.max_attempts + 1):
            if self.polite is not None:  # only then: a sleep(0) would still cost a call
                time.sleep(self.wait_s(attempt, retried))
            conn = self._connection()
            try:
                conn.request("GET", self.path(spec, attempt))
                response = conn.getresponse()
                body = response.read()
            except TaskDeadline:
                self.close()  # the strategy's deadline, not this collector's: say so
                raise
            except TimeoutError:
                self.close()
                message = f"no response within {self.timeout_s:g}s"
                raise HttpTimeout(message, attempt, tuple(retried)) from None
            except (http.client.HTTPException, ConnectionError) as exc:
                self.close()  # the keep-alive connection is gone: reconnect on the next attempt
                if attempt == self.max_attempts:
                    message = f"connection failed: {type(exc).__name__}"
                    raise HttpError(message, None, attempt, tuple(retried)) from None
                retried.append(DROPPED)
                time.sleep(retry_delay(attempt, None, rng))
                continue
            status = response.status
            if status == 200:
                content_type = response.getheader("Content-Type", "")
                return parse_body(body, content_type, spec.symbol, attempt, retried)
            if status not in RETRYABLE or attempt == self.max_attempts:
                raise HttpError(f"HTTP {status}", status, attempt, tuple(retried))
            retried.append(status)
            time.sleep(retry_delay(attempt, response.getheader("Retry-After"), rng))
        raise AssertionError("unreachable")

    def open(self) -> None:
        """Connect this thread's keep-alive connection and make one request, so the first task
        does not pay the connect and http.client's first-use costs (its header parser's imports:
        about 1.5 ms of CPU per worker here) inside the wall. A failure here is not a task's:
        the tasks meet it again and record it. Not on the user's own endpoint: every request
        there is one they pay for, or one its politeness caps count."""
        if self.template is not None:
            return
        conn = self._connection()
        try:
            conn.request("GET", "/health")
            conn.getresponse().read()
        except (OSError, http.client.HTTPException):
            self.close()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def on_trio(self) -> Collector:
        from bench.collectors.httpx_face import HttpxCollector

        return HttpxCollector(self)  # aiohttp needs asyncio's loop; httpx runs on trio

    # ---- async face ------------------------------------------------------------------------

    async def astart(self, workers: int) -> None:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=workers, limit_per_host=workers)
        timeout = aiohttp.ClientTimeout(total=self.timeout_s, sock_read=self.timeout_s)
        self._session = aiohttp.ClientSession(self.base_url, connector=connector, timeout=timeout)
        if self.template is not None:
            return  # the user's own endpoint: no requests beyond the tasks' own
        # One request now pays the client's first-use costs (lazy imports, the resolver, the
        # parser) at start-up rather than inside the first round's wall.
        async with self._session.get("/health") as response:
            await response.read()

    async def astop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def acollect(self, spec: TaskSpec) -> HttpResult:
        import aiohttp

        assert self._session is not None, "astart() opens the session for the run"
        rng, retried = random.Random(spec.index), list[int]()
        for attempt in range(1, self.max_attempts + 1):
            if self.polite is not None:  # only then: a sleep(0) would still yield the loop
                await asyncio.sleep(self.wait_s(attempt, retried))
            try:
                async with self._session.get(self.path(spec, attempt)) as response:
                    body = await response.read()
                    status, headers = response.status, response.headers
            except TimeoutError:
                message = f"no response within {self.timeout_s:g}s"
                raise HttpTimeout(message, attempt, tuple(retried)) from None
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
                if attempt == self.max_attempts:
                    message = f"connection failed: {type(exc).__name__}"
                    raise HttpError(message, None, attempt, tuple(retried)) from None
                retried.append(DROPPED)
                await asyncio.sleep(retry_delay(attempt, None, rng))
                continue
            if status == 200:
                content_type = headers.get("Content-Type", "")
                return parse_body(body, content_type, spec.symbol, attempt, retried)
            if status not in RETRYABLE or attempt == self.max_attempts:
                raise HttpError(f"HTTP {status}", status, attempt, tuple(retried))
            retried.append(status)
            await asyncio.sleep(retry_delay(attempt, headers.get("Retry-After"), rng))
        raise AssertionError("unreachable")
