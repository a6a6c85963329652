"""HTTP measurements against the mock server: each strategy in --io http mode beside a bare
aiohttp client loop against the same server in the same run, each with the efficiency the
machine's CPUs allow it (tests/perf/ceiling.py); the server's throughput at latency 0 beside a
minimal aiohttp handler."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import aiohttp

from bench.analysis.stats import ideal_ns
from bench.collectors.http import HttpCollector
from bench.mockapi.faults import FaultRates
from bench.mockapi.meter import usage_of
from bench.mockapi.process import server_process
from bench.model import RunRecord, Usage
from tests.perf import ceiling
from tests.perf.cases import plan


async def _bare_client(
    url: str, count: int, latency: float, workers: int, edges: list[ceiling.Reading] | None = None
) -> float:
    """Wall seconds of `count` requests; `edges` receives the CPU readings at the wall's."""
    connector = aiohttp.TCPConnector(limit=workers)
    timeout = aiohttp.ClientTimeout(total=30, sock_read=30)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as session:
        limit = asyncio.Semaphore(workers)

        async def one(i: int) -> None:
            async with limit, session.get(f"/quotes/S{i}?latency={latency}") as response:
                await response.read()

        if edges is not None:
            edges.append(ceiling.read())
        begin = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        wall = time.perf_counter() - begin
        if edges is not None:
            edges.append(ceiling.read())
        return wall


HTTP_STRATEGIES = ("asyncio", "asyncio-workers", "threads", "processes")


def http_fidelity(count: int, latency: float, workers: int) -> dict[str, Any]:
    """Efficiency per strategy beside a bare aiohttp loop, the mock server's CPU share of each
    wall (its own process, read from outside at the wall's edges: near 1, it set the pace), and
    the efficiency the machine's CPUs allow each (`<name>_ceiling`: a Ceiling)."""
    tasks = plan(count, latency)
    ideal = ideal_ns((t.latency_ns for t in tasks), workers) / 1e9
    out: dict[str, Any] = {"ideal_s": ideal}
    with server_process(1, FaultRates()) as (url, pid):
        watch = partial(usage_of, pid)
        before, edges = watch(), list[ceiling.Reading]()
        bare = asyncio.run(_bare_client(url, count, latency, workers, edges))
        after = watch()
        out["bare_aiohttp_efficiency"] = ideal / bare
        out["bare_aiohttp_server_busy"] = _busy(
            None if before is None or after is None else after.since(before), bare
        )
        out["bare_aiohttp_ceiling"] = ceiling.between(edges[0], edges[-1], count, ideal, bare)
        for strategy in HTTP_STRATEGIES:
            readings: list[ceiling.Reading] = []
            record = _harness_http(strategy, tasks, workers, url, _reading(watch, readings))
            wall = record.wall_ns / 1e9
            out[f"{strategy}_efficiency"] = ideal / wall
            out[f"{strategy}_server_busy"] = _busy(record.server, wall)
            # The runner reads its meters at the wall's edges: the last start, then the stop.
            start, stop = readings[-2:]
            out[f"{strategy}_ceiling"] = ceiling.between(start, stop, count, ideal, wall)
    return out


def _reading(
    watch: Callable[[], Usage | None], readings: list[ceiling.Reading]
) -> Callable[[], Usage | None]:
    """The server's meter, which the runner reads at the wall's edges, reading the CPUs too."""

    def both() -> Usage | None:
        readings.append(ceiling.read())
        return watch()

    return both


def _busy(spent: Usage | None, wall_s: float) -> float:
    return -1.0 if spent is None else spent.cpu_s / wall_s


def _harness_http(
    strategy: str,
    tasks: Any,
    workers: int,
    url: str,
    watch: Callable[[], Usage | None] | None = None,
) -> RunRecord:
    import strategies
    from bench.harness.execution import StrategyOptions
    from bench.harness.runner import run_strategy

    chunk = max(1, len(tasks) // (workers * 4))
    options = StrategyOptions(workers, HttpCollector(url), chunksize=chunk)
    record = run_strategy(strategies.get(strategy), tasks, options, watch=watch)
    assert all(t.status == "ok" for t in record.tasks), strategy
    return record


# A minimal aiohttp handler in a process of its own, like the mock server: the same client
# against both, so the ratio is the servers' own cost.
MINIMAL_SERVER = """
import asyncio, socket
from aiohttp import web

async def quote(request):
    return web.json_response({"symbol": request.match_info["symbol"], "prices": [1.0] * 20})

async def main():
    app = web.Application()
    app.router.add_get("/quotes/{symbol}", quote)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.create_server(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    print(sock.getsockname()[1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


@contextmanager
def minimal_server() -> Iterator[str]:
    argv = [sys.executable, "-c", MINIMAL_SERVER]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            yield f"http://127.0.0.1:{int(proc.stdout.readline())}"
        finally:
            proc.terminate()


def server_throughput(count: int, workers: int = 50) -> dict[str, float]:
    """Requests per second at latency 0, each server in a process of its own: the mock server
    (first pass: bodies made; second pass: bodies cached) and a minimal aiohttp handler."""
    with server_process(1, FaultRates()) as (url, _):
        cold = count / asyncio.run(_bare_client(url, count, 0.0, workers))
        warm = count / asyncio.run(_bare_client(url, count, 0.0, workers))
    with minimal_server() as url:
        asyncio.run(_bare_client(url, count // 10, 0.0, workers))  # the same warm-up
        minimal = count / asyncio.run(_bare_client(url, count, 0.0, workers))
    return {"mock_first_pass_rps": cold, "mock_rps": warm, "minimal_rps": minimal}


def uvloop_http(count: int, latency: float, workers: int) -> dict[str, float]:
    tasks = plan(count, latency)
    ideal = ideal_ns((t.latency_ns for t in tasks), workers) / 1e9
    out: dict[str, float] = {}
    with server_process(1, FaultRates()) as (url, _):
        for _ in range(2):  # interleaved, twice; the better of two to cut the noise
            for strategy in ("asyncio", "asyncio-uvloop"):
                eff = ideal / (_harness_http(strategy, tasks, workers, url).wall_ns / 1e9)
                key = f"{strategy}_efficiency"
                out[key] = max(out.get(key, 0.0), eff)
    return out
