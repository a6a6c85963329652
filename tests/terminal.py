"""Run a command the way a person does: in a pseudo-terminal of a given size, TERM=xterm-256color.

The suite otherwise runs the CLI with stdout on a pipe, where rich draws no live display at all;
rich 15 crashed `bench run` only on a terminal, and nothing noticed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = [sys.executable, "-m", "bench"]
# What a CI runner sets and a person's terminal does not: they would switch the live views off.
_NOT_A_PERSON = ("CI", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "PYTEST_CURRENT_TEST")
_CSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]")


@dataclass(frozen=True)
class Session:
    code: int
    raw: str  # everything the terminal received, escape sequences included

    @property
    def text(self) -> str:
        """What a person reads: escape sequences removed, carriage returns as line breaks."""
        return _CSI.sub("", self.raw).replace("\r\n", "\n").replace("\r", "\n")

    @property
    def redrew(self) -> bool:
        """A live display redraws in place: it moves the cursor up and erases lines."""
        return "\x1b[1A" in self.raw and "\x1b[2K" in self.raw


def run_in_pty(
    argv: Sequence[str], cols: int, rows: int, timeout: float = 120, cwd: Path = ROOT
) -> Session:
    """Run `argv` with stdin, stdout and stderr on a new pty of cols x rows; collect its output."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in _NOT_A_PERSON}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(
        list(argv),
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=cwd,
        env=env,
        start_new_session=True,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # EIO: every process holding the terminal has closed it
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        else:
            raise TimeoutError(f"{argv} did not finish within {timeout} s")
        return Session(proc.wait(timeout=10), b"".join(chunks).decode("utf-8", "replace"))
    finally:
        os.close(leader)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def widest_line(text: str) -> int:
    """The widest line other than those naming a file (a long path may wrap; a table must not)."""
    lines = [line.rstrip() for line in text.splitlines() if os.sep not in line]
    return max(map(len, lines), default=0)
