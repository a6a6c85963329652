"""A deterministic fake executor on a virtual clock, for exact end-to-end and golden tests.

It "runs" the plan as a perfect list scheduler would, on `workers` lanes, without sleeping, and
reports the same shapes as a real strategy: pid 4242, thread ids 1..workers.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from bench.model import RawRecord, TaskSpec
from strategies.base import Strategy

FAKE_PID = 4242
STARTUP_NS = 5_000_000
EPOCH_NS = 1_000_000_000


class FakeStrategy(Strategy):
    name = "fake"
    summary = "a deterministic virtual-time executor (tests only)"

    _now = EPOCH_NS

    def clock(self) -> int:
        return self._now

    def start(self) -> None:
        self._now += STARTUP_NS

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        queued = self._now
        lanes = [(queued, lane) for lane in range(1, self.options.workers + 1)]
        end = queued
        for done, spec in enumerate(tasks, 1):
            free_at, lane = heapq.heappop(lanes)
            finish = free_at + spec.latency_ns
            sink.append(
                RawRecord(
                    task_index=spec.index,
                    status="ok",
                    queued_ns=queued,
                    started_ns=free_at,
                    finished_ns=finish,
                    pid=FAKE_PID,
                    thread_id=lane,
                    thread_name=f"fake-{lane}",
                    task_name=None,
                    error=None,
                )
            )
            heapq.heappush(lanes, (finish, lane))
            end = max(end, finish)
            self.options.progress(done)
        self._now = end

    def details(self) -> dict[str, str]:
        return {"executor": "virtual list scheduler"}
