"""A signal sent to `python -m bench` or the `bench` script at its very start can land in the
interpreter's own start-up (site, runpy, the modules Python imports before our first line:
tests/test_early.py pins which), before any line of ours can hold it."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

# A frame of our code, except the module bodies Python runs before our first line (runpy's
# `import bench`, the console script's `from bench.cli.launch import main`).
_FIRST = r"bench/(?:__init__|version|cli/__init__|cli/launch|__main__)\.py\", line \d+, in <module>"
_OUR_FRAME = re.compile(rf'File "[^"]*/(?!{_FIRST})(?:bench|strategies|reports)/')


# What CPython prints when a KeyboardInterrupt ends its own start-up: while it sets up stdio
# ("Fatal Python error: init_sys_streams"), in site ("... init_import_site"), or while `-m`
# imports runpy ("Could not import runpy module").
# Or while it sets __main__'s loader for a script ("failed to set __main__.__loader__").
_START_UP = (
    "init_sys_streams",
    "init_import_site",
    "Could not import runpy module",
    "failed to set __main__.__loader__",
)


# What CPython prints when the interrupt lands in its own start-up code that reports and carries
# on (importlib's module-lock callback while runpy imports bench, before bench/__main__.py's
# first line; or checking whether a script's path is a zip): it drops the interrupt, and the
# command runs as if it never came. Only frozen frames.
_DROPPED = re.compile(
    r"\A(?:Exception ignored in: <function _get_module_lock\.<locals>\.cb at 0x[0-9a-f]+>"
    r"|Failed checking if argv\[0\] is an import path entry)\n"
    r"Traceback \(most recent call last\):\n"
    r'(?:  File "<frozen [\w.]+>", line \d+, in \w+\n)+'
    r"KeyboardInterrupt:? ?\n"
)


def interpreter_took_it(code: int, err: str, signum: int) -> bool:
    """Python's own default ended the process (killed by the signal, or exit 1 from an
    interrupted start-up), or dropped the interrupt, and none of our code was running: there
    was no run to save and nothing of ours to be quiet about."""
    if _OUR_FRAME.search(err):
        return False
    if code == -signum or _DROPPED.match(err):
        return True
    # A bare "KeyboardInterrupt" with no frame at all: raised where Python had no Python frame.
    started = err == "KeyboardInterrupt\n" or any(marker in err for marker in _START_UP)
    return code == 1 and started and "KeyboardInterrupt" in err


def signalled(
    argv: Sequence[str], signum: int, delay: float, times: int, timeout: float, cwd: Path
) -> tuple[int, str]:
    """Start `argv` in a group of its own, send `signum` to the whole group `times` times after
    `delay` s (as a terminal's Ctrl-C goes to its foreground group), and wait: the exit code and
    what it printed on stderr. `timeout` is generous: a run here takes seconds, a hang forever."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    with proc:
        time.sleep(delay)
        for _ in range(times):
            try:
                os.killpg(proc.pid, signum)
            except ProcessLookupError:
                break  # it had already finished
        code = proc.wait(timeout=timeout)
        assert proc.stderr is not None
        return code, proc.stderr.read()
