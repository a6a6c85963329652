"""A signal sent to `python -m bench` at its very start can land in the interpreter's own
start-up (site, runpy, compiling bench/__init__), before any handler of ours exists."""

from __future__ import annotations

import re

# A frame of our code, past the package's own first lines (which run before `python -m bench`
# can install anything: bench/__init__ is imported first).
_OUR_FRAME = re.compile(r'File "[^"]*/(?:bench/(?!__init__\.py)|strategies/|reports/)')


# What CPython prints when a KeyboardInterrupt ends its own start-up: while it sets up stdio
# ("Fatal Python error: init_sys_streams"), in site ("... init_import_site"), or while `-m`
# imports runpy ("Could not import runpy module").
_START_UP = ("init_sys_streams", "init_import_site", "Could not import runpy module")


def interpreter_took_it(code: int, err: str, signum: int) -> bool:
    """Python's own default ended the process (killed by the signal, or exit 1 from an
    interrupted start-up), and none of our code was running: there was no run to save and
    nothing of ours to be quiet about."""
    if _OUR_FRAME.search(err):
        return False
    if code == -signum:
        return True
    started = any(marker in err for marker in _START_UP)
    return code == 1 and started and "KeyboardInterrupt" in err
