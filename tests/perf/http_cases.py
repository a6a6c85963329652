"""HTTP measurements against the mock server: each strategy in --io http mode beside a bare
aiohttp client loop against the same server in the same run; the server's throughput at latency
0 beside a minimal aiohttp handler."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
from aiohttp import web

from bench.analysis.stats import ideal_ns
from bench.collectors.http import HttpCollector
from bench.mockapi.faults import FaultRates
from bench.mockapi.process import server_process
from tests.perf.cases import plan


async def _bare_client(url: str, count: int, latency: float, workers: int) -> float:
    connector = aiohttp.TCPConnector(limit=workers)
    timeout = aiohttp.ClientTimeout(total=30, sock_read=30)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as session:
        limit = asyncio.Semaphore(workers)

        async def one(i: int) -> None:
            async with limit, session.get(f"/quotes/S{i}?latency={latency}") as response:
                await response.read()

        begin = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        return time.perf_counter() - begin


def http_fidelity(count: int, latency: float, workers: int) -> dict[str, Any]:
    tasks = plan(count, latency)
    ideal = ideal_ns((t.latency_ns for t in tasks), workers) / 1e9
    out: dict[str, Any] = {"ideal_s": ideal}
    with server_process(1, FaultRates()) as (url, _):
        bare = asyncio.run(_bare_client(url, count, latency, workers))
        out["bare_aiohttp_efficiency"] = ideal / bare
        for strategy in ("asyncio", "asyncio-workers", "threads", "processes"):
            wall = _harness_http(strategy, tasks, workers, url)
            out[f"{strategy}_efficiency"] = ideal / wall
    return out


def _harness_http(strategy: str, tasks: Any, workers: int, url: str) -> float:
    import strategies
    from bench.harness.execution import StrategyOptions
    from bench.harness.runner import run_strategy

    chunk = max(1, len(tasks) // (workers * 4))
    options = StrategyOptions(workers, HttpCollector(url), chunksize=chunk)
    record = run_strategy(strategies.get(strategy), tasks, options)
    assert all(t.status == "ok" for t in record.tasks), strategy
    return record.wall_ns / 1e9


async def _minimal_server() -> tuple[web.AppRunner, int]:
    async def quote(request: web.Request) -> web.Response:
        return web.json_response({"symbol": request.match_info["symbol"], "prices": [1.0] * 20})

    app = web.Application()
    app.router.add_get("/quotes/{symbol}", quote)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site.port


def server_throughput(count: int, workers: int = 50) -> dict[str, float]:
    """Requests per second at latency 0: the mock server (own process) and, for reference, a
    minimal aiohttp handler (in this process, so it shares the client's CPU: a lower bound)."""
    with server_process(1, FaultRates()) as (url, _):
        mock = count / asyncio.run(_bare_client(url, count, 0.0, workers))

    async def minimal() -> float:
        runner, port = await _minimal_server()
        try:
            return count / await _bare_client(f"http://127.0.0.1:{port}", count, 0.0, workers)
        finally:
            await runner.cleanup()

    return {"mock_rps": mock, "minimal_in_process_rps": asyncio.run(minimal())}


def uvloop_http(count: int, latency: float, workers: int) -> dict[str, float]:
    tasks = plan(count, latency)
    ideal = ideal_ns((t.latency_ns for t in tasks), workers) / 1e9
    out: dict[str, float] = {}
    with server_process(1, FaultRates()) as (url, _):
        for _ in range(2):  # interleaved, twice; the better of two to cut the noise
            for strategy in ("asyncio", "asyncio-uvloop"):
                eff = ideal / _harness_http(strategy, tasks, workers, url)
                key = f"{strategy}_efficiency"
                out[key] = max(out.get(key, 0.0), eff)
    return out
