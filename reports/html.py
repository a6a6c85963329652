"""The self-contained HTML report: inline SVG and CSS, no external requests, opens offline.

jinja2 with autoescaping; the figures are matplotlib's own XML (escaped by its writer) and are the
only markup inserted unescaped. Task records are embedded as JSON through `|tojson`, which escapes
`<`, `>`, `&` and `'`, so no symbol can close the script block.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict
from typing import Any

import jinja2
from markupsafe import Markup

from bench.analysis.notices import run_warnings
from bench.analysis.repeats import summarize_groups
from bench.analysis.stats import RunSummary, saturated, summarize_all
from bench.model import Results, RunRecord
from reports import charts, timeline
from reports.advice_chart import advice_parts
from reports.answers import answers
from reports.reading import cpu_findings, readings
from reports.stats_table import stats_rows, warning_lines
from reports.sweep_charts import sweep_svgs
from reports.table import last_responses
from reports.task_text import failed_count, failed_words
from reports.words import SATURATED_NOTE, cpus_busy, fmt, plural, server_busy

EMBED_LIMIT = 20_000  # task records embedded as JSON; the rest stay in results.json / tasks.csv
ROWS_PER_RUN = 200  # task rows shown per run in the page
SYMBOLS_SHOWN = 50

# The page's only script. Its hash goes in the Content-Security-Policy, so even a name that slipped
# past escaping could not run a script of its own.
SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById("task-data").textContent);
  var total = 0;
  data.runs.forEach(function (run) { total += run.symbol.length; });
  document.getElementById("records-count").textContent = total + " task records from " +
    data.runs.length + " runs are embedded in this page as JSON (element #task-data).";
  document.body.setAttribute("data-records", String(total));
})();
"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def rounds_of(runs: tuple[RunRecord, ...]) -> int:
    return max((r.round for r in runs), default=0) + 1


def round_label(run_round: int, rounds: int) -> str:
    """ "round 2 of 3" for a repeated run's rows and figures; "" when there was one round."""
    return f"round {run_round + 1} of {rounds}" if rounds > 1 else ""


def _summary_rows(results: Results, summaries: list[RunSummary]) -> list[dict[str, str]]:
    """The runs frame's rows (reports.frames.runs_frame), built without pandas: importing it
    (and the pyarrow it imports) cost the whole command 90 MiB and half a second."""
    rounds = rounds_of(results.runs)
    rows = []
    pairs = enumerate(zip(results.runs, summaries, strict=True))
    for r in ({"run": n, "round": run.round, **asdict(s)} for n, (run, s) in pairs):
        rows.append(
            {
                "strategy": r["strategy"],
                "round": round_label(int(r["round"]), rounds),
                "workers": str(r["workers"]),
                "status": _status(r),
                "problem": _problem(r),
                "workers_text": f"{plural(int(r['workers']), 'worker')}, "
                f"{plural(int(r['tasks']), 'task')}",
                "wall": fmt(r["wall_s"], 2, " s"),
                "ideal": fmt(r["ideal_s"], 3, " s"),
                "efficiency": fmt(r["efficiency"]),
                "speedup": fmt(r["speedup"], 2, "x"),
                "throughput": fmt(r["throughput"], 1),
                "p50": fmt(r["p50_task_s"], 3, " s"),
                "p95": fmt(r["p95_task_s"], 3, " s"),
                "wait": fmt(r["mean_queue_wait_s"], 3, " s"),
                "overlap": str(r["peak_overlap"]),
                "threads": str(r["threads"]),
                "pids": str(r["pids"]),
                "cpu": fmt(r["cpu_s"], 2, " s"),
                "rss": fmt(r["peak_rss_bytes"] / 2**20, 1, " MiB"),
                "startup": fmt(r["startup_s"] * 1e3, 1, " ms"),
                "failed": str(failed_count(results.runs[int(r["run"])])),
                "ipc": fmt(r["ipc_bytes_per_task"], 0, " B"),
                "warnings": run_warnings(results.runs[int(r["run"])]),
            }
        )
    return rows


def _status(row: dict[Any, Any]) -> str:
    if row["status"] == "completed":
        return "completed"
    return f"{row['status']}: {row['reason'] or 'no reason recorded'}"


def _problem(row: dict[Any, Any]) -> str:
    """What the lead table says under a strategy that did not simply complete (its failed
    tasks have a column of their own)."""
    return "" if row["status"] == "completed" else _status(row)


SATURATED_SENTENCE = SATURATED_NOTE[0].upper() + SATURATED_NOTE[1:]


def _http_rows(results: Results, summaries: list[RunSummary]) -> list[dict[str, Any]]:
    cpus = results.environment.get("usable_cpus")
    cpus = cpus if isinstance(cpus, int) else 0
    rows = []
    for s in summaries:
        h = s.http
        if h is not None:
            rows.append(
                {
                    "strategy": s.strategy,
                    "workers": str(s.workers),
                    "requests": str(h.requests),
                    "retried": str(h.retries),
                    "r429": str(h.retried.get(429, 0)),
                    "r503": str(h.retried.get(503, 0)),
                    "dropped": str(h.retried.get(0, 0)),
                    "final": last_responses(h.final),
                    "server": server_busy(s.server_busy),
                    "saturated": saturated(s.server_busy),
                    "cpus": cpus_busy(s, cpus),
                }
            )
    return rows


def embedded_data(runs: tuple[RunRecord, ...]) -> tuple[dict[str, Any], int]:
    """Columnar task records (smaller than one object per task), capped at EMBED_LIMIT."""
    data: dict[str, Any] = {"runs": []}
    budget, omitted = EMBED_LIMIT, 0
    for run in runs:
        kept = run.tasks[: max(budget, 0)]
        budget -= len(kept)
        omitted += len(run.tasks) - len(kept)
        data["runs"].append(
            {
                "strategy": run.strategy,
                "workers": run.workers,
                "tasks": len(run.tasks),
                "symbol": [t.symbol for t in kept],
                "status": [t.status for t in kept],
                "queued_at": [None if t.queued_ns is None else t.queued_ns / 1e9 for t in kept],
                "started_at": [None if t.started_ns is None else t.started_ns / 1e9 for t in kept],
                "finished_at": [
                    None if t.finished_ns is None else t.finished_ns / 1e9 for t in kept
                ],
                "pid": [t.pid for t in kept],
                "thread_id": [t.thread_id for t in kept],
                "task_name": [t.task_name for t in kept],
                "error": [t.error for t in kept],
            }
        )
    data["omitted"] = omitted
    return data, omitted


# Field names as people say them; anything else reads with its underscores as spaces.
LABELS = {
    "python": "Python",
    "cpu_count": "CPUs",
    "usable_cpus": "CPUs this process may use",
    "gil_enabled": "GIL enabled",
    "free_threaded_build": "free-threaded build (can run without the GIL)",
    "io": "collector (--io)",
    "cpu_impl": "CPU work in",
    "chunksize": "tasks per process-pool submission",
    "http_faults": "HTTP faults",
    "gc": "garbage collector while tasks ran",
}


def _label(key: str) -> str:
    if key in LABELS:
        return LABELS[key]
    if key.endswith("_seconds"):
        return key.removesuffix("_seconds").replace("_", " ") + " (s)"
    return key.replace("_", " ")


def _scenario(config: dict[str, Any]) -> list[tuple[str, str]]:
    return [(_label(key), _display(value)) for key, value in config.items()]


def _display(value: object) -> str:
    """A config or environment value for people: no None, True or dict reprs."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_display(v)}" for k, v in value.items()) or "none"
    if not isinstance(value, list):
        return str(value)
    shown = ", ".join(map(_display, value[:SYMBOLS_SHOWN]))
    more = len(value) - SYMBOLS_SHOWN
    return (shown or "none") + (f" … and {more} more" if more > 0 else "")


def _statistics(results: Results) -> tuple[list[dict[str, str]], list[str], list[Markup]]:
    """Rows, warnings and sweep charts, when the file holds rounds or a sweep. With one run per
    group the table would only repeat the summary (min-max 0.810-0.810): left out."""
    if "sweep" not in results.config and not any(r.round for r in results.runs):
        return [], [], []
    groups = summarize_groups(results.runs)
    charts_ = [Markup(svg) for svg in sweep_svgs(groups)] if "sweep" in results.config else []
    if all(g.runs < 2 for g in groups):
        return [], [line for line in warning_lines(groups) if not line.startswith("note:")], charts_
    return stats_rows(groups), warning_lines(groups), charts_


def _run_items(
    results: Results, runs: tuple[RunRecord, ...], summaries: list[RunSummary]
) -> list[dict[str, Any]]:
    """One timeline section per run of the first round, with everything said beside it."""
    rounds = rounds_of(results.runs)
    svgs = timeline.timeline_svgs(runs, [round_label(r.round, rounds) for r in runs])
    return [
        {
            "run": run,
            "workers": plural(run.workers, "worker"),
            "failed": failed_words(run),
            "round": round_label(run.round, rounds),
            "warnings": run_warnings(run),
            "svg": Markup(svg),
            "reading": text,
            "rows": run.tasks[:ROWS_PER_RUN],
            "hidden": max(len(run.tasks) - ROWS_PER_RUN, 0),
        }
        for run, svg, text in zip(runs, svgs, readings(runs, summaries), strict=True)
    ]


def render_html(results: Results) -> str:
    # Timelines of the first round only: later rounds and sweep points repeat the picture.
    runs = tuple(r for r in results.runs if r.round == 0)
    every = summarize_all(results.runs)  # once: 100,000 tasks take a quarter second per pass
    first = [s for r, s in zip(results.runs, every, strict=True) if r.round == 0]
    stats, warnings, sweep = _statistics(results)
    data, omitted = embedded_data(runs)
    http = _http_rows(results, every)
    return TEMPLATES.get_template("report.html.j2").render(
        title="concurrency-bench report",
        created=results.created,
        summary=_summary_rows(results, every),
        answers=answers(results),
        http=http,
        http_saturated=SATURATED_SENTENCE if any(r["saturated"] for r in http) else "",
        runs=_run_items(results, runs, first),
        rounds=rounds_of(results.runs),
        concurrency=Markup(charts.concurrency_svg(runs)) if runs else "",
        speedup=Markup(charts.speedup_svg(runs, results.runs, first)) if runs and not sweep else "",
        findings=cpu_findings(runs, results.config, results.environment),
        gc_off=results.config.get("gc") == "off",
        environment=_scenario(dict(results.environment)),
        scenario=_scenario(dict(results.config)),
        data=data,
        omitted=omitted,
        script=Markup(SCRIPT),
        script_hash=SCRIPT_HASH,
        stats=stats,
        stat_warnings=warnings,
        sweep=sweep,
        advice=advice_parts(results),
    )
