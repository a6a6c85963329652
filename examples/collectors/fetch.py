"""Example collectors for `--collector`: what a user's own code looks like to the harness.

bench run --collector examples.collectors.fetch:fetch_quote,examples.collectors.fetch:afetch_quote
"""

from __future__ import annotations

import asyncio
import time


def fetch_quote(symbol: str) -> dict[str, object]:
    """A blocking client call: 20 ms of waiting, then a small record."""
    time.sleep(0.02)
    return {"symbol": symbol, "price": 100.0}


async def afetch_quote(symbol: str) -> dict[str, object]:
    """The same call for an event loop."""
    await asyncio.sleep(0.02)
    return {"symbol": symbol, "price": 100.0}


not_picklable = lambda symbol: symbol  # noqa: E731  # a lambda: refused by process pools
