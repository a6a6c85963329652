"""pandas views of a results file, for notebooks and for the HTML report's own tables.

`tasks_frame` has one typed row per task (times in seconds); `runs_frame` one row per run with
exactly the figures the terminal and HTML reports show (both come from `bench.stats`).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd

from bench.analysis.stats import RunSummary, summarize_all
from bench.model import Results
from bench.results import loader
from bench.results import writer as results_file
from bench.results.fields import TASK_COLUMNS
from bench.results.folder import resolve_latest


def tasks_frame(results: Results) -> pd.DataFrame:
    """One typed row per task, the columns of tasks.csv (bench.results.fields); `run` and
    `round` join it to the runs frame."""
    columns = TASK_COLUMNS
    frame = pd.DataFrame(list(results_file.task_rows(results)), columns=[c.name for c in columns])
    return frame.astype({c.name: c.dtype for c in columns})


def runs_frame(results: Results, summaries: list[RunSummary] | None = None) -> pd.DataFrame:
    """One row per run (`run` is its position in the file, as in the tasks frame) with exactly
    the figures the terminal and HTML reports show (`summaries`: already computed, in order)."""
    summaries = summarize_all(results.runs) if summaries is None else summaries
    pairs = enumerate(zip(results.runs, summaries, strict=True))
    return pd.DataFrame([{"run": n, "round": run.round, **asdict(s)} for n, (run, s) in pairs])


def load_frames(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tasks, runs) from a saved results.json, or a folder holding one (`latest`: the newest
    run's)."""
    path = resolve_latest(Path(path))
    loaded = loader.load(path / "results.json" if path.is_dir() else path)
    return tasks_frame(loaded), runs_frame(loaded)
