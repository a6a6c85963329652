"""Loaded by every Dask worker of a LocalCluster the harness starts (a dask preload module).

The terminal sends Ctrl-C to the whole process group, workers included, and so do `timeout` and
CI runners with SIGTERM; the harness decides what an interrupt means (record the running tasks
as cancelled, then close the cluster, which stops its workers through their nannies and kills
any that do not stop), so a worker must not die of it first.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


def dask_setup(worker: Any) -> None:
    del worker
    if threading.current_thread() is threading.main_thread():
        # Started with both blocked (the harness's signals_deferred): ignore them, then unblock.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
