"""The efficiency this machine's CPUs allow an HTTP run, measured, beside the efficiency reached
(issue #30: the processes strategy reached 0.59-0.69 with the two cores busy).

Every request costs CPU somewhere on this machine: the harness, its workers (http.client and
the pickling of records, in a process pool), the mock server (aiohttp), and the kernel's
loopback TCP (softirq time, charged to no process). At the wall's edges we read the CPU time of
our whole process tree (this process, its workers and fork server, the mock server) plus the
machine's irq and softirq time (`ours`: on a shared machine a neighbour's share of the latter
is counted as ours, a small error), and the whole machine's non-idle time (`busy`). Then

    cpu per request  c      = ours / N
    cores left to us C'     = C - others / span      (C: usable cores; others = busy - ours,
                                                      the CPU the rest of the machine took;
                                                      span: between the two readings, which
                                                      bracket the wall by a few ms)
    shortest wall    W_cpu  = N * c / C' = ours / C'  (every core of ours busy all the time)
    ceiling                 = ideal / max(ideal, W_cpu) = min(1, ideal * C' / ours)

and the target is the efficiency reached within 5% of that ceiling. reached / ceiling works out
to ours / (wall * C') when the CPUs bind: the share of the CPU left to us that the run used,
so "within 5%" says the cores, not waiting, set the pace. Whether that CPU was well spent is
the other figure, c (ms a request), shown beside it for each strategy and the bare client.

When the CPUs do not bind (an idle machine: the ceiling is 1), what bounds a run is the rest of
each request's way (the loop's and the server's latency beyond the planned 50 ms, the socket):
measured on 2026-12-02 with the VM idle, the bare aiohttp client reached 0.853 with the CPUs
allowing 1.000. So a strategy's bound is the lower of the two, the CPUs' ceiling and what the
bare client reached against the same server in the same minute (`bound`), and the target is
the efficiency reached within 5% of that bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psutil

from bench.harness.environment import usable_cpus

WITHIN = 0.95  # reached >= 95% of the ceiling


@dataclass(frozen=True)
class Reading:
    """CPU seconds so far: our process tree's, and the whole machine's busy time; and when."""

    ours_s: float
    busy_s: float
    at_s: float


def read() -> Reading:
    at = time.monotonic()
    me = psutil.Process()
    ours = 0.0
    for process in [me, *me.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.Error:  # gone between the listing and the reading
            continue
        ours += times.user + times.system
    machine = psutil.cpu_times()
    ours += getattr(machine, "irq", 0.0) + getattr(machine, "softirq", 0.0)
    idle = machine.idle + getattr(machine, "iowait", 0.0)
    busy = sum(machine) - idle - _guests(machine)
    return Reading(ours, busy, (at + time.monotonic()) / 2)


def _guests(machine: object) -> float:
    # Linux counts guest time inside user time as well: counted once.
    return float(getattr(machine, "guest", 0.0)) + float(getattr(machine, "guest_nice", 0.0))


@dataclass(frozen=True)
class Ceiling:
    requests: int
    ideal_s: float
    wall_s: float
    ours_s: float  # CPU our processes used over the span
    others_s: float  # CPU the rest of the machine used meanwhile
    span_s: float  # between the readings: the wall and the few ms that bracket it
    cores: int

    @property
    def cpu_per_request_s(self) -> float:
        return self.ours_s / self.requests

    @property
    def cores_left(self) -> float:
        return max(self.cores - self.others_s / self.span_s, 0.1)

    @property
    def efficiency(self) -> float:
        """The most the CPUs allow (1.0 when they are not the limit)."""
        return min(1.0, self.ideal_s * self.cores_left / self.ours_s) if self.ours_s else 1.0

    @property
    def reached(self) -> float:
        return self.ideal_s / self.wall_s

    @property
    def share(self) -> float:
        """The efficiency reached as a share of the ceiling."""
        return self.reached / self.efficiency

    def text(self) -> str:
        return (
            f"{self.reached:.3f}, CPU allows {self.efficiency:.3f} ({self.share:.0%} of it; "
            f"{self.cpu_per_request_s * 1e3:.2f} ms CPU a request on {self.cores_left:.2f} "
            f"of {self.cores} cores)"
        )


def between(
    before: Reading, after: Reading, requests: int, ideal_s: float, wall_s: float
) -> Ceiling:
    ours = max(after.ours_s - before.ours_s, 0.0)
    others = max(after.busy_s - before.busy_s - ours, 0.0)
    span = max(after.at_s - before.at_s, wall_s)
    return Ceiling(requests, ideal_s, wall_s, ours, others, span, usable_cpus())
