"""The output folder: chosen, created and proven writable before anything runs (fail fast)."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from bench.limits import UsageError

RESULTS_ROOT = Path("results")


class EnvironmentProblem(Exception):
    """The machine, not the input, is wrong (unwritable folder, port in use): exit 4."""


def new_run_folder(root: Path = RESULTS_ROOT) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder, n = root / stamp, 1
    while folder.exists():
        n += 1
        folder = root / f"{stamp}-{n}"
    return folder


def prepare(out: Path | None, force: bool) -> Path:
    folder = out if out is not None else new_run_folder()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out: {folder} exists and is not a folder")
    if (folder / "results.json").exists() and not force:
        raise UsageError(
            f"--out: {folder / 'results.json'} already exists; pass --force to replace it"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write to {folder}: {exc.strerror or exc}") from None
    for stale in folder.glob(".*.tmp"):  # left by a run killed mid-write (SIGKILL, power loss)
        stale.unlink(missing_ok=True)
    return folder
