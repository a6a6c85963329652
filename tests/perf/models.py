"""`make models`: the README's "which model for which job" table, measured here and now.

Runs `bench run` four times over every built-in strategy available here (I/O-bound, CPU-bound
and mixed work, then zero-latency tasks for the per-task cost), reads the results files, and
prints one Markdown table, every figure computed from the records. Anyone can rerun it:

    make models                       # the sizes below, about two minutes on 2 cores
    python -m tests.perf.models --small --out DIR   # tiny sizes (the smoke test)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import strategies
from bench.analysis.stats import RunSummary, summarize_all
from bench.results.loader import load
from reports.words import plural

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Job:
    name: str  # a column group of the table
    argv: tuple[str, ...]  # `bench run` flags beyond --strategies and --out


FULL = (
    Job("io", ("--tasks", "200", "--workers", "20", "--latency", "0.05")),
    Job("cpu", ("--workload", "cpu", "--tasks", "8", "--workers", "2", "--cpu-work", "400000")),
    Job(
        "mixed",
        (
            "--workload",
            "mixed",
            "--tasks",
            "24",
            "--workers",
            "4",
            "--latency",
            "0.05",
            "--cpu-work",
            "100000",
        ),
    ),
    Job("overhead", ("--tasks", "2000", "--workers", "20", "--latency", "0")),
)
SMALL = (
    Job("io", ("--tasks", "8", "--workers", "4", "--latency", "0.02")),
    Job("cpu", ("--workload", "cpu", "--tasks", "2", "--workers", "2", "--cpu-work", "5000")),
    Job(
        "mixed",
        (
            "--workload",
            "mixed",
            "--tasks",
            "4",
            "--workers",
            "2",
            "--latency",
            "0.02",
            "--cpu-work",
            "5000",
        ),
    ),
    Job("overhead", ("--tasks", "40", "--workers", "4", "--latency", "0")),
)
HEADER = (
    "| model | where the I/O run's tasks ran | I/O-bound: efficiency | CPU-bound: speed-up | "
    "mixed: speed-up | extra memory per worker | start-up | cost per task |\n"
    "|---|---|---|---|---|---|---|---|"
)


def run_all(jobs: Sequence[Job], names: Sequence[str], folder: Path) -> dict[str, list[RunSummary]]:
    """Each job over every strategy in one `bench run` (interleaved, as users run it)."""
    out = {}
    for job in jobs:
        target = folder / job.name
        argv = [sys.executable, "-m", "bench", "run", "-q", "--strategies", ",".join(names)]
        command = [*argv, *job.argv, "--out", str(target)]
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        out[job.name] = summarize_all(load(target / "results.json").runs)
    return out


def _by_name(summaries: Sequence[RunSummary]) -> dict[str, RunSummary]:
    return {s.strategy: s for s in summaries}


def _ratio(value: float | None, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.2f}{suffix}"


def _where(run: RunSummary) -> str:
    if run.pids > 1:
        return f"{run.pids} processes"
    return plural(run.threads, "OS thread") + (", 1 process" if run.threads > 1 else "")


def _memory(run: RunSummary, baseline: RunSummary) -> str:
    extra = (run.peak_rss_bytes - baseline.peak_rss_bytes) / max(run.workers, 1)
    return f"{max(extra, 0) / 2**20:.1f} MiB"


def row(name: str, runs: dict[str, dict[str, RunSummary]]) -> str:
    io, cpu, mixed, cost = (runs[k][name] for k in ("io", "cpu", "mixed", "overhead"))
    baseline = runs["io"]["sequential"]
    cells = [
        name,
        _where(io),
        _ratio(io.efficiency),
        _ratio(cpu.speedup, "x"),
        _ratio(mixed.speedup, "x"),
        _memory(io, baseline),
        f"{io.startup_s * 1e3:.1f} ms",
        f"{cost.wall_s / max(cost.tasks, 1) * 1e6:.0f} us",
    ]
    return "| " + " | ".join(cells) + " |"


def table(runs: dict[str, list[RunSummary]], missing: dict[str, str]) -> str:
    named = {job: _by_name(summaries) for job, summaries in runs.items()}
    lines = [HEADER, *(row(name, named) for name in named["io"])]
    lines += [f"| {name} | not available here: {why} |||||||" for name, why in missing.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--out", type=Path, help="keep the runs here (default: a temp folder)")
    parser.add_argument("--strategies", help="comma-separated (default: every built-in one)")
    args = parser.parse_args(argv)
    wanted = args.strategies.split(",") if args.strategies else list(strategies.BUILTIN)
    if "sequential" not in wanted:
        wanted.insert(0, "sequential")  # the baseline of speed-ups and memory
    names = [n for n in wanted if strategies.available(n)]
    missing = {n: str(strategies.unavailable(n)) for n in wanted if not strategies.available(n)}
    with tempfile.TemporaryDirectory() as scratch:
        runs = run_all(SMALL if args.small else FULL, names, args.out or Path(scratch))
        print(table(runs, missing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
