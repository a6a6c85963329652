"""The demo's live view: each task's bar grows on its lane while it runs (in-process strategies).

A collector wrapper reports start and end to a board; a rich renderable draws the board on each
refresh. Process-pool workers cannot reach the board, so their chapters show log lines instead.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table

from bench.collectors.base import Collector, SleepCollector
from bench.harness.recording import now_ns
from bench.model import TaskSpec

LABEL = 24  # "140538894678912 Task-12": the OS thread id first, so it is never the part cut
MAX_LANES = 10  # then one "+N more lanes" row: the view fits a 24-row terminal


@dataclass
class Board:
    scale_s: float
    t0: int = field(default_factory=now_ns)
    bars: dict[str, list[tuple[str, int, int | None]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def begin(self, lane: str, symbol: str) -> int:
        with self.lock:
            self.bars.setdefault(lane, []).append((symbol, now_ns(), None))
            return len(self.bars[lane]) - 1

    def end(self, lane: str, slot: int) -> None:
        with self.lock:
            symbol, start, _ = self.bars[lane][slot]
            self.bars[lane][slot] = (symbol, start, now_ns())

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Lanes as wide as the console allows: a label, then the bars (never cut off)."""
        width = max(options.max_width - LABEL - 2, 10)  # a space between, none at the end
        now = now_ns()
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
        table.add_row("", f"{(now - self.t0) / 1e9:5.2f} s elapsed")
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
            label = symbol[: max(b - a + 1, 0)]
            row[a : a + len(label)] = list(label)
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
