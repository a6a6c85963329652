"""Measure the CPU part's cost once, before any strategy runs, so the ideal time can bound it."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

from bench.collectors.base import SleepCollector
from bench.model import TaskSpec

ROUNDS = 3


def with_cpu_estimates(plan: Sequence[TaskSpec], collector: SleepCollector) -> tuple[TaskSpec, ...]:
    """The plan with each task's `cpu_ns`: the fastest of a few timed runs of its CPU part (the
    minimum is the least disturbed by whatever else the machine is doing)."""
    costs: dict[int, int] = {}
    for spec in plan:
        if spec.cpu_work and spec.cpu_work not in costs:
            samples = []
            for _ in range(ROUNDS):
                begin = time.perf_counter_ns()
                collector.compute(spec)
                samples.append(time.perf_counter_ns() - begin)
            costs[spec.cpu_work] = min(samples)
    if not costs:  # no CPU part: the plan as it is (a million copies took seconds and memory)
        return tuple(plan)
    return tuple(dataclasses.replace(s, cpu_ns=costs.get(s.cpu_work, 0)) for s in plan)
