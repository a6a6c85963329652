from __future__ import annotations

import csv
import io
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.errors import OutputFailed
from bench.model import Results, TaskRecord
from bench.results import loader
from bench.results import writer as rf
from tests.samples import large_results, sample_results


def test_round_trip_through_the_loader(tmp_path: Path) -> None:
    original = sample_results()
    path = tmp_path / "results.json"
    rf.save(original, path)
    loaded = loader.load(path)
    assert loaded == original


def test_contract_fields_are_present() -> None:
    data = json.loads(rf.dumps(sample_results()))
    assert data["schema_version"] == rf.SCHEMA_VERSION
    assert {"python", "cpu_count", "start_method"} <= set(data["environment"])
    run = data["runs"][1]
    assert run["ideal_seconds"] == 2.0
    assert {"strategy", "workers", "status", "wall_seconds", "ideal_seconds", "tasks"} <= set(run)
    task = run["tasks"][0]
    assert set(task) >= {
        "symbol",
        "status",
        "queued_at",
        "started_at",
        "finished_at",
        "pid",
        "thread_id",
        "task_name",
        "error",
    }
    assert task["task_name"] == "Task-2"
    assert task["started_at"] == 0.001


def test_atomic_write_keeps_the_old_file_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.json"
    path.write_text("old")

    def crash(_src: str, _dst: str) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OutputFailed, match=r"cannot write .*results.json: disk on fire"):
        rf.write_atomic(path, "new")
    assert path.read_text() == "old"
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind


def test_nan_never_reaches_json() -> None:
    broken = Results({"x": float("nan")}, {}, ())
    with pytest.raises(ValueError):
        rf.dumps(broken)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "results.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("schema_version"), r"\$\.schema_version: missing"),
        (lambda d: d.update(schema_version=99), "newer than this concurrency-bench"),
        (lambda d: d.update(schema_version="1"), "positive integer"),
        (lambda d: d.pop("runs"), r"\$\.runs: missing"),
        (lambda d: d["runs"][2].update(workers="3"), r"\$\.runs\[2\]\.workers: expected int"),
        (
            lambda d: d["runs"][0]["tasks"][3].update(status="done"),
            r"\$\.runs\[0\]\.tasks\[3\]: task status must be one of",
        ),
        (
            lambda d: d["runs"][1]["tasks"][0].update(finished_at=-1.0),
            r"\$\.runs\[1\]\.tasks\[0\]: task 0: need queued <= started <= finished",
        ),
        (lambda d: d["runs"][1].update(workers=True), "got a boolean"),
    ],
)
def test_wrong_shapes_name_the_json_path(tmp_path: Path, mutate, message: str) -> None:
    data = json.loads(rf.dumps(sample_results()))
    mutate(data)
    path = _write(tmp_path, json.dumps(data))
    with pytest.raises(loader.ResultsFileError, match=message) as info:
        loader.load(path)
    assert str(path) in str(info.value)


def test_truncated_file_says_where_and_why(tmp_path: Path) -> None:
    text = rf.dumps(sample_results())
    path = _write(tmp_path, text[: len(text) // 2])
    with pytest.raises(loader.ResultsFileError, match=r"invalid JSON at line .* truncated"):
        loader.load(path)


def test_missing_file_and_nan_literals(tmp_path: Path) -> None:
    with pytest.raises(loader.ResultsFileError, match="no such file"):
        loader.load(tmp_path / "nope.json")
    with pytest.raises(loader.ResultsFileError, match="NaN is not valid JSON"):
        loader.load(_write(tmp_path, '{"schema_version": NaN}'))
    with pytest.raises(loader.ResultsFileError, match="expected a JSON object"):
        loader.load(_write(tmp_path, "[1, 2]"))


def test_csv_has_one_row_per_task_and_neutralises_formulas() -> None:
    hostile = ("=SUM(A1)", "+1", "-2", "@cmd", "AAPL", "MSFT")
    rows = list(csv.DictReader(io.StringIO(rf.tasks_csv(sample_results(hostile)))))
    assert len(rows) == 4 * 6
    assert [r["symbol"] for r in rows[:6]] == ["'=SUM(A1)", "'+1", "'-2", "'@cmd", "AAPL", "MSFT"]
    assert rows[0]["strategy"] == "sequential"
    assert float(rows[0]["duration_seconds"]) == pytest.approx(2.01)
    assert rows[7]["error"] == "ValueError: boom" or rows[19]["error"] == "ValueError: boom"


def test_results_json_is_written_a_task_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamed, not built: after the first pieces only the first tasks have been encoded, so
    100,000 tasks never stand in memory as one document (or as a dict each) while written."""
    encoded: list[int] = []
    to_dict = rf.task_to_dict

    def counted(t: TaskRecord) -> dict[str, object]:
        encoded.append(t.index)
        return to_dict(t)

    monkeypatch.setattr(rf, "task_to_dict", counted)
    chunks = rf.json_chunks(large_results(2_000))
    head = "".join(itertools.islice(chunks, 10))
    assert len(encoded) <= 10
    assert json.loads(head + "".join(chunks))["runs"][0]["tasks"][-1]["index"] == 1_999
    assert len(encoded) == 2_000


def test_tasks_csv_is_written_a_row_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for tasks.csv: a row is made when its line is written."""
    made: list[list[object]] = []
    rows = rf.task_rows

    def counted(results: Results) -> Iterator[list[object]]:
        for row in rows(results):
            made.append(row)
            yield row

    monkeypatch.setattr(rf, "task_rows", counted)
    chunks = rf.csv_chunks(large_results(2_000))
    head = "".join(itertools.islice(chunks, 10))
    assert len(made) <= 10
    assert len((head + "".join(chunks)).splitlines()) == 1 + 2_000
