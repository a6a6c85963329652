"""concurrency-bench: the harness. This module is the small, curated API for plugin authors:

    from bench import Strategy, Abilities, StrategyOptions, run_sync, run_async, now_ns

- `Strategy`, `Abilities`, `StrategyOptions`, `StrategyAborted`: the one interface every
  executor implements, and what it declares it can do (bench.harness.execution);
- `TaskSpec`, `TaskRecord`, `RunRecord`, `Results`, `RawRecord`: the records (bench.model);
- `RunNotes`: what a strategy's `details()` may note that the tool reads, typed: its own
  warnings among them (bench.notes);
- `run_sync`, `run_async`, `now_ns`: run one task through a collector face and record it, on
  the one clock (bench.harness.recording);
- `load`: read a results.json (bench.results.loader).

Names load on first use, so a process-pool worker that imports one module pays for no others.
"""

from __future__ import annotations

from importlib import import_module

from bench.version import __version__

# Not `typing.TYPE_CHECKING`: importing typing (and with it re) takes long enough under load
# that a Ctrl-C at start-up landed there, before `python -m bench` could take it quietly.
TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers; at run time the names load on first use (below)
    from bench.harness.execution import Abilities, Strategy, StrategyAborted, StrategyOptions
    from bench.harness.recording import now_ns, run_async, run_sync
    from bench.model import RawRecord, Results, RunRecord, TaskRecord, TaskSpec
    from bench.notes import RunNotes
    from bench.results.loader import load


_API = {
    "Strategy": "bench.harness.execution",
    "Abilities": "bench.harness.execution",
    "StrategyOptions": "bench.harness.execution",
    "StrategyAborted": "bench.harness.execution",
    "TaskSpec": "bench.model",
    "TaskRecord": "bench.model",
    "RunRecord": "bench.model",
    "Results": "bench.model",
    "RawRecord": "bench.model",
    "RunNotes": "bench.notes",
    "run_sync": "bench.harness.recording",
    "run_async": "bench.harness.recording",
    "now_ns": "bench.harness.recording",
    "load": "bench.results.loader",
}
__all__ = [
    "Abilities",
    "RawRecord",
    "Results",
    "RunNotes",
    "RunRecord",
    "Strategy",
    "StrategyAborted",
    "StrategyOptions",
    "TaskRecord",
    "TaskSpec",
    "__version__",
    "load",
    "now_ns",
    "run_async",
    "run_sync",
]


def __getattr__(name: str) -> object:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'bench' has no attribute {name!r}")
