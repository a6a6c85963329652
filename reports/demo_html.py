"""The demo's handout: the chapters in order, each asking for a prediction before it reveals its
run, table, verdict and a replay of its lanes; then the claims checked, and where, when and on how
busy a machine it all ran. Self-contained like the main report (and built from its pieces).

Each chapter's table shows the columns its claim is about, and each row says what differs.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any, Final

from markupsafe import Markup

from bench.analysis import stats
from bench.analysis.capacity import refusals
from bench.model import RunRecord
from reports.html import TEMPLATES, embedded_data
from reports.replay import REPLAY_SCRIPT
from reports.timeline import timeline_svgs

Cell = Callable[[RunRecord, RunRecord], str]  # (this run, the chapter's first run) -> text


def _ran(run: RunRecord) -> list[Any]:
    return [t for t in run.tasks if t.ran]


def _tids(run: RunRecord) -> str:
    tids = {tid for _, tid in stats.lanes(_ran(run))}
    return str(next(iter(tids))) if len(tids) == 1 else f"{len(tids)} different"


def _share(run: RunRecord) -> str:
    cpu = max(run.parent.cpu_s, run.children.cpu_s)
    return f"{cpu / (run.wall_ns / 1e9):.1f}" if run.wall_ns else "-"


def _waits(run: RunRecord) -> list[float]:
    return [t.queue_wait_ns / 1e9 for t in _ran(run)]


def _starts(run: RunRecord, last: bool) -> str:
    times = [(t.finished_ns if not last else t.started_ns) or 0 for t in _ran(run)]
    pick = max(times, default=0) if last else min(times, default=0)
    return f"{pick / 1e9:.2f}\u00a0s"


def _switches(run: RunRecord) -> str:
    usage = (run.parent, run.children)
    return str(sum(u.voluntary_switches + u.involuntary_switches for u in usage))


def _rate(run: RunRecord) -> str:
    """Tasks that succeeded a second of the wall (the quota chapter's throughput)."""
    ok = sum(t.status == "ok" for t in run.tasks)
    return f"{ok / (run.wall_ns / 1e9):.1f}" if run.wall_ns else "-"


def _little(run: RunRecord) -> str:
    """Little's law's throughput: workers / the planned latency."""
    latency = sum(t.latency_ns for t in run.tasks) / max(len(run.tasks), 1) / 1e9
    return f"{run.workers / latency:g}" if latency > 0 else "-"


def _x(run: RunRecord, first: RunRecord) -> str:
    return f"{first.wall_ns / run.wall_ns:.2f}x" if run.wall_ns else "-"


CELLS: dict[str, tuple[str, Cell]] = {
    "tasks": ("tasks", lambda r, _f: str(len(r.tasks))),
    "workers": ("workers", lambda r, _f: str(r.workers)),
    "pids": ("pids", lambda r, _f: str(len(stats.distinct_pids(_ran(r))))),
    "tids": ("thread ids", lambda r, _f: str(len({tid for _, tid in stats.lanes(_ran(r))}))),
    "tid": ("OS thread id", lambda r, _f: _tids(r)),
    "pairs": ("(pid, thread id) pairs", lambda r, _f: str(len(stats.lanes(_ran(r))))),
    "overlap": ("peak overlap", lambda r, _f: str(stats.peak_overlap(_ran(r)))),
    "last_start": ("last start", lambda r, _f: _starts(r, True)),
    "first_end": ("first completion", lambda r, _f: _starts(r, False)),
    "wall": ("wall", lambda r, _f: f"{r.wall_ns / 1e9:.2f}\u00a0s"),
    "ideal": ("ideal", lambda r, _f: f"{stats.run_ideal_ns(r) / 1e9:.2f}\u00a0s"),
    "speedup": ("speed-up vs row 1", _x),
    "waited": ("waited", lambda r, _f: str(sum(w >= 0.001 for w in _waits(r)))),
    "longest": ("longest wait", lambda r, _f: f"{max(_waits(r), default=0):.2f}\u00a0s"),
    "rss": (
        "peak RSS",
        lambda r, _f: (
            f"{(r.parent.peak_rss_bytes + r.children.peak_rss_bytes) / 2**20:.0f}\u00a0MiB"
        ),
    ),
    "startup": ("start-up", lambda r, _f: f"{r.startup_ns / 1e6:.1f}\u00a0ms"),
    "switches": ("context switches", lambda r, _f: _switches(r)),
    "cores": ("cores got", lambda r, _f: _share(r)),
    "rate": ("tasks/s", lambda r, _f: _rate(r)),
    "little": ("Little's law (workers / latency)", lambda r, _f: _little(r)),
    "refused": ("429s", lambda r, _f: str(refusals(r))),
}
# The columns each chapter's claim is about (the run's name, what differs, comes first).
COLUMNS = {
    1: ("tasks", "workers", "tid", "pids"),
    2: ("tasks", "workers", "overlap", "last_start", "first_end"),
    3: ("tasks", "workers", "wall", "ideal", "speedup"),
    4: ("tasks", "workers", "wall", "ideal", "speedup"),
    5: ("tasks", "workers", "overlap", "waited", "longest"),
    6: ("workers", "pids", "tids", "pairs"),
    7: ("wall", "rss", "startup", "switches"),
    8: ("workers", "wall", "ideal", "speedup", "cores"),
    9: ("overlap", "wall", "ideal"),
    10: ("tasks", "wall", "rate", "little", "refused"),
}


def table(number: int, runs: list[RunRecord], labels: list[str]) -> dict[str, Any]:
    keys = COLUMNS.get(number, ("workers", "wall"))
    names = labels if len(labels) == len(runs) else [r.strategy for r in runs]
    rows = [
        [name, *(CELLS[k][1](run, runs[0]) for k in keys)]
        for name, run in zip(names, runs, strict=True)
    ]
    return {
        "head": ["run", *(CELLS[k][0] for k in keys)],
        "rows": rows,
        "note": _note(number, runs),
    }


def _note(number: int, runs: list[RunRecord]) -> str:
    """What the ideal column means where a reader could doubt it (one per worker count)."""
    if not runs or "ideal" not in COLUMNS.get(number, ()):
        return ""
    cpu = sum(t.cpu_ns for t in runs[-1].tasks) / 1e9
    cores = runs[-1].cores
    if cpu and cores:
        return (
            f"ideal: one per worker count, from the one plan every run shares: each task's "
            f"planned time list-scheduled on its workers, and its CPU work ({cpu:.2f} s in all) "
            f"no faster than over the {cores} usable cores."
        )
    return "ideal: one per worker count: each task's planned latency list-scheduled on the workers."


def _chapter_data(chapters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out, first = [], 0
    for c in chapters:
        n = len(c["runs"])
        labels = c.get("labels") or [r.strategy for r in c["runs"]]
        out.append(
            {
                "number": c["number"],
                "claim": c["claim"],
                "verdict": c.get("verdict", "confirmed" if c["confirmed"] else "contradicted"),
                "runs": list(range(first, first + n)),
                "labels": labels,
            }
        )
        first += n
    return out


QUESTION: Final = "Why do all my asyncio workers show the same thread id?"
CAPACITY: Final = 10  # the chapter on Little's law and the quota: the other question it answers


def heading(chapters: list[dict[str, Any]]) -> str:
    """The handout's title: the questions its chapters answer."""
    more = any(ch["number"] == CAPACITY for ch in chapters)
    return QUESTION + (" And how many do I need?" if more else "")


def render_demo_html(
    chapters: list[dict[str, Any]], scale: float, machine: dict[str, Any] | None = None
) -> str:
    """`chapters`: number, title, explanation, claim, confirmed, evidence, runs, and where the
    lesson gives them: verdict, precondition, labels, blocks, log, attempts."""
    items = []
    for ch in chapters:
        runs: list[RunRecord] = ch["runs"]
        labels = ch.get("labels") or [r.strategy for r in runs]
        svgs = [Markup(svg) for svg in timeline_svgs(runs)] if runs else []
        state = ch.get("verdict", "confirmed" if ch["confirmed"] else "contradicted")
        figures = list(zip(labels, svgs, strict=len(svgs) == len(labels)))
        items.append(
            {**ch, "state": state, "table": table(ch["number"], runs, labels), "figures": figures}
        )
    data, _ = embedded_data(tuple(run for c in chapters for run in c["runs"]))
    data["chapters"] = _chapter_data(chapters)
    digest = base64.b64encode(hashlib.sha256(REPLAY_SCRIPT.encode()).digest()).decode()
    return TEMPLATES.get_template("demo.html.j2").render(
        heading=heading(chapters),
        chapters=items,
        scale=scale,
        data=data,
        machine=machine or {},
        script=Markup(REPLAY_SCRIPT),
        script_hash=digest,
    )
