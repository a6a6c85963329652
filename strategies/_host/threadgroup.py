"""A fixed-width group of worker threads that can give up on a thread: what deadlines need.

No standard pool can: a ThreadPoolExecutor grows only when something is submitted, so once every
task has been submitted and every thread is stuck in a hung call, nothing ever runs again. Here a
thread whose task passed its deadline is *retired*: a new thread takes its place at once, so
`width` tasks are always in progress, and the retired thread leaves as soon as its call returns
(a thread cannot be killed). A thread is "leaked" only while it is still running at the end.

Threads are daemons: a hung one must not hold the interpreter open at exit.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar, cast

from strategies.base import main_thread_takes_interrupts

Item = TypeVar("Item")
_STOP = object()


class WorkerThreads(Generic[Item]):
    def __init__(
        self,
        width: int,
        work: Callable[[Item], None],
        name: str = "bench-worker",
        on_start: Callable[[], None] | None = None,
        on_exit: Callable[[], None] | None = None,
    ) -> None:
        self.width = width
        self._work, self._name = work, name
        self._on_start, self._on_exit = on_start, on_exit
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._active: set[threading.Thread] = set()  # taking work
        self._retired: set[threading.Thread] = set()  # given up on; leave when their call returns
        self._current: dict[threading.Thread, object] = {}  # what each thread is working on
        self._numbers = itertools.count(1)
        self._started = threading.Semaphore(0)
        self._failed: BaseException | None = None  # what a thread's on_start raised

    def start(self) -> None:
        """Start `width` threads and return once every one is running (start-up, not wall)."""
        for _ in range(self.width):
            self._spawn()
        for _ in range(self.width):
            self._started.acquire()
        if self._failed is not None:
            self.stop(wait=True)  # the threads that did start leave: nothing was queued
            raise self._failed

    def put(self, item: Item) -> None:
        self._queue.put(item)

    def retire(self, ident: int, item: Item) -> bool:
        """Give up on the thread `ident`, still working on `item` (past its deadline), and start
        its replacement. False if that thread has moved on or was retired already."""
        with self._lock:
            thread = next((t for t in self._active if t.ident == ident), None)
            if thread is None or self._current.get(thread) is not item:
                return False
            self._active.discard(thread)
            self._retired.add(thread)
        self._spawn()
        return True

    @property
    def retired(self) -> int:
        with self._lock:
            return len(self._retired)

    def leaked(self, grace_s: float = 0.05) -> int:
        """Retired threads still running their call (after `grace_s` for one just returning)."""
        with self._lock:
            retired = list(self._retired)
        for thread in retired:
            thread.join(grace_s / max(len(retired), 1))
        return sum(t.is_alive() for t in retired)

    def stop(self, wait: bool) -> None:
        """Ask every active thread to leave once the queue is drained (`wait`: until they have)."""
        with self._lock:
            active = list(self._active)
        if not wait:
            self._drain()
        for _ in active:
            self._queue.put(_STOP)
        if wait:
            for thread in active:
                thread.join()

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass

    def _spawn(self) -> None:
        thread = threading.Thread(
            target=self._loop, name=f"{self._name}-{next(self._numbers)}", daemon=True
        )
        with self._lock:
            self._active.add(thread)
        thread.start()

    def _loop(self) -> None:
        main_thread_takes_interrupts()
        me = threading.current_thread()
        try:
            if self._on_start is not None:
                self._on_start()  # before start() returns, for the first `width` threads
        except BaseException as exc:  # start() raises it; never leave start() waiting
            self._failed = exc
            with self._lock:
                self._active.discard(me)
            return
        finally:
            self._started.release()
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                with self._lock:
                    self._current[me] = item
                try:
                    self._work(cast(Item, item))
                finally:
                    with self._lock:
                        del self._current[me]
                        retired = me in self._retired
                if retired:
                    break  # its replacement is already taking work
        finally:
            if self._on_exit is not None and me not in self._retired:
                self._on_exit()
            with self._lock:
                self._active.discard(me)
