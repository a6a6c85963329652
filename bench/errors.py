"""The errors that cross packages, each with its meaning for the user (and its exit code in the
CLI), and how an exception is told in one line. Imports nothing from bench."""

from __future__ import annotations


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


def describe_error(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
