"""One-line answers: where each strategy's tasks ran and how many overlapped, then how its speed
compares, in words the evidence carries (bench.analysis.speed); after a sweep, how few workers
get within 5% of the best. Text only; the CLI prints.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from bench.analysis import stats
from bench.analysis.knee import KNEE_TOLERANCE, curves, knee
from bench.analysis.repeats import GroupKey, group_key, summarize_groups
from bench.analysis.significance import MIN_SAMPLES_FOR_INTERVAL
from bench.analysis.speed import Speed, speed
from bench.model import Results, RunRecord
from reports.words import plural


def answers(results: Results) -> list[str]:
    """Failures first (they change every figure), then one line per strategy and
    configuration; runs cut short say so and get no ratio."""
    lines = [_cut_short(run) for run in results.runs if run.status != "completed"]
    if "sweep" in results.config:
        return lines + _knees(results.runs)
    groups = _groups(results.runs)
    blocking = results.config.get("io") == "blocking"
    said = [_line(key, runs, groups, blocking) for key, runs in groups.items()]
    return _failures(groups) + said + lines


# pyperf's floor: below a millisecond a wall time is the clock's and the scheduler's, not the
# strategy's (bench.analysis.repeats warns likewise).
TOO_SHORT_S = 1e-3


def _groups(runs: Sequence[RunRecord]) -> dict[GroupKey, list[RunRecord]]:
    """Completed runs by configuration, in the order they first ran."""
    groups: dict[GroupKey, list[RunRecord]] = {}
    for run in runs:
        if run.status == "completed" and run.wall_ns > 0:
            groups.setdefault(group_key(run), []).append(run)
    return groups


def _cut_short(run: RunRecord) -> str:
    why = f" ({run.reason})" if run.reason else ""
    return f"{run.strategy} was {run.status}{why}: no ratio from a run cut short"


def _failed(run: RunRecord) -> int:
    return len(run.tasks) - stats.status_counts(run)["ok"]


def _failures(groups: dict[GroupKey, list[RunRecord]]) -> list[str]:
    counts = {(_failed(r), len(r.tasks)) for runs in groups.values() for r in runs}
    if len(groups) < 2 or len(counts) != 1:
        return []
    ((failed, tasks),) = counts
    if not failed:
        return []
    return [
        f"{failed} of {plural(tasks, 'task')} failed in every strategy: the ideal and the "
        "efficiency count only the work done"
    ]


def _span(values: Sequence[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def _facts(runs: Sequence[RunRecord]) -> tuple[str, int]:
    """Where the tasks ran and how many overlapped, from the records of every round; and the
    most tasks any round had in flight at once."""
    shapes = [stats.run_shape(r) for r in runs]
    threads = [len(s.lanes) for s in shapes]
    pids = [len(s.pids) for s in shapes]
    overlap = [s.peak_overlap for s in shapes]
    where = f"{_span(threads)} OS thread{'s' * (max(threads) != 1)}, "
    where += f"{_span(pids)} process{'es' * (max(pids) != 1)}"
    interpreters = max(len(s.interpreters) for s in shapes)
    if interpreters > 1:
        where += f", {interpreters} interpreters"
    flight = f"{_span(overlap)} task{'s' * (max(overlap) != 1)} in flight at once"
    failed = [_failed(r) for r in runs]
    tail = f"; {_span(failed)} of {len(runs[0].tasks)} tasks failed" if max(failed) else ""
    return f"{runs[0].strategy}: {where}, {flight}{tail}", max(overlap)


def _line(
    key: GroupKey, runs: list[RunRecord], groups: dict[GroupKey, list[RunRecord]], blocking: bool
) -> str:
    facts, most = _facts(runs)
    if len(groups) == 1:
        eff = [e for e in map(stats.efficiency, runs) if e is not None]
        of_ideal = f", {statistics.median(eff):.2f} of the ideal" if eff else ""
        return f"{facts}; {_wall(runs)}{of_ideal}"
    reference = _reference(groups)
    if key == reference:
        role = "the baseline" if stats.is_baseline(runs[0]) else "the slowest here"
        return f"{facts}; {_wall(runs)} ({role}: the others are compared with it)"
    found = speed(runs, groups[reference])
    if found is None:
        return facts
    if min(_median_wall(runs), _median_wall(groups[reference])) < TOO_SHORT_S:
        return f"{facts}; too short to compare with {groups[reference][0].strategy} (under 1 ms)"
    serial = _never_overlapped(runs, most, blocking)
    return f"{facts}; {_compared(found, groups[reference][0].strategy, serial)}"


def _wall(runs: Sequence[RunRecord]) -> str:
    wall = _median_wall(runs)
    return f"{wall:.2f} s" if wall >= 0.1 else f"{wall * 1000:.1f} ms"


def _median_wall(runs: Sequence[RunRecord]) -> float:
    return statistics.median(r.wall_ns for r in runs) / 1e9


def _reference(groups: dict[GroupKey, list[RunRecord]]) -> GroupKey:
    """The baseline (sequential) where it ran; otherwise the slowest configuration."""
    for key, runs in groups.items():
        if stats.is_baseline(runs[0]):
            return key
    return max(groups, key=lambda k: _median_wall(groups[k]))


def _compared(found: Speed, other: str, serial: str | None) -> str:
    word = found.word
    if serial is not None and word != "faster":
        return f"no faster than {other}: its tasks never overlapped{serial}"
    if word == "about as fast as":
        return f"about as fast as {other} ({_about_evidence(found)})"
    if found.interval is not None:
        return (
            f"{found.times:.2f} +/- {found.plus_minus:.2f} times {word} than {other} "
            f"(95% interval, {found.rounds} rounds)"
        )
    rounds = "one run each" if found.rounds == 1 else f"median of {found.rounds} rounds"
    return f"{_rough(found.times)}x {word} than {other} ({rounds})"


def _rough(times: float) -> str:
    """A ratio from one run a side, to two figures: its noise (5% median here, the reason for
    the 10% threshold) makes a third one a guess ("3.94x" next to "3.91x" read as a ranking)."""
    return f"{times:.1f}" if times < 10 else f"{times:.0f}"


def _about_evidence(found: Speed) -> str:
    if found.interval is not None:
        low, high = found.interval
        return f"95% interval {low:.2f}-{high:.2f} includes 1, {found.rounds} rounds"
    apart = f"{abs(found.ratio - 1):.1%} apart"
    each = "one run each" if found.rounds == 1 else f"{found.rounds} rounds each"
    return f"{each}, {apart}; --repeat {MIN_SAMPLES_FOR_INTERVAL} to tell them apart"


def _never_overlapped(runs: Sequence[RunRecord], most: int, blocking: bool) -> str | None:
    """None where tasks overlapped (or could not: one worker or one task); otherwise what held
    them apart, where the records know it: the loop's watchdog saw it blocked, or the plan's
    blocking I/O ran on an event loop (calls too short for the watchdog's 100 ms)."""
    first = runs[0]
    if first.workers < 2 or len(first.tasks) < 2 or most > 1:
        return None
    if not any(r.notes.loop_blocked > 0 for r in runs):
        on_a_loop = blocking and first.notes.loop is not None
        return " (a blocking call held the loop)" if on_a_loop else ""
    busy = any(r.notes.loop_blocked_busy for r in runs)
    return " (CPU work held the loop)" if busy else " (a blocking call held the loop)"


def _knees(runs: Sequence[RunRecord]) -> list[str]:
    lines = []
    found = sorted(curves(summarize_groups(runs)).items())
    for (tasks, latency), by_strategy in found:
        where = f" ({plural(tasks, 'task')} of {latency:g} s)" if len(found) > 1 else ""
        for name, members in sorted(by_strategy.items()):
            best = knee([(g.workers, g.wall.median) for g in members])
            lines.append(
                f"{name}: fewest workers within {KNEE_TOLERANCE:.0%} of the best: {best}{where}"
            )
    return lines
