"""Two things that keep a million tasks' figures affordable: each run's derived figures computed
once (`once`), and the step curve of tasks in flight sorted in numpy (`step_arrays`, numpy
imported only when it is called)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")
B = TypeVar("B")

# Figures derived from a run, kept for the last few runs asked about: the writer, the terminal
# tables, the answers and the HTML report each asked again, and at a million tasks one pass
# costs seconds. Keyed by identity (a record is immutable), holding the run so its id cannot be
# reused while the entry lives.
_KEPT = 32
_memo: dict[tuple[str, int, int], tuple[object, object, Any]] = {}


def once(what: str, run: R, baseline: B, compute: Callable[[R, B], T]) -> T:
    """compute(run, baseline), or what it gave for these two objects last time. `run` may be
    any immutable value (a run, a tuple of its tasks)."""
    key = (what, id(run), id(baseline))
    kept = _memo.get(key)
    if kept is not None and kept[0] is run and kept[1] is baseline:
        return cast(T, kept[2])
    value = compute(run, baseline)
    if len(_memo) >= _KEPT:
        del _memo[next(iter(_memo))]
    _memo[key] = (run, baseline, value)
    return value


def step_arrays(spans: Sequence[tuple[int, int]]) -> tuple[Any, Any]:
    """(times, levels): stats.step_curve of the spans' starts (+1) and finishes (-1) as two
    numpy arrays, from one numpy sort (a million tasks' two million tuples took seconds to sort
    in Python). The same order: by time, a finish before a start (a hand-over)."""
    import numpy as np

    flat = np.fromiter(itertools.chain.from_iterable(spans), np.int64, 2 * len(spans))
    return edges_curve(flat[0::2], flat[1::2])


def edges_curve(starts: Any, ends: Any) -> tuple[Any, Any]:
    """step_arrays from the starts and the ends as two numpy arrays."""
    import numpy as np

    times = np.concatenate([starts, ends])
    if not len(times):  # no task ran (a run interrupted during start-up): an empty curve
        return times.astype(np.int64), times.astype(np.int64)
    changes = np.repeat(np.array([1, -1], np.int64), len(starts))
    order = np.lexsort((changes, times))
    times, levels = times[order], np.cumsum(changes[order])
    last = np.append(times[1:] != times[:-1], True)  # one step per instant: its final level
    return times[last], levels[last]
