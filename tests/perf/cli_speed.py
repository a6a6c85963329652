"""The command line's quick answers timed as whole processes, hyperfine's way: each command is
started as a user starts it (the console script), WARMUP times unmeasured (the page cache and
the .pyc files warm), then RUNS times; the wall from spawn to exit, min and median. The cases
take turns (every case once a round, RUNS rounds), so a shared machine's drift falls on all of
them alike; the interpreter's own start-up is timed beside them as the floor.

Python's bytecode cache is on, as for anyone who installed the package (pip compiles it at
install; a checkout writes __pycache__ on its first run), in a folder of the measurement's own
(PYTHONPYCACHEPREFIX): an environment that sets PYTHONDONTWRITEBYTECODE, as this VM's does,
would otherwise compile every module of ours from source on every start (`--as-is` keeps it).

The CPU time the process used (user + system) is given beside the wall: on a shared machine
the wall grows with the load, the CPU time much less, so it says what the command itself costs.

    python -m tests.perf.cli_speed [--runs N] [--pythonpath DIR]   # the table; DIR: another
                                                                   # checkout's code, timed here
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

RUNS = 20
WARMUP = 3
COMPLETING = "bench run --io h"  # a Tab after a flag's first letters: the parser, then the answer


@dataclass(frozen=True)
class Case:
    label: str
    argv: tuple[str, ...]
    target_s: float | None  # issue #30's; None: shown beside the others, no target
    completion: bool = False


BENCH = str(Path(sys.executable).parent / "bench")
CASES = (
    Case("python -c pass (the floor)", (sys.executable, "-c", "pass"), None),
    Case("bench --version", (BENCH, "--version"), 0.150),
    Case("bench --help", (BENCH, "--help"), 0.150),
    Case(f"completion ({COMPLETING}<Tab>)", (BENCH,), 0.150, completion=True),
    Case("bench run --help", (BENCH, "run", "--help"), None),
    Case("bench list", (BENCH, "list"), 0.300),
)


@dataclass(frozen=True)
class Timing:
    case: Case
    seconds: tuple[float, ...]
    cpu_seconds: tuple[float, ...]

    @property
    def min_s(self) -> float:
        return min(self.seconds)

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median_s(self) -> float:
        return statistics.median(self.cpu_seconds)

    def spread(self) -> str:
        return (
            f"min {self.min_s * 1e3:.0f} ms, CPU median {self.cpu_median_s * 1e3:.0f} ms, "
            f"{len(self.seconds)} runs"
        )

    def text(self) -> str:
        return f"{self.case.label}: median {self.median_s * 1e3:.0f} ms ({self.spread()})"


def _env(case: Case, folder: Path, pythonpath: str | None, as_is: bool) -> dict[str, str]:
    env = dict(os.environ)
    if not as_is:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    if case.completion:  # what bash's completion function sets (bench completion bash)
        env.update(
            _ARGCOMPLETE="1",
            _ARGCOMPLETE_IFS="\v",
            COMP_LINE=COMPLETING,
            COMP_POINT=str(len(COMPLETING)),
            _ARGCOMPLETE_STDOUT_FILENAME=str(folder / "completions.txt"),
        )
    return env


def _cpu_of_children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _once(case: Case, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run (the CPU: what the children reaped meanwhile used)."""
    cpu = _cpu_of_children()
    begin = time.perf_counter()
    done = subprocess.run(case.argv, env=env, capture_output=True, timeout=60, check=False)
    seconds = time.perf_counter() - begin
    assert done.returncode == 0, (case.label, done.stderr[-2000:])
    return seconds, _cpu_of_children() - cpu


def measure(
    runs: int = RUNS,
    warmup: int = WARMUP,
    pythonpath: str | None = None,
    folder: Path = Path(),
    as_is: bool = False,
) -> list[Timing]:
    """Every case, `runs` rounds after `warmup`; `folder` receives the completion's answer and
    the bytecode cache (`as_is`: the environment's bytecode setting kept)."""
    answer = folder / "completions.txt"
    envs = [_env(case, folder, pythonpath, as_is) for case in CASES]
    walls: list[list[float]] = [[] for _ in CASES]
    cpus: list[list[float]] = [[] for _ in CASES]
    for round_ in range(warmup + runs):
        for i, case in enumerate(CASES):
            wall, cpu = _once(case, envs[i])
            if round_ >= warmup:
                walls[i].append(wall)
                cpus[i].append(cpu)
    assert "http" in answer.read_text().split()  # the completion answered, and rightly
    return [Timing(case, tuple(w), tuple(c)) for case, w, c in zip(CASES, walls, cpus, strict=True)]


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--pythonpath", help="time this checkout's code (e.g. an older one)")
    parser.add_argument("--as-is", action="store_true", help="keep PYTHONDONTWRITEBYTECODE")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        for timing in measure(args.runs, WARMUP, args.pythonpath, Path(folder), args.as_is):
            target = timing.case.target_s
            print(timing.text() + ("" if target is None else f" (target {target * 1e3:.0f} ms)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
