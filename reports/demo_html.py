"""The demo's handout: the chapters in order, each with its timelines, numbers and verdict, and a
"claims checked" table. Self-contained like the main report (and built from its pieces)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from bench.analysis.stats import summarize
from bench.model import RunRecord
from reports.html import SCRIPT, SCRIPT_HASH, TEMPLATES, embedded_data
from reports.timeline import timeline_svgs


def _rows(runs: list[RunRecord]) -> list[dict[str, str]]:
    rows = []
    for run in runs:
        s = summarize(run)
        rows.append(
            {
                "strategy": run.strategy,
                "workers": str(run.workers),
                "wall": f"{s.wall_s:.2f} s",
                "ideal": f"{s.ideal_s:.2f} s",
                "overlap": str(s.peak_overlap),
                "threads": str(s.threads),
                "pids": str(s.pids),
                "wait": f"{s.mean_queue_wait_s or 0:.2f} s",
                "startup": f"{s.startup_s * 1e3:.0f} ms",
            }
        )
    return rows


def render_demo_html(chapters: list[dict[str, Any]], scale: float) -> str:
    """`chapters`: number, title, explanation, claim, confirmed, evidence, log, runs."""
    items = []
    for ch in chapters:
        runs: list[RunRecord] = ch["runs"]
        svgs = [Markup(svg) for svg in timeline_svgs(runs)] if runs else []
        items.append({**ch, "rows": _rows(runs), "svgs": svgs})
    data, _ = embedded_data(tuple(run for c in chapters for run in c["runs"]))
    data["chapters"] = [
        {
            "number": c["number"],
            "claim": c["claim"],
            "verdict": "confirmed" if c["confirmed"] else "contradicted",
        }
        for c in chapters
    ]
    return TEMPLATES.get_template("demo.html.j2").render(
        chapters=items, scale=scale, data=data, script=Markup(SCRIPT), script_hash=SCRIPT_HASH
    )
