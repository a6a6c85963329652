"""The explicit registry of strategies (anyio-style: a fixed list, a helpful error for the rest).

Modules are imported only when a strategy is asked for, so a process-pool worker that imports
`strategies.procworker` does not pay for every executor.
"""

from __future__ import annotations

import importlib
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
}
# Not offered to users: a deterministic fake for exact end-to-end tests (hyperfine's mock executor).
HIDDEN: Final = {"fake": "strategies.fake:FakeStrategy"}
DEFAULT: Final = ("sequential", "asyncio", "threads", "processes")


class UnknownStrategy(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown strategy {name!r}; choose from: {', '.join(names())}")
        self.name = name


def names() -> list[str]:
    return list(BUILTIN)


def get(name: str) -> type[Strategy]:
    target = BUILTIN.get(name) or HIDDEN.get(name)
    if target is None:
        raise UnknownStrategy(name)
    module_name, _, class_name = target.partition(":")
    strategy: type[Strategy] = getattr(importlib.import_module(module_name), class_name)
    return strategy
