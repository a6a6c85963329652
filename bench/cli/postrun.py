"""After the runs: tasks.csv, the reports, results/latest, the summary and the exports.

An interrupt waits up to GRACE_S for them (an ordinary run's take about a second, and are worth
having), then ends the stage under way: the file being written is removed, results.json and
the files written before are kept. A large run says which stage it is in: a million tasks' files
take minutes to write.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench.cli.output import Show, finish, write_csv, write_reports
from bench.harness import interrupts
from bench.harness.interrupts import Terminated
from bench.model import Results
from bench.results.columns import TASKS_FILE
from bench.results.folder import mark_latest

GRACE_S = 3.0
LARGE_RUN = 10_000  # task records: 20,000 took about 15 s to write here (2 loaded cores)


class Cut(Exception):
    """An interrupt ended a stage; `stage` names it, the interrupt is the cause."""

    def __init__(self, stage: str, terminated: bool) -> None:
        super().__init__(stage)
        self.stage, self.terminated = stage, terminated


class Stages:
    """Which file is being written, said on stderr when the run is large (and not -q)."""

    def __init__(self, results: Results, quiet: bool) -> None:
        self.tasks = sum(len(run.tasks) for run in results.runs)
        self.loud = not quiet and self.tasks >= LARGE_RUN
        self.now = "tasks.csv"
        self._began = time.monotonic()

    def __call__(self, name: str) -> None:
        self.now = name
        if self.loud:
            took = time.monotonic() - self._began
            print(f"writing {name} ({self.tasks:,} tasks; {took:.0f} s so far)", file=sys.stderr)


def write_all(results: Results, folder: Path, show: Show) -> None:
    """Everything a finished session leaves beside results.json (already saved)."""
    stages = Stages(results, show.quiet)
    try:
        with interrupts.patient(GRACE_S):
            saved = [folder / name for name in ("results.json", TASKS_FILE)]
            written = [p for p in saved if p.exists()] + write_csv(results, folder, stages)
            written += write_reports(results, folder, stage=stages)
            not_latest = mark_latest(folder)
            if not_latest is not None:
                print(f"note: {not_latest}", file=sys.stderr)
            stages.now = "the summary and the exports"
            finish(results, folder, written, show)
    except KeyboardInterrupt as exc:
        raise Cut(stages.now, isinstance(exc, Terminated)) from exc
