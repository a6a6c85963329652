"""tasks.parquet: large results files keep their tasks in one columnar table beside
results.json (schema 2); older and smaller files keep them inline and still load."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from bench.cli.app import main
from bench.results import loader
from bench.results import writer as rf
from bench.results.columns import COLUMNAR_ABOVE, TASKS_FILE
from reports.frames import load_frames, tasks_frame
from tests.samples import every_kind_of_field, large_results, rich_results

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_a_columnar_file_loads_back_equal_field_for_field(tmp_path: Path) -> None:
    original = every_kind_of_field()
    rf.save(original, tmp_path / "results.json", columnar_above=0)
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["schema_version"] == 2 and doc["tasks_file"] == TASKS_FILE
    assert all("tasks" not in run for run in doc["runs"])
    assert [run["tasks_count"] for run in doc["runs"]] == [len(r.tasks) for r in original.runs]
    assert loader.load(tmp_path / "results.json") == original


def test_pandas_reads_the_tasks_file_as_it_is(tmp_path: Path) -> None:
    original = every_kind_of_field()
    rf.save(original, tmp_path / "results.json", columnar_above=0)
    frame = pd.read_parquet(tmp_path / TASKS_FILE)
    assert len(frame) == sum(len(r.tasks) for r in original.runs)
    assert list(frame.columns[:4]) == ["run", "index", "symbol", "status"]
    first = original.runs[0].tasks[1]
    assert frame.loc[1, "started_ns"] == first.started_ns
    tasks, _runs = load_frames(tmp_path)
    assert tasks.equals(tasks_frame(original))


def test_small_files_stay_inline_and_a_stale_tasks_file_goes(tmp_path: Path) -> None:
    rf.save(large_results(COLUMNAR_ABOVE + 1), tmp_path / "results.json")
    assert (tmp_path / TASKS_FILE).exists()
    small = large_results(COLUMNAR_ABOVE)
    rf.save(small, tmp_path / "results.json")
    assert not (tmp_path / TASKS_FILE).exists()
    assert len(json.loads((tmp_path / "results.json").read_text())["runs"][0]["tasks"]) == 5000
    assert loader.load(tmp_path / "results.json") == small


def test_a_version_1_file_still_loads(tmp_path: Path) -> None:
    """Written by the version 1 writer (main before schema 2): tasks inline, no tasks_count."""
    path = tmp_path / "results.json"
    shutil.copy(FIXTURES / "results-v1.json", path)
    assert json.loads(path.read_text())["schema_version"] == 1
    assert loader.load(path) == rich_results(rounds=2)
    assert main(["report", str(path), "-q"]) == 0
    assert (tmp_path / "report.html").exists() and (tmp_path / "tasks.csv").exists()


def test_rows_a_later_save_added_are_left_out(tmp_path: Path) -> None:
    """An interrupt between the two files leaves the new tasks.parquet beside the old
    results.json: the old file's runs load, the extra rows are not read as theirs."""
    both = large_results(COLUMNAR_ABOVE + 1)
    longer = replace(both, runs=(both.runs[0], replace(both.runs[0], round=1)))
    rf.save(both, tmp_path / "results.json")
    old_json = (tmp_path / "results.json").read_text()
    rf.save(longer, tmp_path / "results.json")
    (tmp_path / "results.json").write_text(old_json)
    assert loader.load(tmp_path / "results.json") == both


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(tasks_file="../elsewhere.parquet"), r"tasks_file: expected"),
        (lambda d: d["runs"][0].update(tasks_count=3), r"tasks\.parquet: column run"),
        (lambda d: d["runs"][0].pop("tasks_count"), r"runs\[0\]\.tasks_count: missing"),
    ],
)
def test_a_tasks_file_that_does_not_match_names_the_problem(
    tmp_path: Path, mutate, message: str
) -> None:
    rf.save(large_results(10), tmp_path / "results.json", columnar_above=0)
    doc = json.loads((tmp_path / "results.json").read_text())
    mutate(doc)
    (tmp_path / "results.json").write_text(json.dumps(doc))
    with pytest.raises(loader.ResultsFileError, match=message):
        loader.load(tmp_path / "results.json")


def test_a_missing_or_broken_tasks_file_is_a_results_file_error(tmp_path: Path) -> None:
    rf.save(large_results(10), tmp_path / "results.json", columnar_above=0)
    (tmp_path / TASKS_FILE).write_bytes(b"not parquet")
    with pytest.raises(loader.ResultsFileError, match="not a readable Parquet file"):
        loader.load(tmp_path / "results.json")
    (tmp_path / TASKS_FILE).unlink()
    with pytest.raises(loader.ResultsFileError, match=r"tasks\.parquet: no such file"):
        loader.load(tmp_path / "results.json")


def test_control_characters_in_the_tasks_file_are_refused(tmp_path: Path) -> None:
    results = large_results(10)
    run = results.runs[0]
    bad = replace(run.tasks[3], thread_name="Main\x1bThread")
    tasks = (*run.tasks[:3], bad, *run.tasks[4:])
    rf.save(
        replace(results, runs=(replace(run, tasks=tasks),)), tmp_path / "r.json", columnar_above=0
    )
    with pytest.raises(loader.ResultsFileError, match=r"column thread_name: .* not valid text"):
        loader.load(tmp_path / "r.json")


def test_a_10k_task_run_keeps_under_40_bytes_a_task(tmp_path: Path) -> None:
    """End to end through the deterministic fake: results.json and tasks.parquet together stay
    under 40 bytes a task (results.json alone was 290), and load back as the run recorded."""
    argv = ["run", "--strategies", "fake", "--tasks", "10000", "--workers", "100"]
    assert main([*argv, "--latency", "0.01", "--out", str(tmp_path), "-q"]) == 0
    size = (tmp_path / "results.json").stat().st_size + (tmp_path / TASKS_FILE).stat().st_size
    assert size / 10_000 < 40, size
    loaded = loader.load(tmp_path / "results.json")
    assert [t.started_ns for t in loaded.runs[0].tasks[:201:100]] == [0, 10_000_000, 20_000_000]
    assert (tmp_path / "tasks.csv").exists()  # up to CSV_LIMIT tasks it is still written
