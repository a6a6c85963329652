"""The explicit registry of strategies (anyio-style: a fixed list, a helpful error for the rest).

Modules are imported only when a strategy is asked for, so a process-pool worker that imports
`strategies._worker.procworker` does not pay for every executor.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
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
    "asyncio+processes": "strategies.aio_processes:HybridStrategy",
    "asyncio-uvloop": "strategies.aio_uvloop:AsyncioUvloopStrategy",
    "dask": "strategies.dask:DaskStrategy",
    "gevent": "strategies.gevent:GeventStrategy",
    "trio": "strategies.trio:TrioStrategy",
    "subinterpreters": "strategies.subinterpreters:SubinterpretersStrategy",
}
# Strategies that need an optional extra, and which one (`pip install 'concurrency-bench[X]'`).
EXTRAS: Final = {
    "asyncio-uvloop": ("uvloop", "uvloop"),
    "dask": ("distributed", "dask"),
    "gevent": ("gevent", "gevent"),
    "trio": ("trio", "trio"),
    "subinterpreters": ("interpreters_backport", "subinterpreters"),
}
# Strategies that need a newer Python: (the oldest that can run them, the first whose standard
# library has what the extra provides, so that the extra is not needed there), and what for.
PYTHONS: Final = {
    "subinterpreters": ((3, 13), (3, 14), "InterpreterPoolExecutor: PEP 734's interpreters"),
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


class Unavailable(LookupError):
    """A known strategy that cannot run here; the message says why and what would fix it."""


class MissingExtra(Unavailable):
    def __init__(self, name: str, extra: str) -> None:
        install = f"pip install 'concurrency-bench[{extra}]'"
        super().__init__(f"strategy {name!r} needs the {extra!r} extra: {install}")


class NeedsNewerPython(Unavailable):
    def __init__(self, name: str) -> None:
        import platform  # here: 5 ms that the CLI's parser, which imports this registry, skips

        oldest, _, what = PYTHONS[name]
        super().__init__(
            f"strategy {name!r} needs Python {'.'.join(map(str, oldest))} or newer ({what}); "
            f"this is Python {platform.python_version()}"
        )


def unavailable(name: str, python: tuple[int, ...] | None = None) -> Unavailable | None:
    """Why a strategy cannot run here (an interpreter too old, an optional extra not
    installed), or None when it can; `python` stands in for this version in tests."""
    version = sys.version_info[:2] if python is None else python
    oldest, builtin, _ = PYTHONS.get(name, ((3,), (99,), ""))
    if version < oldest:
        return NeedsNewerPython(name)
    if name in EXTRAS and version < builtin:
        module, extra = EXTRAS[name]
        if importlib.util.find_spec(module) is None:
            return MissingExtra(name, extra)
    return None


def available(name: str) -> bool:
    return unavailable(name) is None


def get(name: str) -> type[Strategy]:
    target = BUILTIN.get(name) or HIDDEN.get(name) or _plugins().get(name)
    if target is None:
        raise UnknownStrategy(name)
    why = unavailable(name)
    if why is not None:
        raise why
    module_name, _, class_name = target.partition(":")
    strategy: type[Strategy] = getattr(importlib.import_module(module_name), class_name)
    return strategy
