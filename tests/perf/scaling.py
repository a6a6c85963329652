"""`make perf`'s scaling case (issue #30): the same command at 1k, 10k, 100k and 1M tasks.

Two measurements per scale, each in a fresh process:
- the whole command, `bench run --strategies asyncio-workers --tasks N --latency 0 --workers
  1000`, timed from outside, its peak RSS read by a parent that ran nothing else, and the bytes
  a task of what it saved (results.json + tasks.parquet);
- its stages one by one (`python -m tests.perf.scaling N FOLDER`, this module): the run, the
  save, the HTML report, the trace and the terminal summary, each timed, with the process's peak
  RSS during it (VmHWM, reset before each stage through /proc/self/clear_refs).
The table prints each figure per task, so a cost that grows faster than the task count shows.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STAGES = ("run", "save", "report", "trace", "summary")
COMMAND = ["run", "--strategies", "asyncio-workers", "--latency", "0", "--workers", "1000"]


def _peak_mib() -> float:
    """This process's peak RSS since the last reset, then reset it (Linux)."""
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    return kib / 1024


def _timed(fn: Callable[[], Any], out: dict[str, Any], name: str) -> Any:
    begin = time.perf_counter()
    value = fn()
    out[name] = {"seconds": time.perf_counter() - begin, "peak_mib": _peak_mib()}
    return value


def stages(count: int, folder: Path) -> dict[str, Any]:
    """Each stage of the command, in this process, as the CLI does them."""
    from rich.console import Console

    import strategies
    from bench.cli.output import print_summary
    from bench.collectors.base import SleepCollector
    from bench.harness.execution import StrategyOptions
    from bench.harness.runner import run_strategy
    from bench.model import Results
    from bench.results.writer import save, write_atomic
    from reports.answers import answers
    from reports.html import render_html
    from reports.trace import trace_chunks
    from tests.perf.cases import plan

    out: dict[str, Any] = {}
    _peak_mib()
    specs = plan(count, 0.0)
    options = StrategyOptions(1000, SleepCollector())
    run = _timed(
        lambda: run_strategy(strategies.get("asyncio-workers"), specs, options), out, "run"
    )
    results = Results({}, {"tasks": count}, (run,), "")
    _timed(lambda: save(results, folder / "results.json"), out, "save")
    html = _timed(lambda: render_html(results), out, "report")
    write_atomic(folder / "report.html", html)
    out["html_bytes"] = len(html.encode())
    _timed(lambda: write_atomic(folder / "trace.json", trace_chunks(results)), out, "trace")
    out["trace_bytes"] = (folder / "trace.json").stat().st_size
    console = Console(file=io.StringIO(), width=100)

    def summary() -> list[str]:
        print_summary(results, console)
        return answers(results)

    _timed(summary, out, "summary")
    return out


@dataclass(frozen=True)
class Scale:
    tasks: int
    command_s: float
    command_peak_mib: float
    bytes_per_task: float  # results.json + tasks.parquet (or results.json alone, inline)
    stages: dict[str, Any]


_PEAK_OF = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], check=True, capture_output=True, timeout=900); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)"
)


def measure(count: int, tmp: Path) -> Scale:
    """The whole command, then its stages, each in a fresh process."""
    whole, parts = tmp / f"command-{count}", tmp / f"stages-{count}"
    parts.mkdir(parents=True)
    argv = [sys.executable, "-m", "bench", *COMMAND, "--tasks", str(count), "--out", str(whole)]
    begin = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_OF, *argv, "-q"],
        check=True,
        capture_output=True,
        text=True,
        timeout=960,
    )
    seconds = time.perf_counter() - begin
    saved = sum(
        p.stat().st_size for p in whole.glob("*") if p.name in ("results.json", "tasks.parquet")
    )
    script = [sys.executable, "-m", "tests.perf.scaling", str(count), str(parts)]
    staged = subprocess.run(script, check=True, capture_output=True, text=True, timeout=960)
    return Scale(count, seconds, int(done.stdout) / 2**20, saved / count, json.loads(staged.stdout))


def table(scales: list[Scale]) -> str:
    """One row per scale: each stage's seconds and µs a task, the peaks, the bytes a task."""
    head = f"{'tasks':>9} {'command':>15} {'peak':>8} {'B/task':>7}"
    head += "".join(f" {name:>22}" for name in STAGES) + f" {'html':>8} {'trace':>8}"
    rows = [head]
    for s in scales:
        row = f"{s.tasks:>9,} {_per(s.command_s, s.tasks):>15} {s.command_peak_mib:>5.0f} MiB"
        row += f" {s.bytes_per_task:>7.1f}"
        row += "".join(f" {_stage(s.stages[n], s.tasks):>22}" for n in STAGES)
        row += (
            f" {s.stages['html_bytes'] / 2**20:>5.1f} MB {s.stages['trace_bytes'] / 2**20:>5.1f} MB"
        )
        rows.append(row)
    rows.append(
        "(seconds, µs a task in brackets; peak: the whole command's peak RSS, and each stage's "
        "own after its time; B/task: results.json + tasks.parquet)"
    )
    return "\n".join(rows)


def _stage(stage: dict[str, float], tasks: int) -> str:
    return f"{_per(stage['seconds'], tasks)} {stage['peak_mib']:.0f}M"


def _per(seconds: float, tasks: int) -> str:
    return f"{seconds:.2f} s ({seconds / tasks * 1e6:.1f})"


if __name__ == "__main__":
    print(json.dumps(stages(int(sys.argv[1]), Path(sys.argv[2]))))
