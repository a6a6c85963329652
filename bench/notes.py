"""A run's notes, typed: what the strategies and the harness record in a run's `details` that
other modules read (the warnings, the IPC accounting, which run is the baseline).

`details` stays a free-form mapping in the file (its keys are part of results.json, and a
strategy may note anything else there); the notes below are its keys of the same names, written
through `RunNotes.note(...)` and read through `RunRecord.notes`, so a name is spelt once. A note
that is absent or of another type (an older or hand-edited file) reads as its default.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RunNotes:
    # The event loop the tasks ran on, and its version ("asyncio", "uvloop 0.21.0", "trio ...",
    # "gevent ..."); None: no event loop (threads, processes).
    loop: str | None = None
    # The event loop's heartbeat (asyncio strategies): how often it was held, how many of those
    # by CPU work on its thread, and the longest hold.
    loop_blocked: int = 0
    loop_blocked_busy: int = 0
    loop_longest_block_seconds: float | None = None
    # Workers that died and were replaced, each told in one sentence (dask).
    worker_deaths: tuple[str, ...] = ()
    # Threads given up on past --task-timeout, and those still running at the end.
    abandoned_threads: int = 0
    leaked_threads: int = 0
    # Bytes pickled to and from another process or interpreter a task (sampled).
    ipc_bytes_out_per_task: float | None = None
    ipc_bytes_in_per_task: float | None = None
    # The run speed-ups are measured against (the strategy's abilities.baseline). None: a file
    # from before this note, where the sequential strategy was the baseline.
    baseline: bool | None = None
    # Anything else a strategy (a plugin too) wants said about its run: one sentence each,
    # printed as "warning: STRATEGY: SENTENCE" on the terminal and beside the run in the report.
    warnings: tuple[str, ...] = ()

    @classmethod
    def read(cls, details: Mapping[str, object]) -> RunNotes:
        found: dict[str, Any] = {}
        for note in dataclasses.fields(cls):
            value = _typed(details.get(note.name), str(note.type))
            if value is not None:
                found[note.name] = value
        return cls(**found)

    @classmethod
    def note(cls, **given: Any) -> dict[str, object]:
        """The notes given, as `details` keys (a sequence as a list): a zero is noted too (the
        watch ran and saw nothing), a note not given is not. A name that is not a note fails
        here, where it is written, rather than read as absent; so does a value of another type
        (it would be read back as the default, and a warning would vanish without a word)."""
        kinds = {note.name: str(note.type) for note in dataclasses.fields(cls)}
        for name, value in given.items():
            if name not in kinds:
                raise TypeError(f"{name!r} is not a run note; notes: {', '.join(kinds)}")
            if value is not None and _typed(value, kinds[name]) is None:
                raise TypeError(f"run note {name}: expected {kinds[name]}, got {value!r}")
        return {name: list(v) if isinstance(v, tuple) else v for name, v in given.items()}


def _typed(value: object, kind: str) -> object:
    """`value` as the note's kind (its annotation: bool, int, float, str, tuple), or None where it
    is not one (true is not a count, as JSON's booleans are ints to Python)."""
    if kind.startswith("bool"):
        return value if isinstance(value, bool) else None
    if isinstance(value, bool):
        return None
    if kind.startswith("int"):
        return value if isinstance(value, int) else None
    if kind.startswith("float"):
        return _finite(value)
    if kind.startswith("str"):
        return value if isinstance(value, str) else None
    if kind.startswith("tuple") and isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    return None


def _finite(value: object) -> float | None:
    """A finite number, or None: a hand-edited file may hold 1e999 digits' worth of integer
    (float() overflows) or NaN."""
    if not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None
