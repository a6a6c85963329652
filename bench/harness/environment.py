"""What machine and interpreter a run happened on, recorded with every result."""

from __future__ import annotations

import os
import platform
import sys
import time
from importlib import metadata
from typing import Any


def usable_cpus() -> int:
    # Affinity (taskset, cgroups' cpusets) can leave fewer CPUs than os.cpu_count() reports.
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def gil_enabled() -> bool:
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def collect(start_method: str) -> dict[str, Any]:
    clock = time.get_clock_info("monotonic")
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "hostname": platform.node(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable_cpus(),
        "gil_enabled": gil_enabled(),
        "start_method": start_method,
        "clock": f"{clock.implementation} (resolution {clock.resolution * 1e9:g} ns)",
        "packages": {name: _version(name) for name in ("concurrency-bench", "aiohttp", "rich")},
    }
