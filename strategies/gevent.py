"""gevent: greenlets on one OS thread, a gevent pool of `workers`, the collector's sync face
made cooperative by monkey-patching (the `gevent` extra).

Monkey-patching changes the whole process, so the greenlets run in a child interpreter of their
own (strategies._worker.geventworker), which patches before it imports anything else; the
harness is never patched. Starting it (the interpreter, importing gevent, patching, unpickling the
collector) is start-up. Records come back over a pipe as each task ends, so an interrupt keeps
every task that finished; the child's greenlets record the running ones as cancelled.
"""

from __future__ import annotations

import contextlib
import ctypes
import mmap
import os
import subprocess
import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from bench.harness import interrupts
from bench.harness.execution import RUN_TIMEOUT_REACHED
from bench.harness.recording import now_ns
from bench.model import Meta, RawRecord, TaskSpec, Usage
from bench.notes import RunNotes
from strategies._host.procpool import describe_exit
from strategies.base import Abilities, Strategy, StrategyAborted, StrategyOptions, signals_blocked

POLL_S = 0.02  # how often the parent looks at the run deadline and the child's health
START_S = 60.0  # an interpreter that has not said "ready" by then is not going to
SETTLE_S = 5.0  # for the child to record its cancelled tasks; it is killed after that
EXIT_S = 5.0


class GeventStrategy(Strategy):
    name = "gevent"
    summary = "gevent.pool.Pool(workers): greenlets on one thread of a monkey-patched child process"
    # One child process in all (not one per worker); it honours both deadlines itself.
    abilities = Abilities(deadlines=frozenset({"task", "run"}), leaves_process=True)

    def __init__(self, options: StrategyOptions) -> None:
        super().__init__(options)
        self._proc: subprocess.Popen[bytes] | None = None
        self._inbox: Connection | None = None  # from the child
        self._outbox: Connection | None = None  # to the child
        self._sink: list[RawRecord] = []
        self._usage: Usage | None = None
        self._child: tuple[int, int] = (0, 0)  # its pid and OS thread id
        self._queued = 0
        # What each greenlet runs (see geventworker): the tasks a killed child took with it.
        self._map = mmap.mmap(-1, 16 * self.workers)
        self._slots = (ctypes.c_int64 * (2 * self.workers)).from_buffer(self._map)

    def start(self) -> None:
        child_in, to_child = os.pipe()
        from_child, child_out = os.pipe()
        slots = os.memfd_create("bench-gevent-slots")
        os.ftruncate(slots, 16 * self.workers)
        self._map = mmap.mmap(slots, 16 * self.workers)
        self._slots = (ctypes.c_int64 * (2 * self.workers)).from_buffer(self._map)
        argv = [sys.executable, "-m", "strategies._worker.geventworker"]
        argv += [str(child_in), str(child_out), str(slots)]
        # The parent's import path (the current folder, for a --collector module): the child
        # is a fresh interpreter, which would not otherwise see it.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p or os.getcwd() for p in sys.path)}
        try:
            # Signals blocked while it starts: it inherits the block until it ignores them.
            with signals_blocked():
                self._proc = subprocess.Popen(argv, pass_fds=(child_in, child_out, slots), env=env)
        finally:
            for fd in (child_in, child_out, slots):
                os.close(fd)
        self._outbox = Connection(to_child, readable=False)
        self._inbox = Connection(from_child, writable=False)
        options = self.options
        try:
            self._outbox.send(
                ("setup", options.collector, self.workers, options.log, options.task_timeout_s)
            )
        except OSError:  # it died before reading (a broken gevent install): say how it ended
            raise RuntimeError(f"the gevent process did not start ({self._exit()})") from None
        message = self._next(START_S)
        if message is None or message[0] != "ready":
            raise RuntimeError(f"the gevent process did not start ({self._exit()})")
        self._child = (message[1], message[2])

    def execute(self, tasks: Sequence[TaskSpec], sink: list[RawRecord]) -> None:
        assert self._outbox is not None, "start() starts the child"
        self._sink = sink
        run_timeout = self.options.run_timeout_s
        deadline = None if run_timeout is None else now_ns() + round(run_timeout * 1e9)
        with interrupts.deferred():  # a plan half-written would leave the pipe unreadable
            self._queued = now_ns()
            self._outbox.send(("run", tuple(tasks), self._queued))
        while self._usage is None:
            if deadline is not None and now_ns() >= deadline:
                self._cancel("cancelled at --run-timeout")
                raise StrategyAborted(RUN_TIMEOUT_REACHED)
            message = self._next(POLL_S)
            if message is None and self._proc is not None and self._proc.poll() is not None:
                self._drain()
                raise StrategyAborted(self._died())
            self._take(message)

    def _drain(self) -> None:
        """The records the child sent before it died."""
        while (message := self._next(0)) is not None:
            self._take(message)

    def _died(self) -> str:
        """Every task in flight died with the child: each is an `error` naming how (greenlets
        share the one process, so the death struck all of them, as a killed pool worker's
        death strikes its task)."""
        how = f"the gevent process (pid {self._child[0]}) {describe_exit(self._exit_code())}"
        recorded = {record.task_index for record in self._sink}
        now = now_ns()
        for n in range(self.workers):
            index, started = self._slots[2 * n] - 1, self._slots[2 * n + 1]
            if index < 0 or index in recorded:
                continue
            pid, tid = self._child
            error = f"{how} while this task ran"
            self._sink.append(
                RawRecord(
                    task_index=index,
                    status="error",
                    queued_ns=self._queued,
                    started_ns=started,
                    finished_ns=now,
                    pid=pid,
                    thread_id=tid,
                    thread_name="MainThread",
                    task_name=f"Greenlet-{n}",
                    error=error,
                )
            )
        return how

    def _take(self, message: tuple[Any, ...] | None) -> None:
        if message is None:
            return
        if message[0] == "record":
            self._sink.append(message[1])
            self.options.progress(len(self._sink))
        elif message[0] == "done":
            self._usage = Usage(*message[1:])

    def _next(self, timeout: float) -> tuple[Any, ...] | None:
        """The child's next message, or None if there is none within `timeout` (or it is
        gone). An interrupt may land in the wait, never halfway through reading a message."""
        inbox = self._inbox
        if inbox is None or not inbox.poll(timeout):
            return None
        with interrupts.deferred():
            try:
                message: tuple[Any, ...] = inbox.recv()
            except (EOFError, OSError):
                return None
        return message

    def _cancel(self, reason: str) -> None:
        """Have the child end its running tasks (each recorded as cancelled) and wait, bounded,
        for their records: a child stuck in a call that never yields is killed in stop()."""
        if self._outbox is None or self._usage is not None:
            return
        with contextlib.suppress(OSError):
            self._outbox.send(("cancel", reason))
        settle = now_ns() + round(SETTLE_S * 1e9)
        while self._usage is None and now_ns() < settle:
            message = self._next(POLL_S)
            if message is None and self._proc is not None and self._proc.poll() is not None:
                return
            self._take(message)

    def abandon(self, reason: str) -> None:
        with interrupts.deferred():
            self._cancel(reason)

    def stop(self, abandon: bool = False) -> Usage:
        proc, outbox = self._proc, self._outbox
        if proc is None:
            return Usage()
        if outbox is not None and not abandon:
            with contextlib.suppress(OSError):
                outbox.send(("exit",))
        for end in (self._outbox, self._inbox):
            if end is not None:
                end.close()  # end of input: the child exits even if it missed ("exit",)
        self._outbox = self._inbox = None
        try:
            proc.wait(timeout=0 if abandon else EXIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        self._proc = None
        return self._usage or Usage()

    def _exit(self) -> str:
        code = self._exit_code()
        return "was still running" if code is None else f"exited with code {code}"

    def _exit_code(self) -> int | None:
        return None if self._proc is None else self._proc.poll()

    def details(self) -> Meta:
        from importlib.metadata import version

        return {
            "executor": "gevent.pool.Pool in a monkey-patched child process",
            **RunNotes.note(loop=f"gevent {version('gevent')}"),
            "child_pid": self._child[0],
            "child_thread_id": self._child[1],
        }
