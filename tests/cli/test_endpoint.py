"""--base-url: the HTTP collector sent to the user's endpoint, politely. Every request in these
tests goes to a loopback address (the local mock server); other hosts are only parsed."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.cli.app import main
from bench.cli.endpoint import is_loopback, parse_endpoint
from bench.collectors.http import HttpCollector
from bench.collectors.polite import Politeness, RequestCapReached
from bench.collectors.retry import HttpError, HttpResult
from bench.errors import UsageError
from bench.mockapi.app import make_app
from bench.mockapi.faults import FaultRates
from bench.mockapi.process import server_process
from bench.model import TaskSpec


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("10.0.0.1", False),
        ("example.com", False),
        ("localhost.example.com", False),
    ],
)
def test_only_loopback_addresses_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_template_is_split_into_origin_and_path_and_its_query_is_not_recorded() -> None:
    endpoint = parse_endpoint("http://127.0.0.1:8080/v1/q/{symbol}?key=SECRET", False, "5", "10")
    assert (endpoint.origin, endpoint.template) == (
        "http://127.0.0.1:8080",
        "/v1/q/{symbol}?key=SECRET",
    )
    described = endpoint.describe()
    assert "SECRET" not in json.dumps(described)
    assert described == {
        "url": "http://127.0.0.1:8080/v1/q/{symbol}",
        "query": "omitted",
        "loopback": True,
        "max_rate_per_s": 5.0,
        "max_requests": 10,
    }
    ipv6 = parse_endpoint("http://[::1]:9/{symbol}", False, "5", "10")
    assert ipv6.origin == "http://[::1]:9"


@pytest.mark.parametrize(
    ("url", "allow", "message"),
    [
        (
            "http://example.com/q/{symbol}",
            False,
            "example.com is not a loopback address; add --allow-remote",
        ),
        ("ftp://127.0.0.1/{symbol}", False, "must be an http:// or https:// URL"),
        ("http:///q/{symbol}", False, "must be an http:// or https:// URL with a host"),
        ("http://127.0.0.1/q/AAPL", False, "must hold {symbol}"),
        ("http://127.0.0.1/q/{symbol}/{date}", False, "no other braces"),
        ("http://u:p@127.0.0.1/q/{symbol}", False, "credentials in the URL"),
        ("http://127.0.0.1:99999/q/{symbol}", False, "not a URL"),
    ],
)
def test_bad_or_unconfirmed_urls_are_refused(url: str, allow: bool, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_endpoint(url, allow, "5", "10")


def test_a_remote_endpoint_is_accepted_only_with_the_confirmation() -> None:
    endpoint = parse_endpoint("https://api.example.com/q/{symbol}", True, "2", "100")
    assert not endpoint.loopback and endpoint.origin == "https://api.example.com"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--io", "http", "--base-url", "http://example.com/{symbol}"], "add --allow-remote"),
        (["--base-url", "http://127.0.0.1:1/{symbol}"], "it needs --io http"),
        (["--max-rate", "3"], "--max-rate is a politeness limit of --base-url"),
        (
            ["--io", "http", "--base-url", "http://127.0.0.1:1/{symbol}", "--http-quota", "5/s"],
            "--http-quota shapes the mock API",
        ),
        (
            [
                "--io",
                "http",
                "--base-url",
                "http://127.0.0.1:1/{symbol}",
                "--strategies",
                "processes",
            ],
            "processes runs tasks in other processes",
        ),
        (
            ["--io", "http", "--base-url", "http://127.0.0.1:1/{symbol}", "--max-rate", "0"],
            "--max-rate must be a finite number > 0",
        ),
    ],
)
def test_the_cli_refuses_with_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["run", *argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "results.json").exists()


def test_politeness_spaces_requests_at_the_rate_and_stops_at_the_cap() -> None:
    now = [10.0]
    polite = Politeness(4.0, 5, clock=lambda: now[0])
    assert [polite.reserve() for _ in range(3)] == [0.0, 0.25, 0.5]  # three asked at once
    now[0] += 2.0  # idle: no credit is saved up beyond the next free slot
    assert polite.reserve() == 0.0 and polite.reserve() == pytest.approx(0.25)
    with pytest.raises(RequestCapReached, match="cap of 5 requests"):
        polite.reserve()


def _recording_server(seen: list[tuple[float, str]]) -> web.Application:
    app = make_app(faults=FaultRates())

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        seen.append((time.monotonic(), request.path_qs))
        response: web.StreamResponse = await handler(request)
        return response

    app.middlewares.append(record)
    return app


@pytest.mark.parametrize("face", ["async", "sync"])
def test_the_collector_asks_the_template_politely_and_nothing_else(face: str) -> None:
    seen: list[tuple[float, str]] = []
    rate, cap, specs = 40.0, 6, [TaskSpec(i, f"S {i}", 0) for i in range(8)]

    started: list[float] = []

    async def body() -> list[HttpResult | HttpError]:
        server = TestServer(_recording_server(seen), host="127.0.0.1", port=0)
        await server.start_server()
        started.append(time.monotonic())
        origin = str(server.make_url("")).rstrip("/")
        collector = HttpCollector(
            origin, template="/quotes/{symbol}?latency=0", polite=Politeness(rate, cap)
        )
        try:
            return await _collect(collector, specs, face)
        finally:
            await server.close()

    outcomes = asyncio.run(body())
    failed = [o for o in outcomes if isinstance(o, HttpError)]
    assert len(failed) == len(specs) - cap
    assert all("cap of 6 requests" in str(e) and e.attempts == 0 for e in failed)
    paths = [path for _, path in seen]
    assert len(paths) == cap and all(p.startswith("/quotes/S%20") for p in paths)  # no /health
    # Each request waits for its slot (start + k / rate for the k-th reserved) and load only
    # delays it further: so the k-th arrival comes no sooner than k / rate after the start.
    times = sorted(t for t, _ in seen)
    assert all(t - started[0] >= k / rate - 1e-3 for k, t in enumerate(times))


async def _collect(
    collector: HttpCollector, specs: list[TaskSpec], face: str
) -> list[HttpResult | HttpError]:
    if face == "async":
        await collector.astart(4)

        async def one_async(spec: TaskSpec) -> HttpResult | HttpError:
            try:
                return await collector.acollect(spec)
            except HttpError as exc:
                return exc

        try:
            return list(await asyncio.gather(*(one_async(s) for s in specs)))
        finally:
            await collector.astop()
    collector.open()  # must not ask the endpoint for /health

    def one(spec: TaskSpec) -> HttpResult | HttpError:
        try:
            return collector.collect(spec)
        except HttpError as exc:
            return exc
        finally:
            collector.close()

    loop = asyncio.get_running_loop()
    return list(await asyncio.gather(*(loop.run_in_executor(None, one, s) for s in specs)))


@pytest.mark.slow
def test_a_run_against_a_loopback_endpoint_honours_the_caps(tmp_path: Path) -> None:
    with server_process(3, FaultRates()) as (url, _):
        argv = ["run", "--io", "http", "--base-url", url + "/quotes/{symbol}?latency=0.01"]
        argv += ["--max-rate", "100", "--max-requests", "5", "--tasks", "8", "--strategies"]
        assert main([*argv, "threads", "--workers", "4", "--out", str(tmp_path), "-q"]) == 0
    saved = json.loads((tmp_path / "results.json").read_text())
    tasks = saved["runs"][0]["tasks"]
    assert sum(t["status"] == "ok" for t in tasks) == 5
    assert all("cap of 5 requests" in t["error"] for t in tasks if t["status"] != "ok")
    endpoint = saved["config"]["endpoint"]
    assert endpoint["loopback"] and endpoint["query"] == "omitted"
    assert endpoint["url"].endswith("/quotes/{symbol}") and endpoint["max_requests"] == 5
