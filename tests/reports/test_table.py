"""Golden test: the tables rendered from hand-built results, compared as exact text."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from rich.console import Console

from bench.analysis.compare import compare
from bench.analysis.repeats import summarize_groups
from bench.model import Results
from reports.compare_table import compare_table
from reports.stats_table import stats_table
from reports.table import format_tables, time_unit
from tests.samples import sample_results


def repeated_results() -> Results:
    """The sample run three times over (rounds 0-2), a little slower each round."""
    base = sample_results()
    runs = tuple(
        dataclasses.replace(run, round=r, wall_ns=run.wall_ns + r * 1_000_000)
        for r in range(3)
        for run in base.runs
    )
    return dataclasses.replace(base, runs=runs)


EXPECTED = """\
Timing (times in s; p50, p95: one task's time)

 strategy     workers     wall    ideal   eff.   speed-up   tasks/s     p50     p95   queue wait
 ───────────────────────────────────────────────────────────────────────────────────────────────
 sequential         1   12.060   12.000   1.00      1.00x       0.5   2.010   2.010        5.025
 asyncio            6    2.012    2.000   0.99      5.99x       3.0   2.010   2.010        0.001
 threads            3    4.025    4.000   0.99      3.00x       1.5   2.010   2.010        1.007
 processes          2    6.040    6.000   0.99      2.00x       1.0   2.010   2.010        2.013

Execution

 strategy     workers                status   peak overlap   threads   pids   cores
 ──────────────────────────────────────────────────────────────────────────────────
 sequential         1             completed              1         1      1       -
 asyncio            6             completed              6         1      1       -
 threads            3             completed              3         3      1       -
 processes          2   completed, 1 failed              2         2      2       -

Cost (times in ms)

 strategy     workers      CPU   RSS (MiB)   IPC (B/task)   start-up
 ───────────────────────────────────────────────────────────────────
 sequential         1    10.00        30.0              -       0.00
 asyncio            6    30.00        31.0              -       0.00
 threads            3    40.00        32.0              -       1.20
 processes          2   100.00       113.0            500      95.00

"""

EXPECTED_NARROW = """\
Summary (times in s)

 strategy    workers    wall  speed-up  eff.  threads  pids    status
 ────────────────────────────────────────────────────────────────────
 sequential        1  12.060     1.00x  1.00        1     1        ok
 asyncio           6   2.012     5.99x  0.99        1     1        ok
 threads           3   4.025     3.00x  0.99        3     1        ok
 processes         2   6.040     2.00x  0.99        2     2  1 failed

More columns (ideal, p50/p95 task time, queue wait, CPU, memory, IPC, start-up)
in a terminal of 100+ columns and in report.html.
"""


def _lines(text: str) -> str:
    # rich pads every line to the console width; the padding is not part of the contract.
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def test_timing_table_golden() -> None:
    assert _lines(format_tables(sample_results(), width=100)) == EXPECTED


def test_narrow_console_gets_the_summary_columns_on_purpose() -> None:
    assert _lines(format_tables(sample_results(), width=80)) == EXPECTED_NARROW


@pytest.mark.parametrize("width", [80, 99, 100, 140])
def test_no_line_is_wider_than_the_console(width: int) -> None:
    text = format_tables(sample_results(), width=width)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width
    assert "threads" in text and "speed-up" in text  # never dropped by rich


def test_stats_and_compare_tables_fit_80_columns() -> None:
    results = repeated_results()
    groups = summarize_groups(results.runs)
    comparison = compare_table(compare(results, results), 80)
    for table in (stats_table(groups, 80), comparison):
        out = io.StringIO()
        Console(file=out, width=80, color_system=None).print(table)
        text = out.getvalue()
        assert max(len(line.rstrip()) for line in text.splitlines()) <= 80, text
        assert "…" not in text and "asyncio" in text and "95% CI" in text, text


def test_units_are_chosen_per_column() -> None:
    assert time_unit([2.5, 0.1]) == ("s", 1.0)
    assert time_unit([0.0025, None]) == ("ms", 1e3)
    assert time_unit([2e-6]) == ("µs", 1e6)
    assert time_unit([]) == ("µs", 1e6)


def test_runs_of_different_sizes_say_how_many_tasks_each_ran() -> None:
    """A sweep over --tasks: two `sequential 1` rows must not look alike."""
    results = sample_results()
    small = dataclasses.replace(results.runs[0], tasks=results.runs[0].tasks[:3])
    mixed = dataclasses.replace(results, runs=(small, *results.runs))
    for width in (80, 100):
        header = next(
            line for line in format_tables(mixed, width=width).splitlines() if "strategy" in line
        )
        assert header.split()[:3] == ["strategy", "workers", "tasks"], header
    assert "tasks" not in format_tables(results, width=80).splitlines()[2]


def test_a_wide_console_shows_the_speed_ups_interval_whole() -> None:
    out = io.StringIO()
    groups = summarize_groups(repeated_results().runs)
    Console(file=out, width=120, color_system=None).print(stats_table(groups, 120))
    asyncio = next(line for line in out.getvalue().splitlines() if "asyncio" in line)
    assert re.search(r"5\.99x\s+\d\.\d\d-\d\.\d\d$", asyncio.rstrip()), asyncio
