"""The console script's entry: an interrupt that arrives while the CLI is still importing (the
first few hundred ms) ends the command with one line, like one that arrives later."""

from __future__ import annotations

import signal
import sys


class Terminated(KeyboardInterrupt):
    """SIGTERM, taken down the same graceful path as Ctrl-C."""


def on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def main() -> None:
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        from bench.cli import entry
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        sys.stderr.write(f"bench: error: {'terminated' if terminated else 'interrupted'}\n")
        raise SystemExit(143 if terminated else 130) from None
    entry()
