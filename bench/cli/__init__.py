"""The command line: the only package that prints, picks exit codes, and knows both the
strategies and the reports. May import everything.

`main` and `entry` load on first use: the console script (bench.cli.launch) must install its
signal handlers before anything heavy is imported.
"""

from __future__ import annotations

# No `typing` here (it imports re): everything this module imports runs before the console
# script's first line can hold a signal.
__all__ = ["entry", "main"]
TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers (`from bench.cli import main` is typed); loaded below
    from bench.cli.app import entry, main


def __getattr__(name: str) -> object:
    if name in __all__:
        from bench.cli import app

        return getattr(app, name)
    raise AttributeError(f"module 'bench.cli' has no attribute {name!r}")
