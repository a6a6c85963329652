"""Exit codes, documented in the README; scripts depend on them."""

EXIT_OK = 0  # completed (task errors are data)
EXIT_INTERNAL = 1  # a bug in concurrency-bench
EXIT_REGRESSION = 1  # bench compare --fail-above: a significant slowdown
EXIT_USAGE = 2  # bad input: nothing ran
EXIT_RESULTS = 3  # an invalid results file
EXIT_ENV = 4  # the machine: unwritable folder, port in use, limits, a missing extra
EXIT_ABORTED = 5  # a strategy aborted; partial results saved
EXIT_SIGINT, EXIT_SIGTERM = 130, 143  # interrupted; what finished is saved
