"""Sweep analysis: curves of a metric against workers, and the knee of each curve."""

from __future__ import annotations

from collections.abc import Sequence

from bench.analysis.repeats import GroupStats

KNEE_TOLERANCE = 0.05


def knee(points: Sequence[tuple[int, float]], tolerance: float = KNEE_TOLERANCE) -> int | None:
    """The smallest worker count whose wall time is within `tolerance` of the best one."""
    if not points:
        return None
    best = min(wall for _, wall in points)
    return min(w for w, wall in points if wall <= best * (1 + tolerance))


def curves(groups: Sequence[GroupStats]) -> dict[tuple[int, float], dict[str, list[GroupStats]]]:
    """(tasks, latency) -> strategy -> groups sorted by workers (sequential left out)."""
    out: dict[tuple[int, float], dict[str, list[GroupStats]]] = {}
    for g in groups:
        if g.baseline:
            continue
        out.setdefault((g.tasks, round(g.latency_s, 9)), {}).setdefault(g.strategy, []).append(g)
    for by_strategy in out.values():
        for members in by_strategy.values():
            members.sort(key=lambda g: g.workers)
    return out
