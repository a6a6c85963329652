"""Repeats, statistics, sweeps and comparison: exact inputs, crafted files, a tiny real grid."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from bench.analysis import knee as sweep
from bench.analysis import repeats, significance
from bench.analysis.compare import compare, differences
from bench.cli.app import main
from bench.model import Results, RunRecord
from bench.results.writer import save
from tests.samples import sample_results


def test_mann_whitney_matches_exact_tables() -> None:
    assert significance.mann_whitney_u([1, 2, 3], [4, 5, 6]) == (0.0, 0.1)
    u, p = significance.mann_whitney_u([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
    assert u == 0 and p == pytest.approx(2 / 252)
    assert significance.mann_whitney_u([1], [2])[1] == 1.0
    _, tied = significance.mann_whitney_u([1, 1, 2, 2], [1, 2, 2, 3])
    assert 0.3 < tied <= 1.0  # ties: the normal approximation, nothing significant here


def test_quantiles_and_bootstrap() -> None:
    assert significance.iqr([1, 2, 3, 4]) == 1.5
    low, high = significance.bootstrap_ci([1.0, 2.0, 3.0, 4.0, 100.0])
    assert low <= 3.0 <= high
    assert (low, high) == significance.bootstrap_ci([1.0, 2.0, 3.0, 4.0, 100.0])  # seeded
    assert significance.bootstrap_ci([5.0]) == (5.0, 5.0)


def test_instability_warnings_follow_pyperf() -> None:
    assert repeats.instability([1.0, 1.01, 0.99]) == []
    assert any("stdev" in w for w in repeats.instability([1.0, 1.5, 0.6]))
    assert any("50% or more" in w for w in repeats.instability([1.0, 1.0, 1.0, 3.0]))
    assert any("shorter than 1 ms" in w for w in repeats.instability([0.0005, 0.0005]))
    assert any("--warmup" in w for w in repeats.instability([2.0, 1.0, 1.0, 1.0]))


def test_rounds_interleave_strategies() -> None:
    order = repeats.interleaved_order(["A", "B", "C"], rounds=2, warmup=1)
    assert order == [
        (-1, "A"),
        (-1, "B"),
        (-1, "C"),
        (0, "A"),
        (0, "B"),
        (0, "C"),
        (1, "A"),
        (1, "B"),
        (1, "C"),
    ]


def test_knee_is_the_fewest_workers_within_5_percent_of_the_best() -> None:
    assert sweep.knee([(1, 8.0), (2, 4.0), (4, 2.0), (8, 1.02), (16, 1.0), (32, 1.01)]) == 8
    assert sweep.knee([(1, 1.0), (2, 1.0)]) == 1
    assert sweep.knee([(1, 3.0), (2, 2.0), (4, 1.0)]) == 4
    assert sweep.knee([]) is None


def _rounds(walls: list[float], strategy: str = "asyncio") -> tuple[RunRecord, ...]:
    template = sample_results().runs[1]
    return tuple(
        dataclasses.replace(template, strategy=strategy, wall_ns=round(w * 1e9), round=i)
        for i, w in enumerate(walls)
    )


def _file(runs: tuple[RunRecord, ...], env: dict[str, object] | None = None) -> Results:
    base = sample_results()
    return Results(env or dict(base.environment), base.config, runs, base.created)


def test_compare_verdicts_on_crafted_files() -> None:
    base = _file(_rounds([2.00, 2.01, 2.02, 2.00, 2.01]))
    slower = compare(base, _file(_rounds([2.40, 2.41, 2.42, 2.40, 2.43])))[0]
    assert slower.verdict == "slower" and slower.ratio == pytest.approx(2.41 / 2.01, rel=1e-3)
    assert slower.low <= slower.ratio <= slower.high and slower.regressed(10)
    assert not slower.regressed(25)
    same = compare(base, _file(_rounds([2.01, 2.00, 2.02, 2.01, 2.00])))[0]
    assert same.verdict == "no clear change" and not same.regressed(0)
    faster = compare(base, _file(_rounds([1.50, 1.51, 1.49, 1.50, 1.52])))[0]
    assert faster.verdict == "faster" and not faster.regressed(0)


def test_compare_names_what_differs_between_machines() -> None:
    a = _file(_rounds([1.0]), {"python": "3.11.7", "cpu_count": 2})
    b = _file(_rounds([1.0]), {"python": "3.12.1", "cpu_count": 2})
    assert differences(a, b) == ["python: '3.11.7' vs '3.12.1'"]


def test_compare_cli_fails_above_the_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save(_file(_rounds([2.00, 2.01, 2.02, 2.00, 2.01])), tmp_path / "a.json")
    save(_file(_rounds([2.40, 2.41, 2.42, 2.40, 2.43])), tmp_path / "b.json")
    assert (
        main(["compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--fail-above", "10"])
        == 1
    )
    assert "regression: asyncio" in capsys.readouterr().out
    assert (
        main(["compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--fail-above", "30"])
        == 0
    )
    assert main(["compare", str(tmp_path / "a.json"), str(tmp_path / "missing.json")]) == 3


def test_group_statistics_and_speedups_per_round() -> None:
    runs = _rounds([12.0, 12.2, 11.8], "sequential") + _rounds([2.0, 2.1, 1.9])
    groups = {g.strategy: g for g in repeats.summarize_groups(runs)}
    aio = groups["asyncio"]
    assert aio.runs == 3 and aio.wall.median == 2.0 and aio.wall.minimum == 1.9
    assert aio.speedup is not None
    assert aio.speedup.median == pytest.approx(12.0 / 2.0)  # each round against its own baseline


@pytest.mark.slow
def test_repeat_and_a_tiny_sweep_end_to_end(tmp_path: Path) -> None:
    out = str(tmp_path / "r")
    code = main(
        [
            "run",
            "--strategies",
            "sequential,asyncio",
            "--tasks",
            "4",
            "--workers",
            "2",
            "--latency",
            "0.01",
            "--repeat",
            "3",
            "--warmup",
            "1",
            "--out",
            out,
        ]
    )
    assert code == 0
    runs = json.loads((tmp_path / "r" / "results.json").read_text())["runs"]
    assert [(r["strategy"], r["round"]) for r in runs] == [
        ("sequential", 0),
        ("asyncio", 0),
        ("sequential", 1),
        ("asyncio", 1),
        ("sequential", 2),
        ("asyncio", 2),
    ]
    assert 'id="statistics-table"' in (tmp_path / "r" / "report.html").read_text()
    code = main(
        [
            "sweep",
            "--strategies",
            "sequential,asyncio,threads",
            "--workers",
            "1,2",
            "--tasks",
            "2,4",
            "--latency",
            "0.01",
            "--out",
            str(tmp_path / "s"),
        ]
    )
    assert code == 0
    data = json.loads((tmp_path / "s" / "results.json").read_text())
    assert data["config"]["sweep"] == {"workers": [1, 2], "tasks": [2, 4], "latency": [0.01]}
    # 2 task counts x (1 sequential + 2 strategies x 2 worker counts)
    assert len(data["runs"]) == 2 * (1 + 2 * 2)
    html = (tmp_path / "s" / "report.html").read_text()
    assert html.count('class="figure sweep"') == 3  # two curves and the heat map
