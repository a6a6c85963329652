"""The demo's live board drawn on a fake clock (no real time): symbols only where they fit in
their bar, and a time axis under the lanes; and `demo --help`, which lists the chapters."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from bench.lesson.board import Board, axis

MS = 1_000_000


def _draw(board: Board, width: int = 80) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(board)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue().splitlines()


def _board(symbols: list[str], each_ms: int, now_ms: int) -> Board:
    now = [0]
    board = Board(1.2, clock=lambda: now[0])
    for n, symbol in enumerate(symbols):
        now[0] = n * each_ms * MS
        slot = board.begin("140514559007616 MainThread", symbol)
        now[0] = (n + 1) * each_ms * MS
        board.end("140514559007616 MainThread", slot)
    now[0] = now_ms * MS
    return board


def test_a_sequential_lane_keeps_its_symbols_apart() -> None:
    symbols = ["AAPL", "GOOGL", "MSFT", "AMZN", "TSLA", "META"]
    lane, ticks = _draw(_board(symbols, 200, 1200))
    assert lane.startswith("140514559007616 MainThr")
    for symbol in symbols:
        assert lane.count(symbol) == 1
    assert re.search("AAPL█+GOOGL█+MSFT█+AMZN█+TSLA█+META█+$", lane)  # a bar cell between
    assert "1.20 s elapsed" in ticks and "|0s" in ticks and "|1s" in ticks


def test_a_symbol_that_does_not_fit_its_bar_is_left_out() -> None:
    symbols = [f"SYM{n:02d}" for n in range(30)]  # 30 bars of 40 ms on a 1.2 s board
    lane, _ = _draw(_board(symbols, 40, 1200))
    assert "SYM" not in lane and set(lane[25:].strip()) == {"█"}


def test_the_axis_picks_a_round_step_that_fits() -> None:
    assert axis(1.2, 54).split() == ["|0s", "|0.2s", "|0.4s", "|0.6s", "|0.8s", "|1s"]
    assert axis(12, 54).split()[:3] == ["|0s", "|2s", "|4s"]
    assert len(axis(0.2, 20)) == 20


def test_demo_help_lists_the_chapters_and_says_what_step_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import strategies
    from bench.cli.app import HANDLERS
    from bench.cli.args import build_parser

    parser = build_parser(HANDLERS, strategies.names(), ",".join(strategies.DEFAULT))
    with pytest.raises(SystemExit):
        parser.parse_args(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "1 One thread id" in text and "9 A blocking call in a coroutine" in text
    assert "3 12 s vs 2 s (1.2 s vs 0.2 s with --fast)" in text
    assert "wait for Enter before its run" in text and "before the next chapter clears" in text
