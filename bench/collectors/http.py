"""HTTP collectors for the mock API: an aiohttp async face and a blocking http.client sync face.

- async: one aiohttp.ClientSession per strategy run (opened by `astart`, closed by `astop` on every
  path) with a connector limit equal to the worker count (aiohttp's default of 100 would silently
  cap concurrency) and timeouts with `sock_read` as well as `total` (total alone can wait forever).
- sync: one keep-alive http.client.HTTPConnection per worker thread. The stdlib is enough: a GET
  on a persistent connection is all that is needed; urllib.request would open a connection per
  request (0.83 vs 0.91 efficiency on this machine's baselines) and requests adds a dependency.
- retries: one policy for every face, sans-I/O, in bench.collectors.retry.
"""

from __future__ import annotations

import asyncio
import http.client
import threading
import time
from typing import Any
from urllib.parse import quote, urlsplit

from bench.collectors.base import Collector
from bench.collectors.polite import Politeness, RequestCapReached
from bench.collectors.retry import (
    Attempts,
    HttpError,
    HttpResult,
)
from bench.errors import TaskDeadline
from bench.model import TaskSpec


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
        tries = Attempts(self.max_attempts, spec.index, self.timeout_s)
        for attempt in tries:
            if self.polite is not None:  # only then: a sleep(0) would still cost a call
                time.sleep(self.wait_s(attempt, tries.retried))
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
                raise tries.timed_out() from None
            except (http.client.HTTPException, ConnectionError) as exc:
                self.close()  # the keep-alive connection is gone: reconnect on the next attempt
                time.sleep(tries.dropped(exc))
                continue
            if response.status == 200:
                return tries.ok(body, response.getheader("Content-Type", ""), spec.symbol)
            time.sleep(tries.answered(response.status, response.getheader("Retry-After")))
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
        tries = Attempts(self.max_attempts, spec.index, self.timeout_s)
        for attempt in tries:
            if self.polite is not None:  # only then: a sleep(0) would still yield the loop
                await asyncio.sleep(self.wait_s(attempt, tries.retried))
            try:
                async with self._session.get(self.path(spec, attempt)) as response:
                    body = await response.read()
                    status, headers = response.status, response.headers
            except TimeoutError:
                raise tries.timed_out() from None
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
                await asyncio.sleep(tries.dropped(exc))
                continue
            if status == 200:
                return tries.ok(body, headers.get("Content-Type", ""), spec.symbol)
            await asyncio.sleep(tries.answered(status, headers.get("Retry-After")))
        raise AssertionError("unreachable")
