"""The errors that cross packages, each with its meaning for the user (and its exit code in the
CLI), and how an exception is told in one line. Imports nothing from bench."""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable


class TaskDeadline(TimeoutError):
    """--task-timeout, raised inside a task by a strategy that interrupts it there (gevent's
    Timeout): a collector with timeouts of its own must let it through, not report its own."""


class UsageError(Exception):
    """Bad input from the user: exit 2 with this one-line message."""


class EnvironmentProblem(Exception):
    """The machine, not the input, is wrong (unwritable folder, port in use): exit 4."""


class OutputFailed(EnvironmentProblem):
    """Writing a result failed (disk full, `ulimit -f`, a folder in the way): exit 4."""


class MachineLimit(Exception):
    """The machine cannot take the configuration (file descriptors, processes): exit 4."""


class ResultsFileError(Exception):
    """A results file that cannot be used; the message names the file and the problem: exit 3.
    (Raised by bench.results.loader; defined here so that the CLI can catch it without
    importing the loader on every command.)"""


def describe_error(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The choice nearest `word`, or None when none is near. Case is ignored (`HTTP` is http)."""
    by_folded = {choice.casefold(): choice for choice in choices}
    # 0.6, difflib's own cutoff: "asyncoi" finds asyncio, "celery" finds nothing.
    near = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=0.6)
    return by_folded[near[0]] if near else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ "; did you mean X?", or "" when no choice is near: the end of a one-line message
    refusing `word`."""
    near = nearest(word, choices)
    return f"; did you mean {near}?" if near else ""


def not_one_of(flag: str, value: str, choices: Iterable[str]) -> UsageError:
    """`--io must be one of sleep, blocking, http (got 'slep'); did you mean sleep?`"""
    choices = tuple(choices)
    listed = ", ".join(choices)
    return UsageError(
        f"{flag} must be one of {listed} (got {value!r}){did_you_mean(value, choices)}"
    )


# What running out of a resource looks like when a pool starts: "can't start new thread" is a
# RuntimeError, a failed fork an OSError (EAGAIN, ENOMEM), too many files EMFILE/ENFILE.
_EXHAUSTED_ERRNOS = {errno.EAGAIN, errno.ENOMEM, errno.EMFILE, errno.ENFILE}


def exhaustion(exc: BaseException | None) -> BaseException | None:
    """The running out of something, here or anywhere down the chain ("Nanny failed to start."
    is dask's wrapping of "can't start new thread"), or None."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, MemoryError):
            return exc
        if isinstance(exc, OSError) and exc.errno in _EXHAUSTED_ERRNOS:
            return exc
        if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None
