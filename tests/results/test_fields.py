"""One list of per-task fields: tasks.csv and the pandas frames come from it and cannot drift;
a task joins its run through `run` and `round`; derived ratios exist only for completed runs."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path
from typing import Any, get_args

from bench.analysis.stats import summarize_all
from bench.model import Results, TaskRecord, TaskSpec
from bench.results.fields import CSV_COLUMNS, TASK_COLUMNS, TASK_FIELDS, TO_CELL, TO_JSON, Kind
from bench.results.loader import FROM_JSON
from bench.results.writer import json_chunks, tasks_csv
from reports.frames import load_frames, runs_frame, tasks_frame
from reports.table import format_tables
from tests.samples import sample_results


def _http_and_cpu(results: Results) -> Results:
    run = results.runs[1]
    tasks = tuple(
        dataclasses.replace(t, attempts=2, http_status=200, cpu_ns=5_000_000) for t in run.tasks
    )
    runs = (results.runs[0], dataclasses.replace(run, tasks=tasks), *results.runs[2:])
    return dataclasses.replace(results, runs=runs)


def test_the_csv_and_the_frame_have_the_same_columns_and_values() -> None:
    results = _http_and_cpu(sample_results())
    rows = list(csv.DictReader(io.StringIO(tasks_csv(results))))
    frame = tasks_frame(results)
    assert tuple(rows[0]) == CSV_COLUMNS == tuple(frame.columns)
    assert {"run", "round", "attempts", "http_status", "cpu_seconds"} <= set(CSV_COLUMNS)
    assert CSV_COLUMNS[:18] == (  # the columns scripts already index, in their order
        "strategy",
        "workers",
        "index",
        "symbol",
        "status",
        "latency_seconds",
        "queued_at",
        "started_at",
        "finished_at",
        "queue_wait_seconds",
        "duration_seconds",
        "pid",
        "thread_id",
        "thread_name",
        "task_name",
        "error",
        "attempts",
        "http_status",
    )
    http_row = rows[6]  # the asyncio run's first task
    assert (http_row["attempts"], http_row["http_status"], http_row["cpu_seconds"]) == (
        "2",
        "200",
        "0.005",
    )
    assert frame.loc[6, "attempts"] == 2 and frame.loc[6, "cpu_seconds"] == 0.005
    assert all(str(frame[c.name].dtype) == c.dtype for c in TASK_COLUMNS)


def test_tasks_join_their_runs(tmp_path: Path) -> None:
    results = dataclasses.replace(
        sample_results(), runs=tuple(dataclasses.replace(r, round=1) for r in sample_results().runs)
    )
    (tmp_path / "results.json").write_text("".join(json_chunks(results)))
    tasks, runs = load_frames(tmp_path)
    joined = tasks.merge(runs[["run", "round", "wall_s"]], on=["run", "round"], how="left")
    assert joined["wall_s"].notna().all() and set(tasks["round"]) == {1}
    per_run = joined.groupby("run")["wall_s"].first().tolist()
    assert per_run == [s.wall_s for s in summarize_all(results.runs)]
    assert runs_frame(results).equals(runs)


def test_a_run_cut_short_gets_no_ratios_and_says_why() -> None:
    base = sample_results()
    tasks = tuple(t if t.index < 3 else TaskRecord.not_run(_spec(t)) for t in base.runs[1].tasks)
    reason = "--run-timeout reached before every task finished"
    aborted = dataclasses.replace(base.runs[1], status="aborted", tasks=tasks, reason=reason)
    results = dataclasses.replace(base, runs=(base.runs[0], aborted))
    summary = summarize_all(results.runs)[1]
    assert summary.efficiency is None and summary.speedup is None and summary.throughput is None
    text = " ".join(format_tables(results, width=100).split())
    assert "asyncio (workers 6) aborted: --run-timeout reached" in text
    assert "no efficiency, speed-up or throughput for a run cut short" in text


def _spec(t: TaskRecord) -> TaskSpec:
    return TaskSpec(t.index, t.symbol, t.latency_ns)


def test_one_table_covers_every_task_attribute_and_every_kind_both_ways() -> None:
    """A per-task attribute missing from TASK_FIELDS would be silently dropped from every
    output; a kind without a reader or a writer would fail only on the file that has it."""
    attributes = {f.name for f in dataclasses.fields(TaskRecord)}
    assert {f.attr for f in TASK_FIELDS} == attributes
    kinds = set(get_args(Kind))
    assert set(TO_JSON) == kinds == set(FROM_JSON) == set(TO_CELL)
    assert len({f.name for f in TASK_FIELDS}) == len(TASK_FIELDS)


def test_a_record_is_built_one_way_so_a_new_field_changes_no_producer() -> None:
    """record_ended measures the first ENDED_FIELDS fields and takes every later one's default
    from RawRecord itself; everywhere else a record is built by keyword (checked in the source),
    so a new field with a default is one line in the model."""
    import ast
    from pathlib import Path

    from bench.harness import recording
    from bench.model import RawRecord

    measured = RawRecord._fields[: recording.ENDED_FIELDS]
    assert measured[-1] == "error" and len(measured) == recording.ENDED_FIELDS
    assert RawRecord._fields[recording.ENDED_FIELDS :] == tuple(RawRecord._field_defaults)
    record = recording.record_ended(3, "ok", 1, 2, "Task-9", None)
    given: dict[str, Any] = dict(zip(measured, record[: recording.ENDED_FIELDS], strict=True))
    assert record == RawRecord(**given)
    root = Path(__file__).resolve().parents[2]
    positional = [
        f"{path.relative_to(root)}:{node.lineno}"
        for folder in ("bench", "strategies", "examples")
        for path in (root / folder).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "RawRecord"
        and node.args
    ]
    assert positional == [], "build RawRecord by keyword (or through recording.record_ended)"
