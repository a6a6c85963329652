"""The comparison table: one row per strategy (and sweep point) present in both files."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.table import Table

from bench.compare import Comparison


def compare_table(rows: Sequence[Comparison]) -> Table:
    table = Table(title="Comparison (current / baseline, median wall time)", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)  # fmt: skip
    for header in ("strategy", "baseline", "current", "ratio", "95% CI", "p", "verdict"):
        left = header in ("strategy", "verdict")
        table.add_column(header, justify="left" if left else "right", no_wrap=not left)
    for c in rows:
        med_b, med_c = sorted(c.base)[len(c.base) // 2], sorted(c.current)[len(c.current) // 2]
        table.add_row(c.label, f"{med_b:.3f} s (n={len(c.base)})",
                      f"{med_c:.3f} s (n={len(c.current)})", f"{c.ratio:.3f}",
                      f"{c.low:.3f}-{c.high:.3f}", f"{c.p_value:.3f}", c.verdict)  # fmt: skip
    return table
