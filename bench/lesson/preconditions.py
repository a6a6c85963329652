"""What a machine-dependent claim needs from the machine before its numbers can say anything.

A claim about time (12 s vs 2 s) or cores (processes use them) is only tested when the machine let
the run happen as planned. Each check here measures that from the run's own records (how late the
tasks ran past their planned latency; the CPU share a computing run got) and says so in a sentence
with its numbers. A check that fails makes the verdict "not shown", never "contradicted".
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bench.model import RunRecord

# A sleeping task that wakes this much past its latency was kept waiting by the machine: the same
# slack the timing claims allow (10% and the NOISE_S of verdicts), so a run inside it is judged.
LATE_SHARE = 0.1
LATE_NOISE_S = 0.02
# A computing run on an idle machine gets a whole core (a process pool: one per worker, up to the
# usable cores); below this share of it, others were using the cores.
CPU_SHARE = 0.75


@dataclass(frozen=True, slots=True)
class Precondition:
    held: bool
    text: str  # what was checked, with its numbers, said as a sentence
    retry: bool = True  # whether running again could change the outcome (a busy moment can pass)


NONE = Precondition(True, "none (the claim is about structure: ids and order, not the machine)")


def load_per_core(cores: int) -> float | None:
    """The 1-minute load average over the usable cores (None where the OS gives none)."""
    try:
        return os.getloadavg()[0] / max(cores, 1)
    except OSError:
        return None


def _overrun_s(run: RunRecord) -> float:
    """How far past its planned time (latency plus CPU) the latest task ran."""
    late = [
        (t.finished_ns - t.started_ns - t.latency_ns - t.cpu_ns) / 1e9
        for t in run.tasks
        if t.ran and t.started_ns is not None and t.finished_ns is not None
    ]
    return max(late, default=0.0)


def on_time(*runs: RunRecord) -> Precondition:
    """Every task ended within the timing slack of its planned latency: the machine woke them
    when asked. Waiting in a queue is not lateness (a serialised run is not a busy machine)."""
    worst = max(runs, key=_overrun_s)
    latency = min((t.latency_ns for r in runs for t in r.tasks), default=0) / 1e9
    limit = LATE_SHARE * latency + LATE_NOISE_S
    late = _overrun_s(worst)
    return Precondition(
        late <= limit,
        f"tasks ended at most {late * 1e3:.0f} ms past their latency "
        f"({worst.strategy}; limit {limit * 1e3:.0f} ms)",
    )


def share(run: RunRecord, workers_are_children: bool) -> float:
    """The cores a run's workers really got: their CPU time over the wall (start-up is not in
    the wall). A process pool's workers are its children; threads are the harness itself."""
    usage = run.children if workers_are_children else run.parent
    return usage.cpu_s / (run.wall_ns / 1e9) if run.wall_ns else 0.0


def cores_for_cpu(
    seq: RunRecord,
    in_process: tuple[RunRecord, ...],
    processes: RunRecord,
    cores: int,
    load: float | None = None,
) -> Precondition:
    """Computing runs need the cores: two of them at least, a whole one for each in-process run
    (the sequential run's own share first), and most of what the process pool could use. The
    load average is said, not judged: a 1-minute average cannot tell what these runs got."""
    if cores < 2:
        return Precondition(False, f"{cores} usable core: at least 2 are needed", retry=False)
    loaded = "" if load is None else f" (load {load:.2f} per core before)"
    could = min(cores, processes.workers)
    shares = {run.strategy: share(run, False) for run in (seq, *in_process)}
    got = share(processes, True)
    held = all(s >= CPU_SHARE for s in shares.values()) and got >= CPU_SHARE * could
    each = ", ".join(f"{name} {s:.2f}" for name, s in shares.items())
    return Precondition(
        held,
        f"{cores} usable cores{loaded}; CPU share of a core: {each} (at least {CPU_SHARE} each); "
        f"the process pool got {got:.1f} of {could} cores (at least {CPU_SHARE * could:.1f})",
    )
