"""--latency-from: your own latencies replayed, seeded and scaled; bad files refused by row."""

from __future__ import annotations

import hashlib
import json
import math
import random
from pathlib import Path

import pytest

from bench.cli.app import main
from bench.cli.latency_file import load_latencies
from bench.errors import UsageError
from bench.workload import LatencyModel, Scenario, symbols_for


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_of_seconds_with_or_without_a_header(tmp_path: Path) -> None:
    plain = write(tmp_path, "a.csv", "0.1\n0.2\n\n# a comment\n0.3\n")
    assert load_latencies(plain)[0] == [0.1, 0.2, 0.3]
    named = write(tmp_path, "b.csv", "when,status,latency_ms\n1,200,120\n2,200,80.5\n")
    samples, source = load_latencies(named)
    assert samples == pytest.approx([0.12, 0.0805])
    assert source["column"] == "latency_ms" and source["format"] == "csv"
    single = write(tmp_path, "c.csv", "rtt\n0.5\n")
    assert load_latencies(single)[0] == [0.5]


def test_a_json_list_and_a_har_files_entries(tmp_path: Path) -> None:
    assert load_latencies(write(tmp_path, "a.json", "[0.1, 2, 0.25]"))[0] == [0.1, 2.0, 0.25]
    har = {
        "log": {
            "entries": [
                {"time": 150.0, "timings": {"send": 1, "wait": 120.0, "receive": 4}},
                {"time": 90.0, "timings": {"wait": -1}},  # -1: not applicable, fall back
                {"time": 30},
            ]
        }
    }
    samples, source = load_latencies(write(tmp_path, "x.har", json.dumps(har)))
    assert samples == pytest.approx([0.12, 0.09, 0.03])
    assert source["format"] == "har" and source["count"] == 3


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.csv", "0.1\n0.2\nabc\n", "row 3: 'abc' is not a number"),
        ("a.csv", "latency\n0.1\n-2\n", "row 3: '-2' is not a finite latency >= 0"),
        ("a.csv", "0.1\nnan\n", "row 2: 'nan' is not a finite latency"),
        ("a.csv", "when,status\n1,2\n", "row 1: no latency column among when, status"),
        ("a.csv", "when,latency\n1,0.2\n2\n", "row 3: no column 2"),
        ("a.csv", "# nothing\n\n", "holds no latencies"),
        ("a.csv", "0.1\n2e7\n", "row 2: '2e7' is more than 1,000,000 s"),
        ("a.json", "[0.1, true]", "item 2: True is not a number"),
        ("a.json", "[0.1, ", "is not valid JSON"),
        ("a.json", '{"a": 1}', "expected a JSON list of seconds or a HAR file"),
        ("a.har", '{"log": {"entries": [{"time": 1}, {}]}}', "entry 2: neither timings.wait"),
        ("a.har", '{"log": {"entries": [{"time": "x"}]}}', "entry 1: 'x' is not a number"),
    ],
)
def test_a_bad_file_names_the_row(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load_latencies(write(tmp_path, name, text))


def test_a_bad_file_is_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.csv", "0.1\n0.2\nabc\n")
    for argv in (
        ["run", "--latency-from", str(bad)],
        ["run", "--latency-from", str(tmp_path / "missing.csv")],
        ["run", "--latency-from", str(write(tmp_path, "bin.csv", "")), "--latency-dist", "normal"],
        ["sweep", "--latency-from", str(bad), "--latency", "0.1,0.2"],
    ):
        assert main([*argv, "--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--latency-from" in err, err
    (tmp_path / "raw.csv").write_bytes(b"0.1\n\xff\n")
    assert main(["run", "--latency-from", str(tmp_path / "raw.csv")]) == 2
    assert "is not UTF-8" in capsys.readouterr().err


def test_the_replayed_quantiles_match_the_files_within_sampling_error() -> None:
    """20,000 draws from a long-tailed file of 2,000 rows: at each of the file's quantiles, the
    share of draws at or below it is the quantile's level within 4 binomial standard errors."""
    rng = random.Random(3)
    rows = sorted(rng.lognormvariate(math.log(0.08), 0.9) for _ in range(2000))
    model = LatencyModel.empirical(rows, {"file": "x"})
    draws = 20_000
    plan = Scenario(symbols_for(draws), model, seed=11).plan()
    seconds = [spec.latency_ns / 1e9 for spec in plan]
    for level in (0.1, 0.5, 0.9, 0.99):
        edge = rows[math.ceil(level * len(rows)) - 1]
        share = sum(x <= edge + 1e-9 for x in seconds) / draws
        tolerance = 4 * math.sqrt(level * (1 - level) / draws) + 1 / len(rows)
        assert abs(share - level) <= tolerance, (level, share)


def test_the_replay_is_seeded_and_scaled() -> None:
    model = LatencyModel.empirical([0.1, 0.2, 0.3, 0.4], {})
    one = Scenario(symbols_for(50), model, seed=5).plan()
    assert one == Scenario(symbols_for(50), model, seed=5).plan()
    assert one != Scenario(symbols_for(50), model, seed=6).plan()
    halved = LatencyModel.empirical([0.1, 0.2, 0.3, 0.4], {}, scale=0.5)
    scaled = Scenario(symbols_for(50), halved, seed=5).plan()
    assert [s.latency_ns for s in scaled] == [round(s.latency_ns / 2) for s in one]
    assert {s.latency_ns for s in one} <= {100_000_000, 200_000_000, 300_000_000, 400_000_000}


def test_results_record_where_the_latencies_came_from_not_the_data(tmp_path: Path) -> None:
    data = write(tmp_path, "mine.csv", "latency_ms\n" + "\n".join(str(10 + i) for i in range(40)))
    out = tmp_path / "out"
    argv = ["run", "--strategies", "asyncio", "--tasks", "8", "--latency-from", str(data)]
    assert main([*argv, "--latency-scale", "0.1", "--out", str(out), "-q"]) == 0
    config = json.loads((out / "results.json").read_text())["config"]
    assert config["latency_dist"] == "empirical"
    assert config["latency_source"] == {
        "file": "mine.csv",
        "format": "csv",
        "sha256": hashlib.sha256(data.read_bytes()).hexdigest(),
        "count": 40,
        "column": "latency_ms",
    }
    assert config["latency_seconds"] == pytest.approx(0.0295)  # the file's mean, before scaling
