"""An InterpreterPoolExecutor (PEP 734): `workers` threads of this process, each running its
tasks in an interpreter of its own, with its own GIL, so CPU work runs on several cores in one
process. Python 3.14 has it in concurrent.futures; on 3.13 it comes from the
interpreters-pep-734 backport (the `subinterpreters` extra); before 3.13 the registry offers
nothing to run.

Nothing but bytes, numbers, strings and tuples crosses between interpreters as it is: the
executor pickles each call's function and arguments, and a worker pickles its records itself
(returned as bytes), so what crossing costs is measured here, as the process pool measures IPC.

No deadline is honoured: a call inside another interpreter cannot be interrupted (signals reach
only the main interpreter, and an asynchronous exception cannot cross into another one), an
interpreter cannot be destroyed while it runs, and the pool, like a thread pool, cannot replace a
worker stuck in a hung call. The CLI refuses --task-timeout and --run-timeout for it.
"""

from __future__ import annotations

import functools
import importlib
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

import psutil

from bench.errors import describe_error
from bench.harness.execution import no_progress
from bench.harness.recording import now_ns
from bench.model import Meta, RawRecord, TaskSpec, Usage
from strategies._host.ipc import ipc_notes
from strategies._host.supervise import POLL_S, Running, Supervisor
from strategies._host.window import SubmissionWindow
from strategies._worker import interpworker
from strategies.base import Abilities, Strategy, StrategyOptions, signals_blocked

IPC_SAMPLE = 256  # chunks whose crossing is measured: enough for a mean, cheap at any size
Chunk = tuple[TaskSpec, ...]


def library() -> tuple[Any, Callable[[], Any]]:
    """(InterpreterPoolExecutor, a function making a cross-interpreter queue): 3.14's standard
    library, or 3.13's backport. Imported by name: mypy checks this module as Python 3.11,
    which has neither (and the backport has no type information)."""
    if sys.version_info >= (3, 14):
        futures = importlib.import_module("concurrent.futures")
        queues = importlib.import_module("concurrent.interpreters")
        return futures.InterpreterPoolExecutor, queues.create_queue
    futures = importlib.import_module("interpreters_backport.concurrent.futures")
    queues = importlib.import_module("interpreters_backport.interpreters.queues")
    return futures.InterpreterPoolExecutor, queues.create


class SubinterpretersStrategy(Strategy):
    name = "subinterpreters"
    summary = "InterpreterPoolExecutor(max_workers=workers): an interpreter (and GIL) per worker"
    abilities = Abilities(threads_per_worker=1, leaves_interpreter=True)

    def __init__(self, options: StrategyOptions) -> None:
        super().__init__(options)
        self._chunksize = options.chunksize
        self._chunks = 0
        self._pool: Any = None
        self._workers: list[tuple[int, int, int]] = []  # (interpreter id, pid, thread id)
        self._inflight: dict[Future[Any], tuple[Chunk, int]] = {}  # chunk, when submitted
        self._supervisor: Supervisor | None = None
        self._memory: dict[str, int] = {}
        self._ipc = dict.fromkeys(("chunks", "tasks", "out_bytes", "out_ns", "in_bytes"), 0)
        self._ipc.update(in_pickle_ns=0, in_unpickle_ns=0)

    def start(self) -> None:
        executor, create_queue = library()
        workers, rss = self.workers, _rss()
        arrived = create_queue()
        # The pool's threads start with the submissions below; inside the block they inherit
        # it, so Ctrl-C and SIGTERM come to the main thread, which acts at once.
        with signals_blocked():
            self._pool = executor(
                max_workers=workers,
                thread_name_prefix="bench-interpreter",
                initializer=interpworker.init,
                initargs=(self.options.collector, self.options.log),
            )
            warming = [
                self._pool.submit(interpworker.warm, arrived, workers) for _ in range(workers)
            ]
        self._workers = [future.result() for future in warming]
        # Pages the new interpreters touched: their imports, modules and objects (one process).
        self._memory = {"interpreters_rss_bytes": max(_rss() - rss, 0)}

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        size = self._chunksize
        chunks = [tuple(tasks[i : i + size]) for i in range(0, len(tasks), size)]
        self._chunks = len(chunks)
        supervisor = self._supervisor = Supervisor(self.options, sink, now_ns())
        window = SubmissionWindow(2 * self.workers, len(chunks), no_progress)
        done = functools.partial(self._finished, supervisor, window)
        for n, chunk in enumerate(chunks):
            while not window.acquire(POLL_S):  # the main thread sees its signals this often
                pass
            future = self._submit(n, chunk, supervisor.queued_ns)
            self._inflight[future] = (chunk, now_ns())
            future.add_done_callback(done)
        while not window.wait_all(POLL_S):
            pass

    def _submit(self, n: int, chunk: Chunk, queued: int) -> Future[Any]:
        measure = n < IPC_SAMPLE
        if measure:
            # Pickle once more, here, to learn the size and cost of what the executor sends.
            began = now_ns()
            size = len(pickle.dumps((interpworker.run_chunk, (chunk, queued, measure), {})))
            self._ipc["out_ns"] += now_ns() - began
            self._ipc["out_bytes"] += size
            self._ipc["chunks"] += 1
            self._ipc["tasks"] += len(chunk)
        future: Future[Any] = self._pool.submit(interpworker.run_chunk, chunk, queued, measure)
        return future

    def _finished(
        self, supervisor: Supervisor, window: SubmissionWindow, future: Future[Any]
    ) -> None:
        chunk, submitted = self._inflight.pop(future, ((), 0))
        if not future.cancelled():
            error = future.exception()
            if error is None:
                payload, pickle_ns = future.result()
                self._take(payload, pickle_ns, supervisor)
            else:  # the interpreter failed around the tasks (they catch their own errors)
                why = f"the worker interpreter failed: {describe_error(error)}"
                for task in self._running(chunk, submitted):
                    supervisor.close(task, "error", why)
        window.release()
        self.options.progress(len(supervisor.sink))

    def _take(self, payload: bytes, pickle_ns: int, supervisor: Supervisor) -> None:
        began = now_ns()
        records = interpworker.records_from(payload)
        if pickle_ns:  # a measured chunk
            self._ipc["in_bytes"] += len(payload)
            self._ipc["in_pickle_ns"] += pickle_ns
            self._ipc["in_unpickle_ns"] += now_ns() - began
        for record in records:
            supervisor.add(record)

    def _running(self, chunk: Chunk, submitted: int) -> list[Running]:
        """A chunk's tasks, as far as the parent can see inside an interpreter: started no
        earlier than the chunk was submitted (records come back a chunk at a time)."""
        return [Running(spec, submitted, os.getpid(), 0, "interpreter") for spec in chunk]

    def abandon(self, reason: str) -> None:
        if self._supervisor is None:
            return
        for future, (chunk, submitted) in list(self._inflight.items()):
            if future.running():
                self._supervisor.abandon(self._running(chunk, submitted), reason)

    def stop(self, abandon: bool = False) -> Usage:
        # A call still running in an interpreter cannot be stopped: without waiting, its thread
        # (and interpreter) ends when the call returns; the CLI exits without joining it.
        if self._pool is not None:
            self._pool.shutdown(wait=not abandon, cancel_futures=True)
        return Usage()  # the interpreters are threads of this process: the parent's usage

    def details(self) -> Meta:
        ipc = self._ipc
        return {
            "executor": "InterpreterPoolExecutor"
            + (" (interpreters-pep-734 backport)" if sys.version_info < (3, 14) else ""),
            "chunksize": self._chunksize,
            "interpreter_ids": sorted(interp for interp, _, _ in self._workers),
            **ipc_notes(
                ipc,
                self._chunks,
                pickle_back=ipc["in_pickle_ns"],
                unpickle_back=ipc["in_unpickle_ns"],
            ),
            **self._memory,
        }


def _rss() -> int:
    try:
        return int(psutil.Process().memory_info().rss)
    except psutil.Error:
        return 0
