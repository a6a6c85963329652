"""The mock API's quota: a token bucket per client key, 429 with a Retry-After that is honoured.

The bucket's arithmetic is tested on an injected clock (no real time); one test checks the real
server on real time with a bound that load cannot break (the bucket never admits more than its
rate allows, however slow the machine), and a generous one the other way.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from bench.cli.app import main
from bench.collectors.http import HttpCollector
from bench.collectors.retry import HttpError, HttpResult
from bench.mockapi.app import LIMITER, make_app
from bench.mockapi.quota import Limiter, Quota, TokenBucket, parse_quota, retry_after
from bench.model import TaskSpec


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("text", "rate", "burst"),
    [
        ("20/s", 20.0, 1),
        ("20", 20.0, 1),
        ("600/min", 10.0, 1),
        ("0.5/s,burst=3", 0.5, 3),
        (" 120 / min , burst=10", 2.0, 10),
    ],
)
def test_quota_text(text: str, rate: float, burst: int) -> None:
    quota = parse_quota(text)
    assert quota.rate_per_s == pytest.approx(rate) and quota.burst == burst
    assert parse_quota(quota.flags()) == Quota(quota.rate_per_s, burst, quota.flags())


@pytest.mark.parametrize(
    "text", ["", "fast", "20/h", "-5/s", "0/s", "20/s,burst=0", "20/s,burst=x", "20/s,size=3"]
)
def test_bad_quota_text_is_refused_by_name(text: str) -> None:
    with pytest.raises(ValueError, match=r"burst|RATE|rate"):
        parse_quota(text)


def test_the_bucket_admits_the_rate_over_a_window_within_one_request() -> None:
    """Requests every millisecond for 10 s of fake time: admitted = burst + rate x window."""
    for rate, burst in ((20.0, 1), (20.0, 5), (0.5, 2), (333.0, 40)):
        bucket, now, admitted = TokenBucket(Quota(rate, burst), 0.0), 0.0, 0
        while now < 10.0:
            admitted += bucket.take(now) == 0.0
            now += 0.001
        expected = burst + rate * 10.0
        assert expected - 1.5 <= admitted <= expected + 0.5, (rate, burst, admitted)


def test_retry_after_names_the_moment_a_token_is_back() -> None:
    bucket = TokenBucket(Quota(20.0, 1), 0.0)
    assert bucket.take(0.0) == 0.0
    wait = bucket.take(0.01)
    assert wait == pytest.approx(0.04)
    told = float(retry_after(wait))
    assert told >= wait and told - wait < 0.001  # rounded up to the millisecond, no more
    assert bucket.take(0.01 + told * 0.9) > 0  # earlier than told: still refused
    assert bucket.take(0.01 + told) == 0.0  # at the time told: admitted
    assert retry_after(1e-7) == "0.001"  # never "0": that would invite a client to spin


def test_a_burst_is_spent_then_refilled_at_the_rate() -> None:
    bucket = TokenBucket(Quota(10.0, 3), 0.0)
    assert [bucket.take(0.0) == 0.0 for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.1) == 0.0 and bucket.take(0.1) > 0  # one token per 100 ms
    assert [bucket.take(60.0) == 0.0 for _ in range(4)] == [True, True, True, False]  # capped


def test_each_client_key_has_its_own_bucket_and_a_clock_stepping_back_refills_nothing() -> None:
    clock = Clock()
    limiter = Limiter(Quota(1.0, 1), clock)
    assert limiter.admit("a") == 0.0 and limiter.admit("b") == 0.0
    assert limiter.admit("a") > 0
    clock.now -= 50
    assert limiter.admit("a") > 0
    assert (limiter.admitted, limiter.refused) == (2, 2)


def _serve(
    app: web.Application, body: Callable[[str], Awaitable[None]]
) -> None:  # the app on a free loopback port for the length of `body`
    async def main() -> None:
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
        try:
            await body(str(server.make_url("")))
        finally:
            await server.close()

    asyncio.run(main())


def test_the_server_refuses_with_429_and_retry_after_per_key_and_health_is_free() -> None:
    clock = Clock()
    app = make_app(quota=Quota(2.0, 1), clock=clock)

    async def body(url: str) -> None:
        async with ClientSession(url) as session:
            for _ in range(3):
                async with session.get("/health") as response:
                    assert response.status == 200
            async with session.get("/quotes/A?latency=0") as response:
                assert response.status == 200
            async with session.get("/quotes/A?latency=0") as response:
                assert response.status == 429
                assert response.headers["Retry-After"] == "0.500"
            key = {"X-API-Key": "other"}
            async with session.get("/quotes/A?latency=0", headers=key) as response:
                assert response.status == 200  # another key, another bucket
            clock.now += 0.5
            async with session.get("/quotes/A?latency=0") as response:
                assert response.status == 200

    _serve(app, body)


def test_the_real_server_admits_no_more_than_its_rate_over_real_time() -> None:
    """Eight clients as fast as they can go for about 0.6 s against 50 requests a second. The
    upper bound is the bucket's promise and holds however loaded the machine is; the lower bound
    is generous (a quarter of the quota) because a starved client may simply not ask enough."""
    rate, burst = 50.0, 2
    app = make_app(quota=Quota(rate, burst))
    refusals: list[float] = []

    async def body(url: str) -> None:
        deadline = time.monotonic() + 0.6

        async def client(session: ClientSession) -> None:
            while time.monotonic() < deadline:
                async with session.get("/quotes/X?latency=0") as response:
                    if response.status == 429:
                        refusals.append(float(response.headers["Retry-After"]))

        async with ClientSession(url) as session:
            start = deadline - 0.6
            await asyncio.gather(*(client(session) for _ in range(8)))
            elapsed = time.monotonic() - start
        limiter = app[LIMITER]
        assert limiter is not None
        # The server's window lies inside the client's (its first and last answers are in it).
        assert limiter.admitted <= burst + rate * elapsed + 1
        assert limiter.admitted >= rate * 0.6 / 4
        assert limiter.refused == len(refusals) > 0
        assert all(0 < wait <= 1 / rate + 0.001 for wait in refusals)

    _serve(app, body)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Arrivals:
    """Middleware recording, per symbol, when each attempt arrived and any Retry-After told."""

    def __init__(self) -> None:
        self.log: dict[str, list[tuple[float, int, float | None]]] = {}

        @web.middleware
        async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self._record(request, handler)

        self.middleware = record

    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        arrived = time.monotonic()
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
        told = response.headers.get("Retry-After")
        entry = (arrived, response.status, None if told is None else float(told))
        self.log.setdefault(request.match_info.get("symbol", ""), []).append(entry)
        if isinstance(response, web.HTTPException):
            raise response
        return response

    def check_honoured(self) -> int:
        """No attempt after a 429 arrived before the time that 429 named; the number of 429s."""
        refused = 0
        for entries in self.log.values():
            for (then, status, told), (later, _, _) in itertools.pairwise(entries):
                if status == 429:
                    refused += 1
                    assert told is not None
                    # Arrival times on one clock; the client waited `told` after reading the
                    # answer, which came after its arrival: only lateness is possible.
                    assert later - then >= told - 1e-3, (later - then, told)
        return refused


@pytest.mark.parametrize("face", ["async", "sync"])
def test_the_collectors_honour_retry_after(face: str) -> None:
    arrivals = Arrivals()
    app = make_app(quota=Quota(40.0, 1))
    app.middlewares.append(arrivals.middleware)
    specs = [TaskSpec(i, f"S{i}", 0) for i in range(12)]

    async def body(url: str) -> None:
        collector = HttpCollector(url, max_attempts=12)
        if face == "async":
            await collector.astart(6)
            try:
                results = await asyncio.gather(*(collector.acollect(s) for s in specs))
            finally:
                await collector.astop()
        else:
            loop = asyncio.get_running_loop()
            results = await asyncio.gather(
                *(loop.run_in_executor(None, _collect_fresh, url, s) for s in specs)
            )
        assert all(r.http_status == 200 for r in results)

    _serve(app, body)
    assert arrivals.check_honoured() > 0  # 12 at once against a burst of 1: some were refused


def _collect_fresh(url: str, spec: TaskSpec) -> HttpResult:
    collector = HttpCollector(url, max_attempts=12)
    try:
        return collector.collect(spec)
    except HttpError as exc:  # pragma: no cover - shown if the quota starved a task
        raise AssertionError(f"{spec.symbol}: {exc}") from None
    finally:
        collector.close()


@pytest.mark.slow
def test_a_run_against_a_quota_records_it_and_meets_429s(tmp_path: Path) -> None:
    """20/s with burst 1 and 6 workers of 10 ms: the server's own process refuses the excess."""
    argv = ["run", "--io", "http", "--strategies", "asyncio", "--tasks", "30", "--workers", "6"]
    code = main([*argv, "--latency", "0.01", "--http-quota", "20/s", "--out", str(tmp_path), "-q"])
    assert code == 0
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["config"]["http_quota"] == {"text": "20/s", "rate_per_s": 20.0, "burst": 1}
    tasks = saved["runs"][0]["tasks"]
    assert any(t["attempts"] > 1 for t in tasks)
    for t in tasks:  # refused on every attempt, or admitted at last
        assert (t["status"], t["http_status"]) in (("ok", 200), ("error", 429))
        assert t["status"] == "ok" or t["attempts"] == 4


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--io", "http", "--http-quota", "20/h"], "--http-quota: expected RATE"),
        (["run", "--http-quota", "20/s"], "--http-quota is enforced by the mock API"),
        (["run", "--io", "http", "--http-attempts", "0"], "--http-attempts must be an integer"),
        (["serve", "--quota", "20/s,burst=0"], "--quota: burst must be"),
    ],
)
def test_a_bad_quota_is_exit_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
