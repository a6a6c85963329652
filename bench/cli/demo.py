"""`bench demo`: runs the lesson, shows it (a live view on a terminal, log lines elsewhere),
prints each chapter's verdict and writes demo.json and the demo.html handout."""

from __future__ import annotations

import argparse
import json
import os
import sys
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
from bench.cli.numbers import parse_int
from bench.collectors.base import Collector, SleepCollector
from bench.errors import UsageError
from bench.harness import interrupts
from bench.harness.interrupts import Terminated
from bench.harness.runner import RunInterrupted
from bench.lesson.board import Board, LiveCollector
from bench.lesson.chapters import Chapter, Lesson, chapters, no_display
from bench.results.folder import RESULTS_ROOT, prepare
from bench.results.writer import run_to_dict, write_atomic

LOG_LINES = 8  # of a chapter's log in the terminal (demo.html has all of it)


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


def _record(ch: Chapter) -> dict[str, Any]:
    assert ch.verdict is not None
    return {
        "number": ch.number,
        "title": ch.title,
        "explanation": ch.explanation,
        "claim": ch.verdict.claim,
        "confirmed": ch.verdict.confirmed,
        "evidence": ch.verdict.evidence,
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

            _save(kept.folder, kept.done, kept.scale)  # the last one's save may have been cut
            write_atomic(kept.folder / "demo.html", render_demo_html(kept.done, kept.scale))
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


def _demo(args: argparse.Namespace, kept: _Kept) -> int:
    only = None if args.chapter is None else parse_int("--chapter", args.chapter, 1, 9)
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
    live = console.is_terminal and not os.environ.get("CI")
    scale = 0.1 if args.fast else 1.0
    lesson = Lesson(scale, strategies.get, _live_display(console) if live else no_display)
    done = kept.done
    kept.folder, kept.scale = folder, scale
    for chapter, measure in chapters(lesson):
        if only is not None and chapter.number != only:
            continue
        console.rule(f"Chapter {chapter.number}: {chapter.title}")
        console.print(chapter.explanation)
        if args.step and sys.stdin.isatty():
            input(f"Press Enter to run it (chapter {chapter.number}: {chapter.title})...")
        sys.stderr.flush()
        measure(chapter)
        _show_log(console, chapter)
        assert chapter.verdict is not None
        style = "green" if chapter.verdict.confirmed else "red"
        console.print(f"[{style}]{chapter.verdict.line()}[/]")  # wrapped at word boundaries
        done.append(_record(chapter))
        _save(folder, done, scale)
    from reports.demo_html import render_demo_html

    write_atomic(folder / "demo.html", render_demo_html(done, scale))
    console.rule("Claims checked")
    for ch in done:
        console.print(
            f"{ch['number']}. {'confirmed' if ch['confirmed'] else 'CONTRADICTED'}: {ch['claim']}"
        )
    console.print(f"demo report: {(folder / 'demo.html').resolve().as_uri()}", soft_wrap=True)
    return 0


def _show_log(console: Console, chapter: Chapter) -> None:
    """The chapter's log, at most LOG_LINES of it (the live view above must stay on screen),
    then its conclusions."""
    detail = [line for line in chapter.log if line not in chapter.summary]
    for line in detail[:LOG_LINES]:
        console.print(f"  {line}", overflow="ellipsis", no_wrap=True)
    if len(detail) > LOG_LINES:
        console.print(f"  ... {len(detail) - LOG_LINES} more lines in demo.html", style="dim")
    for line in chapter.summary:
        console.print(f"  {line}")


def _save(folder: Path, done: list[dict[str, Any]], scale: float) -> None:
    document = {
        "schema_version": 1,
        "kind": "demo",
        "scale": scale,
        "chapters": [{**ch, "runs": [run_to_dict(r) for r in ch["runs"]]} for ch in done],
    }
    write_atomic(folder / "demo.json", json.dumps(document, indent=1, allow_nan=False) + "\n")
