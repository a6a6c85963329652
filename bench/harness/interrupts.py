"""How the harness takes SIGINT and SIGTERM (installed by the console script, bench.launch).

- The first Ctrl-C or SIGTERM raises KeyboardInterrupt (or Terminated) in the main thread: the
  run in progress is recorded as interrupted, what finished is saved, the reports are written.
- A second Ctrl-C (a person insisting) exits at once; the results file on disk is whole either
  way (written atomically), and a temp file being written at that moment is removed. A second
  SIGINT within SAME_INTERRUPT_S of the first is the same Ctrl-C reaching us twice, not a person
  insisting: a terminal sends it to the whole foreground group, and a wrapper in that group
  (`timeout --foreground`, `timeout` without it: three copies) passes its own copy on. A
  repeated SIGTERM is a supervisor repeating itself (coreutils `timeout` signals the process and
  then its group): it keeps the graceful path.
- An interrupt raised while a finalizer or weakref callback runs (the garbage collector can run
  them anywhere) would be printed by Python as "Exception ignored" and dropped; the unraisable
  hook catches that and delivers the interrupt again. Inside `deferred()` (tearing a pool down,
  collecting its garbage) it waits for the block to end instead.
- Inside `patient(seconds)` (the files written after the runs) an interrupt waits at most that
  long for the block, then is raised wherever it is: quick work is finished, slow work ended.
- While an event loop runs (`cancelling()`), the first interrupt cancels the loop's main task
  instead: raised at an arbitrary point of the loop's own machinery (a done-callback, a task's
  wake-up), KeyboardInterrupt can drop a wake-up and leave a task pending forever, and the run
  then never ended (seen in CI, as asyncio.Runner's own SIGINT handling warns). A loop held by a
  blocking call cannot take the cancellation: after ESCALATE_S the interrupt is raised after all.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

REDELIVER_S = 0.005
ESCALATE_S = 1.0  # a loop that has not ended its run this long after a cancel is held
# A copy passed on by a wrapper woken by the same keypress arrives after a scheduling delay:
# 0.02-1.2 ms after the first through `timeout` and `timeout --foreground` (30 tries on a 2-core
# machine at load 1); a heavily loaded machine stretches that to tens of ms. A person who
# insists presses again after seeing that the first press changed nothing: a visual reaction
# alone takes 200-250 ms, a deliberate second press a second or more. 0.5 s is well past the
# first and about the quickest of the second; two presses inside it count as one, and a third
# exits.
SAME_INTERRUPT_S = 0.5


class Terminated(KeyboardInterrupt):
    """SIGTERM, taken down the same graceful path as Ctrl-C."""


class _State:
    deferred = 0
    pending: KeyboardInterrupt | None = None
    taken = False  # the first interrupt has been raised: the next one is a second
    cancel: Callable[[], bool] | None = None  # inside cancelling(): how to cancel the loop's run
    cancelled: KeyboardInterrupt | None = None  # the interrupt that cancelled it, raised after
    first_at = -SAME_INTERRUPT_S  # when the interrupt being handled arrived (monotonic s)
    patience: float | None = None  # inside patient(): how long a held interrupt may wait
    patient_at = 0  # the deferred depth of the innermost patient() block


clock: Callable[[], float] = time.monotonic  # replaced in tests


INTERRUPTS = (signal.SIGINT, signal.SIGTERM)
ESCALATE = signal.SIGUSR1  # sent to the main thread to raise a cancelled run's interrupt


def install() -> None:
    # Ignored when we started (a background job of a script ignores SIGINT): kept ignored, as
    # Python's own start-up does, rather than taken from the moment our handler is in. Blocked
    # (a mask inherited from the parent's thread): unblocked, or no Ctrl-C would ever arrive.
    for signum in INTERRUPTS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _on_signal)
    signal.signal(ESCALATE, _on_escalate)
    sys.unraisablehook = _unraisable
    # Last: one held since start-up (bench.cli.launch blocks them) is taken on the spot.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, INTERRUPTS)


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    exc = unraisable.exc_value
    if not isinstance(exc, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)
        return
    # Our interrupt landed in a finalizer, which cannot propagate it: deliver it again once the
    # finalizer is over (from another thread, a moment later; inside this hook it would land in
    # the same place).
    _State.taken = False
    signum = signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT
    main = threading.main_thread().ident or 0  # a real signal, so a blocking call wakes up
    retry = threading.Timer(REDELIVER_S, signal.pthread_kill, (main, signum))
    retry.daemon = True
    retry.start()


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    now = clock()
    if _State.taken or _State.pending is not None:
        if signum == signal.SIGINT and now - _State.first_at >= SAME_INTERRUPT_S:
            _exit_now(signum)
        return  # a copy of the same Ctrl-C, or a repeated SIGTERM: the graceful path goes on
    _State.first_at = now
    exc = Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()
    if _State.deferred:
        _State.pending = exc
        if _State.patience is not None:
            _escalate_later(_State.patience)
        return
    _State.taken = True
    if _State.cancel is not None and _State.cancel():
        _State.cancelled = exc
        _escalate_later()
        return
    raise exc


def _escalate_later(seconds: float = ESCALATE_S) -> None:
    main = threading.main_thread().ident or 0  # a real signal, so a blocking call wakes up
    timer = threading.Timer(seconds, signal.pthread_kill, (main, ESCALATE))
    timer.daemon = True
    timer.start()


def _on_escalate(_signum: int, _frame: FrameType | None) -> None:
    """The loop has not ended its cancelled run in time: raise the interrupt where it is held.
    Only while that run is still going; a late one finds nothing to do."""
    if _State.cancel is not None and _State.cancelled is not None:
        interrupt, _State.cancel = _State.cancelled, None
        raise interrupt
    if _State.pending is not None and _State.patience is not None:
        if _State.deferred != _State.patient_at:  # in a deferred() block inside: its end
            _escalate_later(REDELIVER_S * 10)
            return
        interrupt, _State.pending = _State.pending, None
        _State.taken = True
        raise interrupt


def _exit_now(signum: int) -> None:
    for cleanup in _AT_EXIT_NOW:
        cleanup()
    sys.stderr.write("bench: interrupted again: exiting now\n")
    os._exit(128 + signum)


# What a second Ctrl-C runs before leaving (the CLI removes temp files being written).
_AT_EXIT_NOW: list[Callable[[], None]] = []


def at_exit_now(cleanup: Callable[[], None]) -> None:
    _AT_EXIT_NOW.append(cleanup)


def leaving() -> None:
    """The command is over, its exit code chosen: an interrupt from now on (while the
    interpreter shuts down) has nothing left to stop, and is ignored. Python puts the default
    handlers back while it finalizes, and a signal then killed the finished process, which a
    shell reads as 130; an ignored signal stays ignored. (A shutdown that could hang, waiting
    on a thread that cannot end, is skipped by the console script with os._exit.)"""
    for signum in INTERRUPTS:
        if signal.getsignal(signum) is _on_signal:
            signal.signal(signum, signal.SIG_IGN)


def taken() -> None:
    """Called when an interrupt has been caught: from now on a second Ctrl-C exits at once."""
    _State.taken = True


@contextmanager
def deferred() -> Iterator[None]:
    """An interrupt arriving inside the block is raised when it ends (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _State.deferred += 1
    try:
        yield
    finally:
        _State.deferred -= 1
        _raise_held()


def _raise_held() -> None:
    if _State.deferred:
        return  # an enclosing block raises it
    pending, _State.pending = _State.pending, None
    if pending is not None:
        _State.taken = True
        raise pending


@contextmanager
def patient(limit_s: float) -> Iterator[None]:
    """deferred(), for at most `limit_s` after an interrupt: then it is raised wherever the block
    is. For work that is worth finishing when it is quick (the reports) and must not hold a
    SIGTERM for minutes when it is not (a million tasks' files). Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    outer = (_State.patience, _State.patient_at)
    _State.deferred += 1
    _State.patience, _State.patient_at = limit_s, _State.deferred
    try:
        if _State.pending is not None:  # held already, by an enclosing block
            _escalate_later(limit_s)
        yield
    finally:
        _State.patience, _State.patient_at = outer
        _State.deferred -= 1
        _raise_held()


@contextmanager
def interruptible() -> Iterator[None]:
    """Inside a deferred() block, a stretch where an interrupt is raised at once again (one held
    already, first): a wait on someone else (a FIFO's reader, a pipe nobody empties) must not
    hold the interrupt back forever."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held, _State.deferred = _State.deferred, 0
    try:
        pending, _State.pending = _State.pending, None
        if pending is not None:
            _State.taken = True
            raise pending
        yield
    finally:
        _State.deferred = held


@contextmanager
def cancelling(cancel: Callable[[], bool]) -> Iterator[None]:
    """Run an event loop inside this: the first interrupt calls `cancel` (which cancels the
    loop's main task and says whether there was one) and is raised when the block ends.
    Main thread only; elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _State.cancel = cancel
    try:
        yield
    except BaseException as error:
        interrupt = _end_cancelling()
        if interrupt is None or interrupt is error:
            raise
        raise interrupt from None
    interrupt = _end_cancelling()
    if interrupt is not None:
        raise interrupt


def _end_cancelling() -> KeyboardInterrupt | None:
    _State.cancel = None
    interrupt, _State.cancelled = _State.cancelled, None
    return interrupt
