"""The CPU part of the workload: factors a data pipeline computes after fetching a symbol's prices.

Returns, 20-period rolling volatility, 10-period momentum and the z-score of the last price, over a
deterministic price series (seeded from the symbol). Pure Python holds the GIL throughout; the
numpy version spends its time in vectorised calls that release it.
"""

from __future__ import annotations

import itertools
import math
import zlib
from typing import Final

IMPLEMENTATIONS: Final = ("python", "numpy")
WINDOW_VOL, WINDOW_MOM = 20, 10


def price_series(symbol: str, seed: int, length: int) -> list[float]:
    """A random walk from a 48-bit LCG seeded by the symbol: the same on every platform."""
    state = zlib.crc32(f"{seed}:{symbol}".encode()) | 1
    price, prices = 100.0, []
    for _ in range(length):
        state = (state * 25214903917 + 11) & 0xFFFFFFFFFFFF
        price *= 1 + ((state >> 16) / 2**32 - 0.5) * 0.02
        prices.append(price)
    return prices


def factors_python(prices: list[float]) -> tuple[float, float, float]:
    returns = [b / a - 1 for a, b in itertools.pairwise(prices)]
    vol_sum = vol_sq = 0.0
    last_vol = 0.0
    for i, r in enumerate(returns):
        vol_sum += r
        vol_sq += r * r
        if i >= WINDOW_VOL:
            old = returns[i - WINDOW_VOL]
            vol_sum -= old
            vol_sq -= old * old
        n = min(i + 1, WINDOW_VOL)
        last_vol = math.sqrt(max(vol_sq / n - (vol_sum / n) ** 2, 0.0))
    momentum = prices[-1] / prices[-1 - WINDOW_MOM] - 1 if len(prices) > WINDOW_MOM else 0.0
    mean = sum(prices) / len(prices)
    std = math.sqrt(sum((p - mean) ** 2 for p in prices) / len(prices)) or 1.0
    return last_vol, momentum, (prices[-1] - mean) / std


def _numpy_pipeline(symbol: str, seed: int, length: int) -> tuple[float, float, float]:
    import numpy as np

    # Series and factors both vectorised: the time goes to numpy calls that release the GIL.
    rng = np.random.default_rng(zlib.crc32(f"{seed}:{symbol}".encode()))
    prices = 100.0 * np.cumprod(1 + (rng.random(length) - 0.5) * 0.02)
    returns = prices[1:] / prices[:-1] - 1
    csum, csq = np.cumsum(returns), np.cumsum(returns * returns)
    mean = (csum[WINDOW_VOL:] - csum[:-WINDOW_VOL]) / WINDOW_VOL
    meansq = (csq[WINDOW_VOL:] - csq[:-WINDOW_VOL]) / WINDOW_VOL
    rolling_vol = np.sqrt(np.maximum(meansq - mean * mean, 0.0))
    momentum = float(prices[-1] / prices[-1 - WINDOW_MOM] - 1)
    std = float(prices.std()) or 1.0
    return float(rolling_vol[-1]), momentum, float((prices[-1] - prices.mean()) / std)


def compute(
    symbol: str, seed: int, length: int, impl: str = "python"
) -> tuple[float, float, float]:
    """The whole CPU part of one task: build the series of `length` prices, compute its factors."""
    if length < WINDOW_VOL + 2:
        return (0.0, 0.0, 0.0)
    if impl == "numpy":
        return _numpy_pipeline(symbol, seed, length)
    return factors_python(price_series(symbol, seed, length))
