"""A short plain-language reading of each run, computed from its records (never written ahead)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bench.analysis import stats
from bench.model import RunRecord
from reports.words import plural, where_ran


def reading(
    run: RunRecord, baseline: RunRecord | None, summary: stats.RunSummary | None = None
) -> str:
    s = stats.summarize(run, baseline) if summary is None else summary
    ran = stats.run_shape(run).ran
    if ran == 0:
        return f"{run.strategy}: no task ran ({run.status})."
    overlap = (
        "one after another: never more than 1 in flight"
        if s.peak_overlap == 1
        else f"and overlapped: {s.peak_overlap} in flight at once"
    )
    parts = [f"{plural(ran, 'task')} ran {where_ran(run)} {overlap}"]
    compare = f"wall {s.wall_s:.2f} s"
    if baseline is not None and baseline is not run:
        compare += f" vs {baseline.wall_ns / 1e9:.2f} s sequential"
        if s.speedup is not None:
            compare += f" ({s.speedup:.2f}x)"
    compare += f"; ideal {s.ideal_s:.2f} s"
    if s.efficiency is not None:
        compare += f", efficiency {s.efficiency:.2f}"
    parts.append(compare)
    if s.max_queue_wait_s is not None and s.max_queue_wait_s >= 1e-3 and s.tasks > s.workers:
        parts.append(
            f"tasks queued for a free worker: mean wait {s.mean_queue_wait_s or 0:.2f} s, "
            f"longest {s.max_queue_wait_s:.2f} s"
        )
    if run.startup_ns >= 1_000_000:
        parts.append(f"start-up {s.startup_s * 1e3:.0f} ms, not counted in the wall time")
    counts = stats.status_counts(run)
    failed = {st: counts[st] for st in ("error", "timeout", "cancelled")}
    ended = {"error": "failed with an error", "timeout": "timed out", "cancelled": "cancelled"}
    bad = [f"{plural(n, 'task')} {ended[st]}" for st, n in failed.items() if n]
    if bad:
        parts.append(", ".join(bad))
    if run.status != "completed":
        parts.append(f"run {run.status}" + (f": {run.reason}" if run.reason else ""))
    return "; ".join(parts) + "."


def readings(
    runs: Sequence[RunRecord], summaries: Sequence[stats.RunSummary] | None = None
) -> list[str]:
    """Each run read against the baseline of its own plan and round (a sweep has several);
    `summaries`, when given, are the runs' own (stats.summarize_all), in order."""
    baselines = {(r.round, stats.plan_key(r)): r for r in runs if stats.is_baseline(r)}
    given = list(summaries) if summaries is not None else [None] * len(runs)
    return [
        reading(run, baselines.get((run.round, stats.plan_key(run))), s)
        for run, s in zip(runs, given, strict=True)
    ]


def cpu_findings(
    runs: Sequence[RunRecord],
    config: Mapping[str, object],
    environment: Mapping[str, object] | None = None,
) -> list[str]:
    """What the data says about the classic advice, for CPU or mixed work; computed, never
    assumed: where the machine disagrees (numpy releasing the GIL, one core, a free-threaded
    Python), the sentence says what was measured. The explanation follows from where the
    records say the work ran, never from a strategy's name. With the run's environment, the
    first line says whether the GIL was on, which decides what threads can do."""
    workload = config.get("workload", "io")
    if workload == "io":
        return []
    gil = environment is None or environment.get("gil_enabled") is not False
    found = [] if environment is None else [gil_line(environment)]
    first = [r for r in runs if r.round == 0]
    summaries = stats.summarize_all(first)  # once: every line below reads them
    base = next((s for r, s in zip(first, summaries, strict=True) if stats.is_baseline(r)), None)
    if base is None:
        return [*found, "Add the sequential strategy to compare the others against it."]
    numpy = config.get("cpu_impl") == "numpy"
    for run, s in zip(first, summaries, strict=True):
        if stats.is_baseline(run) or s.speedup is None or not s.ideal_s:
            continue
        limit = base.ideal_s / s.ideal_s  # what a perfect executor would gain here
        verdict = _verdict(_shape(run), s.speedup, limit, workload == "cpu", (numpy, gil))
        if _shape(run) in ("processes", "interpreters") and s.wall_s:
            verdict += f" (the work got {s.cpu_s / s.wall_s:.1f} cores on average)"
        setup = f"{s.workers} workers, {s.cores or '?'} usable cores"
        found.append(
            f"{run.strategy}: {s.speedup:.2f}x sequential, where the ideal allows {limit:.1f}x "
            f"({setup}): {verdict}"
        )
    return found


def _shape(run: RunRecord) -> str:
    """Where the CPU work ran, from the records: "loop" (one thread, asyncio tasks), "thread"
    (one thread), "threads" (several threads of one process), "interpreters" (several
    interpreters of one process, each with its own GIL) or "processes"."""
    ran = [t for t in run.tasks if t.ran]
    cpu_pids = {p[3] for t in ran for p in t.phases if p[0] == "cpu"}
    if len(stats.distinct_pids(ran) | cpu_pids) > 1:
        return "processes"
    if len({t.interpreter_id for t in ran if t.interpreter_id is not None}) > 1:
        return "interpreters"
    if len(stats.lanes(ran)) > 1:
        return "threads"
    return "loop" if any(t.task_name for t in ran) else "thread"


def gil_line(environment: Mapping[str, object]) -> str:
    """The GIL as the run found it (environment.gil_enabled), in the words that matter here."""
    if environment.get("gil_enabled") is False:
        return (
            "This Python ran without the GIL (a free-threaded build): threads can run Python "
            "code on several cores at once."
        )
    rebuilt = " (a free-threaded build, with the GIL back on)"
    return (
        f"The GIL was enabled{rebuilt if environment.get('free_threaded_build') else ''}: one "
        "thread at a time runs Python code."
    )


def _threads_verdict(faster: bool, numpy: bool, gil: bool) -> str:
    """Several threads of one process doing CPU work: what the GIL (or numpy) allowed."""
    if numpy:
        return (
            "faster: numpy released the GIL inside its calls"
            if faster
            else "no faster, although numpy releases the GIL inside its calls"
        )
    if not gil:
        return (
            "faster: without the GIL the threads ran on several cores"
            if faster
            else "no faster, although this Python ran without the GIL: something serialised "
            "the threads (a lock, or a busy machine)"
        )
    return (
        "faster: the GIL is off or the work released it"
        if faster
        else "no faster: the GIL lets one thread run Python at a time"
    )


def _verdict(
    shape: str, speedup: float, limit: float, cpu_only: bool, impl: tuple[bool, bool]
) -> str:
    """`impl`: (the CPU work is numpy's, the GIL was on)."""
    if speedup >= 0.75 * limit:
        return "close to the ideal" + (": the cores were used" if cpu_only else "")
    faster = speedup >= 1.25
    one = "the event loop's one thread" if shape == "loop" else "one thread"
    if cpu_only and shape in ("loop", "thread"):
        if faster:
            return "faster, which one thread cannot explain for CPU work: check the run"
        return f"no faster: every CPU part ran on {one}"
    if cpu_only and shape == "threads":
        return _threads_verdict(faster, *impl)
    if shape == "interpreters":
        return (
            "faster, but short of the ideal: each interpreter has its own GIL"
            if faster
            else "no faster across interpreters: the workers shared too few cores, or crossing "
            "between interpreters cost more than it saved (Cost table)"
        )
    if shape == "processes":
        if faster:
            return "faster, but short of the ideal"
        return (
            "no faster across processes: the workers shared too few cores, or each task's "
            "arguments and results crossing a pipe cost more than it saved (Cost table)"
        )
    if faster:
        return "faster, as the I/O overlapped, but the CPU part ran one at a time"
    return f"no faster: the CPU parts ran one at a time on {one}"
