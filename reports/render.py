"""Write every report file beside results.json: report.html and trace.json (atomically)."""

from __future__ import annotations

from pathlib import Path

from bench.model import Results
from bench.results.writer import write_atomic
from reports.html import render_html
from reports.trace import trace_chunks


def write_reports(results: Results, folder: Path) -> list[Path]:
    write_atomic(folder / "report.html", render_html(results))
    write_atomic(folder / "trace.json", trace_chunks(results))
    return [folder / "report.html", folder / "trace.json"]
