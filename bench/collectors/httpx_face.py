"""The HTTP collector's async face under trio: httpx, which runs on trio through anyio (aiohttp
needs asyncio's loop). Same requests, retries, backoff and records as the aiohttp face, so the
two engines meet the same mock API on equal terms; the sync face is HttpCollector's own.

- one httpx.AsyncClient per strategy run (astart/astop), its pool sized to the worker count
  (httpx's default of 100 would cap concurrency silently, as aiohttp's would);
- httpx's timeout is per operation (connect, read, write, pool) at the collector's timeout, so a
  response that stalls is a `timeout`, as with aiohttp's sock_read.
"""

from __future__ import annotations

from typing import Any

import trio

from bench.collectors.base import Collector
from bench.collectors.http import HttpCollector
from bench.collectors.retry import Attempts, HttpResult
from bench.model import TaskSpec


class HttpxCollector(Collector):
    """HttpCollector under trio. Never pickled: the trio strategy runs it in its own process."""

    def __init__(self, inner: HttpCollector) -> None:
        self.inner = inner
        self._client: Any = None

    def collect(self, spec: TaskSpec) -> HttpResult:
        return self.inner.collect(spec)

    def close(self) -> None:
        self.inner.close()

    async def astart(self, workers: int) -> None:
        import httpx

        limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
        timeout = httpx.Timeout(self.inner.timeout_s)
        self._client = httpx.AsyncClient(
            base_url=self.inner.base_url, limits=limits, timeout=timeout
        )
        # One request now pays the client's first-use costs at start-up, not in the wall
        # (not on the user's own endpoint: there every request counts).
        if self.inner.template is None:
            await self._client.get("/health")

    async def astop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def acollect(self, spec: TaskSpec) -> HttpResult:
        import httpx

        assert self._client is not None, "astart() opens the client for the run"
        tries = Attempts(self.inner.max_attempts, spec.index, self.inner.timeout_s)
        for attempt in tries:
            if self.inner.polite is not None:
                await trio.sleep(self.inner.wait_s(attempt, tries.retried))
            try:
                response = await self._client.get(self.inner.path(spec, attempt))
            except httpx.TimeoutException:
                raise tries.timed_out() from None
            except httpx.TransportError as exc:  # refused, reset, closed mid-response
                await trio.sleep(tries.dropped(exc))
                continue
            if response.status_code == 200:
                content_type = response.headers.get("Content-Type", "")
                return tries.ok(response.content, content_type, spec.symbol)
            retry_after = response.headers.get("Retry-After")
            await trio.sleep(tries.answered(response.status_code, retry_after))
        raise AssertionError("unreachable")
