"""Running the mock API: in the foreground (`bench serve`) or as a child process of `bench run`.

For `bench run --io http` the server lives in a process of its own, started before and stopped
after the strategies: never a thread inside the process that forks workers, and never sharing the
client's CPU time inside one interpreter. It watches its parent and exits if the parent dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from bench.errors import EnvironmentProblem
from bench.mockapi.faults import FAULTS, FaultRates
from bench.mockapi.quota import Quota

ANNOUNCE = "serving on http://"


async def _serve(
    host: str,
    port: int,
    seed: int,
    faults: FaultRates,
    parent_pid: int | None,
    quota: Quota | None = None,
) -> int:
    """Serve until SIGINT or SIGTERM (returned, for the exit code) or the parent's death."""
    from bench.mockapi.app import make_app, start

    try:
        runner, real_port = await start(make_app(seed, faults, quota), host, port)
    except OSError as exc:
        raise EnvironmentProblem(
            f"{host}:{port} cannot be bound ({exc.strerror or exc}; another mock server?); "
            "use --port 0 for a free port"
        ) from None
    stop = asyncio.Event()
    received: list[int] = []
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        received.append(signum)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) is not signal.SIG_IGN:  # ignored by the harness: ignored here
            loop.add_signal_handler(sig, on_signal, sig)
    # Announced once the handlers are in: a signal from then on stops the server cleanly.
    print(f"{ANNOUNCE}{host}:{real_port}", flush=True)
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.25)
            if parent_pid is not None and not _alive(parent_pid):
                os._exit(0)  # the harness died (even by SIGKILL): leave now, nobody is listening
    finally:
        await runner.cleanup()
    return received[0] if received else 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve(
    host: str,
    port: int,
    seed: int,
    faults: FaultRates,
    parent_pid: int | None,
    quota: Quota | None = None,
) -> int:
    """The signal that stopped the server (0: none)."""
    return asyncio.run(_serve(host, port, seed, faults, parent_pid, quota))


def fault_flags(faults: FaultRates) -> list[str]:
    rates = ",".join(f"{name}={getattr(faults, name)}" for name in FAULTS)
    return [
        "--faults",
        rates,
        "--slow-seconds",
        str(faults.slow_seconds),
        "--retry-after",
        faults.retry_after,
    ]


@contextmanager
def server_process(
    seed: int, faults: FaultRates, quota: Quota | None = None
) -> Iterator[tuple[str, int]]:
    """A mock server in a child process on 127.0.0.1 and a free port: (base URL, pid)."""
    argv = [
        sys.executable,
        "-m",
        "bench",
        "serve",
        "--port",
        "0",
        "--seed",
        str(seed),
        "--parent-pid",
        str(os.getpid()),
        *fault_flags(faults),
        *(["--quota", quota.flags()] if quota else []),
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith(ANNOUNCE):
            proc.wait(10)
            assert proc.stderr is not None
            raise EnvironmentProblem(f"the mock server did not start: {proc.stderr.read().strip()}")
        yield "http://" + line[len(ANNOUNCE) :].strip(), proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
