"""multiprocessing's resource tracker, made to survive its own death (parent side).

The tracker is a process that unlinks the semaphores a program leaves behind. Killed (SIGKILL,
the OOM killer), it is started again at the next call, knowing none of the names registered with
the one that died: each later `unregister` of such a name printed a KeyError traceback from the
new tracker, one per semaphore. Here every name registered and not yet unregistered is kept,
and handed to a new tracker before anything else is sent to it, so it knows them all.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sized
from multiprocessing import resource_tracker
from typing import Any

_live: dict[tuple[Sized, str], None] = {}  # (name, kind) registered and not yet unregistered
_lock = threading.RLock()
_seen: list[int | None] = [None]  # the tracker's pid when we last sent it something
_installed: list[bool] = [False]


def install() -> None:
    """Once per process, before the first pool starts (its semaphores are then all known)."""
    with _lock:
        if _installed[0]:
            return
        _installed[0] = True
        # The tracker's own warning says resources might leak; once handed over, none do.
        warnings.filterwarnings(
            "ignore", "resource_tracker: process died unexpectedly", UserWarning
        )
        register, unregister = resource_tracker.register, resource_tracker.unregister

        def tracked_register(name: Sized, rtype: str) -> None:
            with _lock:
                _hand_over(register)
                _live[(name, rtype)] = None
                register(name, rtype)

        def tracked_unregister(name: Sized, rtype: str) -> None:
            with _lock:
                _hand_over(register)
                _live.pop((name, rtype), None)
                unregister(name, rtype)

        resource_tracker.register = tracked_register
        resource_tracker.unregister = tracked_unregister


def _hand_over(register: Any) -> None:
    """A tracker started since the last call (the previous one died) learns every live name."""
    tracker: Any = resource_tracker._resource_tracker  # its pid is private
    tracker.ensure_running()
    pid = tracker._pid
    if _seen[0] is not None and pid != _seen[0]:
        for name, rtype in list(_live):
            register(name, rtype)
    _seen[0] = pid
