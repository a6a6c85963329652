"""Golden test: the tables rendered from hand-built results, compared as exact text."""

from __future__ import annotations

from reports.table import format_tables, time_unit
from tests.samples import sample_results

EXPECTED = """\
Timing

                                                                            p50       p95
                           wall     ideal                                  task      task      queue
 strategy     workers       (s)       (s)   eff.   speed-up   tasks/s       (s)       (s)   wait (s)
 ───────────────────────────────────────────────────────────────────────────────────────────────────
 sequential         1     12.06     12.00   1.00      1.00x       0.5      2.01      2.01       5.02
 asyncio            6      2.01      2.00   0.99      5.99x       3.0      2.01      2.01       0.00
 threads            3      4.03      4.00   0.99      3.00x       1.5      2.01      2.01       1.01
 processes          2      6.04      6.00   0.99      2.00x       1.0      2.01      2.01       2.01

Execution

 strategy                  status   peak overlap   threads   pids   cores
 ────────────────────────────────────────────────────────────────────────
 sequential             completed              1         1      1       -
 asyncio                completed              6         1      1       -
 threads                completed              3         3      1       -
 processes    completed, 1 failed              2         2      2       -

Cost

 strategy     CPU (s)   RSS (MiB)   IPC (B/task)   start-up (ms)
 ───────────────────────────────────────────────────────────────
 sequential      0.01        30.0              -            0.00
 asyncio         0.03        31.0              -            0.00
 threads         0.04        32.0              -            1.20
 processes       0.10       113.0            500           95.00

"""


def test_timing_table_golden() -> None:
    text = format_tables(sample_results(), width=100)
    # rich pads every line to the console width; the padding is not part of the contract.
    assert "\n".join(line.rstrip() for line in text.splitlines()) + "\n" == EXPECTED


def test_units_are_chosen_per_column() -> None:
    assert time_unit([2.5, 0.1]) == ("s", 1.0)
    assert time_unit([0.0025, None]) == ("ms", 1e3)
    assert time_unit([2e-6]) == ("µs", 1e6)
    assert time_unit([]) == ("µs", 1e6)
