"""Code that runs inside process-pool workers. Kept light: no pandas, matplotlib or rich here."""

from __future__ import annotations

import os
import pickle
import resource
import signal
import threading
import time
from collections.abc import Sequence
from typing import Any

from bench.collectors import faults
from bench.collectors.base import Collector
from bench.harness.recording import now_ns, run_sync
from bench.model import RawRecord, TaskSpec

SLOT_FIELDS = 4  # per worker in shared memory: task index + 1 (0 = idle), started, pid, thread

_state: dict[str, Any] = {}


def init(
    collector: Collector,
    log: bool,
    barrier: Any,
    harness_pid: int,
    slots: Any,
    counter: Any,
    records: Any = None,
) -> None:
    """Pool initializer: keep the collector, ignore Ctrl-C (the parent decides), watch parent.

    With `records` (a queue; under deadlines) each record goes to the parent as soon as its task
    ends, so a chunk whose later task hangs does not take its finished chunk-mates down too."""
    # The terminal sends SIGINT to the whole process group; the harness, not each worker, reacts.
    # The harness started us with SIGINT and SIGTERM blocked (see signals_deferred): ignore
    # Ctrl-C first, then take the block off.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    faults.in_worker_process = True
    with counter.get_lock():
        slot = counter.value
        counter.value += 1
    _state.update(
        collector=collector,
        log=log,
        barrier=barrier,
        base=None,
        slots=slots,
        offset=slot * SLOT_FIELDS,
        records=records,
    )
    threading.Thread(target=_watch_parent, args=(harness_pid,), daemon=True).start()


def _watch_parent(harness_pid: int) -> None:
    # Under forkserver our parent is the fork server, not the harness, so getppid() cannot tell us
    # the harness died (cpython#111873: pool workers outlive a SIGKILLed parent). Poll the harness.
    while True:
        time.sleep(0.25)
        try:
            os.kill(harness_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            continue


def warm() -> int:
    """Get this worker's collector ready, then meet every other worker at the barrier, so all
    workers exist and are ready before timing starts."""
    _state["collector"].open()
    _state["barrier"].wait(60)
    _state["base"] = resource.getrusage(resource.RUSAGE_SELF)
    return os.getpid()


def run_chunk(specs: Sequence[TaskSpec], queued_ns: int) -> list[RawRecord]:
    collector, log, stream = _state["collector"], _state["log"], _state["records"]
    records = []
    for spec in specs:
        _claim(spec)
        record = run_sync(collector, spec, queued_ns, log)
        if stream is not None:
            stream.put(record)
        else:
            records.append(record)
        _state["slots"][_state["offset"]] = 0
    return records


def _claim(spec: TaskSpec) -> None:
    """Tell the parent what runs here (started first, so a set index always has its start)."""
    slots, at = _state["slots"], _state["offset"]
    slots[at + 2], slots[at + 3] = os.getpid(), threading.get_ident()
    slots[at + 1] = now_ns()
    slots[at] = spec.index + 1


def run_chunk_measured(
    specs: Sequence[TaskSpec], queued_ns: int
) -> tuple[list[RawRecord], int, int]:
    """run_chunk, plus the pickled size of what goes back and the time to pickle it (for a
    sample of chunks only)."""
    records = run_chunk(specs, queued_ns)
    begin = now_ns()
    size = len(pickle.dumps(records))
    return records, size, now_ns() - begin


def compute_phase(spec: TaskSpec) -> tuple[int, int, int, int]:
    """The hybrid's CPU phase: (started, finished, pid, thread id)."""
    _claim(spec)
    started = now_ns()
    try:
        _state["collector"].compute(spec)
    finally:
        _state["slots"][_state["offset"]] = 0
    return started, now_ns(), os.getpid(), threading.get_ident()


def usage() -> tuple[int, float, float, int, int, int]:
    """This worker's CPU and context switches since warm-up, and its peak RSS (bytes)."""
    _state["barrier"].wait(60)
    _state["collector"].close()  # this worker's keep-alive connection, if it holds one
    now, base = resource.getrusage(resource.RUSAGE_SELF), _state["base"]
    if base is None:
        base = now
    return (
        os.getpid(),
        now.ru_utime - base.ru_utime,
        now.ru_stime - base.ru_stime,
        now.ru_maxrss * 1024,  # Linux reports KiB
        now.ru_nvcsw - base.ru_nvcsw,
        now.ru_nivcsw - base.ru_nivcsw,
    )
