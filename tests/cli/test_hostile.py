"""Hostile input and a hostile machine: one line and a documented exit code, never a traceback,
and either no results.json or a valid one."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import strategies
from bench.cli.app import main
from bench.results.writer import json_chunks
from tests.samples import sample_results
from tests.terminal import ROOT

BENCH = [sys.executable, "-m", "bench"]


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("bench"), err
    assert "Traceback" not in err
    return err


def _limited(resource_id: int, soft: int) -> Callable[[], None]:
    def limit() -> None:
        _, hard = resource.getrlimit(resource_id)
        resource.setrlimit(resource_id, (soft, hard))

    return limit


def _bench(
    argv: list[str], limit: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BENCH, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        preexec_fn=limit,
        check=False,
    )


@pytest.mark.parametrize(
    "flag", ["--latency", "--latency-scale", "--task-timeout", "--run-timeout"]
)
@pytest.mark.parametrize("value", ["1e308", "1e7"])
def test_every_duration_has_an_upper_bound(
    flag: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", flag, value, "--out", str(tmp_path / "out")])
    assert code == 2
    assert f"{flag} must be at most 1,000,000" in _one_line(capsys.readouterr().err)
    assert not (tmp_path / "out").exists()


def test_tiny_durations_are_fine(tmp_path: Path) -> None:
    code = main(
        [
            "run",
            "--strategies",
            "asyncio,threads",
            "--tasks",
            "2",
            "--latency",
            "1e-308",
            "--task-timeout",
            "5e-324",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    runs = json.loads((tmp_path / "results.json").read_text())["runs"]
    assert all(t["status"] in ("ok", "timeout") for r in runs for t in r["tasks"])


def test_symbols_that_are_not_utf8_are_refused_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    symbols = os.fsdecode(b"A\xffB")  # what argv holds for those bytes
    code = main(["run", "--symbols", symbols, "--out", str(tmp_path / "out")])
    assert code == 2
    assert "symbol 1 is not valid UTF-8" in _one_line(capsys.readouterr().err)
    assert not (tmp_path / "out").exists()


def _special_files(tmp_path: Path) -> dict[str, Path]:
    tmp_path.mkdir()
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    good = json.loads("".join(json_chunks(sample_results())))
    huge = tmp_path / "huge.json"
    good["runs"][0]["wall_seconds"] = 1e300
    huge.write_text(json.dumps(good))
    wide = tmp_path / "wide.json"
    good["runs"][0]["wall_seconds"] = 1.0
    good["runs"][0]["workers"] = 10**30
    wide.write_text(json.dumps(good))
    empty = tmp_path / "empty"
    empty.mkdir()
    return {
        "fifo": fifo,
        "dev-zero": Path("/dev/zero"),
        "folder": empty,
        "deep": deep,
        "1e300": huge,
        "10**30 workers": wide,
    }


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "deep", "1e300", "10**30 workers"])
@pytest.mark.parametrize("command", ["report", "compare"])
def test_only_bounded_regular_results_files_are_read(
    kind: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _special_files(tmp_path / "in")
    target = files[kind]
    argv = ["report", str(target), "--out", str(tmp_path / "out")]
    if command == "compare":
        argv = ["compare", str(target), str(target)]
    assert main(argv) == 3
    _one_line(capsys.readouterr().err)


def test_output_paths_that_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    in_the_way = tmp_path / "busy"
    (in_the_way / "report.html").mkdir(parents=True)
    assert main(["run", "--tasks", "1", "--latency", "0", "--out", str(in_the_way)]) == 4
    assert "report.html is a folder" in _one_line(capsys.readouterr().err)
    assert main(["run", "--out", str(tmp_path / ("x" * 300))]) == 4
    assert "File name too long" in _one_line(capsys.readouterr().err)
    assert main(["run", "--out", ""]) == 2
    assert "--out: must name a folder" in _one_line(capsys.readouterr().err)


def test_a_full_disk_while_saving_is_one_line(tmp_path: Path) -> None:
    """`ulimit -f 8` (8 blocks): the first results.json fits, the report does not."""
    proc = _bench(
        [
            "run",
            "--strategies",
            "asyncio",
            "--tasks",
            "2",
            "--latency",
            "0",
            "--out",
            str(tmp_path),
        ],
        _limited(resource.RLIMIT_FSIZE, 4096),
    )
    assert proc.returncode == 4, proc.stderr
    assert "cannot write" in proc.stderr and "File too large" in proc.stderr
    assert "Traceback" not in proc.stderr
    if (tmp_path / "results.json").exists():
        json.loads((tmp_path / "results.json").read_text())
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_collector_that_does_not_compile_is_the_users_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken_fetch.py").write_text("def fetch(symbol:\n")
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--collector", "broken_fetch:fetch", "--strategies", "threads"])
    assert code == 2
    assert "SyntaxError" in _one_line(capsys.readouterr().err)


@pytest.mark.slow
def test_an_unreachable_or_malformed_scheduler_is_the_users_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not strategies.available("dask"):
        pytest.skip("the dask extra is not installed")
    for address, message in [
        ("tcp://nohost", "must be an address like tcp://HOST:PORT"),
        ("tcp://127.0.0.1:1", "cannot reach the dask scheduler"),
    ]:
        code = main(
            [
                "run",
                "--strategies",
                "dask",
                "--scheduler",
                address,
                "--tasks",
                "1",
                "--out",
                str(tmp_path / address[-4:]),
            ]
        )
        assert code == 2
        assert message in _one_line(capsys.readouterr().err)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("argv", "limit", "message"),
    [
        (
            ["--io", "http", "--strategies", "asyncio,threads", "--workers", "500"],
            _limited(resource.RLIMIT_NOFILE, 64),
            "the limit (ulimit -n) is 64, which fits at most",
        ),
        (
            ["--strategies", "asyncio+processes", "--workers", "20"],
            _limited(resource.RLIMIT_NOFILE, 64),
            "the limit (ulimit -n) is 64",
        ),
        (
            ["--strategies", "threads", "--workers", "5000"],
            _limited(resource.RLIMIT_AS, 500_000 * 1024),
            "can't start new thread",
        ),
    ],
    ids=["http-fds", "hybrid-fds", "threads-memory"],
)
def test_machine_limits_are_one_line_and_exit_4(
    argv: list[str], limit: Callable[[], None], message: str, tmp_path: Path
) -> None:
    proc = _bench(["run", *argv, "--tasks", "500", "--latency", "0", "--out", str(tmp_path)], limit)
    assert proc.returncode == 4, proc.stderr
    assert message in _one_line(proc.stderr)


def test_the_hybrid_has_the_process_cap(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(
        [
            "run",
            "--strategies",
            "asyncio+processes",
            "--workers",
            "300",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert "at most 256 with the asyncio+processes strategy" in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize("where", ["symbol", "thread_name", "error", "strategy", "environment"])
@pytest.mark.parametrize("bad", ["\ud800", "A\x00B", "\x1b[31m"], ids=["surrogate", "nul", "esc"])
def test_results_files_with_unprintable_text_are_refused(
    where: str, bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads("".join(json_chunks(sample_results())))
    if where == "environment":
        doc["environment"]["python"] = bad
    elif where == "strategy":
        doc["runs"][0]["strategy"] = bad
    else:
        doc["runs"][0]["tasks"][0][where] = bad
    path = tmp_path / "results.json"
    path.write_text(json.dumps(doc))  # ensure_ascii: the surrogate travels as \ud800
    assert main(["report", str(path), "--out", str(tmp_path / "out")]) == 3
    assert "not valid text" in _one_line(capsys.readouterr().err)
    assert main(["compare", str(path), str(path)]) == 3


def test_serve_refuses_bad_flags_and_names_them(capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        (["--host", os.fsdecode(b"\xff")], "--host must be a host name"),
        (["--retry-after", "-1"], "--retry-after must be seconds"),
        (["--retry-after", "soon"], "--retry-after must be seconds"),
        (["--faults", "error=2"], "--faults: "),
    ]
    for argv, message in cases:
        assert main(["serve", *argv]) == 2
        assert message in _one_line(capsys.readouterr().err)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_exits_with_the_signal_it_was_stopped_by(signum: signal.Signals) -> None:
    proc = subprocess.Popen(
        [*BENCH, "serve"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    with proc:
        assert proc.stdout is not None and proc.stdout.readline().startswith("serving on")
        proc.send_signal(signum)
        assert proc.wait(timeout=30) == 128 + signum


def test_only_our_own_temp_files_are_cleaned(tmp_path: Path) -> None:
    (tmp_path / ".results.json.abc123.tmp").write_text("left by a killed write")
    (tmp_path / ".notes.tmp").write_text("someone else's")
    assert main(["run", "--strategies", "fake", "--tasks", "1", "--out", str(tmp_path)]) == 0
    assert not (tmp_path / ".results.json.abc123.tmp").exists()
    assert (tmp_path / ".notes.tmp").read_text() == "someone else's"


def test_a_report_that_cannot_render_is_one_line_and_the_results_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ulimit -v` can make numpy's or matplotlib's import fail after the run: exit 4."""
    monkeypatch.setitem(sys.modules, "reports.render", None)  # the import now fails
    code = main(["run", "--strategies", "fake", "--tasks", "2", "--out", str(tmp_path)])
    assert code == 4
    err = capsys.readouterr().err  # the run's progress line, then the one error line
    assert err.splitlines()[-1].startswith("bench: error: cannot render the report")
    assert "Traceback" not in err
    json.loads((tmp_path / "results.json").read_text())
