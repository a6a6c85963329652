"""The rule that forgives a signal landing in CPython's own start-up forgives only that, and
from our first line on there is nothing to forgive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.early import interpreter_took_it
from tests.terminal import ROOT

RUNPY = """Could not import runpy module
Traceback (most recent call last):
  File "<frozen importlib._bootstrap>", line 1360, in _find_and_load
  File "<frozen importlib._bootstrap_external>", line 1069, in get_code
  File "<frozen importlib._bootstrap_external>", line 729, in _compile_bytecode
KeyboardInterrupt
"""
SITE = "Fatal Python error: init_import_site: Failed to import the site module\nKeyboardInterrupt\n"
# Seen in the signal fuzz test (delay 1.7e-303 s): the interrupt came while CPython set up stdio.
STREAMS = """Fatal Python error: init_sys_streams: can't initialize sys standard streams
Python runtime state: core initialized
Traceback (most recent call last):
  File "<frozen importlib._bootstrap>", line 542, in _init_module_attrs
KeyboardInterrupt
"""
# Seen in CI: the interrupt raised in importlib's callback while runpy imported bench.
DROPPED = """Exception ignored in: <function _get_module_lock.<locals>.cb at 0x7ff92f316fc0>
Traceback (most recent call last):
  File "<frozen importlib._bootstrap>", line 198, in cb
KeyboardInterrupt: \n"""
# Seen with the console script: in the modules Python imports before `main` runs.
SCRIPT_IMPORTS = """Traceback (most recent call last):
  File "/work/main/.venv/bin/bench", line 3, in <module>
    from bench.cli.launch import main
  File "/work/main/bench/__init__.py", line 19, in <module>
    from bench.version import __version__
  File "/work/main/bench/version.py", line 0, in <module>
KeyboardInterrupt
"""
LOADER = """python: failed to set __main__.__loader__
Traceback (most recent call last):
  File "<frozen importlib._bootstrap_external>", line 1097, in __init__
KeyboardInterrupt: \n"""
IN_MAIN = """Traceback (most recent call last):
  File "/work/main/.venv/bin/bench", line 6, in <module>
    sys.exit(main())
  File "/work/main/bench/cli/launch.py", line 30, in main
KeyboardInterrupt
"""
ZIP_CHECK = """Failed checking if argv[0] is an import path entry
Traceback (most recent call last):
  File "<frozen zipimport>", line 75, in __init__
  File "<frozen importlib._bootstrap_external>", line 147, in _path_stat
KeyboardInterrupt
"""
OURS = """Traceback (most recent call last):
  File "/work/main/bench/cli/app.py", line 10, in main
KeyboardInterrupt
"""


def test_start_up_interrupts_are_the_interpreters() -> None:
    assert interpreter_took_it(1, RUNPY, signal.SIGINT)
    assert interpreter_took_it(1, SITE, signal.SIGINT)
    assert interpreter_took_it(1, STREAMS, signal.SIGINT)
    assert interpreter_took_it(-signal.SIGTERM, "", signal.SIGTERM)
    assert interpreter_took_it(0, DROPPED + "sequential: completed ...\n", signal.SIGINT)
    assert interpreter_took_it(-signal.SIGINT, SCRIPT_IMPORTS, signal.SIGINT)
    assert interpreter_took_it(1, LOADER, signal.SIGINT)
    assert interpreter_took_it(0, ZIP_CHECK + "sequential: completed ...\n", signal.SIGINT)
    assert interpreter_took_it(1, "KeyboardInterrupt\n", signal.SIGINT)


def test_our_tracebacks_and_other_codes_are_not() -> None:
    assert not interpreter_took_it(1, OURS, signal.SIGINT)
    assert not interpreter_took_it(1, RUNPY + OURS, signal.SIGINT)
    assert not interpreter_took_it(1, "Traceback ...\nKeyboardInterrupt\n", signal.SIGINT)
    assert not interpreter_took_it(2, RUNPY, signal.SIGINT)
    assert not interpreter_took_it(130, DROPPED + OURS, signal.SIGINT)
    assert not interpreter_took_it(-signal.SIGINT, IN_MAIN, signal.SIGINT)
    assert not interpreter_took_it(130, "bench: error: interrupted\n" + DROPPED, signal.SIGINT)


# Installed in the child through sitecustomize: for each of our modules imported, was an
# interrupt held (blocked) or taken by the harness's handler (which knows about importlib's
# callbacks) at that moment? Python's default handler raising inside an import is what CI saw.
_WATCH = """
import os, signal, sys

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("bench", "strategies", "reports"):
            held = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
            ours = getattr(signal.getsignal(signal.SIGINT), "__module__", "")
            with open(os.environ["WATCH_OUT"], "a") as out:
                out.write(f"{name} {held} {ours}\\n")
        return None

sys.meta_path.insert(0, Watch())
"""


# What Python imports before any line of ours runs (runpy, or the console script's generated
# `from bench.cli.launch import main`): kept to these, each a few lines with no imports.
BEFORE_OUR_FIRST_LINE = {
    "-m bench": {"bench", "bench.version", "bench.__main__"},
    "console script": {"bench", "bench.version", "bench.cli", "bench.cli.launch"},
}


@pytest.mark.parametrize("how", list(BEFORE_OUR_FIRST_LINE))
def test_every_module_of_ours_imports_with_interrupts_held_or_handled(
    tmp_path: Path, how: str
) -> None:
    (tmp_path / "sitecustomize.py").write_text(_WATCH)
    out = tmp_path / "watch.txt"
    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path, "WATCH_OUT": str(out)}
    script = Path(sys.executable).parent / "bench"
    start = [sys.executable, "-m", "bench"] if how == "-m bench" else [str(script)]
    subprocess.run([*start, "list"], env=env, cwd=ROOT, check=True, capture_output=True)
    rows = [line.split(" ") for line in out.read_text().splitlines()]
    assert len(rows) > 20  # the CLI's imports were seen
    handled = "bench.harness.interrupts"
    bare = {name for name, held, ours in rows if held != "True" and ours != handled}
    assert bare == BEFORE_OUR_FIRST_LINE[how]
