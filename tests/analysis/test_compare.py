"""`bench compare` sees a regression at the sizes people use and keeps quiet when nothing
changed; its labels name what was compared; statistics give no interval from too few runs."""

from __future__ import annotations

import dataclasses
import io
import random
import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from bench.analysis.compare import compare, config_differences, unmatched
from bench.analysis.repeats import summarize_groups
from bench.cli.app import main
from bench.model import Results
from reports.compare_table import compare_table
from reports.stats_table import stats_table, warning_lines
from tests.samples import sample_results


def _file(walls: list[float], config: dict[str, object] | None = None) -> Results:
    template = sample_results().runs[1]  # asyncio, 6 tasks x 2 s, 6 workers
    runs = tuple(
        dataclasses.replace(template, wall_ns=round(w * 1e9), round=i) for i, w in enumerate(walls)
    )
    base = sample_results()
    return Results(base.environment, config or base.config, runs, base.created)


def test_a_2x_slowdown_with_3_runs_a_side_is_a_regression() -> None:
    row = compare(_file([2.00, 2.02, 2.01]), _file([4.03, 4.00, 4.06]))[0]
    assert row.verdict == "slower" and row.regressed(20)
    assert row.p_value == pytest.approx(0.1)  # the rank test could never have said so


@pytest.mark.parametrize("slowdown", [1.5, 2.0, 3.0])
def test_slowdowns_at_n3_fail_fail_above_20_in_crafted_noise(slowdown: float) -> None:
    rng = random.Random(7)
    caught = 0
    for _ in range(100):
        base = [2.0 * rng.lognormvariate(0, 0.03) for _ in range(3)]
        slow = [2.0 * slowdown * rng.lognormvariate(0, 0.03) for _ in range(3)]
        caught += compare(_file(base), _file(slow))[0].regressed(20)
    assert caught >= 95, caught


def test_two_saves_of_the_same_code_pass_fail_above_20_in_crafted_noise() -> None:
    rng = random.Random(11)
    passed = 0
    for _ in range(100):
        a = [2.0 * rng.lognormvariate(0, 0.05) for _ in range(3)]  # 5% noise: a busy machine
        b = [2.0 * rng.lognormvariate(0, 0.05) for _ in range(3)]
        passed += not compare(_file(a), _file(b))[0].regressed(20)
    assert passed >= 95, passed


COLLECTOR = textwrap.dedent(
    """
    import os, time

    def fetch(symbol):
        time.sleep(float(os.environ["CB_TEST_DELAY"]))
    """
)


def _save(folder: Path, delay: float, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CB_TEST_DELAY", str(delay))
    argv = ["run", "--collector", "cbtestfetch:fetch", "--strategies", "threads", "--tasks", "4"]
    code = main([*argv, "--workers", "2", "--repeat", "3", "--out", str(folder)])
    assert code == 0
    return folder


@pytest.mark.slow
def test_real_files_a_collector_2x_slower_fails_and_the_same_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cbtestfetch.py").write_text(COLLECTOR)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    before = _save(tmp_path / "before", 0.02, monkeypatch)
    again = _save(tmp_path / "again", 0.02, monkeypatch)
    slower = _save(tmp_path / "slower", 0.04, monkeypatch)
    capsys.readouterr()
    assert main(["compare", str(before), str(again), "--fail-above", "20"]) == 0
    assert main(["compare", str(before), str(slower), "--fail-above", "20"]) == 1
    assert "regression: threads" in capsys.readouterr().out


def test_labels_name_every_field_that_differs() -> None:
    config = dict(sample_results().config)
    fast = dataclasses.replace(sample_results().runs[1], round=0)
    slow_tasks = tuple(dataclasses.replace(t, latency_ns=t.latency_ns * 2) for t in fast.tasks)
    slow = dataclasses.replace(fast, tasks=slow_tasks)
    a = Results({}, {**config, "latency_seconds": 2.0}, (fast,), "")
    b = Results({}, {**config, "latency_seconds": 4.0}, (slow,), "")
    # Another plan is still compared, by strategy and workers, and the row says so.
    assert unmatched(a, b) == []
    (row,) = compare(a, b)
    assert row.plans_differ and row.label == (
        "asyncio (workers 6, 6 tasks x 4000 ms planned; baseline 2000 ms)"
    )
    assert row.verdict.startswith("too few runs")
    assert config_differences(a, b) == ["latency_seconds: 2.0 vs 4.0"]


def test_a_strategy_aborted_in_the_baseline_is_named_so() -> None:
    done = dataclasses.replace(sample_results().runs[1], round=0)
    cut = dataclasses.replace(done, status="aborted", reason="the pool broke")
    a, b = Results({}, {}, (cut,), ""), Results({}, {}, (done,), "")
    assert unmatched(a, b) == [
        "asyncio (workers 6, 6 tasks x 2000 ms planned): aborted in the baseline, so not compared"
    ]
    assert unmatched(b, a) == [
        "asyncio (workers 6, 6 tasks x 2000 ms planned): aborted in the current file, so not "
        "compared"
    ]


@pytest.mark.slow
def test_a_regression_across_two_plans_says_the_plans_differ(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`bench compare A B` where B used --latency 0.08 against A's 0.05 refused with nine notes;
    now the rows are compared, each differing field is said once, and a slowdown is not called
    a regression without saying the plans differ."""
    argv = ["run", "--strategies", "threads", "--tasks", "4", "--workers", "2", "--repeat", "3"]
    before, slower = tmp_path / "before", tmp_path / "slower"
    assert main([*argv, "--latency", "0.02", "--out", str(before), "-q"]) == 0
    assert main([*argv, "--latency", "0.08", "--out", str(slower), "-q"]) == 0  # 4x: certain
    capsys.readouterr()
    assert main(["compare", str(before), str(slower), "--fail-above", "20"]) == 1
    out, err = capsys.readouterr()
    assert err.count("the configurations differ in latency_seconds") == 1
    assert "the plans differ" in err and "only in" not in err
    regression = next(line for line in out.splitlines() if line.startswith("regression:"))
    assert regression.endswith("the plans differ, so the plan, not the code, may explain it")


def test_the_median_column_is_the_true_median() -> None:
    rows = compare(_file([1.0, 2.0, 3.0, 4.0]), _file([1.0, 2.0, 3.0, 4.0]))
    out = io.StringIO()
    Console(file=out, width=140, color_system=None).print(compare_table(rows, 140))
    assert "2.500 s (n=4)" in out.getvalue()


def test_one_run_gives_no_interval_and_says_so() -> None:
    groups = summarize_groups(_file([3.23]).runs)
    assert groups[0].wall.interval is None
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(stats_table(groups, 120))
    assert "3.230-3.230" not in out.getvalue()
    assert any("No interval with fewer than 3 runs" in line for line in warning_lines(groups))
    row = compare(_file([3.23]), _file([6.46]))[0]
    assert row.verdict.startswith("too few runs") and not row.regressed(20)
