"""Code that runs inside the subinterpreters strategy's worker interpreters (and the two helpers
the parent calls on its side).

Each worker interpreter imports this module afresh (its own copy of every module: nothing is
shared with the main interpreter but the process), so it is kept to the harness's recording and
the collector: an interpreter with its own GIL can import only extension modules that declare
support for that, which rules out numpy, psutil and the report libraries.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
from collections.abc import Sequence
from typing import Any

from bench.collectors.base import Collector
from bench.harness.recording import now_ns, run_sync
from bench.model import RawRecord, TaskSpec

WARM_TIMEOUT_S = 60.0
WARM_POLL_S = 0.001

_state: dict[str, Any] = {}


def interpreter_id() -> int:
    """This interpreter's id (0 is the main one). The low-level module is the one both 3.13's
    backport and 3.14's concurrent.interpreters are built on, and it is the cheapest to import
    in every worker."""
    import _interpreters  # type: ignore[import-not-found]  # 3.13+ only; mypy checks as 3.11

    return int(_interpreters.get_current()[0])


def init(collector: Collector, log: bool) -> None:
    """The pool's initializer, run inside each new interpreter: keep the collector."""
    _state.update(collector=collector, log=log, interpreter=interpreter_id())


def warm(arrived: Any, workers: int) -> tuple[int, int, int]:
    """Meet the other workers: put this interpreter's id on `arrived` (a cross-interpreter
    queue, which travels by its id) and wait until `workers` have, so that every worker is up
    before timing starts. (The pool starts a worker only when something is submitted and none is
    idle; while each warm call waits, none is.) A threading.Barrier cannot cross interpreters.
    The collector is made ready here first (its `open`: connect, first-use costs), as in every
    other strategy's workers, before the clock starts."""
    _state["collector"].open()
    arrived.put(_state["interpreter"])
    deadline = time.monotonic() + WARM_TIMEOUT_S
    while arrived.qsize() < workers:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{workers} worker interpreters did not start within 60 s")
        time.sleep(WARM_POLL_S)
    return _state["interpreter"], os.getpid(), threading.get_ident()


def run_chunk(specs: Sequence[TaskSpec], queued_ns: int, measure: bool) -> tuple[bytes, int]:
    """Run `specs` here; the records go back pickled (bytes cross interpreters as they are),
    with the time pickling took when `measure` (a sample of chunks), else 0."""
    collector, log, interpreter = _state["collector"], _state["log"], _state["interpreter"]
    # The thread's name as this interpreter sees it is a made-up "Dummy-N" (threading here did
    # not start it): name the lane after the interpreter instead.
    name = f"interpreter {interpreter}"
    records = [
        run_sync(collector, spec, queued_ns, log)._replace(
            interpreter_id=interpreter, thread_name=name
        )
        for spec in specs
    ]
    began = now_ns() if measure else 0
    payload = pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)
    return payload, (now_ns() - began) if measure else 0


def records_from(payload: bytes) -> list[RawRecord]:
    """On the parent's side: the records a worker sent."""
    records: list[RawRecord] = pickle.loads(payload)
    return records
