"""Seeded fault injection for the built-in collectors (--fail-rate, --fail-mode).

The plan marks which tasks fail and how; the collector acts it out before doing its work, so the
same seed fails the same symbols under every strategy.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from bench.model import TaskSpec

FAULT_MODES: Final = ("exception", "timeout", "hang", "crash")
HANG_SECONDS: float = 10**6  # "forever", as far as any run is concerned (tests shorten it)
CRASH_EXIT_CODE: Final = 70

# Set in process-pool workers only: there a crash really kills the worker; anywhere else it would
# kill the harness itself, so it is recorded as an error instead.
in_worker_process = False


class InjectedError(RuntimeError):
    """The failure --fail-mode exception plants in a task."""


def _common(spec: TaskSpec) -> None:
    if spec.fault == "exception":
        raise InjectedError(f"injected failure collecting {spec.symbol}")
    if spec.fault == "timeout":
        raise TimeoutError(f"injected timeout collecting {spec.symbol}")
    if spec.fault == "crash":
        if in_worker_process:
            os._exit(CRASH_EXIT_CODE)
        raise InjectedError("injected crash: only process-pool workers are really crashed")


def act(spec: TaskSpec) -> None:
    """The sync face's fault, if the plan gave this task one."""
    if spec.fault == "hang":
        time.sleep(HANG_SECONDS)
    _common(spec)


async def aact(spec: TaskSpec, sleep: Callable[[float], Awaitable[object]] | None = None) -> None:
    """The async face's fault, if the plan gave this task one (`sleep`: the event loop's own,
    asyncio.sleep unless given: trio.sleep under trio)."""
    if spec.fault == "hang":
        if sleep is None:
            # Here, not at the top: the parser reads FAULT_MODES, and asyncio is 20-30 ms.
            import asyncio

            sleep = asyncio.sleep
        await sleep(HANG_SECONDS)
    _common(spec)
