"""What machine and interpreter a run happened on, recorded with every result."""

from __future__ import annotations

import os
import platform
import sys
import sysconfig
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
    """Whether the GIL is on now. Only a free-threaded build (3.13t, 3.14t) can run without it,
    and even there an extension module that does not declare itself free-threading-safe turns
    it back on when imported (PYTHON_GIL=1 and -X gil=1 too): ask the interpreter, not the build.
    Before 3.13 there is no question to ask: the GIL is always on."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def free_threaded_build() -> bool:
    """A build that can run without the GIL (configured --disable-gil; `python3.13t`)."""
    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


# Every distribution that can shape a run or its report: the harness and its measuring, the
# optional engines (an installed one is recorded whether or not this run used it, so two files
# from one machine agree), the CPU work's numpy, the report's renderers.
PACKAGES = (
    "concurrency-bench",
    "aiohttp",
    "rich",
    "psutil",
    "uvloop",
    "gevent",
    "trio",
    "httpx",
    "dask",
    "distributed",
    "interpreters-pep-734",
    "numpy",
    "matplotlib",
    "pandas",
    "jinja2",
)


def packages() -> dict[str, str | None]:
    """Versions of the PACKAGES installed here (the three the harness always needs are listed
    even when missing, as None was before)."""
    found = {name: _version(name) for name in PACKAGES}
    return {k: v for k, v in found.items() if v is not None or k in PACKAGES[:3]}


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
        "free_threaded_build": free_threaded_build(),
        "start_method": start_method,
        "clock": f"{clock.implementation} (resolution {clock.resolution * 1e9:g} ns)",
        "packages": packages(),
    }
