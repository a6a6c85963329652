"""The dask strategy on loopback: a LocalCluster of its own, and an existing cluster by address."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterator

import pytest

from bench.analysis import stats
from tests.conftest import make_plan, run

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")


@contextlib.contextmanager
def _port_taken(port: int) -> Iterator[None]:
    """Another dask's dashboard (or anything) already listening on the port."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
        except OSError:
            pass  # taken already: the same situation
        yield


def test_tasks_run_in_dask_worker_processes_and_threads() -> None:
    # 8787 is dask's dashboard port: with it taken, distributed would warn, and warnings are
    # errors; the cluster's HTTP server must bind a free port on loopback instead.
    with _port_taken(8787):
        record = run("dask", make_plan(8, 0.1), workers=4)
    assert record.status == "completed"
    pids = stats.distinct_pids(record.tasks)
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert len(stats.lanes(record.tasks)) == 4  # 2 processes x 2 threads on this 2-core machine
    assert all(t.thread_name and t.thread_name.startswith("tcp://127.0.0.1:") for t in record.tasks)
    assert record.details["clock_aligned"] is False  # one machine: one clock
    assert record.startup_ns > 0


def test_an_existing_cluster_by_address_with_clocks_aligned() -> None:
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    ) as cluster:
        record = run("dask", make_plan(4, 0.05), workers=2, scheduler=cluster.scheduler_address)
    assert record.status == "completed"
    assert record.details["clock_aligned"] is True
    offsets = record.details["clock_offsets_us"]
    assert isinstance(offsets, dict) and len(offsets) == 1
    # Same machine underneath: the measured offset is within the round trip, far below 50 ms.
    assert all(abs(v) < 50_000 for v in offsets.values())
    assert all(t.status == "ok" for t in record.tasks)
