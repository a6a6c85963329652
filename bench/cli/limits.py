"""What a configuration asks of the strategies and of the machine, checked before anything runs.

Everything here reads the strategies' declared abilities, never their names: a plugin that
starts processes or cannot honour a deadline is refused on the same rules as a built-in one.
Usage errors (exit 2) are the user's flags; machine limits (exit 4) are the environment's.
"""

from __future__ import annotations

import os
import pickle
import resource
from collections.abc import Mapping
from typing import Final

from bench.collectors.custom import FunctionCollector, resolve
from bench.errors import MachineLimit, UsageError
from bench.harness.execution import Abilities

MAX_PROCESS_WORKERS: Final = 256  # each process worker is a whole interpreter
MAX_THREAD_WORKERS: Final = 10_000
FDS_PER_PROCESS: Final = 6  # pipes and sentinels the parent holds per worker process
FD_HEADROOM: Final = 32  # files, the results writer, the mock server's pipe, sockets in passing


def check_workers(workers: int, abilities: Mapping[str, Abilities]) -> None:
    for name, can in abilities.items():
        if can.processes_per_worker and workers > MAX_PROCESS_WORKERS:
            raise UsageError(
                f"--workers must be at most {MAX_PROCESS_WORKERS} with the {name} strategy "
                f"(got {workers}); each worker is a whole interpreter"
            )
        if can.threads_per_worker and workers > MAX_THREAD_WORKERS:
            raise UsageError(
                f"--workers must be at most {MAX_THREAD_WORKERS} with the {name} strategy "
                f"(got {workers})"
            )


def check_deadlines(
    abilities: Mapping[str, Abilities], task_timeout: float | None, run_timeout: float | None
) -> None:
    """A deadline a strategy would ignore is a run that may never end: refuse it by name."""
    for name, can in abilities.items():
        refused = can.refused_deadlines(task_timeout, run_timeout)
        if refused:
            flags = " and ".join(refused)
            raise UsageError(
                f"{flags}: the {name} strategy cannot honour "
                f"{'them' if len(refused) > 1 else 'it'} (it cannot interrupt a running task); "
                "leave it out of --strategies or drop the deadline"
            )


def open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 64  # not Linux: a fair guess at what an interpreter with our imports holds


def fds_needed(workers: int, can: Abilities, http: bool) -> int:
    """File descriptors the parent needs for one run: pipes per worker process, and one socket
    per concurrent HTTP request made in this process (the mock server needs as many again)."""
    per_worker = FDS_PER_PROCESS * can.processes_per_worker
    if http and not can.processes_per_worker:
        per_worker += 1
    return open_fds() + FD_HEADROOM + per_worker * workers


def check_machine_limits(workers: int, abilities: Mapping[str, Abilities], http: bool) -> None:
    soft_fds, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    for name, can in abilities.items():
        need = fds_needed(workers, can, http)
        if soft_fds != resource.RLIM_INFINITY and need > soft_fds:
            each = need - fds_needed(0, can, http)
            fit = max(0, (soft_fds - fds_needed(0, can, http)) * workers // max(each, 1))
            advice = (
                f"which fits at most {fit} workers here (raise `ulimit -n` or lower --workers)"
                if fit
                else f"too few for any worker: raise `ulimit -n` to "
                f"at least {fds_needed(1, can, http)}"
            )
            raise MachineLimit(
                f"--workers {workers} with {name} needs about {need} file descriptors; the "
                f"limit (ulimit -n) is {soft_fds}, {advice}"
            )
    soft_procs, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    for name, can in abilities.items():
        each = can.processes_per_worker + can.threads_per_worker
        if each and soft_procs != resource.RLIM_INFINITY and workers * each > soft_procs:
            raise MachineLimit(
                f"--workers {workers} with {name} needs {workers * each} processes/threads; "
                f"the limit (ulimit -u) is {soft_procs} (raise `ulimit -u` or lower --workers)"
            )


def check_runnable(collector: FunctionCollector, abilities: Mapping[str, Abilities]) -> None:
    """Refuse, before anything runs, a strategy that cannot run this collector."""
    for name, can in abilities.items():
        if "async" in can.faces and collector.async_ref is None:
            raise ValueError(
                f"{name} needs an async function (a sync one would block its event "
                "loop); give module:sync_fn,module:async_fn"
            )
        if "phased" in can.faces:
            raise ValueError(
                f"{name} needs separate I/O and CPU parts; a function collector has one"
            )
        if "sync" in can.faces and collector.sync_ref is None:
            raise ValueError(
                f"{name} runs the sync face in threads or processes without an "
                "event loop; give a sync function too"
            )
        if (can.leaves_process or can.leaves_interpreter) and collector.sync_ref is not None:
            function = resolve(collector.sync_ref)
            try:
                pickle.dumps(function)
            except Exception:
                got = getattr(function, "__qualname__", function)
                raise ValueError(
                    f"{name} needs a module-level function it can send to another "
                    f"{'process' if can.leaves_process else 'interpreter'}; got {got}"
                ) from None
