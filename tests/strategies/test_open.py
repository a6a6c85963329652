"""Every worker thread or process that runs the sync face gets the collector ready (`open`:
connect, first-use costs) before the clock starts, so none of that lands in the wall."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

import strategies
from tests.conftest import make_plan, run
from tests.crafted_collectors import FailsToOpen, OpenFails, OpenWitness

# With a deadline, sequential and threads run on supervised threads of their own; processes keep
# one pool either way.
CASES = [(n, False) for n in ("sequential", "threads", "processes")] + [
    (n, True) for n in ("sequential", "threads")
]


@pytest.mark.parametrize(("name", "supervised"), CASES)
def test_each_worker_opens_before_the_clock(name: str, supervised: bool, tmp_path: Path) -> None:
    deadline = {"task_timeout_s": 5.0} if supervised else {}
    record = run(
        name, make_plan(6, 0.01), workers=3, collector=OpenWitness(folder=str(tmp_path)), **deadline
    )
    assert record.status == "completed", record.reason
    stamps = {p.name: int(p.read_text()) for p in tmp_path.iterdir()}
    opened = {k.removeprefix("open-"): v for k, v in stamps.items() if k.startswith("open-")}
    tasks = [v for k, v in stamps.items() if k.startswith("task-")]
    ran = {f"{t.pid}-{t.thread_id}" for t in record.tasks}
    assert len(tasks) == 6
    assert ran <= opened.keys()  # every worker that ran a task had opened ...
    assert max(opened[w] for w in ran) < min(tasks)  # ... before any task began


@pytest.mark.parametrize(("name", "supervised"), CASES)
def test_an_open_that_raises_fails_the_start_and_never_hangs(name: str, supervised: bool) -> None:
    # The suite's 120 s timeout is the hang detector: before, a supervised group waited forever
    # for a thread whose open() had raised, and a pool's threads sat at the barrier for 30 s.
    deadline = {"task_timeout_s": 5.0} if supervised else {}
    with pytest.raises((OpenFails, BrokenProcessPool)):
        run(name, make_plan(4, 0.01), workers=3, collector=FailsToOpen(), **deadline)


def test_each_gevent_greenlet_opens_before_the_clock(tmp_path: Path) -> None:
    """Under gevent threading.local is per greenlet, so each worker greenlet opens its own."""
    if not strategies.available("gevent"):
        pytest.skip(str(strategies.unavailable("gevent")))
    witness = OpenWitness(folder=str(tmp_path))
    record = run("gevent", make_plan(6, 0.01), workers=3, collector=witness)
    assert record.status == "completed", record.reason
    stamps = {p.name: int(p.read_text()) for p in tmp_path.iterdir()}
    opened = [v for k, v in stamps.items() if k.startswith("open-")]
    tasks = [v for k, v in stamps.items() if k.startswith("task-")]
    assert len(opened) == 3 and len(tasks) == 6  # one per greenlet (patched get_ident)
    assert max(opened) < min(tasks)
