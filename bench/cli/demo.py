"""`bench demo`: runs the lesson, shows it (a live view on a terminal, log lines elsewhere),
prints each chapter's verdict and writes demo.json and the demo.html handout."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live

import strategies
from bench.cli.exits import EXIT_SIGINT, EXIT_SIGTERM
from bench.cli.lines import is_log, say
from bench.cli.numbers import parse_int
from bench.collectors.base import Collector, SleepCollector
from bench.errors import UsageError
from bench.harness import interrupts
from bench.harness.environment import collect, usable_cpus
from bench.harness.interrupts import Terminated
from bench.harness.runner import RunInterrupted
from bench.lesson.board import Board, LiveCollector
from bench.lesson.chapters import Chapter, Lesson, chapters, no_display
from bench.lesson.logs import Block
from bench.lesson.preconditions import NONE, load_per_core
from bench.lesson.texts import TEXTS
from bench.results.folder import RESULTS_ROOT, prepare
from bench.results.writer import run_to_dict, write_atomic

LOG_LINES = 8  # of each block of a chapter's log in the terminal (demo.html has all of it)
SHORT_LOG_LINES = 3  # on a terminal under 40 rows: the chapter must fit on one screen
SCREEN_S = 3.0  # a live chapter stays on screen at least this long before the next clears it
STYLES = {"confirmed": "green", "contradicted": "red", "not shown": "yellow"}


def _live_display(console: Console) -> Any:
    @contextmanager
    def display(collector: Collector | None, seconds: float) -> Iterator[Collector | None]:
        if collector is None or not isinstance(collector, SleepCollector):
            yield None  # a process pool: its workers cannot reach the board; show log lines
            return
        board = Board(seconds)
        with Live(board, console=console, refresh_per_second=10, transient=False):
            yield LiveCollector(collector, board)

    return display


@contextmanager
def _mock_api(rate: float, burst: int) -> Iterator[str]:
    """Chapter 10's API: the mock server `bench run --io http` starts, in a process of its own,
    with the chapter's quota and no faults (so its seed draws nothing)."""
    from bench.mockapi.faults import FaultRates
    from bench.mockapi.process import server_process
    from bench.mockapi.quota import Quota

    with server_process(0, FaultRates(), Quota(rate, burst)) as (url, _pid):
        yield url


def _record(ch: Chapter) -> dict[str, Any]:
    assert ch.verdict is not None
    pre = ch.verdict.precondition
    return {
        "number": ch.number,
        "title": ch.title,
        "explanation": ch.explanation,
        "claim": ch.verdict.claim,
        "confirmed": ch.verdict.confirmed,
        "verdict": ch.verdict.state,
        "evidence": ch.verdict.evidence,
        "precondition": {"checked": pre is not NONE, "held": pre.held, "text": pre.text},
        "attempts": ch.attempts,
        "load_per_core": ch.load,
        "labels": ch.labels,
        "blocks": [
            {"heading": b.heading, "lines": list(b.lines), "summary": list(b.summary)}
            for b in ch.blocks
        ],
        "log": ch.log,
        "runs": ch.runs,
    }


@dataclass
class _Kept:
    """What an interrupted demo keeps: the chapters that finished (each saved as it ends)."""

    folder: Path | None = None
    done: list[dict[str, Any]] = field(default_factory=list)
    scale: float = 1.0


def cmd_demo(args: argparse.Namespace) -> int:
    kept = _Kept()
    try:
        return _demo(args, kept)
    except (RunInterrupted, KeyboardInterrupt) as stop:
        interrupt = stop.__cause__ if isinstance(stop, RunInterrupted) else stop
        if kept.folder is None:  # before anything was prepared: the CLI's own one line
            raise (interrupt if isinstance(interrupt, KeyboardInterrupt) else stop) from None
        return _interrupted(isinstance(interrupt, Terminated), kept)


def _interrupted(terminated: bool, kept: _Kept) -> int:
    """As `bench run` does: the chapters that finished kept (demo.json already holds them; the
    handout is rendered from them), one line, 130 or 143."""
    assert kept.folder is not None
    with interrupts.deferred():  # another copy of the signal waits for the handout
        if kept.done:
            from reports.demo_html import render_demo_html

            machine = _machine()
            # The last chapter's save may have been cut short.
            _save(kept.folder, kept.done, kept.scale, machine)
            handout = render_demo_html(kept.done, kept.scale, machine)
            write_atomic(kept.folder / "demo.html", handout)
    count = len(kept.done)
    saved = (
        f"the {count} chapters that finished are saved in {kept.folder}"
        if count > 1
        else f"the chapter that finished is saved in {kept.folder}"
        if count
        else "no chapter had finished; nothing saved"
    )
    sys.stderr.write(f"bench: error: {'terminated' if terminated else 'interrupted'}: {saved}\n")
    return EXIT_SIGTERM if terminated else EXIT_SIGINT


class Pace:
    """On a live terminal, each chapter gets a clean screen (cleared, not erased: the
    scrollback keeps the earlier ones), and stays on screen at least SCREEN_S from the start of
    its run, or under --step until Enter, before the next one clears it."""

    def __init__(self, console: Console, live: bool, step: bool) -> None:
        self.console, self.live, self.step = console, live, step
        self.shown_at: float | None = None  # when the chapter on screen started its run

    def turn(self, next_title: str) -> None:
        if not self.live or self.shown_at is None:
            return
        if self.step:
            input(f"Press Enter for {next_title}...")
        else:
            time.sleep(max(0.0, SCREEN_S - (time.monotonic() - self.shown_at)))
        self.console.clear()  # ESC[2J: the screen, not the scrollback (that is ESC[3J)

    def running(self) -> None:
        self.shown_at = time.monotonic()


def _demo(args: argparse.Namespace, kept: _Kept) -> int:
    only = _chapters(args.chapter)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = args.out or RESULTS_ROOT / f"demo-{stamp}"
    folder = prepare(folder, force=True)  # first: a path it cannot use is one line (exit 4)
    if (folder / "demo.json").exists() and not args.force:
        raise UsageError(
            f"--out: {folder / 'demo.json'} already exists; pass --force to replace it"
        )
    # The handout's renderer (matplotlib, numpy) imported whole before any chapter: an interrupt
    # inside an import leaves the module half-done, and the handout then cannot be rendered.
    with interrupts.deferred():
        import reports.demo_html  # noqa: F401
    console = Console(highlight=False)
    live = not is_log(console)
    scale = 0.1 if args.fast else 1.0
    display = _live_display(console) if live else no_display
    lesson = Lesson(scale, strategies.get, display, serve=_mock_api)
    done = kept.done
    kept.folder, kept.scale = folder, scale
    step = args.step and sys.stdin.isatty()
    pace = Pace(console, live, step)
    for chapter, measure in chapters(lesson):
        if only is not None and chapter.number not in only:
            continue
        pace.turn(f"chapter {chapter.number}: {chapter.title}")
        console.rule(f"Chapter {chapter.number}: {chapter.title}")
        say(console, chapter.explanation)
        if step:
            input(f"Press Enter to run it (chapter {chapter.number}: {chapter.title})...")
        sys.stderr.flush()
        pace.running()
        measure(chapter)
        _show_chapter(console, chapter)
        done.append(_record(chapter))
        _save(folder, done, scale)
    from reports.demo_html import render_demo_html

    machine = _machine()
    _save(folder, done, scale, machine)
    write_atomic(folder / "demo.html", render_demo_html(done, scale, machine))
    pace.turn("the claims checked")
    console.rule("Claims checked")
    for ch in done:
        word = "CONTRADICTED" if ch["verdict"] == "contradicted" else ch["verdict"]
        style = STYLES[ch["verdict"]]
        say(console, f"{ch['number']}. [{style}]{word}[/]: {ch['claim']}")
    console.print(f"demo report: {(folder / 'demo.html').resolve().as_uri()}", soft_wrap=True)
    return 0


def _chapters(given: str | None) -> set[int] | None:
    """--chapter N or N,M,...: the chapters to run (None: all)."""
    if given is None:
        return None
    return {parse_int("--chapter", part.strip(), 1, len(TEXTS)) for part in given.split(",")}


def _machine() -> dict[str, Any]:
    """Where and when the lesson ran, for the handout's last lines (it is projected later)."""
    env = collect("forkserver")
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "python": env.get("python"),
        "platform": env.get("platform"),
        "cpu_count": env.get("cpu_count"),
        "usable_cpus": usable_cpus(),
        "gil_enabled": env.get("gil_enabled"),
        "load_per_core_after": load_per_core(usable_cpus()),
    }


def _show_chapter(console: Console, chapter: Chapter) -> None:
    """The evidence, then the verdict in its colour (amber for "not shown") and, for a claim
    that depends on the machine, the precondition checked, with its numbers."""
    short = console.is_terminal and console.height < 40
    for n, block in enumerate(chapter.blocks):
        # On a short terminal the later blocks (a comparison) get a line less than the first.
        most = SHORT_LOG_LINES - (n > 0) if short else LOG_LINES
        _show_block(console, block, max(most, block.keep))
    verdict = chapter.verdict
    assert verdict is not None
    # Wrapped at word boundaries; markup=False as the evidence may hold brackets.
    say(console, verdict.line(), style=STYLES[verdict.state], markup=False)
    if verdict.precondition is not NONE:
        say(console, f"  {verdict.checked()}{_attempts(chapter)}", style="dim", markup=False)


def _attempts(chapter: Chapter) -> str:
    assert chapter.verdict is not None
    if chapter.attempts == 1:
        return ""
    if chapter.verdict.precondition.held:
        return f" (on run {chapter.attempts}; it failed before)"
    return f" (failed in {chapter.attempts} runs; the median run is shown)"


def _show_block(console: Console, block: Block, most: int) -> None:
    # markup=False: "[PID 9] [Thread-7] [task]" is evidence, not rich markup to interpret.
    if block.heading:
        say(console, block.heading, style="bold", markup=False)
    for line in block.lines[:most]:
        if is_log(console):  # a log, read later or grepped: whole
            say(console, f"  {line}", markup=False)
        else:  # one screen line each, so the live view above stays in sight
            console.print(f"  {line}", overflow="ellipsis", no_wrap=True, markup=False)
    if len(block.lines) > most:
        console.print(f"  ... {len(block.lines) - most} more lines in demo.html", style="dim")
    for line in block.summary:
        say(console, f"  {line}", markup=False)


def _save(
    folder: Path, done: list[dict[str, Any]], scale: float, machine: dict[str, Any] | None = None
) -> None:
    document = {
        "schema_version": 1,
        "kind": "demo",
        "scale": scale,
        "machine": machine,
        "chapters": [{**ch, "runs": [run_to_dict(r) for r in ch["runs"]]} for ch in done],
    }
    write_atomic(folder / "demo.json", json.dumps(document, indent=1, allow_nan=False) + "\n")
