"""Small, exact statistics on raw samples: quantiles, bootstrap intervals, Mann-Whitney U.

Pure functions with a seeded resampler, so the same samples always give the same interval.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Sequence
from functools import cache

from bench.analysis.stats import percentile

BOOTSTRAP_ROUNDS = 2000
# Below this many samples a bootstrap interval is not an interval (one run "0.230-0.230") nor
# a fair one (two runs): none is given, and the reports say why.
MIN_SAMPLES_FOR_INTERVAL = 3


def iqr(values: Sequence[float]) -> float:
    high, low = percentile(values, 75), percentile(values, 25)
    return 0.0 if high is None or low is None else high - low


def bootstrap_ci(
    values: Sequence[float],
    statistic: Callable[[Sequence[float]], float] = statistics.median,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of `statistic`; a single value is its own interval."""
    if not values:
        raise ValueError("no values")
    if len(values) == 1:
        return (values[0], values[0])
    rng = random.Random(seed)
    n = len(values)
    estimates = sorted(
        statistic([values[rng.randrange(n)] for _ in range(n)]) for _ in range(BOOTSTRAP_ROUNDS)
    )
    tail = (1 - level) / 2
    low = percentile(estimates, tail * 100)
    high = percentile(estimates, (1 - tail) * 100)
    assert low is not None and high is not None
    return (low, high)


def ratio_ci(base: Sequence[float], current: Sequence[float], seed: int = 0) -> tuple[float, float]:
    """Bootstrap interval of median(current) / median(base), resampling both sides."""
    rng = random.Random(seed)
    ratios = []
    for _ in range(BOOTSTRAP_ROUNDS):
        b = statistics.median([base[rng.randrange(len(base))] for _ in base])
        c = statistics.median([current[rng.randrange(len(current))] for _ in current])
        ratios.append(c / b if b else math.inf)
    ratios.sort()
    low, high = percentile(ratios, 2.5), percentile(ratios, 97.5)
    assert low is not None and high is not None
    return (low, high)


def mann_whitney_u(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """(U of xs, two-sided p). Exact for small samples without ties, else the normal
    approximation with tie correction."""
    n1, n2 = len(xs), len(ys)
    if not n1 or not n2:
        raise ValueError("both samples need values")
    ranked = sorted([(v, 0) for v in xs] + [(v, 1) for v in ys])
    ranks: list[float] = [0.0] * len(ranked)
    i, tie_term = 0, 0.0
    while i < len(ranked):
        j = i
        while j + 1 < len(ranked) and ranked[j + 1][0] == ranked[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        tie_term += (j - i + 1) ** 3 - (j - i + 1)
        i = j + 1
    r1 = sum(r for r, (_, side) in zip(ranks, ranked, strict=True) if side == 0)
    u1 = r1 - n1 * (n1 + 1) / 2
    u = min(u1, n1 * n2 - u1)
    if tie_term == 0 and n1 * n2 <= 400:
        counts = _u_counts(n1, n2)
        total = sum(counts)
        p = 2 * sum(counts[: int(u) + 1]) / total
        return u1, min(p, 1.0)
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    if sigma == 0:
        return u1, 1.0
    z = (abs(u1 - n1 * n2 / 2) - 0.5) / sigma
    return u1, min(1.0, math.erfc(max(z, 0) / math.sqrt(2)))


@cache
def _u_counts(n1: int, n2: int) -> tuple[int, ...]:
    """How many arrangements give each U value (the exact null distribution)."""
    if n1 == 0 or n2 == 0:
        return (1,)
    with_x = _u_counts(n1 - 1, n2)  # the largest value is an x: U gains n2
    with_y = _u_counts(n1, n2 - 1)
    size = n1 * n2 + 1
    out = [0] * size
    for u, c in enumerate(with_x):
        out[u + n2] += c
    for u, c in enumerate(with_y):
        out[u] += c
    return tuple(out)
