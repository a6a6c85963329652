"""asyncio-uvloop: the asyncio strategy on uvloop's event loop (the `uvloop` extra)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bench.model import Meta
from bench.notes import RunNotes
from strategies.aio import AsyncioStrategy


class AsyncioUvloopStrategy(AsyncioStrategy):
    name = "asyncio-uvloop"
    summary = "the asyncio strategy on uvloop's event loop"

    def loop_factory(self) -> Callable[[], asyncio.AbstractEventLoop]:
        import uvloop  # imported at start-up, not inside the timed run

        return uvloop.new_event_loop

    def details(self) -> Meta:
        import uvloop

        version = getattr(uvloop, "__version__", "?")
        return {**super().details(), **RunNotes.note(loop=f"uvloop {version}")}
