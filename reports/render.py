"""Write every report file beside results.json: report.html and trace.json (atomically)."""

from __future__ import annotations

from pathlib import Path

from bench.model import Results
from bench.results import write_atomic
from reports.html import render_html
from reports.trace import trace_json


def write_reports(results: Results, folder: Path) -> list[Path]:
    written = []
    for name, text in (("report.html", render_html(results)), ("trace.json", trace_json(results))):
        write_atomic(folder / name, text)
        written.append(folder / name)
    return written
