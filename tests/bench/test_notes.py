"""A run's typed notes (bench.notes): written by name once, read typed, and tolerant of files
that predate a note or hold the wrong type in it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bench.analysis.notices import run_warnings
from bench.notes import RunNotes
from tests.samples import large_results

ROOT = Path(__file__).resolve().parents[2]


def test_notes_written_are_read_back_typed() -> None:
    details = RunNotes.note(
        loop_blocked=2,
        loop_blocked_busy=1,
        loop_longest_block_seconds=0.25,
        worker_deaths=("worker 1 died",),
        ipc_bytes_out_per_task=120,
        baseline=True,
        warnings=("the pool was resized",),
    )
    assert details["worker_deaths"] == ["worker 1 died"]  # JSON's list
    notes = RunNotes.read(details)
    assert notes == RunNotes(
        loop_blocked=2,
        loop_blocked_busy=1,
        loop_longest_block_seconds=0.25,
        worker_deaths=("worker 1 died",),
        ipc_bytes_out_per_task=120.0,
        baseline=True,
        warnings=("the pool was resized",),
    )
    assert RunNotes.read(RunNotes.note(loop="uvloop 0.21.0")).loop == "uvloop 0.21.0"
    assert isinstance(notes.ipc_bytes_out_per_task, float)


def test_a_zero_is_noted_and_a_note_not_given_is_not() -> None:
    assert RunNotes.note(loop_blocked=0) == {"loop_blocked": 0}


def test_a_misspelt_or_mistyped_note_fails_where_it_is_written() -> None:
    with pytest.raises(TypeError, match="not a run note"):
        RunNotes.note(loop_blockd=1)
    with pytest.raises(TypeError, match="run note warnings: expected tuple"):
        RunNotes.note(warnings="one sentence, not a tuple")
    with pytest.raises(TypeError, match="run note loop_blocked"):
        RunNotes.note(loop_blocked=True)


@pytest.mark.parametrize(
    "details",
    [
        {},  # a file from before the notes
        {"loop_blocked": True, "baseline": 1, "warnings": "one sentence, not a list"},
        {"loop_blocked": "3", "ipc_bytes_in_per_task": None, "worker_deaths": {"a": 1}},
        {"ipc_bytes_out_per_task": 10**400, "loop_longest_block_seconds": float("nan")},
    ],
)
def test_absent_or_mistyped_notes_read_as_their_defaults(details: dict[str, object]) -> None:
    assert RunNotes.read(details) == RunNotes()


def test_a_strategys_own_warnings_are_said_like_the_tools() -> None:
    run = large_results(10, workers=2).runs[0]
    details = {**run.details, **RunNotes.note(warnings=("its pool was resized twice",))}
    lines = run_warnings(dataclasses.replace(run, details=details))
    assert lines == [f"warning: {run.strategy}: its pool was resized twice"]


def test_each_note_is_spelt_once_in_the_code() -> None:
    """Every note is written through RunNotes.note and read through RunRecord.notes: no module
    reads one from `details` by its key (or asks whether it is there), and none spells a note's
    own name as a string (the common words, loop, baseline and warnings, name other things too:
    only their reads are checked)."""
    names = [f.name for f in dataclasses.fields(RunNotes)]
    own = [name for name in names if "_" in name]
    spelt = re.compile(
        r"details(?:\.get\(|\[)\s*[\"'](" + "|".join(names) + r")[\"']"
        r"|[\"'](" + "|".join(names) + r")[\"']\s+(?:not\s+)?in\s+[\w.]*details"
        r"|[\"'](" + "|".join(own) + r")[\"']"
    )
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for package in ("bench", "strategies", "reports")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.name != "notes.py"
        for match in spelt.finditer(path.read_text())
    ]
    assert found == []
