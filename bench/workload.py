"""The scenario and its seeded plan: which symbols, and how long each one's collection waits.

The plan is drawn once, before any strategy runs, so every strategy faces identical latencies.
`random.Random(seed)` is used rather than numpy so a seed means the same plan on every install.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bench.model import TaskSpec

DEFAULT_SYMBOLS: Final = ("AAPL", "GOOGL", "MSFT", "AMZN", "TSLA", "META")

# Real tickers used, in this order, when --tasks asks for more than the default six.
MORE_TICKERS: Final = (
    "NVDA",
    "NFLX",
    "AMD",
    "INTC",
    "ORCL",
    "IBM",
    "CSCO",
    "ADBE",
    "CRM",
    "QCOM",
    "TXN",
    "AVGO",
    "PYPL",
    "UBER",
    "SHOP",
    "SQ",
    "JPM",
    "BAC",
    "WFC",
    "GS",
    "MS",
    "C",
    "V",
    "MA",
    "AXP",
    "BRK.B",
    "JNJ",
    "PFE",
    "MRK",
    "ABBV",
    "LLY",
    "UNH",
    "CVS",
    "WMT",
    "COST",
    "TGT",
    "HD",
    "LOW",
    "NKE",
    "SBUX",
    "MCD",
    "KO",
    "PEP",
    "PG",
    "DIS",
    "CMCSA",
    "T",
    "VZ",
    "TMUS",
    "XOM",
    "CVX",
    "COP",
    "BA",
    "CAT",
    "DE",
    "GE",
    "HON",
    "MMM",
    "UPS",
    "FDX",
)

WORKLOADS: Final = ("io", "cpu", "mixed")
DISTRIBUTIONS: Final = ("constant", "uniform", "normal", "lognormal", "exponential")
EMPIRICAL: Final = "empirical"  # replayed from the user's own latencies (--latency-from)
MAX_SYMBOL_LENGTH: Final = 1000


@dataclass(frozen=True, slots=True)
class LatencyModel:
    """A latency distribution. `spread` means: uniform half-width (s), normal stdev (s),
    lognormal sigma of the underlying normal; constant and exponential take none."""

    dist: str = "constant"
    mean_s: float = 2.0
    spread: float | None = None
    scale: float = 1.0
    samples: tuple[float, ...] = ()  # empirical: the latencies drawn from, in seconds
    source: tuple[tuple[str, object], ...] = ()  # empirical: where they came from (no data)

    @classmethod
    def empirical(
        cls, samples: Sequence[float], source: dict[str, object], scale: float = 1.0
    ) -> LatencyModel:
        if not samples or not all(math.isfinite(x) and x >= 0 for x in samples):
            raise ValueError("an empirical distribution needs latencies, each finite and >= 0")
        mean = math.fsum(samples) / len(samples)
        return cls(EMPIRICAL, mean, None, scale, tuple(samples), tuple(source.items()))

    def __post_init__(self) -> None:
        if (self.dist == EMPIRICAL) != bool(self.samples):
            raise ValueError("latencies are replayed only by the empirical distribution")
        if self.dist not in (*DISTRIBUTIONS, EMPIRICAL):
            raise ValueError(f"unknown distribution {self.dist!r}; choose from {DISTRIBUTIONS}")
        if not (math.isfinite(self.mean_s) and self.mean_s >= 0):
            raise ValueError(f"latency must be a finite number >= 0, got {self.mean_s}")
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"latency scale must be a finite number > 0, got {self.scale}")
        if self.spread is not None:
            if self.dist in ("constant", "exponential"):
                raise ValueError(f"the {self.dist} distribution takes no spread")
            if not (math.isfinite(self.spread) and self.spread >= 0):
                raise ValueError(f"latency spread must be a finite number >= 0, got {self.spread}")
            if self.dist == "uniform" and self.spread > self.mean_s:
                raise ValueError("uniform spread (half-width) must not exceed the latency")

    def effective_spread(self) -> float | None:
        defaults = {"uniform": self.mean_s / 2, "normal": self.mean_s / 4, "lognormal": 0.5}
        if self.dist not in defaults:
            return None
        return self.spread if self.spread is not None else defaults[self.dist]

    def draw(self, rng: random.Random) -> float:
        """One latency in seconds, before scaling; never negative."""
        if self.samples:  # uniform over the file's rows: its own quantiles, tail and all
            return self.samples[rng.randrange(len(self.samples))]
        mean, spread = self.mean_s, self.effective_spread()
        if self.dist == "constant" or mean == 0:
            return mean
        if self.dist == "uniform":
            assert spread is not None
            return rng.uniform(mean - spread, mean + spread)
        if self.dist == "normal":
            assert spread is not None
            return max(0.0, rng.gauss(mean, spread))
        if self.dist == "lognormal":
            assert spread is not None
            # mu chosen so the distribution's mean is `mean`, whatever its sigma.
            return rng.lognormvariate(math.log(mean) - spread * spread / 2, spread)
        return rng.expovariate(1.0 / mean)


def symbols_for(count: int) -> tuple[str, ...]:
    """The first `count` symbols: the default six, then more real tickers, then synthetic ones."""
    if count < 1:
        raise ValueError(f"need at least one task, got {count}")
    known = DEFAULT_SYMBOLS + MORE_TICKERS
    synthetic = (f"SYN{i:05d}" for i in range(1, count - len(known) + 1))
    return known[:count] + tuple(synthetic)


# A control character, DEL, or a lone surrogate (bytes that were not UTF-8).
_BAD_CHARS: Final = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def check_symbols(symbols: Sequence[str]) -> tuple[str, ...]:
    """Reject symbol lists that cannot be reported faithfully: empty, duplicated, control chars.
    Checked for the whole list at once first (a million symbols, once per Scenario, took
    seconds a character at a time); only a list that fails is walked to say which symbol."""
    if not symbols:
        raise ValueError("the symbol list is empty")
    fine = (
        all(map(str.strip, symbols))
        and _BAD_CHARS.search("".join(symbols)) is None
        and max(map(len, symbols)) <= MAX_SYMBOL_LENGTH
        and len(set(symbols)) == len(symbols)
    )
    if not fine:
        _first_problem(symbols)
    return tuple(symbols)


def _first_problem(symbols: Sequence[str]) -> None:
    seen: set[str] = set()
    for position, symbol in enumerate(symbols, 1):
        if not symbol.strip():
            raise ValueError(f"symbol {position} is empty")
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in symbol):
            raise ValueError(f"symbol {position} contains a NUL or control character")
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in symbol):
            # Bytes that are not UTF-8 reach us as lone surrogates; no results file can hold them.
            raise ValueError(f"symbol {position} is not valid UTF-8")
        if len(symbol) > MAX_SYMBOL_LENGTH:
            raise ValueError(f"symbol {position} is longer than {MAX_SYMBOL_LENGTH} characters")
        if symbol in seen:
            raise ValueError(f"symbol {symbol!r} appears more than once")
        seen.add(symbol)


@dataclass(frozen=True, slots=True)
class Scenario:
    symbols: tuple[str, ...]
    latency: LatencyModel
    seed: int = 42
    fail_rate: float = 0.0
    fail_mode: str = "exception"
    workload: str = "io"
    cpu_work: int = 0

    def __post_init__(self) -> None:
        check_symbols(self.symbols)
        if self.workload not in WORKLOADS:
            raise ValueError(f"unknown workload {self.workload!r}; choose from {WORKLOADS}")
        if self.cpu_work < 0:
            raise ValueError(f"cpu work must be >= 0, got {self.cpu_work}")
        if not (math.isfinite(self.fail_rate) and 0 <= self.fail_rate <= 1):
            raise ValueError(f"fail rate must be in 0..1, got {self.fail_rate}")

    def plan(self) -> tuple[TaskSpec, ...]:
        rng = random.Random(self.seed)
        # A separate stream for faults: changing --fail-rate must not change the latencies.
        fault_rng = random.Random(f"faults:{self.seed}")
        io = self.workload in ("io", "mixed")
        cpu = self.cpu_work if self.workload in ("cpu", "mixed") else 0
        return tuple(
            TaskSpec(
                i,
                symbol,
                round(self.latency.draw(rng) * self.latency.scale * 1e9) if io else 0,
                self.fail_mode if fault_rng.random() < self.fail_rate else None,
                cpu,
            )
            for i, symbol in enumerate(self.symbols)
        )

    def describe(self) -> dict[str, object]:
        return {
            "symbols": list(self.symbols),
            "tasks": len(self.symbols),
            "latency_seconds": self.latency.mean_s,
            "latency_dist": self.latency.dist,
            "latency_spread": self.latency.effective_spread(),
            "latency_scale": self.latency.scale,
            "latency_source": dict(self.latency.source) if self.latency.source else None,
            "seed": self.seed,
            "fail_rate": self.fail_rate,
            "fail_mode": self.fail_mode if self.fail_rate else None,
            "workload": self.workload,
            "cpu_work": self.cpu_work if self.workload != "io" else 0,
        }
