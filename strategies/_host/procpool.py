"""A warmed-up ProcessPoolExecutor, shared by the processes and asyncio+processes strategies.

It knows what each worker is running (a slot per worker in shared memory, written by the
worker), how a dead worker died, and how to tear the pool down without ever hanging: a hard stop
terminates the workers and then outlives the pool's own threads (CPython gh-125451).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import wait
from typing import Any

import psutil

from bench.harness.execution import StrategyOptions
from bench.model import RawRecord, TaskSpec, Usage
from strategies._host import tracker
from strategies._host.supervise import Running
from strategies._worker import procworker
from strategies.base import main_thread_takes_interrupts, signals_deferred

F = procworker.SLOT_FIELDS
# How long a hard stop waits for the pool's own threads (they end within milliseconds).
POOL_THREADS_JOIN_S = 10.0
DEATH_WAIT_S = 2.0  # for the pool's manager thread to reap a dead worker and learn its exit code


def describe_exit(code: int | None) -> str:
    if code is None:
        return "was still running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with code {code}"


@dataclass(frozen=True)
class Death:
    """Which worker died and how: "worker pid 4711 was killed by SIGKILL"."""

    what: str
    how: str
    pids: frozenset[int]


class WorkerPool:
    def __init__(self, options: StrategyOptions, workers: int, stream_records: bool) -> None:
        self.options, self.workers = options, workers
        self._executor: ProcessPoolExecutor | None = None
        self.procs: dict[int, Any] = {}
        self._slots: Any = None
        self._records: Any = None  # a queue workers put each record on, when streaming
        self._stream = stream_records
        self._threads: list[threading.Thread] = []
        self._handles: dict[int, psutil.Process] = {}
        self.memory: dict[str, int] = {}
        self._first_dead: list[int] = []  # the worker(s) whose death broke the pool
        self._wake: tuple[int, int] | None = None  # a pipe: written to stop the death watch

    @property
    def executor(self) -> ProcessPoolExecutor:
        assert self._executor is not None, "start() builds the pool"
        return self._executor

    def start(self) -> None:
        tracker.install()  # a killed resource tracker's successor learns our semaphores
        workers, method = self.workers, self.options.start_method
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            # The fork server imports only what workers need, not the CLI's pandas/matplotlib.
            context.set_forkserver_preload(["strategies._worker.procworker"])
        self._slots = context.RawArray("q", workers * F)
        self._records = context.SimpleQueue() if self._stream else None
        initargs = (
            self.options.collector,
            self.options.log,
            context.Barrier(workers),
            os.getpid(),
            self._slots,
            context.Value("i", 0),
            self._records,
        )
        before, children = set(threading.enumerate()), set(multiprocessing.active_children())
        with signals_deferred():  # the processes are created by the submissions
            if method == "forkserver":
                forkserver.ensure_running()  # inside: its children inherit its blocked mask
            self._executor = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=procworker.init,
                initargs=initargs,
            )
            # Workers start lazily; meeting at a barrier forces all of them up before timing.
            warming = [self._executor.submit(procworker.warm) for _ in range(workers)]
            # Known before an interrupt can arrive (when the block ends), so stop() can kill
            # them. psutil handles check the process is still ours before signalling it.
            # Our workers are the children started since: Process objects, to name a dead one's
            # exit code (public API, where the pool's own table is private).
            started = set(multiprocessing.active_children()) - children
            ordered = sorted(started, key=lambda p: p.pid or 0)
            self.procs = {p.pid: p for p in ordered if p.pid is not None}
            self._handles = {pid: psutil.Process(pid) for pid in self.procs}
        for future in warming:
            future.result()
        # The pool's manager and queue-feeder threads, started by the submissions above.
        self._threads = [t for t in threading.enumerate() if t not in before]
        self._watch_for_death()

    def _watch_for_death(self) -> None:
        """Note which worker dies first. A broken pool sends SIGTERM to every other worker, so
        afterwards exit codes cannot tell the first death from the rest (nor, when SIGTERM was
        the cause, which one it was); woken by the first sentinel, this thread can."""
        sentinels = {p.sentinel: pid for pid, p in self.procs.items()}
        self._wake = os.pipe()
        wake = self._wake[0]

        def watch() -> None:
            main_thread_takes_interrupts()
            ready = wait([*sentinels, wake])
            self._first_dead = [sentinels[s] for s in ready if s in sentinels]

        threading.Thread(target=watch, name="bench-death-watch", daemon=True).start()

    def _stop_watching(self) -> None:
        if self._wake is not None:
            read, write = self._wake
            os.write(write, b"x")  # the read end is open until now: this cannot break a pipe
            os.close(write)
            os.close(read)
            self._wake = None

    def running(self, specs: Mapping[int, TaskSpec]) -> list[Running]:
        """The tasks the workers say they are running (from their shared-memory slots)."""
        slots, found = self._slots, []
        for at in range(0, len(slots), F):
            index = slots[at] - 1
            if index >= 0 and index in specs:
                found.append(
                    Running(specs[index], slots[at + 1], slots[at + 2], slots[at + 3], "MainThread")
                )
        return found

    def streamed(self) -> list[RawRecord]:
        """Records the workers have put on the queue since the last call (streaming only)."""
        out: list[RawRecord] = []
        while self._records is not None and not self._records.empty():
            out.append(self._records.get())
        return out

    def death(self) -> Death:
        deadline = time.monotonic() + DEATH_WAIT_S
        while time.monotonic() < deadline and all(p.exitcode is None for p in self.procs.values()):
            time.sleep(0.02)  # the pool's manager thread reaps the dead worker
        ended = [(pid, p.exitcode) for pid, p in self.procs.items() if p.exitcode not in (None, 0)]
        # The broken pool sends SIGTERM to the workers still alive: prefer any other cause, then
        # the worker that died first.
        dead = [(pid, code) for pid, code in ended if code != -signal.SIGTERM]
        dead = dead or [e for e in ended if e[0] in self._first_dead] or ended[:1]
        # Under forkserver 255 also means "status unknown" (read through the fork server, seen
        # beside the SIGKILL that broke the pool): a worker with a known cause goes first.
        dead.sort(key=lambda e: e[1] == 255)
        if dead and self._fork_server_died(dead):
            return Death(
                "the fork server died, cutting the pool off from its workers",
                "was cut off when the fork server died",
                frozenset(pid for pid, _ in dead),
            )
        how = describe_exit(dead[0][1]) if dead else "died"
        what = f"worker pid {dead[0][0]} {how}" if dead else "a worker process died"
        return Death(what, how, frozenset(pid for pid, _ in dead))

    def _fork_server_died(self, dead: list[tuple[int, int | None]]) -> bool:
        """Under forkserver a worker's exit status comes through the fork server: when that
        dies, every worker reads as "exited with code 255", whatever really happened."""
        if self.options.start_method != "forkserver" or any(code != 255 for _, code in dead):
            return False
        servers = [c for c in _children() if "multiprocessing.forkserver" in _cmdline(c)]
        return not any(_running(server) for server in servers)

    def stop(self, hard: bool) -> Usage:
        """Tear down; a hard stop (workers stuck, dead or interrupted) terminates them instead
        of waiting and reports no usage. Never hangs."""
        self._stop_watching()
        if self._executor is None:
            return Usage()
        total = Usage()
        if hard:
            # Workers ignore SIGINT and may be hung: kill them rather than wait. By pid, through
            # psutil: a worker whose fork server died reads as exited, and Process.terminate()
            # would then do nothing.
            for handle in self._handles.values():
                with contextlib.suppress(psutil.Error):
                    handle.kill()
            # Gone before the pool (and its semaphores) go: a worker still starting would fail
            # to open them and print a traceback.
            psutil.wait_procs(list(self._handles.values()), timeout=POOL_THREADS_JOIN_S)
        else:
            self.memory = worker_memory(self.procs)
            reports = [self._executor.submit(procworker.usage) for _ in self.procs]
            for future in reports:
                _pid, user, system, rss, vol, invol = future.result(timeout=60)
                total += Usage(user, system, rss, vol, invol)
        self._executor.shutdown(wait=not hard, cancel_futures=True)
        if hard:
            self._outlive_pool_threads()
        self._executor = None
        return total

    def _outlive_pool_threads(self) -> None:
        """Keep the pool referenced until its manager thread has finished (CPython gh-125451).

        After a hard stop the manager thread clears the pool's pending work items; if those held
        the last reference to the strategy (through the done callbacks), the pool is collected
        in that thread, whose weakref callback then takes the shutdown lock the thread already
        holds: on 3.12.0-3.12.7 and 3.13.0 it deadlocks, and the interpreter waits on it at
        exit forever. While we wait here, we hold the reference, so that cannot happen.
        """
        deadline = time.monotonic() + POOL_THREADS_JOIN_S
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def _children() -> list[psutil.Process]:
    try:
        return psutil.Process().children()
    except psutil.Error:
        return []


def _cmdline(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def _running(handle: psutil.Process | None) -> bool:
    try:
        return handle is not None and handle.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def worker_memory(procs: Mapping[int, Any]) -> dict[str, int]:
    """USS (memory only that worker holds) and PSS (shared pages split fairly), summed."""
    uss = pss = 0
    for pid in procs:
        try:
            info = psutil.Process(pid).memory_full_info()
        except (psutil.Error, OSError):
            continue
        uss += getattr(info, "uss", 0)
        pss += getattr(info, "pss", 0)
    return {"workers_uss_bytes": uss, "workers_pss_bytes": pss}
