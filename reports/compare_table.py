"""The comparison table: one row per strategy (and sweep point) present in both files."""

from __future__ import annotations

import io
import statistics
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from bench.analysis.compare import Comparison
from reports.table import WIDE


def _median(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.3f} s (n={len(values)})"


def compare_table(rows: Sequence[Comparison], width: int = WIDE) -> Table:
    """One line per configuration where that fits; otherwise the medians go under each label, so
    no label is cut short."""
    wide = _table(rows, narrow=False)
    return wide if _natural_width(wide) <= width else _table(rows, narrow=True)


def _natural_width(table: Table) -> int:
    console = Console(width=10_000, file=io.StringIO())
    return Measurement.get(console, console.options, table).maximum


def _table(rows: Sequence[Comparison], narrow: bool) -> Table:
    table = Table(
        title="Comparison (current / baseline, median wall time)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=narrow,
    )
    headers = ["strategy", "baseline", "current", "ratio", "95% CI", "U test p", "verdict"]
    if narrow:
        headers = ["strategy: baseline -> current", "ratio", "95% CI", "U p", "verdict"]
    for header in headers:
        left = header.startswith("strategy") or header == "verdict"
        table.add_column(header, justify="left" if left else "right", no_wrap=not left)
    for c in rows:
        interval = f"{c.low:.3f}-{c.high:.3f}" if c.enough_runs else "-"
        values = [f"{c.ratio:.3f}", interval, f"{c.p_value:.3f}", c.verdict]
        if narrow:
            table.add_row(f"{c.label}\n  {_median(c.base)} -> {_median(c.current)}", *values)
        else:
            table.add_row(c.label, _median(c.base), _median(c.current), *values)
    return table
