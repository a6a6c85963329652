"""The console script's entry: SIGINT and SIGTERM are blocked first, held while the harness's
handlers go in (a few ms), then let through, so an interrupt that arrives while the CLI is still
starting ends the command with one line, like one that arrives later. Raised before that, a
KeyboardInterrupt could land inside importlib's own callbacks, where Python prints it as
"Exception ignored" with a traceback and carries on. (Only the interpreter's own start-up, the
first 20 ms or so, comes before any of our code can run.)"""

from __future__ import annotations

# The C half of `signal`, loaded with the interpreter: `signal` itself imports enum first (1-2 ms
# in which an interrupt would be raised, not held).
import _signal  # type: ignore[import-not-found]  # no stubs
import os
import sys


def _fill_closed_std_fds() -> None:
    """A standard descriptor closed at start (`>&-`) is given /dev/null: otherwise the next file
    opened (the folder's lock, a results temp file) takes its number, and whatever a worker
    process writes to "stdout" lands in that file."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            filler = os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one
            os.set_inheritable(filler, True)


def main() -> None:
    try:
        _signal.pthread_sigmask(_signal.SIG_BLOCK, {_signal.SIGINT, _signal.SIGTERM})
        _fill_closed_std_fds()
        if sys.argv[1:] == ["--version"]:
            _version()
            return
        from bench.harness import interrupts

        interrupts.install()
        from bench.cli.app import entry

        interrupts.at_exit_now(_remove_unfinished)
    except KeyboardInterrupt as exc:
        _interrupted(exc)
    entry()


def _remove_unfinished() -> None:
    # Temp files exist only if the writer was imported: a command that never writes (--help,
    # list, a Tab of completion) does not import it (nor its 15-20 ms of modules) to find none.
    writer = sys.modules.get("bench.results.writer")
    if writer is not None:
        writer.remove_unfinished()


def _version() -> None:
    # Answered before the CLI is imported (its parser alone is 40-60 ms of modules): a version
    # check, as a script or a shell's completion setup makes it, costs what the interpreter does.
    from bench.version import __version__

    # Nothing left to hold them for: a Ctrl-C meanwhile (or during a write a full pipe holds up)
    # ends it with one line and 130, a SIGTERM by Python's default, instead of being lost.
    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, {_signal.SIGINT, _signal.SIGTERM})
    if sys.stdout is None:  # started with it closed (`>&-`): nowhere to answer
        sys.stderr.write("bench: error: --version: stdout is closed\n")
        sys.exit(4)
    sys.stdout.write(f"concurrency-bench {__version__}\n")


def _interrupted(exc: KeyboardInterrupt) -> None:
    # The same Ctrl-C often arrives twice (a wrapper passes its copy on): a second one raised
    # inside this write would end in a traceback.
    for signum in (_signal.SIGINT, _signal.SIGTERM):
        _signal.signal(signum, _signal.SIG_IGN)
    terminated = type(exc).__name__ == "Terminated"
    sys.stderr.write(f"bench: error: {'terminated' if terminated else 'interrupted'}\n")
    sys.stderr.flush()
    # Nothing to clean up yet (only imports ran), and an exit through the interpreter's
    # finalisation can turn a half-imported, interrupted start into a death by SIGINT.
    os._exit(143 if terminated else 130)
