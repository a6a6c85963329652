"""`make models`: the README's "which model for which job" table, measured here and now.

Runs `bench run` four times over every built-in strategy available here (I/O-bound, CPU-bound
and mixed work, then zero-latency tasks for the per-task cost), reads the results files, and
prints one Markdown table, every figure computed from the records. Anyone can rerun it:

    make models                       # the sizes below, about two minutes on 2 cores; writes the
                                      # dated table into docs/measurements/models.md
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
from bench.model import RunRecord
from bench.results.loader import load
from reports.words import plural
from tests.perf.pages import dated, write_into

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Job:
    name: str  # a column group of the table
    flags: str  # `bench run` flags beyond --strategies and --out, as typed

    @property
    def argv(self) -> tuple[str, ...]:
        return tuple(self.flags.split())


FULL = (
    Job("io", "--tasks 200 --workers 20 --latency 0.05"),
    Job("cpu", "--workload cpu --tasks 8 --workers 2 --cpu-work 400000"),
    Job("mixed", "--workload mixed --tasks 24 --workers 4 --latency 0.05 --cpu-work 100000"),
    Job("overhead", "--tasks 2000 --workers 20 --latency 0"),
)
SMALL = (
    Job("io", "--tasks 8 --workers 4 --latency 0.02"),
    Job("cpu", "--workload cpu --tasks 2 --workers 2 --cpu-work 5000"),
    Job("mixed", "--workload mixed --tasks 4 --workers 2 --latency 0.02 --cpu-work 5000"),
    Job("overhead", "--tasks 40 --workers 4 --latency 0"),
)
HEADER = (
    "| model | where the I/O run's tasks ran | I/O-bound: efficiency | CPU-bound: speed-up | "
    "mixed: speed-up | memory above sequential (per worker) | start-up | cost per task |\n"
    "|---|---|---|---|---|---|---|---|"
)


def _bench(names: Sequence[str], flags: Sequence[str], target: Path) -> list[RunRecord]:
    argv = [sys.executable, "-m", "bench", "run", "-q", "--strategies", ",".join(names)]
    command = [*argv, *flags, "--out", str(target)]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return list(load(target / "results.json").runs)


def run_all(
    jobs: Sequence[Job], names: Sequence[str], folder: Path
) -> tuple[dict[str, list[RunSummary]], dict[str, float]]:
    """Each job over every strategy in one `bench run` (interleaved, as users run it); then
    the I/O job once more per strategy, each in a fresh process, for its memory: in one
    process a run's peak also holds what the strategies before it imported."""
    out = {}
    for job in jobs:
        out[job.name] = summarize_all(_bench(names, job.argv, folder / job.name))
    memory = {}
    for name in names:
        (run,) = _bench([name], jobs[0].argv, folder / f"memory-{name}")
        memory[name] = _memory_bytes(run)
    return out, memory


def _memory_bytes(run: RunRecord) -> float:
    """The run's peak: the harness's, plus its workers' (their proportional share where the
    strategy measured it, so pages shared between processes count once)."""
    shared = run.details.get("workers_pss_bytes")
    workers = shared if isinstance(shared, int) and shared > 0 else run.children.peak_rss_bytes
    return float(run.parent.peak_rss_bytes + workers)


def _by_name(summaries: Sequence[RunSummary]) -> dict[str, RunSummary]:
    return {s.strategy: s for s in summaries}


def _ratio(value: float | None, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.2f}{suffix}"


def _where(run: RunSummary) -> str:
    if run.pids > 1:
        return f"{run.pids} processes"
    return plural(run.threads, "OS thread") + (", 1 process" if run.threads > 1 else "")


def _memory(name: str, memory: dict[str, float], workers: int) -> str:
    extra = max(memory[name] - memory["sequential"], 0.0) / 2**20
    return f"{extra:.1f} MiB ({extra / max(workers, 1):.2f})"


def row(name: str, runs: dict[str, dict[str, RunSummary]], memory: dict[str, float]) -> str:
    io, cpu, mixed, cost = (runs[k][name] for k in ("io", "cpu", "mixed", "overhead"))
    cells = [
        name,
        _where(io),
        _ratio(io.efficiency),
        _ratio(cpu.speedup, "x"),
        _ratio(mixed.speedup, "x"),
        _memory(name, memory, io.workers),
        f"{io.startup_s * 1e3:.1f} ms",
        f"{cost.wall_s / max(cost.tasks, 1) * 1e6:.0f} us",
    ]
    return "| " + " | ".join(cells) + " |"


def table(
    runs: dict[str, list[RunSummary]], memory: dict[str, float], missing: dict[str, str]
) -> str:
    named = {job: _by_name(summaries) for job, summaries in runs.items()}
    lines = [HEADER, *(row(name, named, memory) for name in named["io"])]
    lines += [f"| {name} | not available here: {why} |||||||" for name, why in missing.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--out", type=Path, help="keep the runs here (default: a temp folder)")
    parser.add_argument("--strategies", help="comma-separated (default: every built-in one)")
    parser.add_argument("--write", type=Path, help="also write the dated table into this page")
    args = parser.parse_args(argv)
    wanted = args.strategies.split(",") if args.strategies else list(strategies.BUILTIN)
    if "sequential" not in wanted:
        wanted.insert(0, "sequential")  # the baseline of speed-ups and memory
    names = [n for n in wanted if strategies.available(n)]
    missing = {n: str(strategies.unavailable(n)) for n in wanted if not strategies.available(n)}
    with tempfile.TemporaryDirectory() as scratch:
        runs, memory = run_all(SMALL if args.small else FULL, names, args.out or Path(scratch))
        print(table(runs, memory, missing))
    if args.write:
        text = dated(table(runs, memory, missing), "make models", "one run each")
        write_into(args.write, text, "make models")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
