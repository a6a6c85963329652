"""One-line answers, as hyperfine prints them: how much faster each strategy ran than the
baseline, and after a sweep how few workers get within 5% of the best. Text only; the CLI prints.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.analysis.knee import KNEE_TOLERANCE, curves, knee
from bench.analysis.repeats import GroupStats, Spread, summarize_groups
from bench.model import Results, RunRecord
from reports.words import plural


def answers(results: Results) -> list[str]:
    """Per strategy: its speed against the baseline (or, without one, against the slowest),
    with the 95% interval when there were repeats; a sweep's knee per strategy after that."""
    lines = [_cut_short(run) for run in results.runs if run.status != "completed"]
    groups = summarize_groups(results.runs)
    if "sweep" in results.config:
        return lines + _knees(groups)
    return _speeds(groups) + lines


def _cut_short(run: RunRecord) -> str:
    why = f" ({run.reason})" if run.reason else ""
    return f"{run.strategy} was {run.status}{why}: no ratio from a run cut short"


def _speeds(groups: Sequence[GroupStats]) -> list[str]:
    base = next((g for g in groups if g.baseline), None)
    others = [g for g in groups if g is not base]
    if len(groups) == 1:
        only = groups[0]
        eff = "" if only.efficiency is None else f", {only.efficiency.median:.2f} of the ideal"
        return [f"{only.label}: {only.wall.median:.3g} s{eff}"]
    if base is not None:
        return [_against(g, g.speedup, base.strategy) for g in others if g.speedup]
    slowest = max(others, key=lambda g: g.wall.median, default=None)
    return [
        _ratio_line(g.strategy, slowest.wall.median / g.wall.median, None, 0, slowest.strategy)
        for g in others
        if slowest is not None and g is not slowest
    ]


def _against(group: GroupStats, speedup: Spread | None, base: str) -> str:
    assert speedup is not None
    return _ratio_line(group.strategy, speedup.median, speedup.interval, group.runs, base)


def _ratio_line(
    name: str, ratio: float, interval: tuple[float, float] | None, runs: int, base: str
) -> str:
    faster = ratio >= 1
    shown = ratio if faster else 1 / ratio
    pm = ""
    if interval is not None:  # the 95% interval's half-width, on the side it is widest
        low, high = interval if faster else (1 / interval[1], 1 / interval[0])
        pm = f" +/- {max(high - shown, shown - low):.2f}"
    text = f"{name} ran {shown:.2f}{pm} times {'faster' if faster else 'slower'} than {base}"
    return text + (f" (95% interval, {runs} rounds)" if interval is not None else "")


def _knees(groups: Sequence[GroupStats]) -> list[str]:
    lines = []
    found = sorted(curves(groups).items())
    for (tasks, latency), by_strategy in found:
        where = f" ({plural(tasks, 'task')} of {latency:g} s)" if len(found) > 1 else ""
        for name, members in sorted(by_strategy.items()):
            best = knee([(g.workers, g.wall.median) for g in members])
            lines.append(
                f"{name}: fewest workers within {KNEE_TOLERANCE:.0%} of the best: {best}{where}"
            )
    return lines
