"""`bench demo`: runs the lesson, shows it (a live view on a terminal, log lines elsewhere),
prints each chapter's verdict and writes demo.json and the demo.html handout."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live

import strategies
from bench.cli.lines import is_log, say
from bench.cli.numbers import parse_int
from bench.collectors.base import Collector, SleepCollector
from bench.errors import UsageError
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


def cmd_demo(args: argparse.Namespace) -> int:
    only = None if args.chapter is None else parse_int("--chapter", args.chapter, 1, 9)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = args.out or RESULTS_ROOT / f"demo-{stamp}"
    if (folder / "demo.json").exists() and not args.force:
        raise UsageError(
            f"--out: {folder / 'demo.json'} already exists; pass --force to replace it"
        )
    folder = prepare(folder, force=True)
    console = Console(highlight=False)
    live = not is_log(console)
    scale = 0.1 if args.fast else 1.0
    lesson = Lesson(scale, strategies.get, _live_display(console) if live else no_display)
    done: list[dict[str, Any]] = []
    for chapter, measure in chapters(lesson):
        if only is not None and chapter.number != only:
            continue
        console.rule(f"Chapter {chapter.number}: {chapter.title}")
        say(console, chapter.explanation)
        if args.step and sys.stdin.isatty():
            input(f"Press Enter to run it (chapter {chapter.number}: {chapter.title})...")
        sys.stderr.flush()
        measure(chapter)
        _show_log(console, chapter)
        assert chapter.verdict is not None
        style = "green" if chapter.verdict.confirmed else "red"
        say(console, f"[{style}]{chapter.verdict.line()}[/]")
        done.append(_record(chapter))
        _save(folder, done, scale)
    from reports.demo_html import render_demo_html

    write_atomic(folder / "demo.html", render_demo_html(done, scale))
    console.rule("Claims checked")
    for ch in done:
        say(
            console,
            f"{ch['number']}. {'confirmed' if ch['confirmed'] else 'CONTRADICTED'}: {ch['claim']}",
        )
    console.print(f"demo report: {(folder / 'demo.html').resolve().as_uri()}", soft_wrap=True)
    return 0


def _show_log(console: Console, chapter: Chapter) -> None:
    """The chapter's log, at most LOG_LINES of it (the live view above must stay on screen),
    then its conclusions."""
    detail = [line for line in chapter.log if line not in chapter.summary]
    for line in detail[:LOG_LINES]:
        if not is_log(console):  # one screen line each, so the live view above stays in sight
            console.print(f"  {line}", overflow="ellipsis", no_wrap=True)
        else:  # a log, read later or grepped: whole
            say(console, f"  {line}")
    if len(detail) > LOG_LINES:
        console.print(f"  ... {len(detail) - LOG_LINES} more lines in demo.html", style="dim")
    for line in chapter.summary:
        say(console, f"  {line}")


def _save(folder: Path, done: list[dict[str, Any]], scale: float) -> None:
    document = {
        "schema_version": 1,
        "kind": "demo",
        "scale": scale,
        "chapters": [{**ch, "runs": [run_to_dict(r) for r in ch["runs"]]} for ch in done],
    }
    write_atomic(folder / "demo.json", json.dumps(document, indent=1, allow_nan=False) + "\n")
