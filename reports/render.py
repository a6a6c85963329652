"""Write every report file beside results.json: report.html and trace.json (atomically)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.model import Results
from bench.results.writer import write_atomic
from reports.html import render_html
from reports.trace import trace_chunks


def write_reports(
    results: Results, folder: Path, stage: Callable[[str], None] = lambda _name: None
) -> list[Path]:
    """`stage` is told each file as it begins (the CLI says so for a large run)."""
    stage("report.html")
    write_atomic(folder / "report.html", render_html(results))
    stage("trace.json")
    write_atomic(folder / "trace.json", trace_chunks(results))
    return [folder / "report.html", folder / "trace.json"]
