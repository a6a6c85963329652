"""The garbage collector while tasks run: on by default, as in the user's program; off only when
asked (`--gc off`, timeit's convention); recorded in the results either way."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from tests import crafted_collectors
from tests.conftest import make_plan, run
from tests.crafted_collectors import GcWitness


@pytest.mark.parametrize("name", ["sequential", "asyncio", "threads"])
@pytest.mark.parametrize("gc_on", [True, False])
def test_the_gc_is_as_asked_inside_the_tasks(name: str, gc_on: bool) -> None:
    crafted_collectors.GC_SEEN.clear()
    record = run(name, make_plan(4, 0.001), workers=2, collector=GcWitness(), gc=gc_on)
    assert [gc_on] * 4 == crafted_collectors.GC_SEEN
    assert record.details["gc"] == ("on" if gc_on else "off")
    assert gc.isenabled()  # and back on afterwards, whatever the run asked for


def test_the_choice_is_recorded_and_validated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.cli.app import main

    assert (
        main(["run", "--strategies", "fake", "--tasks", "2", "--gc", "off", "--out", str(tmp_path)])
        == 0
    )
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["config"]["gc"] == "off" and data["runs"][0]["details"]["gc"] == "off"
    assert "garbage collector was off" in capsys.readouterr().out
    assert main(["run", "--gc", "maybe", "--out", str(tmp_path / "x")]) == 2
    assert "--gc must be on or off" in capsys.readouterr().err
