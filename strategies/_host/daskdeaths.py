"""Which Dask workers died during a run, and how, from the nannies' own log lines.

A LocalCluster's nannies live in the harness's process; when a worker process dies they log
"Worker process 4711 was killed by signal 15" (at INFO, which the cluster keeps quiet) and start
a new one, and the scheduler runs the lost tasks again elsewhere. This handler collects those
lines so the run can say which worker died and how.
"""

from __future__ import annotations

import logging
import re
from types import TracebackType

from strategies._host.procpool import describe_exit

_DEATH = re.compile(
    r"Worker process (\d+) (?:was killed by signal (\d+)|exited with status (\d+)|"
    r"was killed by unknown signal)"
)


class WorkerDeaths(logging.Handler):
    """A context manager: collects deaths logged by distributed.nanny while it is active."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.deaths: list[str] = []
        self._logger = logging.getLogger("distributed.nanny")
        self._level = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        match = _DEATH.match(record.getMessage())
        if match is None:
            return
        pid, signum, status = match.groups()
        code = -int(signum) if signum else int(status) if status else None
        how = describe_exit(code) if code is not None else "was killed by an unknown signal"
        self.deaths.append(f"worker pid {pid} {how}")

    def __enter__(self) -> WorkerDeaths:
        self._logger.addHandler(self)
        self._logger.setLevel(logging.INFO)  # the cluster's stream handlers still print ERROR+
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)
