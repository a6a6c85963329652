"""The output folder: chosen, created, locked and proven writable before anything runs.

One `bench` command at a time per folder: an exclusive lock (flock) on `.bench.lock` inside it
is held until the process exits, so a second run into the same `--out` is refused instead of
mixing its files with the first one's or removing its temp files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Final

from bench.errors import EnvironmentProblem, UsageError

RESULTS_ROOT = Path("results")
LOCK_NAME: Final = ".bench.lock"
OUTPUTS: Final = (
    "results.json",
    "tasks.parquet",
    "tasks.csv",
    "report.html",
    "trace.json",
    "demo.json",
    "demo.html",
)
_held: dict[Path, int] = {}  # folder -> its lock's descriptor, open (and locked) until exit


def new_run_folder(root: Path = RESULTS_ROOT) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder, n = root / stamp, 1
    while folder.exists():
        n += 1
        folder = root / f"{stamp}-{n}"
    return folder


def prepare(out: Path | None, force: bool) -> Path:
    folder = out if out is not None else new_run_folder()
    try:
        return _prepare(folder, force)
    except OSError as exc:  # a path too long, a component that is a file, permissions, ...
        raise EnvironmentProblem(f"cannot write to {folder}: {exc.strerror or exc}") from None


def _prepare(folder: Path, force: bool) -> Path:
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out: {folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    _lock(folder)
    for name in OUTPUTS:
        if (folder / name).is_dir():
            raise EnvironmentProblem(f"--out: {folder / name} is a folder; it would be replaced")
    if (folder / "results.json").exists() and not force:
        raise UsageError(
            f"--out: {folder / 'results.json'} already exists; pass --force to replace it"
        )
    fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-")
    os.close(fd)
    os.unlink(probe)
    for name in OUTPUTS:  # temp files of ours left by a killed write (SIGKILL, power loss)
        for stale in folder.glob(f".{name}.*.tmp"):
            stale.unlink(missing_ok=True)
    return folder


def _lock(folder: Path) -> None:
    if folder.resolve() in _held:
        return  # this process holds it already (a report right after a run, in one process)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner = 0
        with contextlib.suppress(OSError, ValueError):
            owner = int(os.pread(fd, 32, 0).decode().strip() or 0)
        os.close(fd)
        who = f" (pid {owner})" if owner else ""
        raise EnvironmentProblem(
            f"--out: another bench command is writing to {folder}{who}; wait for it or choose "
            "another --out"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _held[folder.resolve()] = fd


LATEST: Final = "latest"


def mark_latest(folder: Path, root: Path = RESULTS_ROOT) -> str | None:
    """Point `results/latest` at `folder` (a run under `results/`): a relative symlink, replaced
    atomically; where links are impossible, a small file holding the folder's name. Returns why
    `latest` was not updated, when it was not (for the CLI to say once), or None."""
    folder = folder.resolve()
    if folder.parent != root.resolve():
        return None  # --out elsewhere: results/latest keeps naming the newest default run
    link, temp = root / LATEST, root / f".{LATEST}.{os.getpid()}.tmp"
    if link.is_dir() and not link.is_symlink():  # a real folder of the user's: leave it alone
        return f"{link} is a folder, not bench's link: left alone, so it does not name this run"
    try:
        temp.unlink(missing_ok=True)
        try:
            temp.symlink_to(folder.name, target_is_directory=True)
        except OSError:
            temp.write_text(folder.name + "\n")
        os.replace(temp, link)
    except OSError as exc:  # a convenience: never the reason a run fails
        temp.unlink(missing_ok=True)
        return f"{link} was not updated: {exc.strerror or exc}"
    return None


def resolve_latest(path: Path, root: Path = RESULTS_ROOT) -> Path:
    """`latest` on the command line (or results/latest, link or file) -> the folder it names."""
    if path == Path(LATEST) and not path.exists():
        path = root / LATEST
    if path.name == LATEST and path.is_file():
        return path.parent / path.read_text().strip()
    return path
