"""A smoke run of the `make perf` measurements at tiny sizes: the code paths work; no timing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.perf import cases


def test_fidelity_cases_run_for_every_strategy() -> None:
    for strategy in ("sequential", "asyncio", "asyncio-workers", "threads", "processes"):
        result = cases.fidelity(strategy, 4, 0.01, 2, rounds=1)
        assert result.ideal_s > 0 and result.harness_s > 0 and result.bare_s > 0
        assert result.ratio > 0


def test_recording_cost_and_ns_per_task_run() -> None:
    from tests.perf.recording import recording_cost

    assert recording_cost(50, rounds=1)["ratio"] > 0
    assert cases.ns_per_task("threads", 20, 2) > 0


def test_http_cases_run() -> None:
    from tests.perf.http_cases import http_fidelity, server_throughput

    result = http_fidelity(8, 0.01, 4)
    assert result["bare_aiohttp_efficiency"] > 0 and result["threads_efficiency"] > 0
    for name in ("bare_aiohttp", "asyncio", "asyncio-workers", "threads", "processes"):
        cap = result[f"{name}_ceiling"]
        assert 0 < cap.efficiency <= 1 and cap.ours_s >= 0 and cap.cores >= 1, name  # ticks: 10 ms
        assert cap.reached == result[f"{name}_efficiency"]
    assert server_throughput(20, workers=4)["mock_rps"] > 0


def test_the_command_line_is_timed_as_whole_processes(tmp_path: Path) -> None:
    from tests.perf.cli_speed import CASES, measure

    timings = measure(runs=1, warmup=0, folder=tmp_path)
    assert [t.case for t in timings] == list(CASES)
    assert all(t.min_s > 0 and len(t.cpu_seconds) == 1 for t in timings)
    assert "median" in timings[0].text() and "CPU median" in timings[0].spread()


def test_make_perf_says_pass_or_miss_per_target_and_sums_up() -> None:
    from tests.perf.targets import Figure, at_least, at_most, report

    figures = [at_most("ratio", 1.2, 1.5, "x"), at_least("eff", 0.9, 0.98), Figure("plain")]
    assert report(figures).splitlines() == [
        "PASS  ratio: 1.200x (target <= 1.500x)",
        "MISS  eff: 0.900 (target >= 0.980)",
        "      plain",
        "targets met: 1 of 2; missed: eff",
    ]


def test_the_models_table_is_built_from_real_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.perf import models
    from tests.perf.pages import markers

    page = tmp_path / "models.md"
    begin, end = markers("make models")
    page.write_text(f"# Which model\n\nprose\n{begin}\nold\n{end}\nmore prose\n")
    argv = ["--small", "--strategies", "asyncio,threads", "--write", str(page)]
    assert models.main(argv) == 0
    written = page.read_text()
    assert written.startswith("# Which model\n\nprose\n") and written.endswith("more prose\n")
    assert "old" not in written and re.search(
        r"Measured \d{4}-\d\d-\d\d \d\d:\d\d UTC by `make models`", written
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("| model | where the I/O run's tasks ran |")
    rows = {line.split(" | ")[0].removeprefix("| "): line.split(" | ") for line in lines[2:]}
    assert set(rows) == {"sequential", "asyncio", "threads"}
    assert rows["asyncio"][1] == "1 OS thread"  # from the records, not from a name
    assert rows["threads"][1] == "4 OS threads, 1 process"
    assert rows["sequential"][3] == "1.00x"  # the baseline of the CPU-bound speed-ups


def test_strict_perf_names_every_miss_and_only_when_asked() -> None:
    from tests.perf.targets import at_least, at_most, strict_misses

    figures = [at_most("render", 2.5, 2.0, " s"), at_least("eff", 0.99, 0.98)]
    assert strict_misses(figures, strict=False) == ""
    assert strict_misses(figures, strict=True) == "render: 2.500 s (target <= 2.000 s)"


def test_the_scaling_case_times_every_stage_in_a_fresh_process(tmp_path: Path) -> None:
    """`make perf`'s scaling case at 300 tasks: the whole command and each stage are measured,
    and the table shows a row per scale with each stage's time, µs a task and peak."""
    from tests.perf.scaling import STAGES, measure, table

    scale = measure(300, tmp_path)
    assert scale.command_s > 0 and scale.command_peak_mib > 0
    assert 0 < scale.bytes_per_task < 2_000  # 300 tasks stay inline in results.json
    assert all(scale.stages[name]["seconds"] > 0 for name in STAGES)
    assert all(scale.stages[name]["peak_mib"] > 0 for name in STAGES)
    lines = table([scale]).splitlines()
    assert lines[0].split()[:4] == ["tasks", "command", "peak", "B/task"]
    assert lines[1].lstrip().startswith("300 ")


def test_the_performance_page_has_room_for_make_perf(tmp_path: Path) -> None:
    """`make perf WRITE=1` writes its verdicts between the page's markers, and only there."""
    from tests.perf.pages import dated, markers, write_into

    real = Path(__file__).resolve().parent.parent / "docs" / "measurements" / "performance.md"
    page = tmp_path / "performance.md"
    page.write_text(real.read_text())
    write_into(
        page, dated("```\nPASS  x: 1.000 (target >= 0.5)\n```", "make perf", "how"), "make perf"
    )
    begin, end = markers("make perf")
    before, inside = page.read_text().split(begin)
    assert real.read_text().startswith(before)
    assert "by `make perf`" in inside and "PASS  x: 1.000" in inside and end in inside
