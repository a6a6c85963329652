"""One task after another on the calling thread: the baseline every speed-up is measured against."""

from __future__ import annotations

from collections.abc import Sequence

from bench.model import RawRecord, TaskSpec
from bench.recording import now_ns, run_sync
from strategies.base import Strategy


class SequentialStrategy(Strategy):
    name = "sequential"
    summary = "a plain for-loop on one thread (the baseline)"
    fixed_workers = 1

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        collector, log, progress = self.options.collector, self.options.log, self.options.progress
        # The whole plan is released at once; the loop is the queue, so waits are real waits.
        queued = now_ns()
        for done, spec in enumerate(tasks, 1):
            sink.append(run_sync(collector, spec, queued, log))
            progress(done)

    def details(self) -> dict[str, str]:
        return {"executor": "for-loop"}
