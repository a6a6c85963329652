"""pandas views of a results file, for notebooks and for the HTML report's own tables.

`tasks_frame` has one typed row per task (times in seconds); `runs_frame` one row per run with
exactly the figures the terminal and HTML reports show (both come from `bench.stats`).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd

from bench import loader
from bench import results as results_file
from bench.model import Results
from bench.stats import summarize_all

TASK_DTYPES = {
    "strategy": "string", "workers": "int64", "index": "int64", "symbol": "string",
    "status": "category", "latency_seconds": "float64", "queued_at": "float64",
    "started_at": "float64", "finished_at": "float64", "queue_wait_seconds": "float64",
    "duration_seconds": "float64", "pid": "Int64", "thread_id": "Int64", "thread_name": "string",
    "task_name": "string", "error": "string",
}  # fmt: skip


def tasks_frame(results: Results) -> pd.DataFrame:
    rows = []
    for run in results.runs:
        for t in run.tasks:
            row = results_file.task_to_dict(t)
            row["strategy"], row["workers"] = run.strategy, run.workers
            row["queue_wait_seconds"] = t.queue_wait_ns / 1e9 if t.ran else None
            row["duration_seconds"] = t.duration_ns / 1e9 if t.ran else None
            rows.append(row)
    frame = pd.DataFrame(rows, columns=list(TASK_DTYPES))
    return frame.astype(TASK_DTYPES)


def runs_frame(results: Results) -> pd.DataFrame:
    return pd.DataFrame([asdict(s) for s in summarize_all(results.runs)])


def load_frames(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tasks, runs) from a saved results.json, or a folder holding one."""
    path = Path(path)
    loaded = loader.load(path / "results.json" if path.is_dir() else path)
    return tasks_frame(loaded), runs_frame(loaded)
