"""An example plugin strategy: a new threading.Thread for every task, at most `workers` alive.

It shows the whole contract, all of it from bench's small plugin API: subclass `Strategy`,
declare its `abilities` (none here: it cannot honour a deadline, so the CLI refuses one for it),
run the collector through `run_sync` (so the task is recorded like everywhere else), append each
record to the sink, and register the class under the `concurrency_bench.strategies` entry-point
group.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from bench import RawRecord, Strategy, TaskSpec, now_ns, run_sync


class ThreadPerTaskStrategy(Strategy):
    name = "thread-per-task"
    summary = "a new thread per task (no pool), at most `workers` at once"

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        slots = threading.BoundedSemaphore(self.workers)
        queued = now_ns()

        def one(spec: TaskSpec) -> None:
            try:
                sink.append(run_sync(self.options.collector, spec, queued, self.options.log))
                self.options.progress(len(sink))
            finally:
                slots.release()

        threads = []
        for spec in tasks:
            slots.acquire()
            thread = threading.Thread(target=one, args=(spec,), name=f"task-{spec.index}")
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
