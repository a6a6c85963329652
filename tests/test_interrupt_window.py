"""One Ctrl-C is one interrupt, however many copies of it arrive: a terminal signals the whole
foreground group, and a wrapper in it (`timeout`, `timeout --foreground`) passes its own copy on.
The handler is driven directly here, with a fake clock; tests/test_interrupts.py sends the real
signals through real wrappers."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from bench.harness import interrupts
from bench.harness.interrupts import SAME_INTERRUPT_S, Terminated


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
