"""One task after another on the calling thread: the baseline every speed-up is measured against.

With a deadline (--task-timeout, --run-timeout) the loop runs on one supervised helper thread
instead, so a hung call can be abandoned: the calling thread cannot interrupt its own blocking
call.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.harness.recording import now_ns, record_ended, run_sync
from bench.model import Meta, RawRecord, TaskSpec, Usage
from strategies._host.supervise import SupervisedThreads
from strategies.base import Abilities, Strategy, StrategyOptions


class SequentialStrategy(Strategy):
    name = "sequential"
    summary = "a plain for-loop on one thread (the baseline)"
    abilities = Abilities(deadlines=frozenset({"task", "run"}), fixed_workers=1, baseline=True)

    def __init__(self, options: StrategyOptions) -> None:
        super().__init__(options)
        self._supervised = SupervisedThreads(options, 1) if options.supervised else None

    def start(self) -> None:
        if self._supervised is not None:
            self._supervised.start()
        else:
            self.options.collector.open()  # the calling thread runs the tasks

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        if self._supervised is not None:
            self._supervised.execute(tasks, sink)
            return
        collector, log, progress = self.options.collector, self.options.log, self.options.progress
        # The whole plan is released at once; the loop is the queue, so waits are real waits.
        queued = now_ns()
        for done, spec in enumerate(tasks, 1):
            started = now_ns()
            try:
                sink.append(run_sync(collector, spec, queued, log))
            except KeyboardInterrupt:
                sink.append(
                    record_ended(spec.index, "cancelled", queued, started, None, "interrupted")
                )
                raise
            progress(done)

    def abandon(self, reason: str) -> None:
        if self._supervised is not None:
            self._supervised.abandon(reason)

    def stop(self, abandon: bool = False) -> Usage:
        if self._supervised is not None:
            self._supervised.stop(abandon)
        else:
            # The thread that opened it, outside the wall, whether the run ended or was cut off.
            self.options.collector.close()
        return Usage()

    def details(self) -> Meta:
        if self._supervised is not None:
            return {
                "executor": "for-loop on one supervised helper thread",
                **self._supervised.details(),
            }
        return {"executor": "for-loop"}
