"""One task after another on the calling thread: the baseline every speed-up is measured against."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

from bench.model import Meta, RawRecord, TaskSpec, Usage
from bench.recording import now_ns, run_sync
from strategies.threads import ThreadsStrategy


class SequentialStrategy(ThreadsStrategy):
    name = "sequential"
    summary = "a plain for-loop on one thread (the baseline)"
    fixed_workers = 1

    # With a deadline (--task-timeout, --run-timeout) the loop runs on one helper thread instead,
    # so a hung call can be abandoned: the calling thread cannot interrupt its own blocking call.

    def start(self) -> None:
        if self.options.supervised:
            super().start()

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        if self.options.supervised:
            super().execute(tasks, sink)
            return
        collector, log, progress = self.options.collector, self.options.log, self.options.progress
        # The whole plan is released at once; the loop is the queue, so waits are real waits.
        queued = now_ns()
        for done, spec in enumerate(tasks, 1):
            started = now_ns()
            try:
                sink.append(run_sync(collector, spec, queued, log))
            except KeyboardInterrupt:
                thread = threading.current_thread()
                sink.append((spec.index, "cancelled", queued, started, now_ns(), os.getpid(),
                             thread.ident or 0, thread.name, None, "interrupted"))  # fmt: skip
                raise
            progress(done)
        close = getattr(collector, "close", None)
        if close is not None:
            close()

    def stop(self, abandon: bool = False) -> Usage:
        return super().stop(abandon) if self.options.supervised else Usage()

    def details(self) -> Meta:
        if self.options.supervised:
            return {**super().details(), "executor": "for-loop on one helper thread"}
        return {"executor": "for-loop"}
