"""The user's own collector: `--collector package.module:function` (sync or async, or a pair
`module:sync_fn,module:async_fn`), wrapped with the same recording as the built-in ones.

Each function takes the symbol and returns anything (what it returns stays in the worker). The
functions travel as "module:name" references and are imported where they run, so a process pool
needs them importable; anything else is refused before the run, with the reason.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from bench.collectors.base import Collector
from bench.errors import describe_error
from bench.model import TaskSpec


@cache
def resolve(ref: str) -> Callable[..., Any]:
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise ValueError(f"expected package.module:function, got {ref!r}")
    try:
        target: Any = importlib.import_module(module_name)
    except SystemExit as exc:  # the user's module, not the harness, chose to end: their input
        raise ValueError(
            f"cannot import {module_name!r}: it calls sys.exit({exc.code!r}) when imported"
        ) from None
    except Exception as exc:  # the user's module: a SyntaxError or a failing import is theirs
        raise ValueError(f"cannot import {module_name!r}: {describe_error(exc)}") from None
    for part in attr.split("."):
        if not hasattr(target, part):
            raise ValueError(f"{module_name!r} has no attribute {attr!r}")
        target = getattr(target, part)
    if not callable(target):
        raise ValueError(f"{ref} is not callable")
    function: Callable[..., Any] = target
    return function


@dataclass(frozen=True, slots=True)
class FunctionCollector(Collector):
    sync_ref: str | None
    async_ref: str | None

    def collect(self, spec: TaskSpec) -> object:
        if self.sync_ref is None:
            raise TypeError("this collector has no sync function")
        return resolve(self.sync_ref)(spec.symbol)

    async def acollect(self, spec: TaskSpec) -> object:
        if self.async_ref is None:
            raise TypeError("this collector has no async function")
        return await resolve(self.async_ref)(spec.symbol)


def load(text: str) -> FunctionCollector:
    """Parse and import `--collector`; classify each function as sync or async."""
    refs = [part.strip() for part in text.split(",") if part.strip()]
    if not 1 <= len(refs) <= 2:
        raise ValueError("give one function, or a sync and an async one separated by a comma")
    sync_ref = async_ref = None
    for ref in refs:
        if inspect.iscoroutinefunction(resolve(ref)):
            if async_ref:
                raise ValueError("two async functions given: give at most one of each kind")
            async_ref = ref
        else:
            if sync_ref:
                raise ValueError("two sync functions given: give at most one of each kind")
            sync_ref = ref
    return FunctionCollector(sync_ref, async_ref)
