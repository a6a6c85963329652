"""The evidence a chapter shows as lines: its runs' records written as the log lines users know.

Every line is rebuilt from a task's record (its pid, OS thread id, task name and times), so what
the screen shows is exactly what the verdict counts; the workers log nothing while they run.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.model import RunRecord, TaskRecord


@dataclass(frozen=True, slots=True)
class Block:
    """Lines of evidence under a heading that says what they are (before them, not after)."""

    heading: str
    lines: tuple[str, ...]
    summary: tuple[str, ...] = ()  # conclusions drawn from the lines: always shown
    keep: int = 0  # the first lines that are the evidence: shown even on a short terminal


def _ran(run: RunRecord) -> list[TaskRecord]:
    return sorted((t for t in run.tasks if t.ran), key=lambda t: (t.started_ns or 0, t.index))


def where(t: TaskRecord) -> str:
    """The identity of the worker that ran a task: the pair (pid, OS thread id), then its task
    (an asyncio task or a greenlet) where it has one."""
    task = f" [{t.task_name}]" if t.task_name else ""
    return f"[PID {t.pid}] [Thread-{t.thread_id}]{task}"


def worker_log(run: RunRecord, ends: bool = False) -> tuple[str, ...]:
    """Each task's start (and, with `ends`, its completion) in time order, times from the run's
    start, each line naming the worker that ran it."""
    events = []
    for t in _ran(run):
        assert t.started_ns is not None and t.finished_ns is not None  # t.ran
        events.append((t.started_ns, 1, f"{where(t)} Starting {t.symbol}"))
        if ends:
            events.append((t.finished_ns, 0, f"{where(t)} Completed {t.symbol}"))
    return tuple(f"+{at / 1e9:5.2f}s {text}" for at, _, text in sorted(events))


def flatten(blocks: list[Block]) -> list[str]:
    """The blocks as plain lines (demo.json's "log", the handout's text)."""
    lines: list[str] = []
    for block in blocks:
        lines += [block.heading] if block.heading else []
        lines += [*block.lines, *block.summary]
    return lines


def classic_log(run: RunRecord, label: str) -> list[str]:
    """The log users know, rebuilt from the records in time order (times from the run's
    start): sequentially each "Completed" comes before the next "Starting"."""
    events = []
    for t in run.tasks:
        if t.started_ns is not None and t.finished_ns is not None:
            events.append((t.started_ns, 1, f"Starting collection for {t.symbol}"))
            events.append((t.finished_ns, 0, f"Completed collection for {t.symbol}"))
    lines = [f"+{at / 1e9:6.2f}s  {text}" for at, _, text in sorted(events)]
    lines.append(f"{label} processing took {run.wall_ns / 1e9:.2f} seconds")
    return lines


def semaphore_log(run: RunRecord) -> list[str]:
    lines = []
    for t in sorted((t for t in run.tasks if t.ran), key=lambda t: t.started_ns or 0):
        wait = t.queue_wait_ns / 1e9
        if wait >= 0.001:
            lines.append(f"[{t.task_name}] Waiting for semaphore...")
            lines.append(f"[{t.task_name}] Acquired semaphore after {wait:.2f}s wait")
        lines.append(f"[{t.task_name}] Starting to process {t.symbol}")
    return lines
