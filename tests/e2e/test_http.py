"""Real sockets: the mock API in its own process and the HTTP collectors under every strategy."""

from __future__ import annotations

import json
import math
import random
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

import strategies
from bench.analysis.stats import summarize
from bench.cli.app import main
from bench.collectors.http import HttpCollector
from bench.collectors.retry import BACKOFF_CAP_S, retry_delay
from bench.mockapi.faults import FaultRates, parse_faults
from bench.mockapi.process import server_process
from bench.model import Results, TaskSpec
from bench.results.loader import load
from bench.results.writer import save
from reports.table import format_tables
from tests.conftest import optional, run


@contextmanager
def served(**rates: float) -> Iterator[tuple[str, int]]:
    with server_process(7, FaultRates(**rates)) as (url, pid):  # type: ignore[arg-type]
        yield url, pid


def plan(count: int, latency_s: float = 0.01) -> tuple[TaskSpec, ...]:
    return tuple(TaskSpec(i, f"S{i:03d}", round(latency_s * 1e9)) for i in range(count))


def test_every_strategy_collects_every_symbol(strategy_name: str) -> None:
    with served() as (url, _):
        record = run(strategy_name, plan(12), workers=4, collector=HttpCollector(url))
    if strategy_name == "asyncio+processes":  # needs separate I/O and CPU parts
        assert record.status == "aborted" and "separate I/O and CPU" in (record.reason or "")
        return
    assert record.status == "completed"
    assert all(t.status == "ok" and t.http_status == 200 and t.attempts == 1 for t in record.tasks)


def test_injected_500s_are_errors_at_the_configured_rate() -> None:
    count, rate = 400, 0.2
    with served(error=rate) as (url, _):
        record = run("asyncio", plan(count, 0.0), workers=50, collector=HttpCollector(url))
    errors = [t for t in record.tasks if t.status == "error"]
    assert all(t.http_status == 500 and t.error == "HttpError: HTTP 500" for t in errors)
    sigma = math.sqrt(count * rate * (1 - rate))
    assert abs(len(errors) - count * rate) <= 3 * sigma  # a binomial tolerance, not luck


def test_429_with_retry_after_is_retried_and_succeeds() -> None:
    with served(rate_limit=0.5) as (url, _):
        record = run("threads", plan(40), workers=8, collector=HttpCollector(url))
    retried = [t for t in record.tasks if t.attempts > 1]
    assert retried, "with half the requests limited, some tasks needed a retry"
    for t in record.tasks:
        if t.status == "ok":
            assert t.http_status == 200
        else:  # limited on every one of its 4 attempts
            assert t.http_status == 429 and t.attempts == 4
        assert t.retried == (429,) * (t.attempts - 1)  # every retry was for a 429


# trio's face is httpx (aiohttp needs asyncio), gevent's the patched http.client: same counts.
@pytest.mark.parametrize("strategy", ["asyncio", "threads", optional("trio"), optional("gevent")])
def test_retries_and_statuses_are_counted_and_shown(strategy: str, tmp_path: Path) -> None:
    with served(rate_limit=0.3, unavailable=0.2, error=0.05) as (url, _):
        record = run(strategy, plan(40), workers=8, collector=HttpCollector(url))
    counts = summarize(record).http
    assert counts is not None
    assert counts.requests == sum(t.attempts for t in record.tasks)
    assert counts.retries == counts.requests - 40 > 0
    assert counts.retried[429] > 0 and counts.retried[503] > 0
    assert sum(counts.final.values()) == 40 and counts.final[200] > 0
    results = Results({}, {}, (record,), "")
    save(results, tmp_path / "results.json")
    assert load(tmp_path / "results.json").runs[0].tasks == record.tasks  # retried round-trips
    text = format_tables(results, width=120)
    assert "HTTP (retried" in text and f"{counts.requests}" in text


@pytest.mark.parametrize("strategy", ["asyncio", "threads", optional("trio"), optional("gevent")])
def test_a_too_slow_response_becomes_timeout(strategy: str) -> None:
    with served(slow=1.0, slow_seconds=3.0) as (url, _):
        record = run(strategy, plan(3), workers=3, collector=HttpCollector(url, timeout_s=0.3))
    assert [t.status for t in record.tasks] == ["timeout"] * 3
    assert all(t.duration_ns >= 300_000_000 for t in record.tasks)


@pytest.mark.parametrize("strategy", ["asyncio", optional("trio")])
def test_malformed_bodies_are_recorded_not_raised(strategy: str) -> None:
    with served(malformed=1.0) as (url, _):
        record = run(strategy, plan(6), workers=3, collector=HttpCollector(url))
    assert record.status == "completed"
    assert all(
        t.status == "error" and "malformed response" in (t.error or "") for t in record.tasks
    )


def test_bad_requests_get_4xx_and_the_server_keeps_serving() -> None:
    with served() as (url, pid):
        host, port = url.removeprefix("http://").split(":")
        listening = [
            c
            for c in psutil.Process(pid).net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN
        ]
        assert [c.laddr.ip for c in listening] == ["127.0.0.1"]
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{url}/nowhere", timeout=5)
        assert missing.value.code == 404
        missing.value.close()
        big = urllib.request.Request(f"{url}/health", headers={"X-Big": "x" * 20_000})
        with pytest.raises(urllib.error.HTTPError) as oversized:
            urllib.request.urlopen(big, timeout=5)
        assert oversized.value.code == 400
        oversized.value.close()
        for latency in ("nan", "inf", "-1", "1e9", "abc"):  # inf would never have answered
            with pytest.raises(urllib.error.HTTPError) as bad:
                urllib.request.urlopen(f"{url}/quotes/AAPL?latency={latency}", timeout=5)
            assert bad.value.code == 400
            bad.value.close()
        with socket.create_connection((host, int(port)), timeout=5) as raw:
            raw.sendall(b"\x00\x01garbage\r\n\r\n")
            assert raw.recv(64).split(b" ")[1] == b"400"
        with urllib.request.urlopen(f"{url}/health", timeout=5) as ok:
            assert json.load(ok) == {"status": "ok"}


def test_retry_delay_honours_retry_after_and_caps_backoff() -> None:
    rng = random.Random(1)
    assert retry_delay(1, "0.2", rng) == 0.2
    assert retry_delay(1, "999", rng) == 5.0
    assert retry_delay(1, "Wed, 21 Oct 2015 07:28:00 GMT", rng) == 0.0  # a date in the past
    assert 0 <= retry_delay(10, "soon", rng) <= BACKOFF_CAP_S  # garbage: jittered backoff


def test_fault_spec_parsing() -> None:
    assert parse_faults("error=0.1,rate_limit=0.2") == FaultRates(error=0.1, rate_limit=0.2)
    for bad in ("boom=0.1", "error=2", "error=x", "error=0.6,slow=0.6"):
        with pytest.raises(ValueError):
            parse_faults(bad)


def test_run_over_http_leaves_no_server_behind(tmp_path: Path) -> None:
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    code = main(
        [
            "run",
            "--io",
            "http",
            "--strategies",
            "asyncio,threads",
            "--tasks",
            "6",
            "--workers",
            "3",
            "--latency",
            "0.01",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    runs = json.loads((tmp_path / "results.json").read_text())["runs"]
    assert all(t["http_status"] == 200 for r in runs for t in r["tasks"])
    after = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    _, alive = psutil.wait_procs(after, timeout=3)
    assert alive == []


def test_a_port_in_use_is_exit_4_with_one_line() -> None:
    with served() as (url, _):
        port = url.rsplit(":", 1)[1]
        proc = subprocess.run(
            [sys.executable, "-m", "bench", "serve", "--port", port],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert proc.returncode == 4
    assert proc.stderr.count("\n") == 1 and "use --port 0" in proc.stderr


def test_open_connects_before_the_first_task_and_survives_a_dead_server() -> None:
    with served() as (url, _):
        collector = HttpCollector(url)
        collector.open()
        conn = collector._connection()  # the same keep-alive connection the tasks will use
        assert conn.sock is not None  # connected, and one request already made on it
        assert collector.collect(TaskSpec(0, "AAPL", 0)).http_status == 200
        assert collector._connection() is conn  # reused, not reopened
        collector.close()
    dead = HttpCollector(url, timeout_s=1.0)
    dead.open()  # the server is gone: no exception here; the tasks meet it and record it
    assert dead._connection().sock is None


def test_a_task_deadline_under_gevent_names_the_deadline_not_the_clients_timeout() -> None:
    """gevent's Timeout fires inside http.client: the record says --task-timeout, not the
    collector's own "no response within 10s"."""
    if not strategies.available("gevent"):
        pytest.skip(str(strategies.unavailable("gevent")))
    with served(slow=1.0, slow_seconds=3.0) as (url, _):
        record = run("gevent", plan(2), workers=2, collector=HttpCollector(url), task_timeout_s=0.3)
    assert [t.status for t in record.tasks] == ["timeout"] * 2
    assert all("exceeded --task-timeout 0.3s" in (t.error or "") for t in record.tasks)


def test_the_retry_policy_is_one_decision_for_every_face() -> None:
    """bench.collectors.retry.Attempts, sans-I/O: what each outcome means, with no socket."""
    from bench.collectors.retry import Attempts, HttpError

    tries = Attempts(3, seed=0, timeout_s=2.0)
    attempts = iter(tries)
    assert next(attempts) == 1
    assert tries.answered(429, "0.25") == 0.25  # Retry-After honoured
    assert next(attempts) == 2
    assert 0 <= tries.dropped(ConnectionResetError()) <= BACKOFF_CAP_S
    assert next(attempts) == 3
    with pytest.raises(HttpError) as last:
        tries.answered(503, None)  # the last attempt: no more waiting
    assert (last.value.http_status, last.value.attempts, last.value.retried) == (503, 3, (429, 0))
    with pytest.raises(HttpError, match="HTTP 500"):
        Attempts(3, 0, 2.0).answered(500, None)  # an error at once, never retried
    assert str(tries.timed_out()) == "no response within 2s"
