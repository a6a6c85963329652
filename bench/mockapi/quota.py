"""A provider's request quota: a token bucket per client key, as real market-data APIs enforce.

`20/s,burst=5` admits at most 5 requests at once and 20 a second on average per key; a request
beyond that gets 429 with Retry-After naming the seconds until the key's next token (rounded up
to the millisecond, so a client that waits exactly that long is admitted unless another request
took the token first). Fractional seconds, as the mock's other 429s send: a whole-second
Retry-After, which HTTP's grammar asks for, would idle a client for most of a second at 20/s.

The clock is injected, so the bucket's arithmetic is tested without real time.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_QUOTA = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?:/\s*(s|sec|second|m|min|minute))?\s*")
MAX_RATE_PER_S = 1e6
MAX_BURST = 1_000_000
# A token within this of whole counts as whole: refills summed in floating point fall short by ulps.
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Quota:
    """`rate_per_s` requests a second on average per key, at most `burst` at once."""

    rate_per_s: float
    burst: int = 1
    text: str = ""  # as the user wrote it, for messages and the results file

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate_per_s) and 0 < self.rate_per_s <= MAX_RATE_PER_S):
            raise ValueError(f"the rate must be above 0 and at most {MAX_RATE_PER_S:g} a second")
        if not 1 <= self.burst <= MAX_BURST:
            raise ValueError(f"burst must be an integer in 1..{MAX_BURST}")

    def describe(self) -> dict[str, object]:
        return {"text": self.text, "rate_per_s": self.rate_per_s, "burst": self.burst}

    def flags(self) -> str:
        """The same quota as a flag value (for the server's own process)."""
        return f"{self.rate_per_s!r}/s,burst={self.burst}"


def parse_quota(text: str) -> Quota:
    """`RATE[/s|/min][,burst=N]`: `20/s`, `1200/min,burst=50`, `20` (a second)."""
    rate_text, *options = text.split(",")
    match = _QUOTA.fullmatch(rate_text)
    if not match:
        raise ValueError(f"expected RATE[/s|/min][,burst=N], like 20/s or 600/min (got {text!r})")
    per_minute = (match.group(2) or "s").startswith("m")
    rate = float(match.group(1)) / (60 if per_minute else 1)
    burst = 1
    for option in options:
        name, _, value = option.strip().partition("=")
        if name.strip() != "burst" or not value.strip().isdigit():
            raise ValueError(f"expected burst=N after the rate (got {option.strip()!r})")
        burst = int(value)
    return Quota(rate, burst, text.strip())


class TokenBucket:
    """One key's bucket: `burst` tokens at most, refilled at the quota's rate."""

    __slots__ = ("_last", "_quota", "_tokens")

    def __init__(self, quota: Quota, now: float) -> None:
        self._quota, self._tokens, self._last = quota, float(quota.burst), now

    def take(self, now: float) -> float:
        """0.0 when a token was taken (admitted); else the seconds until the next token."""
        elapsed = max(0.0, now - self._last)  # a clock that steps back refills nothing
        self._last = max(self._last, now)
        rate = self._quota.rate_per_s
        self._tokens = min(float(self._quota.burst), self._tokens + elapsed * rate)
        if self._tokens >= 1.0 - _EPSILON:
            self._tokens = max(0.0, self._tokens - 1.0)
            return 0.0
        return (1.0 - self._tokens) / rate


class Limiter:
    """Buckets per client key, on an injected clock; safe to share between threads."""

    def __init__(self, quota: Quota, clock: Callable[[], float] = time.monotonic) -> None:
        self.quota, self._clock = quota, clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()
        self.admitted = 0
        self.refused = 0

    def admit(self, key: str) -> float:
        """0.0: admitted; else the wait until this key may try again, in seconds."""
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(self.quota, now)
            wait = bucket.take(now)
            if wait:
                self.refused += 1
            else:
                self.admitted += 1
            return wait


def retry_after(wait_s: float) -> str:
    """The header's value: the wait rounded up to the millisecond, never 0 (a refusal that
    says "now" would invite a client to spin)."""
    return f"{max(math.ceil(wait_s * 1000), 1) / 1000:.3f}"
