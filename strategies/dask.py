"""dask: tasks submitted to a dask.distributed cluster, the scale-out engine.

By default a LocalCluster is started for the run (worker processes, loopback only, its HTTP
server on a free loopback port rather than 8787, which another dask may hold;
--workers becomes processes x threads, processes no more than the usable cores) and closed after;
`--scheduler tcp://HOST:PORT` uses an existing cluster, so the same benchmark runs on many
machines. Each task is recorded inside the Dask worker thread that ran it; the wait between
submission and start is the scheduler's queueing. Clocks differ between machines: for a remote
cluster each worker's monotonic clock offset is measured at start (a round trip, bracketed) and
its timestamps are moved onto the harness's clock.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from bench.errors import describe_error
from bench.harness.environment import usable_cpus
from bench.harness.execution import InputRefused
from bench.harness.recording import now_ns
from bench.model import Meta, RawRecord, TaskSpec, Usage
from bench.notes import RunNotes
from strategies._host.daskdeaths import WorkerDeaths
from strategies._worker import daskworker
from strategies.base import (
    Abilities,
    Strategy,
    StrategyOptions,
    signals_blocked,
    signals_deferred,
)


class DaskStrategy(Strategy):
    name = "dask"
    summary = "a dask.distributed cluster (LocalCluster by default, or --scheduler ADDRESS)"
    # No deadlines: its scheduler cannot interrupt a running task.
    abilities = Abilities(leaves_process=True, cluster=True)

    def __init__(self, options: StrategyOptions) -> None:
        super().__init__(options)
        self._client: Any = None
        self._cluster: Any = None
        self._queued = 0
        self._collector: Any = None
        self._deaths: list[str] = []
        self._futures: list[Any] = []
        self._sink: list[RawRecord] = []
        self._offsets: dict[str, int] = {}
        self._base: dict[str, tuple[float, float, int, int, int]] = {}
        self._shape = (0, 0)

    @property
    def remote(self) -> bool:
        return self.options.scheduler is not None

    def start(self) -> None:
        from distributed import Client, LocalCluster

        if self.remote:
            try:
                with signals_blocked():  # the client's threads leave interrupts to the main one
                    self._client = Client(self.options.scheduler, timeout=10)
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputRefused(
                    f"--scheduler: cannot reach the dask scheduler at {self.options.scheduler}: "
                    f"{describe_error(exc)}"
                ) from None
        else:
            processes = max(1, min(self.workers, usable_cpus()))
            threads = math.ceil(self.workers / processes)
            self._shape = (processes, threads)
            with signals_deferred():  # worker processes start here
                self._cluster = LocalCluster(
                    n_workers=processes,
                    threads_per_worker=threads,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",
                    silence_logs=logging.ERROR,
                    preload=["strategies._worker.daskpreload"],
                )
            with signals_blocked():
                self._client = Client(self._cluster)
        # Every worker of our own cluster, before the clock starts (waiting for one let a run
        # start on half the threads); an existing cluster has as many as it has.
        self._client.wait_for_workers(
            self._shape[0] if self._cluster is not None else 1, timeout=60
        )
        self._offsets = self._measure_offsets()
        self._base = self._client.run(daskworker.usage)
        # On every worker before the clock starts: sending it is start-up, not the tasks' time.
        self._collector = self._client.scatter(self.options.collector, broadcast=True)

    def _measure_offsets(self) -> dict[str, int]:
        """Per worker: its clock minus ours, from the midpoint of the tightest of 5 round trips."""
        best: dict[str, tuple[int, int]] = {}
        for _ in range(5):
            before = now_ns()
            readings = self._client.run(daskworker.clock)
            after = now_ns()
            for address, remote in readings.items():
                span = after - before
                if address not in best or span < best[address][1]:
                    best[address] = (remote - (before + after) // 2, span)
        return {address: offset for address, (offset, _) in best.items()}

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        from distributed import as_completed

        client, collector = self._client, self._collector
        queued = self._queued = now_ns()
        self._sink = sink  # abandon() adds the tasks still running
        self._futures = client.map(
            daskworker.run_task,
            list(tasks),
            collector=collector,
            queued_ns=queued,
            log=self.options.log,
            pure=False,
        )
        spec_of = {future.key: spec for future, spec in zip(self._futures, tasks, strict=True)}
        with WorkerDeaths() as deaths:
            for done, future in enumerate(as_completed(self._futures), 1):
                sink.append(self._record(future, spec_of[future.key], deaths.deaths))
                self.options.progress(done)
        self._deaths = deaths.deaths

    def _record(self, future: Any, spec: TaskSpec, deaths: list[str]) -> RawRecord:
        try:
            raw, address = future.result()
        except Exception as exc:  # KilledWorker: it took down a worker every time it ran
            died = f" ({'; '.join(deaths)})" if deaths else ""
            now = now_ns()
            return RawRecord(
                task_index=spec.index,
                status="error",
                queued_ns=self._queued,
                started_ns=now,
                finished_ns=now,
                pid=0,  # no worker lived to say where it ran
                thread_id=0,
                thread_name="dask",
                task_name=None,
                error=f"{describe_error(exc)}{died}",
            )
        return self._aligned(raw, address)

    def _aligned(self, raw: RawRecord, address: str) -> RawRecord:
        # Same machine: one clock already. Elsewhere: shift onto the harness's clock.
        offset = self._offsets.get(address, 0) if self.remote else 0
        return raw._replace(
            started_ns=raw.started_ns - offset,
            finished_ns=raw.finished_ns - offset,
            thread_name=address,
        )

    def abandon(self, reason: str) -> None:
        """Record the tasks the workers are running as cancelled, then cancel everything."""
        if self._client is None or not self._futures:
            return
        try:
            running = self._client.run(daskworker.running)
        except Exception:  # a worker gone or unreachable: it cannot say what it was running
            running = {}
        self._client.cancel(self._futures)
        sink = self._sink
        finished = {raw.task_index for raw in sink}
        for address, tasks in running.items():
            offset = self._offsets.get(address, 0) if self.remote else 0
            for index, started, pid, tid in tasks:
                if index not in finished:
                    sink.append(
                        RawRecord(
                            task_index=index,
                            status="cancelled",
                            queued_ns=self._queued,
                            started_ns=started - offset,
                            finished_ns=now_ns(),
                            pid=pid,
                            thread_id=tid,
                            thread_name=address,
                            task_name=None,
                            error=reason,
                        )
                    )

    def stop(self, abandon: bool = False) -> Usage:
        total = Usage()
        if self._client is None:
            return total
        if not abandon and not self.remote:
            for address, (user, system, rss, vol, invol) in self._client.run(
                daskworker.usage
            ).items():
                u0, s0, _, v0, i0 = self._base.get(address, (0.0, 0.0, 0, 0, 0))
                total += Usage(user - u0, system - s0, rss, vol - v0, invol - i0)
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        return total

    def details(self) -> Meta:
        return {
            "executor": "dask.distributed",
            "scheduler": self.options.scheduler or "LocalCluster on 127.0.0.1",
            "dask_workers": sorted(self._offsets),
            "processes_x_threads": list(self._shape) if not self.remote else None,
            "clock_aligned": self.remote,
            "clock_offsets_us": {a: round(o / 1e3, 1) for a, o in self._offsets.items()},
            **RunNotes.note(worker_deaths=tuple(self._deaths)),
        }
