"""The explicit registry of strategies (anyio-style: a fixed list, a helpful error for the rest).

Modules are imported only when a strategy is asked for, so a process-pool worker that imports
`strategies.procworker` does not pay for every executor.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from strategies.base import Strategy

# name -> "module:class"; the order is the default run order (sequential first: the baseline).
BUILTIN: Final = {
    "sequential": "strategies.sequential:SequentialStrategy",
    "asyncio": "strategies.aio:AsyncioStrategy",
    "asyncio-workers": "strategies.aio_workers:AsyncioWorkersStrategy",
    "threads": "strategies.threads:ThreadsStrategy",
    "processes": "strategies.processes:ProcessesStrategy",
    "asyncio+processes": "strategies.hybrid:HybridStrategy",
    "asyncio-uvloop": "strategies.aio_uvloop:AsyncioUvloopStrategy",
    "dask": "strategies.dask_strategy:DaskStrategy",
    "gevent": "strategies.gevent_strategy:GeventStrategy",
    "trio": "strategies.trio_strategy:TrioStrategy",
}
# Strategies that need an optional extra, and which one (`pip install 'concurrency-bench[X]'`).
EXTRAS: Final = {
    "asyncio-uvloop": ("uvloop", "uvloop"),
    "dask": ("distributed", "dask"),
    "gevent": ("gevent", "gevent"),
    "trio": ("trio", "trio"),
}
# Not offered to users: a deterministic fake for exact end-to-end tests (hyperfine's mock executor).
HIDDEN: Final = {"fake": "strategies.fake:FakeStrategy"}
DEFAULT: Final = ("sequential", "asyncio", "threads", "processes")


class UnknownStrategy(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown strategy {name!r}; choose from: {', '.join(names())}")
        self.name = name


def names() -> list[str]:
    """Built-in strategies, then those installed plugins register (entry points)."""
    return list(BUILTIN) + [name for name in _plugins() if name not in BUILTIN]


def _plugins() -> dict[str, str]:
    from strategies.plugins import discovered

    return discovered()


class MissingExtra(LookupError):
    def __init__(self, name: str, extra: str) -> None:
        install = f"pip install 'concurrency-bench[{extra}]'"
        super().__init__(f"strategy {name!r} needs the {extra!r} extra: {install}")


def available(name: str) -> bool:
    """False for a strategy whose optional extra is not installed."""
    if name not in EXTRAS:
        return True
    return importlib.util.find_spec(EXTRAS[name][0]) is not None


def get(name: str) -> type[Strategy]:
    target = BUILTIN.get(name) or HIDDEN.get(name) or _plugins().get(name)
    if target is None:
        raise UnknownStrategy(name)
    if not available(name):
        raise MissingExtra(name, EXTRAS[name][1])
    module_name, _, class_name = target.partition(":")
    strategy: type[Strategy] = getattr(importlib.import_module(module_name), class_name)
    return strategy
