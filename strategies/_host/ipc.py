"""What crossing to another process or interpreter cost a task, noted one way for every strategy
that sends tasks away (processes, subinterpreters): the bytes pickled each way (typed notes the
tables read, bench.notes) and the time spent pickling, over the tasks sampled."""

from __future__ import annotations

from collections.abc import Mapping

from bench.notes import RunNotes


def ipc_notes(ipc: Mapping[str, int], round_trips: int, **back_ns: int) -> dict[str, object]:
    """`ipc`: the sampled totals (tasks, out_bytes, in_bytes, out_ns); `back_ns`: the strategy's
    own timings of the way back, noted as ipc_<name>_us_per_task."""
    sampled = max(ipc["tasks"], 1)
    bytes_each_way = RunNotes.note(
        ipc_bytes_out_per_task=round(ipc["out_bytes"] / sampled, 1),
        ipc_bytes_in_per_task=round(ipc["in_bytes"] / sampled, 1),
    )
    return {
        "ipc_round_trips": round_trips,
        "ipc_sampled_tasks": ipc["tasks"],
        **bytes_each_way,
        "ipc_pickle_us_per_task": round(ipc["out_ns"] / sampled / 1e3, 2),
        **{f"ipc_{name}_us_per_task": round(ns / sampled / 1e3, 2) for name, ns in back_ns.items()},
    }
