"""The warnings a run's own records raise, in one place: the terminal prints them to stderr as
the run ends, and the HTML report shows them beside that run, in the same words."""

from __future__ import annotations

from bench.model import RunRecord
from bench.notes import RunNotes

# Fewer tasks than this cannot hold a loop by their steps alone: a task's creation and first
# step took 5-25 us here (asyncio, 1,000 to 100,000 tasks), so 1,000 take at most about 25 ms of
# CPU, a fifth of the 125 ms a heartbeat span needs to be called busy (strategies.aio: its first
# 100 ms, then a quarter of a lag of at least 100 ms). Below it, tasks are not offered as a cause.
MANY_TASKS = 1_000


def loop_warning(strategy: str, notes: RunNotes, tasks: int) -> str:
    """How the event loop was held, from its heartbeat: waiting in a call, or busy computing.
    Every number is the run's own: its blocks, the longest, its tasks."""
    blocked, busy = notes.loop_blocked, notes.loop_blocked_busy
    times = "once" if blocked == 1 else f"{blocked} times"
    head = f"warning: {strategy}: the event loop was blocked {times}"
    if notes.loop_longest_block_seconds is not None:  # an older or hand-edited file may lack it
        head += f" (longest {notes.loop_longest_block_seconds} s)"
    waited = "a blocking call inside a coroutine serialises every task"
    computed = "CPU work on its thread: a CPU-bound call inside a coroutine"
    if tasks >= MANY_TASKS:
        computed += f", or very many tasks' steps back to back (this run had {tasks:,} tasks)"
    if busy == 0:
        return f"{head}: {waited}"
    if busy == blocked:
        return f"{head} by {computed}"
    return f"{head}: {blocked - busy} waiting in a call ({waited}), {busy} by {computed}"


def run_warnings(run: RunRecord) -> list[str]:
    """Every warning about `run`, each a line starting "warning: {strategy}: "."""
    lines, notes = [], run.notes
    if notes.loop_blocked > 0:
        lines.append(loop_warning(run.strategy, notes, len(run.tasks)))
    for death in notes.worker_deaths:
        lines.append(
            f"warning: {run.strategy}: {death}; dask started a new worker and ran its tasks again"
        )
    abandoned, leaked = notes.abandoned_threads, notes.leaked_threads
    if abandoned > 0:
        still = f"{leaked} still running at the end (leaked)" if leaked else "none still running"
        lines.append(
            f"warning: {run.strategy}: gave up on {abandoned} "
            f"{'thread' if abandoned == 1 else 'threads'} past --task-timeout (a thread cannot "
            f"be killed; a new one took each one's place); {still}"
        )
    lines += [f"warning: {run.strategy}: {sentence}" for sentence in notes.warnings]
    return lines
