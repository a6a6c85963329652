"""asyncio-uvloop: the asyncio strategy on uvloop's event loop (the `uvloop` extra)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from bench.model import Meta
from strategies.aio import AsyncioStrategy


class AsyncioUvloopStrategy(AsyncioStrategy):
    name = "asyncio-uvloop"
    summary = "the asyncio strategy on uvloop's event loop"

    def _run(self, main: Coroutine[Any, Any, None]) -> None:
        import uvloop

        # asyncio.Runner, not asyncio.run: Python 3.11's run() takes no loop factory.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(main)

    def details(self) -> Meta:
        import uvloop

        version = getattr(uvloop, "__version__", "?")
        return {**super().details(), "loop": f"uvloop {version}"}
