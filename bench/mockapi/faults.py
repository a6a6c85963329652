"""The mock server's seeded fault plan (kept apart from the server so parsing flags is cheap)."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, fields
from typing import Any, Final

from bench.errors import did_you_mean

FAULTS = ("error", "unavailable", "rate_limit", "slow", "malformed", "disconnect")


@dataclass(frozen=True, slots=True)
class FaultRates:
    """Probability of each fault per request (they are drawn in this order; at most one)."""

    error: float = 0.0  # 500
    unavailable: float = 0.0  # 503, retryable
    rate_limit: float = 0.0  # 429 with Retry-After
    slow: float = 0.0  # answers after `slow_seconds`
    malformed: float = 0.0  # wrong content type or truncated JSON
    disconnect: float = 0.0  # connection closed mid-response
    slow_seconds: float = 30.0
    retry_after: str = "0.05"

    def draw(self, seed: int, symbol: str, attempt: int) -> str | None:
        # Keyed by (symbol, attempt), so a retry faces a fresh draw and runs are repeatable.
        roll = random.Random(f"{seed}:{symbol}:{attempt}").random()
        edge = 0.0
        for name in FAULTS:
            edge += getattr(self, name)
            if roll < edge:
                return name
        return None


NO_FAULTS: Final = FaultRates()


def parse_faults(text: str) -> FaultRates:
    """`error=0.1,rate_limit=0.05,...`: rates in 0..1 that add up to at most 1."""
    rates: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        if name not in FAULTS:
            near = did_you_mean(name, FAULTS)
            raise ValueError(f"unknown fault {name!r}; choose from {', '.join(FAULTS)}{near}")
        if name in rates:  # the last would win without a word
            raise ValueError(f"{name} is given twice: give each fault once")
        try:
            rate = float(value)
        except ValueError:
            raise ValueError(f"{name} needs a rate in 0..1, got {value!r}") from None
        if not 0 <= rate <= 1:
            raise ValueError(f"{name} needs a rate in 0..1, got {value!r}")
        rates[name] = rate
    if sum(rates.values()) > 1:
        raise ValueError("the fault rates add up to more than 1")
    return dataclasses.replace(NO_FAULTS, **rates)


def describe(faults: FaultRates) -> dict[str, float | str]:
    return {f.name: getattr(faults, f.name) for f in fields(faults)}
