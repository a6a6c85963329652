"""A process pool stopped hard (stuck or dead workers) must not hang the interpreter at exit.

On Python 3.12.0-3.12.7 and 3.13.0 (CPython gh-125451) the pool's manager thread could deadlock
on its own shutdown lock when the pool was collected inside it, and the interpreter then waited
on that thread at exit forever (it hung pytest after its summary). The matrix runs this test on
3.12.1 and 3.13.0; each round gives the race a chance, so several rounds run in one process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.terminal import ROOT

SCRIPT = textwrap.dedent(
    """
    from bench.model import TaskSpec
    from tests.conftest import run

    if __name__ == "__main__":
        for _ in range(6):
            plan = tuple(TaskSpec(i, f"S{i}", 5_000_000, "hang" if i in (3, 4, 10, 11) else None)
                         for i in range(20))
            record = run("processes", plan, workers=2, task_timeout_s=0.1)
            # Both workers hang twice: each time the pool is stopped hard and replaced.
            assert record.status == "completed", record.reason
            assert record.details["pool_restarts"] == 2, record.details
        print("ok", flush=True)
    """
)


def test_the_interpreter_exits_after_hard_stopped_pools() -> None:
    # Generous: six rounds take about 3 s here; a deadlock never ends, so any bound tells.
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "ok"
