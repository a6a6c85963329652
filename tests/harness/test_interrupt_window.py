"""One Ctrl-C is one interrupt, however many copies of it arrive: a terminal signals the whole
foreground group, and a wrapper in it (`timeout`, `timeout --foreground`) passes its own copy on.
The handler is driven directly here, with a fake clock; tests/e2e/test_interrupts.py sends the real
signals through real wrappers."""

from __future__ import annotations

import dis
import gc
import signal
import sys
from collections.abc import Iterator
from types import FrameType, SimpleNamespace
from typing import Any

import pytest

from bench.collectors.base import SleepCollector
from bench.harness import interrupts, runner
from bench.harness.execution import StrategyOptions
from bench.harness.interrupts import SAME_INTERRUPT_S, Terminated
from bench.harness.runner import RunInterrupted, run_strategy
from bench.model import RunRecord, Usage
from strategies.fake import FakeStrategy
from tests.conftest import make_plan


class Exited(Exception):
    pass


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    now = [1000.0]
    monkeypatch.setattr(interrupts, "clock", lambda: now[0])
    monkeypatch.setattr(interrupts._State, "taken", False)
    monkeypatch.setattr(interrupts._State, "pending", None)
    monkeypatch.setattr(interrupts._State, "first_at", -SAME_INTERRUPT_S)

    def exit_now(signum: int) -> None:
        raise Exited(signum)

    monkeypatch.setattr(interrupts, "_exit_now", exit_now)
    yield now


def _first(signum: int = signal.SIGINT) -> None:
    with pytest.raises(KeyboardInterrupt):
        interrupts._on_signal(signum, None)


def test_a_copy_within_the_window_is_the_same_interrupt(clock: list[float]) -> None:
    _first()
    clock[0] += 0.001  # timeout --foreground's copy
    interrupts._on_signal(signal.SIGINT, None)
    clock[0] += 0.002  # timeout's copy to the group
    interrupts._on_signal(signal.SIGINT, None)
    clock[0] += SAME_INTERRUPT_S - 0.004  # still inside: the window counts from the first
    interrupts._on_signal(signal.SIGINT, None)


def test_a_person_insisting_after_the_window_exits_at_once(clock: list[float]) -> None:
    _first()
    clock[0] += SAME_INTERRUPT_S
    with pytest.raises(Exited):
        interrupts._on_signal(signal.SIGINT, None)


def test_a_sigint_after_a_sigterm_counts_from_the_sigterm(clock: list[float]) -> None:
    _first(signal.SIGTERM)
    interrupts._on_signal(signal.SIGINT, None)  # the group's copy of the same moment
    clock[0] += SAME_INTERRUPT_S + 1
    interrupts._on_signal(signal.SIGTERM, None)  # a supervisor repeating itself: never exits
    with pytest.raises(Exited):
        interrupts._on_signal(signal.SIGINT, None)


def test_copies_of_an_interrupt_held_in_a_deferred_block_are_one(clock: list[float]) -> None:
    with pytest.raises(Terminated), interrupts.deferred():
        interrupts._on_signal(signal.SIGTERM, None)
        clock[0] += 0.01
        interrupts._on_signal(signal.SIGINT, None)


# An interrupt at every step of a run. A signal's Python handler runs only where the interpreter
# checks for one: on entering a function, after a call returns, at a loop's back edge. The
# handler is run (as a signal would run it) at the n-th such point of the runner, the meters, the
# interrupt machinery and the strategy, for every n.
TRACED = (
    *("bench/harness/runner.py", "bench/harness/meters.py", "bench/harness/interrupts.py"),
    *("strategies/fake.py", "tests/harness/test_interrupt_window.py", "contextlib.py"),
)


class Watched(FakeStrategy):
    """The fake strategy, saying whether it was started and stopped."""

    began = stopped_after = False

    def start(self) -> None:
        type(self).began = True
        super().start()

    def stop(self, abandon: bool = False) -> Usage:
        type(self).stopped_after = type(self).began
        return super().stop(abandon)


def _interrupted_at(step: int, gc_on: bool) -> tuple[int, RunRecord | BaseException]:
    """Run the fake strategy with the first SIGINT handled at the step-th traced event (or never,
    past the last); return how many events there were, and the record or what was raised."""
    seen = [0]
    last: dict[int, str] = {}  # each frame's previous instruction

    def trace(frame: FrameType, event: str, _arg: object) -> Any:
        code = frame.f_code
        if not code.co_filename.endswith(TRACED) or code.co_name == "trace":
            return None
        frame.f_trace_opcodes = True
        if event == "opcode":
            now = dis.opname[code.co_code[frame.f_lasti]]
            checks = last.get(id(frame), "").startswith("CALL") or now == "JUMP_BACKWARD"
            last[id(frame)] = now
        else:
            checks = event == "call"
        if checks:
            seen[0] += 1
            if seen[0] == step:
                interrupts._on_signal(signal.SIGINT, None)  # raises here, or is held
        return trace

    Watched.began = Watched.stopped_after = False
    options = StrategyOptions(2, SleepCollector(), gc=gc_on)
    sys.settrace(trace)
    try:
        outcome: RunRecord | BaseException = run_strategy(
            Watched, make_plan(3, 0.01), options, interrupts.taken
        )
    except BaseException as exc:  # what escaped is the finding
        outcome = exc
    finally:
        sys.settrace(None)
    return seen[0], outcome


@pytest.mark.usefixtures("clock")
@pytest.mark.parametrize("gc_on", [True, False], ids=["gc-on", "gc-off"])
def test_an_interrupt_at_any_step_of_a_run_is_saved_and_stops_the_strategy(
    gc_on: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It once escaped between the start and the timed region (the pool up, the peak-memory
    reset or the meters being read): the pool and its semaphores left behind, nothing saved."""
    # The runner's own collections would cost most of the time here (this process's heap is
    # pytest's): they are skipped; freezing and disabling are real, and checked.
    fast = {name: getattr(gc, name) for name in ("freeze", "unfreeze", "enable", "disable")}
    monkeypatch.setattr(runner, "gc", SimpleNamespace(collect=lambda: 0, **fast))
    steps, outcome = _interrupted_at(0, gc_on)
    assert isinstance(outcome, RunRecord) and outcome.status == "completed"
    for step in range(1, steps + 1):
        interrupts._State.taken, interrupts._State.pending = False, None
        interrupts._State.first_at = -SAME_INTERRUPT_S
        _, outcome = _interrupted_at(step, gc_on)
        where = f"interrupt at step {step} of {steps}"
        assert gc.isenabled() and gc.get_freeze_count() == 0, where
        assert interrupts._State.deferred == 0 and interrupts._State.pending is None, where
        if isinstance(outcome, KeyboardInterrupt):  # only before the strategy was started
            assert not Watched.began, where
            continue
        assert isinstance(outcome, RunInterrupted), (where, outcome)
        record = outcome.record
        assert [t.index for t in record.tasks] == [0, 1, 2], where
        assert Watched.stopped_after or not Watched.began, where
        if record.reason == "interrupted during start-up":
            assert {t.status for t in record.tasks} == {"not_run"}, where
        else:
            assert record.status in ("interrupted", "completed"), where
