"""The rule that forgives a signal landing in CPython's own start-up forgives only that."""

from __future__ import annotations

import signal

from tests.early import interpreter_took_it

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
OURS = """Traceback (most recent call last):
  File "/work/main/bench/cli/app.py", line 10, in main
KeyboardInterrupt
"""


def test_start_up_interrupts_are_the_interpreters() -> None:
    assert interpreter_took_it(1, RUNPY, signal.SIGINT)
    assert interpreter_took_it(1, SITE, signal.SIGINT)
    assert interpreter_took_it(1, STREAMS, signal.SIGINT)
    assert interpreter_took_it(-signal.SIGTERM, "", signal.SIGTERM)


def test_our_tracebacks_and_other_codes_are_not() -> None:
    assert not interpreter_took_it(1, OURS, signal.SIGINT)
    assert not interpreter_took_it(1, RUNPY + OURS, signal.SIGINT)
    assert not interpreter_took_it(1, "Traceback ...\nKeyboardInterrupt\n", signal.SIGINT)
    assert not interpreter_took_it(2, RUNPY, signal.SIGINT)
