"""What the runner reads at the wall's edges besides the clock: this process's usage (less what
the harness's own threads spent), its peak memory, and another process's usage (the mock
server's). Linux's /proc where it helps; getrusage everywhere."""

from __future__ import annotations

import dataclasses
import resource
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.model import Usage


def reset_peak_rss() -> bool:
    # Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), so each run gets its own peak.
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _usage_since(before: resource.struct_rusage) -> Usage:
    now = resource.getrusage(resource.RUSAGE_SELF)
    return Usage(
        now.ru_utime - before.ru_utime,
        now.ru_stime - before.ru_stime,
        peak_rss_bytes(),
        now.ru_nvcsw - before.ru_nvcsw,
        now.ru_nivcsw - before.ru_nivcsw,
    )


def _without(usage: Usage, harness_s: float) -> Usage:
    """The process's bill less what the harness's own threads spent (drawing is user time;
    any excess comes off system time), never below zero."""
    user = max(usage.user_s - harness_s, 0.0)
    system = max(usage.system_s - max(harness_s - usage.user_s, 0.0), 0.0)
    return dataclasses.replace(usage, user_s=user, system_s=system)


def unwatched() -> Usage | None:
    return None


def no_cpu() -> float:
    return 0.0


@dataclass(frozen=True)
class Bill:
    """Over one timed region: the process's own usage (the harness's threads taken out), what
    those threads spent, and the watched process's usage (None without one)."""

    parent: Usage
    harness_s: float
    server: Usage | None


@dataclass(frozen=True)
class Meters:
    watch: Callable[[], Usage | None] = unwatched  # another process's usage so far
    harness_cpu: Callable[[], float] = no_cpu  # CPU seconds of the harness's threads so far

    def start(self) -> Callable[[], Bill]:
        """Read every meter now; the function returned reads them again and bills the span."""
        before, watched, drawn = (
            resource.getrusage(resource.RUSAGE_SELF),
            self.watch(),
            self.harness_cpu(),
        )

        def stop() -> Bill:
            harness_s = max(self.harness_cpu() - drawn, 0.0)
            parent = _without(_usage_since(before), harness_s)
            now = self.watch()
            server = None if now is None or watched is None else now.since(watched)
            return Bill(parent, harness_s, server)

        return stop
