"""The mock market-data API (aiohttp.web): quotes with injected latency and seeded faults.

`GET /quotes/{symbol}?latency=S` answers after S seconds (the plan's latency for that task, so
sleep and HTTP runs face the same waits) with a JSON quote series, unless the seeded fault plan
says otherwise for this (symbol, attempt): 500/503, 429 with Retry-After, a response slower than
any client timeout, a malformed body, or a connection closed mid-response. With a quota, a
request beyond its client's token bucket is refused first: 429 with the Retry-After of its next
token (bench.mockapi.quota). `GET /health` is 200 and spends no quota.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import random
import time
from collections import Counter
from collections.abc import Callable

from aiohttp import web

from bench.collectors.base import quote_for
from bench.mockapi.faults import FAULTS, FaultRates
from bench.mockapi.quota import Limiter, Quota, retry_after

SERIES_LENGTH = 20
LIMITER = web.AppKey[Limiter | None]("limiter")  # the quota's buckets and counts, for tests


# A body is a pure function of (symbol, seed): made once, then served from here. Seeding a
# Random and drawing the series cost about 90 us and json.dumps 50 us a request, a third of the
# server's time per request (docs/measurements/performance.md); every strategy and round asks again.
BODIES_CACHED = 16_384


@functools.lru_cache(maxsize=BODIES_CACHED)
def quote_body(symbol: str, seed: int) -> str:
    return json.dumps(series(symbol, seed))


def series(symbol: str, seed: int) -> dict[str, object]:
    quote = quote_for(symbol, seed)
    rng = random.Random(f"series:{seed}:{symbol}")
    prices = [round(quote.price * (1 + rng.uniform(-0.01, 0.01)), 4) for _ in range(SERIES_LENGTH)]
    return {"symbol": symbol, "volume": quote.volume, "prices": prices}


MAX_LATENCY_S = 1e6  # the CLI's bound on every duration


def make_app(
    seed: int = 42,
    faults: FaultRates | None = None,
    quota: Quota | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> web.Application:
    faults = faults or FaultRates()
    limiter = None if quota is None else Limiter(quota, clock)
    attempts: Counter[str] = Counter()
    # With no faults planned (the common case) no draw is made: each seeds a Random (25 us).
    planned = any(getattr(faults, name) for name in FAULTS)

    async def quotes(request: web.Request) -> web.StreamResponse:
        symbol = request.match_info["symbol"]
        latency = _latency(request)
        if limiter is not None:  # refused at the door, as a provider does: no work, no wait
            wait = limiter.admit(client_key(request))
            if wait:
                raise web.HTTPTooManyRequests(
                    headers={"Retry-After": retry_after(wait)}, text="quota exceeded"
                )
        # The client numbers its attempts, so every strategy meets the same faults; a client that
        # does not (curl, a browser) gets the server's own count per symbol.
        try:
            attempt = int(request.query["attempt"])
        except (KeyError, ValueError):
            attempt = attempts[symbol]
        attempts[symbol] += 1
        fault = faults.draw(seed, symbol, attempt) if planned else None
        await asyncio.sleep(faults.slow_seconds if fault == "slow" else latency)
        if fault in ("error", "unavailable", "rate_limit"):
            raise _refusal(fault, faults.retry_after)
        body = quote_body(symbol, seed)
        if fault == "malformed":
            if attempt % 2:
                return web.Response(text=body, content_type="text/html")
            return web.Response(text=body[: len(body) // 2], content_type="application/json")
        if fault == "disconnect":
            return await _cut_short(request, body)
        return web.Response(text=body, content_type="application/json")

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application(client_max_size=64 * 1024)
    app[LIMITER] = limiter
    app.router.add_get("/quotes/{symbol}", quotes)
    app.router.add_get("/health", health)
    return app


def client_key(request: web.Request) -> str:
    """Whose quota a request spends: its X-API-Key, else its address (all of one machine's
    workers share one key, as one account's workers share a provider's quota)."""
    return request.headers.get("X-API-Key") or request.remote or "unknown"


def _latency(request: web.Request) -> float:
    try:
        latency = float(request.query.get("latency", "0"))
    except ValueError:
        latency = math.nan
    if not 0 <= latency <= MAX_LATENCY_S:  # NaN fails this too; inf would never answer
        raise web.HTTPBadRequest(text=f"latency must be 0..{MAX_LATENCY_S:g} seconds")
    return latency


def _refusal(fault: str, retry_after: str) -> web.HTTPException:
    if fault == "error":
        return web.HTTPInternalServerError(text="injected error")
    if fault == "unavailable":
        return web.HTTPServiceUnavailable(text="injected unavailability")
    return web.HTTPTooManyRequests(headers={"Retry-After": retry_after})


async def _cut_short(request: web.Request, body: str) -> web.StreamResponse:
    """Promise twice the body, send half, and hang up: a connection lost mid-response."""
    response = web.StreamResponse(headers={"Content-Length": str(len(body) * 2)})
    await response.prepare(request)
    await response.write(body[: len(body) // 2].encode())
    assert request.transport is not None
    request.transport.close()
    return response


async def start(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Bind (host given explicitly: aiohttp would otherwise listen on every interface) and
    return the real port, which matters when asked for port 0."""
    # A short grace for in-flight handlers at shutdown (aiohttp waits 60 s by default).
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        raise
    return runner, site.port
