"""Loaded by every Dask worker of a LocalCluster the harness starts (a dask preload module).

The terminal sends Ctrl-C to the whole process group, workers included; the harness decides what
an interrupt means (record the running tasks as cancelled, then close the cluster), so a worker
must not die of it first.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


def dask_setup(worker: Any) -> None:
    del worker
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
