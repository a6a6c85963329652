"""The demo's live view: each task's bar grows on its lane while it runs (in-process strategies).

A collector wrapper reports start and end to a board; a rich renderable draws the board on each
refresh. Process-pool workers cannot reach the board, so their chapters show log lines instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table

from bench.collectors.base import Collector, SleepCollector
from bench.harness.recording import now_ns
from bench.model import TaskSpec

LABEL = 24  # "140538894678912 Task-12": the OS thread id first, so it is never the part cut
MAX_LANES = 10  # then one "+N more lanes" row: the view fits a 24-row terminal
STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)


def axis(span_s: float, width: int) -> str:
    """A time axis under the lanes: ticks at a round step, each labelled where it fits."""
    step = next((s for s in STEPS if span_s / s <= width / 8), STEPS[-1])
    row = [" "] * width
    k = 0
    while k * step <= span_s:
        at = int(k * step / span_s * (width - 1)) if span_s else 0
        label = f"|{k * step:g}s"
        if at + len(label) <= width and all(c == " " for c in row[max(at - 1, 0) : at]):
            row[at : at + len(label)] = list(label)
        k += 1
    return "".join(row)


@dataclass
class Board:
    scale_s: float
    clock: Callable[[], int] = now_ns  # injected in tests: the drawing needs no real time
    t0: int = -1  # the clock's reading when the board was made
    bars: dict[str, list[tuple[str, int, int | None]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.t0 < 0:
            self.t0 = self.clock()

    def begin(self, lane: str, symbol: str) -> int:
        with self.lock:
            self.bars.setdefault(lane, []).append((symbol, self.clock(), None))
            return len(self.bars[lane]) - 1

    def end(self, lane: str, slot: int) -> None:
        with self.lock:
            symbol, start, _ = self.bars[lane][slot]
            self.bars[lane][slot] = (symbol, start, self.clock())

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Lanes as wide as the console allows: a label, then the bars (never cut off), then a
        time axis with the elapsed time."""
        width = max(options.max_width - LABEL - 2, 10)  # a space between, none at the end
        now = self.clock()
        span = max(self.scale_s * 1e9, now - self.t0, 1)
        with self.lock:
            lanes = list(self.bars.items())
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(no_wrap=True, width=LABEL, overflow="ellipsis")
        table.add_column(no_wrap=True, width=width)
        for lane, bars in lanes[:MAX_LANES]:
            table.add_row(lane, self._row(bars, now, span, width))
        if len(lanes) > MAX_LANES:
            table.add_row(f"+{len(lanes) - MAX_LANES} more lanes", "")
        table.add_row(f"{(now - self.t0) / 1e9:5.2f} s elapsed", axis(span / 1e9, width))
        yield table

    def _row(
        self, bars: list[tuple[str, int, int | None]], now: int, span: float, width: int
    ) -> str:
        row = [" "] * width
        for symbol, start, end in bars:
            a = int((start - self.t0) / span * (width - 1))
            b = int(((end or now) - self.t0) / span * (width - 1))
            for i in range(a, max(a + 1, b + 1)):
                row[min(i, width - 1)] = "█" if end else "▓"
            # The symbol only where it fits inside its bar with a bar cell after it: adjacent
            # bars (a sequential lane) never run their symbols together.
            if len(symbol) < b - a + 1:
                row[a : a + len(symbol)] = list(symbol)
        return "".join(row)[:width]


@dataclass(frozen=True)
class LiveCollector(Collector):
    """Wraps a collector and reports each task's start and end to the board."""

    inner: SleepCollector
    board: Board

    def _lane(self) -> str:
        try:
            task = asyncio.current_task()
        except RuntimeError:
            task = None
        thread = threading.current_thread()
        # The OS thread id first: the lesson is that asyncio's lanes all show the same one.
        name = task.get_name() if task is not None else thread.name.removeprefix("bench-")
        return f"{thread.ident} {name}"

    def collect(self, spec: TaskSpec) -> object:
        lane = self._lane()
        slot = self.board.begin(lane, spec.symbol)
        try:
            return self.inner.collect(spec)
        finally:
            self.board.end(lane, slot)

    async def acollect(self, spec: TaskSpec) -> object:
        lane = self._lane()
        slot = self.board.begin(lane, spec.symbol)
        try:
            return await self.inner.acollect(spec)
        finally:
            self.board.end(lane, slot)

    async def fetch(self, spec: TaskSpec) -> None:
        await self.inner.fetch(spec)

    def compute(self, spec: TaskSpec) -> object:
        return self.inner.compute(spec)
