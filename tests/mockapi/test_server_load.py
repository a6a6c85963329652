"""The mock server's CPU during each HTTP run: recorded, kept in results.json, and said plainly
(in the HTTP table and the report) when the server, not the strategy, may have set the pace."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from bench.analysis.stats import summarize_all
from bench.cli.app import main
from bench.mockapi.meter import usage_of
from bench.model import Results, Usage
from bench.results.loader import load
from bench.results.writer import save
from reports.html import render_html
from reports.table import format_tables
from tests.conftest import make_plan, run
from tests.crafted_collectors import SERVED, CountsRequests
from tests.samples import sample_results


def http_results(server_cpu_s: dict[str, float]) -> Results:
    """The sample results as HTTP runs, the mock server having spent `server_cpu_s` (by
    strategy) of CPU in each."""
    base = sample_results()
    runs = []
    for record in base.runs:
        tasks = tuple(dataclasses.replace(t, attempts=1, http_status=200) for t in record.tasks)
        cpu = server_cpu_s.get(record.strategy)
        server = None if cpu is None else Usage(user_s=cpu, system_s=0.0)
        runs.append(dataclasses.replace(record, tasks=tasks, server=server))
    return dataclasses.replace(base, runs=tuple(runs), environment=ENVIRONMENT)


ENVIRONMENT = {"python": "3.11.7", "cpu_count": 2, "usable_cpus": 2}


EXPECTED = """\
HTTP (retried: attempts sent again)

 strategy  workers  requests  retried     server CPU  CPUs busy
 ──────────────────────────────────────────────────────────────
 asyncio         6         6        0  95% saturated   48% of 2
 threads         3         6        0            20%   10% of 2

CPUs busy: the harness, its workers and the mock server
together, as a share of every usable CPU for the whole wall;
near 100% the machine itself was the limit
saturated: the mock server's one CPU was busy 90% or more of the
wall, so the server, not the strategy, may have set the pace
"""


def test_a_busy_server_is_called_saturated_in_the_table() -> None:
    # asyncio's wall is 2.012 s, threads' 4.025 s (tests/samples.py)
    results = http_results({"asyncio": 0.95 * 2.012, "threads": 0.2 * 4.025})
    results = dataclasses.replace(
        results, runs=tuple(r for r in results.runs if r.strategy in ("asyncio", "threads"))
    )
    text = format_tables(results, width=80)
    lines = text[text.index("HTTP (") :].splitlines()
    assert "\n".join(line.rstrip() for line in lines) + "\n" == EXPECTED


def test_the_report_says_so_too() -> None:
    html = render_html(http_results({"asyncio": 0.95 * 2.012, "threads": 0.2 * 4.025}))
    assert "<td>95% saturated</td><td>48% of 2</td>" in html and "<td>20%</td>" in html
    assert "Saturated: the mock server&#39;s one CPU was busy 90% or more" in html
    calm = render_html(http_results({"asyncio": 0.5 * 2.012}))
    assert "<td>50%</td>" in calm and "Saturated:" not in calm


def test_server_usage_survives_a_save_and_a_load(tmp_path: Path) -> None:
    results = http_results({"asyncio": 1.25})
    save(results, tmp_path / "results.json")
    loaded = load(tmp_path / "results.json")
    assert [r.server for r in loaded.runs] == [r.server for r in results.runs]
    busy = [s.server_busy for s in summarize_all(loaded.runs)]
    assert busy[0] is None and busy[1] == 1.25 / 2.012


def test_the_meter_reads_a_live_process_and_gives_none_for_a_gone_one() -> None:
    import os

    here = usage_of(os.getpid())
    assert here is not None and here.user_s > 0
    assert usage_of(2**22 + 12345) is None  # above Linux's pid_max default: never a process
    spent = Usage(1.5, 0.75, 7, 5, 4).since(Usage(1.0, 0.5, 0, 3, 4))
    assert spent == Usage(0.5, 0.25, 7, 2, 0)


def test_a_real_http_run_records_the_servers_work(tmp_path: Path) -> None:
    argv = ["run", "--io", "http", "--strategies", "asyncio", "--tasks", "30", "--workers", "5"]
    assert main([*argv, "--latency", "0.01", "--out", str(tmp_path)]) == 0
    first = json.loads((tmp_path / "results.json").read_text())["runs"][0]
    server = first["usage"]["server"]
    # CPU seconds tick in 10 ms steps; context switches count every wake-up exactly: a server
    # that answered 30 requests cannot have slept through them.
    assert server["voluntary_switches"] > 0
    assert server["user_seconds"] >= 0 and server["system_seconds"] >= 0


def test_the_server_is_read_at_the_walls_edges_not_around_start_up() -> None:
    """Workers' warm-up requests (the collector's open, in start-up) are not the run's."""
    SERVED.clear()

    def pretend_server() -> Usage:
        return Usage(user_s=float(len(SERVED)))  # a second of CPU per request served

    record = run(
        "threads", make_plan(6, 0.01), workers=3, collector=CountsRequests(), watch=pretend_server
    )
    assert SERVED.count("warm-up") == 3  # one per worker thread, all before the clock
    assert record.server == Usage(user_s=6.0)  # the six tasks' requests, and only those
