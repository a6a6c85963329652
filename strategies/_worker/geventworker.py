"""The gevent strategy's child process:
`python -m strategies._worker.geventworker IN_FD OUT_FD SLOTS_FD`.

Monkey-patching changes the whole process (sockets, time.sleep, threading), so it happens here,
in an interpreter of its own, before anything else is imported; the harness stays unpatched.
Messages are pickles over two pipes (multiprocessing.connection framing):

    parent -> child   ("setup", collector, workers, log, task_timeout_s), ("run", specs, queued_ns)
                      ("cancel", reason): end the running tasks, each recorded as cancelled
    child -> parent   ("ready", pid, thread id)   ("record", RawRecord) as each task ends
                      ("done", user s, system s, peak RSS bytes, voluntary, involuntary switches)

What each greenlet is running is in shared memory (SLOTS_FD, two int64 per greenlet: the task's
index + 1, 0 when idle, and when it started; set before the task starts, cleared only once its
record is sent), so a parent whose child was killed knows which tasks died with it.

The child ignores SIGINT and SIGTERM (a terminal signals the whole group; the parent decides) and
exits when its input pipe closes, so it never outlives the harness.
"""

from gevent import monkey

monkey.patch_all()  # first: every module imported below sees the patched world

# ruff: noqa: E402  (the imports must come after the patching)
import ctypes
import mmap
import os
import resource
import signal
import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

import gevent
import gevent.event
import gevent.lock
import gevent.pool
from gevent.socket import wait_read

from bench.errors import TaskDeadline
from bench.harness.recording import now_ns, run_sync
from bench.model import RawRecord, TaskSpec

# threading.get_ident is patched to return the running greenlet's id: the record must carry the
# OS thread's, which every greenlet here shares.
os_thread_id = monkey.get_original("_thread", "get_ident")


class Cancelled(gevent.GreenletExit):  # type: ignore[misc]  # gevent is untyped
    """Raised in a running task by ("cancel",): an interrupt or --run-timeout in the parent."""


class Child:
    def __init__(
        self, inbox: Connection, outbox: Connection, setup: tuple[Any, ...], slots_fd: int
    ) -> None:
        _, self.collector, self.workers, self.log, self.timeout_s = setup
        self._map = mmap.mmap(slots_fd, 16 * self.workers)
        self.slots = (ctypes.c_int64 * (2 * self.workers)).from_buffer(self._map)
        self.inbox, self.outbox = inbox, outbox
        self.tid = os_thread_id()
        self.pool = gevent.pool.Pool(self.workers)
        self.plan: gevent.event.AsyncResult = gevent.event.AsyncResult()

    def prepare(self) -> None:
        """`workers` long-lived greenlets that will pull from one plan, like a thread pool's
        threads. Each gets the collector ready first (its `open`: its own keep-alive connection,
        as threading.local is per greenlet here), and this returns once all have: before the
        parent's clock starts."""
        opened = gevent.lock.Semaphore(0)
        for n in range(self.workers):
            self.pool.spawn(self._worker, opened, n).name = f"Greenlet-{n}"
        for _ in range(self.workers):
            opened.acquire()

    def run(self, specs: Sequence[TaskSpec], queued_ns: int) -> None:
        before = resource.getrusage(resource.RUSAGE_SELF)
        self.plan.set((iter(specs), queued_ns))  # greenlets beyond the plan's length just end
        listener = gevent.spawn(self._listen)
        self.pool.join()
        listener.kill()
        now = resource.getrusage(resource.RUSAGE_SELF)
        self.outbox.send(
            (
                "done",
                now.ru_utime - before.ru_utime,
                now.ru_stime - before.ru_stime,
                now.ru_maxrss * 1024,  # Linux reports KiB
                now.ru_nvcsw - before.ru_nvcsw,
                now.ru_nivcsw - before.ru_nivcsw,
            )
        )

    def _worker(self, opened: gevent.lock.Semaphore, slot: int) -> None:
        name = gevent.getcurrent().name
        try:
            try:
                self.collector.open()
            finally:
                opened.release()  # prepare() must never wait on a greenlet that failed
            plan, queued_ns = self.plan.get()
            slots = self.slots
            for spec in plan:
                slots[2 * slot + 1], slots[2 * slot] = now_ns(), spec.index + 1
                record = self._task(spec, queued_ns, name)
                # The record goes out before the slot is cleared: a child killed between the
                # two leaves a record the parent keeps (and a slot it then skips); cleared first,
                # a kill in between lost a task that had run, which then read `not_run`.
                self.outbox.send(("record", record))
                slots[2 * slot] = 0
        finally:
            self.collector.close()  # this greenlet's keep-alive connection, if it holds one

    def _task(self, spec: TaskSpec, queued_ns: int, name: str) -> RawRecord:
        started = now_ns()
        try:
            if self.timeout_s is None:
                record = run_sync(self.collector, spec, queued_ns, self.log)
            else:
                # A TimeoutError raised inside the task: run_sync records it as `timeout`.
                deadline = TaskDeadline(f"exceeded --task-timeout {self.timeout_s:g}s")
                with gevent.Timeout(self.timeout_s, deadline):
                    record = run_sync(self.collector, spec, queued_ns, self.log)
        except Cancelled as exc:
            record = RawRecord(
                task_index=spec.index,
                status="cancelled",
                queued_ns=queued_ns,
                started_ns=started,
                finished_ns=now_ns(),
                pid=0,  # _where puts the real process and thread in
                thread_id=0,
                thread_name="",
                task_name=None,
                error=str(exc),
            )
            self.outbox.send(("record", self._where(record, name)))
            raise
        return self._where(record, name)

    def _where(self, record: RawRecord, name: str) -> RawRecord:
        """The real OS thread (patched threading reports the greenlet as a thread of its own),
        and the greenlet as the task's name, as asyncio's records name their task."""
        return record._replace(
            pid=os.getpid(), thread_id=self.tid, thread_name="MainThread", task_name=name
        )

    def _listen(self) -> None:
        """Commands from the parent while tasks run; end of input means the parent is gone."""
        while True:
            message = _receive(self.inbox)
            if message[0] == "cancel":
                self.pool.kill(Cancelled(message[1]), block=False)


def _receive(inbox: Connection) -> tuple[Any, ...]:
    wait_read(inbox.fileno())  # cooperative: a plain read would block every greenlet
    try:
        message: tuple[Any, ...] = inbox.recv()
    except EOFError:
        os._exit(1)  # the harness died or closed the pipe: nothing is left to report to
    return message


def main(argv: Sequence[str]) -> None:
    # Started with SIGINT and SIGTERM blocked (see signals_blocked); ignore them, then unblock.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    inbox = Connection(int(argv[1]), writable=False)
    outbox = Connection(int(argv[2]), readable=False)
    # Unpickling the setup imports the collector's modules, and prepare() opens each worker's
    # collector: start-up, not wall.
    child = Child(inbox, outbox, _receive(inbox), int(argv[3]))
    child.prepare()
    outbox.send(("ready", os.getpid(), child.tid))
    _, specs, queued_ns = _receive(inbox)
    child.run(specs, queued_ns)
    _receive(inbox)  # ("exit",), or end of input


if __name__ == "__main__":
    main(sys.argv)
