"""Exit codes: their one definition. docs/reference/exit-codes.md is generated from MEANINGS
(bench.cli.reference; a test fails when it is stale), and scripts depend on them."""

from typing import Final

EXIT_OK = 0
EXIT_REGRESSION = 1
EXIT_USAGE = 2
EXIT_RESULTS = 3
EXIT_ENV = 4
EXIT_ABORTED = 5
# A bug has its own code (sysexits' EX_SOFTWARE), apart from compare's verdict: until 0.2.0
# both were 1, so a script could not tell a regression from a crash.
EXIT_INTERNAL = 70
EXIT_SIGINT, EXIT_SIGTERM = 130, 143

MEANINGS: Final = (
    (EXIT_OK, "completed (task errors are data, recorded per task)"),
    (EXIT_REGRESSION, "`bench compare --fail-above`: a significant slowdown, and nothing else"),
    (
        EXIT_USAGE,
        "bad input, one line naming the flag and what it allows; nothing runs (an unreachable "
        "`--scheduler` is found only when dask starts: what ran before is kept). Also a strategy "
        "this Python cannot run (`subinterpreters` before 3.13), a `--latency-from` file that "
        "cannot be used (the line names its row or entry), and a `--base-url` that is not a URL "
        "with `{symbol}` or not loopback without `--allow-remote`",
    ),
    (
        EXIT_RESULTS,
        "an invalid results file (`bench report`, `bench compare`), or a path to one that "
        "cannot be read (a name over 255 bytes)",
    ),
    (
        EXIT_ENV,
        "the machine: an output folder not writable or in use by another `bench`, a full disk, "
        "an export with no reader (a FIFO nobody reads within 2 s, a closed stdout), workers "
        "beyond the file-descriptor or process limit, workers that could not start, a strategy "
        "whose optional extra is not installed (the line gives the install command)",
    ),
    (
        EXIT_ABORTED,
        "a strategy aborted (a worker process died, `--run-timeout`); partial results saved",
    ),
    (
        EXIT_INTERNAL,
        "a bug in concurrency-bench: its traceback, then one line asking for a report (1 before "
        "0.2.0)",
    ),
    (
        EXIT_SIGINT,
        "interrupted by SIGINT (Ctrl-C); what finished is saved (`bench demo`: the chapters "
        "that finished)",
    ),
    (
        EXIT_SIGTERM,
        "terminated by SIGTERM; what finished is saved (`bench demo`: the chapters that finished)",
    ),
)
