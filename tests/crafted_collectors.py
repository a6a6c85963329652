"""Crafted collectors for the tests: ones that misbehave (fail, hang, kill their worker, spin)
and ones that witness (the gc, open, requests in flight). Module-level: process-pool workers
import them. Not tests/collectors.py: tests/collectors/ holds the tests of bench.collectors."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import threading
import time
from dataclasses import dataclass

from bench.collectors.base import SleepCollector, ToThreadCollector
from bench.model import TaskSpec


class TwoArgError(Exception):
    """Pickles, but cannot be unpickled: __init__ needs two arguments (cpython#103061)."""

    def __init__(self, symbol: str, code: int) -> None:
        super().__init__(f"{symbol} failed with {code}")
        self.symbol, self.code = symbol, code


@dataclass(frozen=True, slots=True)
class UnpicklableFailure(SleepCollector):
    def collect(self, spec: TaskSpec) -> object:
        if spec.index == 1:
            raise TwoArgError(spec.symbol, 42)
        if spec.index == 2:
            return threading.Lock()  # cannot be pickled
        return SleepCollector.collect(self, spec)  # zero-arg super() breaks with slots=True


@dataclass(frozen=True, slots=True)
class KillsItsWorker(SleepCollector):
    """The CPU part of task 3 kills the process running it (SIGKILL, as the OOM killer does)."""

    def compute(self, spec: TaskSpec) -> object:
        if spec.index == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return SleepCollector.compute(self, spec)


GC_SEEN: list[bool] = []


@dataclass(frozen=True, slots=True)
class GcWitness(SleepCollector):
    """Records, inside each task, whether the cyclic garbage collector is on."""

    def collect(self, spec: TaskSpec) -> object:
        GC_SEEN.append(gc.isenabled())
        return SleepCollector.collect(self, spec)

    async def acollect(self, spec: TaskSpec) -> object:
        GC_SEEN.append(gc.isenabled())
        return await SleepCollector.acollect(self, spec)


@dataclass(frozen=True, slots=True)
class OpenWitness(SleepCollector):
    """Leaves a file per `open` call (named by the calling process and thread) and per task,
    each holding the clock: a process pool's workers cannot report back any other way."""

    folder: str = ""

    def open(self) -> None:
        self._stamp(f"open-{os.getpid()}-{threading.get_ident()}")

    def collect(self, spec: TaskSpec) -> object:
        self._stamp(f"task-{spec.index}")
        return SleepCollector.collect(self, spec)

    def _stamp(self, name: str) -> None:
        with open(os.path.join(self.folder, name), "w") as out:
            out.write(str(time.monotonic_ns()))


@dataclass(frozen=True, slots=True)
class ExitsInTask(SleepCollector):
    """Task 1 raises SystemExit, which no task catches (it is not an Exception): in a pool it
    fails the call around the task instead."""

    def collect(self, spec: TaskSpec) -> object:
        if spec.index == 1:
            raise SystemExit(3)
        return SleepCollector.collect(self, spec)


class OpenFails(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class FailsToOpen(SleepCollector):
    """Its open() raises in every worker: start-up must fail at once, never wait forever."""

    def open(self) -> None:
        raise OpenFails("cannot open")


SERVED: list[str] = []  # what a pretend server was asked for, in this process


@dataclass(frozen=True, slots=True)
class CountsRequests(SleepCollector):
    """A pretend HTTP collector: `open` makes a warm-up request, each task one request."""

    def open(self) -> None:
        SERVED.append("warm-up")

    def collect(self, spec: TaskSpec) -> object:
        SERVED.append(spec.symbol)
        return SleepCollector.collect(self, spec)


_FLIGHT = threading.Condition()
IN_FLIGHT = [0, 0]  # [calls in progress now, the most at once] in this process


@dataclass(frozen=True, slots=True)
class CountsThreadedCalls(ToThreadCollector):
    """The to-thread face, counting how many of its blocking calls run at once. Each call
    waits (up to 5 s) until `expect` have arrived, so the count shows the width a run allows,
    not how fast a loaded machine starts threads."""

    expect: int = 0

    def collect(self, spec: TaskSpec) -> object:
        with _FLIGHT:
            IN_FLIGHT[0] += 1
            IN_FLIGHT[1] = max(IN_FLIGHT)
            _FLIGHT.notify_all()
            _FLIGHT.wait_for(lambda: IN_FLIGHT[1] >= self.expect, timeout=5.0)
        try:
            return SleepCollector.collect(self, spec)
        finally:
            with _FLIGHT:
                IN_FLIGHT[0] -= 1


@dataclass(frozen=True, slots=True)
class SpinsOnTheLoop(SleepCollector):
    """CPU work inside the coroutine: 250 ms of computing that never yields to the loop."""

    async def acollect(self, spec: TaskSpec) -> object:
        end = time.thread_time() + 0.25  # CPU time: on a loaded machine it simply takes longer
        while time.thread_time() < end:
            pass
        return SleepCollector.compute(self, spec)


@dataclass(frozen=True, slots=True)
class BusyThenBlocks(SleepCollector):
    """Task 0 keeps the loop busy in short slices (each well under the heartbeat's 100 ms, 90 ms
    in all), then waits in time.sleep: the loop was held by a wait, not by computing."""

    async def acollect(self, spec: TaskSpec) -> object:
        if spec.index == 0:
            for _ in range(18):
                end = time.thread_time() + 0.005
                while time.thread_time() < end:
                    pass
                await asyncio.sleep(0)
            time.sleep(0.3)
        return SleepCollector.compute(self, spec)
