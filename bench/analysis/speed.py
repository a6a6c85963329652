"""Is one configuration faster than another? A word only where the evidence carries it.

With 3 or more rounds a side, "faster" or "slower" needs the 95% bootstrap interval of the
per-round ratio to exclude 1 (hyperfine's "1.05 +/- 0.02 times faster" rule). With fewer, one
run's wall time is all there is, and a difference under SINGLE_RUN_RESOLUTION is within what two
runs of the same code differ by on a busy machine: "about as fast". Pure functions over records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from bench.analysis.repeats import Spread
from bench.analysis.significance import MIN_SAMPLES_FOR_INTERVAL
from bench.model import RunRecord

# Two single runs of the same strategy on the same plan (12 tasks x 50 ms, 20 rounds, a 2-core
# VM with other jobs running; docs/statistics.md, "The one-line answers") differed by a median
# of 5%, and by 15% (asyncio) and 25% (threads) at the 95th percentile: below 10% one run each
# cannot tell two strategies apart, and above it the answer still says it rests on one run each.
SINGLE_RUN_RESOLUTION: Final = 0.10

Word = Literal["faster", "slower", "about as fast as"]


@dataclass(frozen=True, slots=True)
class Speed:
    """How `runs` compare with `against`, round by round: ratio = their wall / ours (above 1:
    we were faster). `interval` is the 95% bootstrap interval of the median ratio (None below
    MIN_SAMPLES_FOR_INTERVAL rounds)."""

    ratio: float
    interval: tuple[float, float] | None
    rounds: int

    @property
    def word(self) -> Word:
        if self.interval is not None:
            low, high = self.interval
            return "faster" if low > 1 else "slower" if high < 1 else "about as fast as"
        if max(self.ratio, 1 / self.ratio) < 1 + SINGLE_RUN_RESOLUTION:
            return "about as fast as"
        return "faster" if self.ratio > 1 else "slower"

    @property
    def times(self) -> float:
        """The ratio on the side of the word: 2.0 for "2.0 times slower", never 0.5."""
        return self.ratio if self.ratio >= 1 else 1 / self.ratio

    @property
    def plus_minus(self) -> float | None:
        """The interval's half-width on its wider side, on the same side as `times`."""
        if self.interval is None:
            return None
        low, high = (
            self.interval if self.ratio >= 1 else (1 / self.interval[1], 1 / self.interval[0])
        )
        return max(high - self.times, self.times - low)


def speed(runs: Sequence[RunRecord], against: Sequence[RunRecord]) -> Speed | None:
    """Pairs completed runs by round (so drift between rounds cancels); None when no round has
    both."""
    theirs = {r.round: r.wall_ns for r in against if r.status == "completed" and r.wall_ns > 0}
    ratios = [
        theirs[r.round] / r.wall_ns
        for r in runs
        if r.status == "completed" and r.wall_ns > 0 and r.round in theirs
    ]
    if not ratios:
        return None
    spread = Spread.of(ratios)
    enough = len(ratios) >= MIN_SAMPLES_FOR_INTERVAL
    return Speed(spread.median, spread.interval if enough else None, len(ratios))
