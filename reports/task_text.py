"""What the page says about tasks: a failed-count phrase, and each bar's hover text."""

from __future__ import annotations

from bench.analysis.stats import status_counts
from bench.model import RunRecord, TaskRecord
from reports.words import plural

FAILED = ("error", "timeout", "cancelled")
ENDED = {"error": "error", "timeout": "timed out", "cancelled": "cancelled"}


def failed_count(run: RunRecord) -> int:
    counts = status_counts(run)
    return sum(counts[s] for s in FAILED)


def failed_words(run: RunRecord) -> str:
    """ "2 failed (1 error, 1 timeout)", or "" when none did."""
    every = status_counts(run)
    counts = {s: every[s] for s in FAILED}
    total = sum(counts.values())
    if not total:
        return ""
    parts = [
        plural(n, "error") if s == "error" else f"{n} {ENDED[s]}" for s, n in counts.items() if n
    ]
    return f"{total} failed ({', '.join(parts)})"


def hover_text(t: TaskRecord) -> str:
    """What hovering a bar (or a failure's mark) says about its task."""

    def at(ns: int | None) -> str:
        return "-" if ns is None else f"{ns / 1e9:.3f} s"

    lines = [
        f"{t.symbol}: {t.status}",
        f"queued {at(t.queued_ns)}, started {at(t.started_ns)}, finished {at(t.finished_ns)}",
        f"waited {t.queue_wait_ns / 1e9:.3f} s, ran {t.duration_ns / 1e9:.3f} s",
        f"thread {t.thread_name or '-'} ({t.thread_id}), pid {t.pid}"
        + (f", task {t.task_name}" if t.task_name else ""),  # asyncio's, or a greenlet
    ]
    if t.attempts:
        status = "no response" if t.http_status is None else f"HTTP {t.http_status}"
        lines.append(f"{plural(t.attempts, 'attempt')}, last: {status}")
    if t.error:
        lines.append(f"error: {t.error}")
    return "\n".join(lines)
