"""Exit codes, documented in the README; scripts depend on them."""

EXIT_OK = 0  # completed (task errors are data)
# A bug has its own code (sysexits' EX_SOFTWARE), apart from compare's verdict: until 0.1.0's
# CHANGELOG entry both were 1, so a script could not tell a regression from a crash.
EXIT_INTERNAL = 70  # a bug in concurrency-bench (a traceback, please report it)
EXIT_REGRESSION = 1  # bench compare --fail-above: a significant slowdown
EXIT_USAGE = 2  # bad input: nothing ran
EXIT_RESULTS = 3  # an invalid results file
EXIT_ENV = 4  # the machine: unwritable folder, port in use, limits, a missing extra
EXIT_ABORTED = 5  # a strategy aborted; partial results saved
EXIT_SIGINT, EXIT_SIGTERM = 130, 143  # interrupted; what finished is saved
