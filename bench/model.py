"""Immutable, validated records: the plan, one task's record, one strategy run, the whole result.

Times are integer nanoseconds inside the model (relative to the run's start for task records) and
become float seconds only at the edges (results file, reports). Every statistic is derived from
these records by `bench.stats`; nothing derived is stored here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, NamedTuple

from bench.notes import RunNotes

TaskStatus = Literal["ok", "error", "timeout", "cancelled", "not_run"]
RunStatus = Literal["completed", "aborted", "interrupted"]

TASK_STATUSES: Final = ("ok", "error", "timeout", "cancelled", "not_run")
MAX_WORKERS: Final = 100_000  # the most workers any run may have (flags and files alike)
RUN_STATUSES: Final = ("completed", "aborted", "interrupted")

# Metadata (`details`, `environment`, `config`): JSON-able values, checked when the file is written.
Meta = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One unit of planned work: collect data for `symbol`, waiting `latency_ns`; `fault` is an
    injected failure mode (see bench.faults) or None."""

    index: int
    symbol: str
    latency_ns: int
    fault: str | None = None
    cpu_work: int = 0  # price points whose factors the task computes after its I/O (0: none)
    cpu_ns: int = 0  # the CPU part's expected cost, measured once before the runs

    def __post_init__(self) -> None:
        if self.index < 0:
            raise ValueError(f"task index must be >= 0, got {self.index}")
        if self.latency_ns < 0:
            raise ValueError(f"latency must be >= 0 ns, got {self.latency_ns}")


class Phase(NamedTuple):
    """One phase of a task (the hybrid's I/O and CPU parts): where and when it ran."""

    name: str
    started_ns: int
    finished_ns: int
    pid: int
    thread_id: int


class RawRecord(NamedTuple):
    """What a worker hands back for one task, built on the hot path and pickled across
    processes: times are raw `now_ns()` readings; `TaskRecord.from_raw` checks it and makes the
    times relative to the run's start. A new per-task field goes here (with a default, so no
    producer has to change: every producer names its fields, and recording.record_ended takes
    the defaults from here), in `TaskRecord`, and in `bench.results.fields`."""

    task_index: int  # (not `index`: a tuple has an index method)
    status: TaskStatus  # checked by TaskRecord
    queued_ns: int
    started_ns: int
    finished_ns: int
    pid: int
    thread_id: int
    thread_name: str
    task_name: str | None
    error: str | None
    phases: tuple[Phase, ...] = ()  # strategies that run a task in phases (the hybrid)
    attempts: int = 0  # HTTP collectors: requests made, retries included
    http_status: int | None = None  # HTTP collectors: the final response's status
    retried: tuple[int, ...] = ()  # HTTP collectors: the status of each attempt retried
    interpreter_id: int | None = None  # subinterpreters: the worker interpreter that ran it


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """What happened to one task. Times are ns from the run's start; None where it never ran."""

    index: int
    symbol: str
    status: TaskStatus
    latency_ns: int
    queued_ns: int | None
    started_ns: int | None
    finished_ns: int | None
    pid: int | None
    thread_id: int | None
    thread_name: str | None
    task_name: str | None
    error: str | None
    cpu_ns: int = 0  # planned CPU cost (see TaskSpec), for the core-aware ideal
    phases: tuple[Phase, ...] = ()  # times relative to the run's start, like the others
    attempts: int = 0  # HTTP collectors: requests made, retries included (0: not HTTP)
    http_status: int | None = None  # HTTP collectors: the final response's status
    retried: tuple[int, ...] = ()  # HTTP: the status of each attempt retried (0: dropped)
    # Subinterpreters: which interpreter of the process ran it (None: the main one, or unknown)
    interpreter_id: int | None = None

    def __post_init__(self) -> None:
        if self.status not in TASK_STATUSES:
            raise ValueError(f"task status must be one of {TASK_STATUSES}, got {self.status!r}")
        if self.status == "not_run":
            return
        q, s, f = self.queued_ns, self.started_ns, self.finished_ns
        if q is None or s is None or f is None:
            raise ValueError(f"task {self.index} ({self.status}) needs queued, started, finished")
        if not q <= s <= f:
            raise ValueError(
                f"task {self.index}: need queued <= started <= finished, got {q}, {s}, {f}"
            )

    @property
    def ran(self) -> bool:
        return self.started_ns is not None and self.finished_ns is not None

    @property
    def duration_ns(self) -> int:
        if self.started_ns is None or self.finished_ns is None:
            return 0
        return self.finished_ns - self.started_ns

    @property
    def queue_wait_ns(self) -> int:
        if self.queued_ns is None or self.started_ns is None:
            return 0
        return self.started_ns - self.queued_ns

    @classmethod
    def from_raw(cls, raw: RawRecord, spec: TaskSpec, t0_ns: int) -> TaskRecord:
        return cls(
            index=raw.task_index,
            symbol=spec.symbol,
            status=raw.status,  # validated in __post_init__ (a worker's record is data)
            latency_ns=spec.latency_ns,
            queued_ns=raw.queued_ns - t0_ns,
            started_ns=raw.started_ns - t0_ns,
            finished_ns=raw.finished_ns - t0_ns,
            pid=raw.pid,
            thread_id=raw.thread_id,
            thread_name=raw.thread_name,
            task_name=raw.task_name,
            error=raw.error,
            cpu_ns=spec.cpu_ns,
            phases=tuple(Phase(n, a - t0_ns, b - t0_ns, p, t) for n, a, b, p, t in raw.phases),
            attempts=raw.attempts,
            http_status=raw.http_status,
            retried=tuple(raw.retried),
            interpreter_id=raw.interpreter_id,
        )

    @classmethod
    def not_run(cls, spec: TaskSpec, status: TaskStatus = "not_run") -> TaskRecord:
        return cls(
            spec.index,
            spec.symbol,
            status,
            spec.latency_ns,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            spec.cpu_ns,
        )


@dataclass(frozen=True, slots=True)
class Usage:
    """CPU time, peak memory and context switches of a process (or a group of them)."""

    user_s: float = 0.0
    system_s: float = 0.0
    peak_rss_bytes: int = 0
    voluntary_switches: int = 0
    involuntary_switches: int = 0

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.system_s

    def since(self, earlier: Usage) -> Usage:
        """What one process spent between an earlier reading and this one (its peak memory is
        this reading's: a peak is not a difference)."""
        return Usage(
            max(self.user_s - earlier.user_s, 0.0),
            max(self.system_s - earlier.system_s, 0.0),
            self.peak_rss_bytes,
            self.voluntary_switches - earlier.voluntary_switches,
            self.involuntary_switches - earlier.involuntary_switches,
        )

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.user_s + other.user_s,
            self.system_s + other.system_s,
            self.peak_rss_bytes + other.peak_rss_bytes,
            self.voluntary_switches + other.voluntary_switches,
            self.involuntary_switches + other.involuntary_switches,
        )


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One strategy run over the whole plan."""

    strategy: str
    workers: int
    status: RunStatus
    wall_ns: int
    startup_ns: int
    tasks: tuple[TaskRecord, ...]
    parent: Usage = field(default_factory=Usage)
    children: Usage = field(default_factory=Usage)
    details: Meta = field(default_factory=dict)
    reason: str | None = None
    cores: int = 0  # usable CPUs, which bound CPU work in the ideal time (0: not a limit)
    round: int = 0  # which repetition (--repeat), counted from 0
    # The mock API server's own CPU while this run went on (--io http; None otherwise): a
    # server busy all the wall, not the strategy, may have set the pace.
    server: Usage | None = None

    @property
    def notes(self) -> RunNotes:
        """The notes of `details` other modules read, typed (bench.notes)."""
        return RunNotes.read(self.details)

    def __post_init__(self) -> None:
        if self.status not in RUN_STATUSES:
            raise ValueError(f"run status must be one of {RUN_STATUSES}, got {self.status!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
        if self.wall_ns < 0 or self.startup_ns < 0:
            raise ValueError("wall and startup times must be >= 0")
        indexes = [t.index for t in self.tasks]
        if indexes != sorted(set(indexes)):
            raise ValueError(f"run {self.strategy}: task indexes must be unique and sorted")


@dataclass(frozen=True, slots=True)
class Results:
    """Everything one `bench run` produced: what ran, where, and how it went."""

    environment: Meta
    config: Meta
    runs: tuple[RunRecord, ...]
    created: str = ""
