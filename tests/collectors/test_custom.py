"""--collector: the user's own functions, wrapped with the same recording, refused early where a
strategy cannot run them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.cli.app import main

PAIR = "examples.collectors.fetch:fetch_quote,examples.collectors.fetch:afetch_quote"


def test_a_sync_and_async_pair_runs_under_every_default_strategy(tmp_path: Path) -> None:
    code = main(
        ["run", "--collector", PAIR, "--tasks", "6", "--workers", "3", "--out", str(tmp_path)]
    )
    assert code == 0
    runs = json.loads((tmp_path / "results.json").read_text())["runs"]
    assert [r["strategy"] for r in runs] == ["sequential", "asyncio", "threads", "processes"]
    for r in runs:
        assert all(t["status"] == "ok" for t in r["tasks"])
        # The user's function waited 20 ms itself: no planned latency, so no ideal to compare.
        assert r["ideal_seconds"] == 0 and r["efficiency"] is None
        assert all(t["finished_at"] - t["started_at"] >= 0.02 for t in r["tasks"])


def test_an_async_function_alone_runs_under_asyncio(tmp_path: Path) -> None:
    only_async = "examples.collectors.fetch:afetch_quote"
    code = main(
        [
            "run",
            "--collector",
            only_async,
            "--strategies",
            "asyncio,asyncio-workers",
            "--tasks",
            "4",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0


@pytest.mark.parametrize(
    ("collector", "strategies_", "message"),
    [
        (
            "examples.collectors.fetch:afetch_quote",
            "threads",
            "threads runs the sync face in threads or processes without an event loop",
        ),
        (
            "examples.collectors.fetch:fetch_quote",
            "asyncio",
            "asyncio needs an async function (a sync one would block its event loop)",
        ),
        (
            "examples.collectors.fetch:not_picklable",
            "processes",
            "processes needs a module-level function it can send to another process; got <lambda>",
        ),
        ("examples.collectors.fetch:nothing_here", "threads", "has no attribute 'nothing_here'"),
        ("no_such_module:fn", "threads", "cannot import 'no_such_module'"),
        ("just-a-name", "threads", "expected package.module:function"),
    ],
)
def test_collectors_a_strategy_cannot_run_are_refused_before_the_run(
    collector: str,
    strategies_: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "run",
            "--collector",
            collector,
            "--strategies",
            strategies_,
            "--out",
            str(tmp_path / "out"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()
