"""What a finished run leaves: the reports written, and the summary printed in the terminal."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from bench.cli.args import printable
from bench.cli.commands import load_path
from bench.cli.exits import EXIT_OK
from bench.errors import EnvironmentProblem, describe_error
from bench.harness import interrupts
from bench.harness.runner import MACHINE_LIMIT
from bench.model import Results
from bench.results.folder import prepare
from bench.results.writer import csv_chunks, write_atomic


def cmd_report(args: argparse.Namespace) -> int:
    path: Path = args.path
    source = path / "results.json" if path.is_dir() else path
    results = load_path(path)
    folder = prepare(args.out or source.parent, force=True)
    with interrupts.deferred():
        written = [*write_reports(results, folder), folder / "tasks.csv"]
        write_atomic(folder / "tasks.csv", csv_chunks(results))
        print_summary(results, folder, written)
    return EXIT_OK


def _has_rounds_or_sweep(results: Results) -> bool:
    return "sweep" in results.config or any(r.round > 0 for r in results.runs)


def write_reports(results: Results, folder: Path) -> list[Path]:
    """The HTML report and the trace. The results are saved before this runs: a machine that
    cannot load the plotting libraries (`ulimit -v`) gets one line saying so, not a traceback."""
    try:
        # Imported here: pandas and matplotlib cost a few hundred ms, and only reports need them.
        from reports.render import write_reports as render

        return render(results, folder)
    except (ImportError, MemoryError) as exc:
        raise EnvironmentProblem(
            f"cannot render the report ({describe_error(exc)}: {MACHINE_LIMIT}?); "
            f"{folder / 'results.json'} is saved: `bench report` can render it elsewhere"
        ) from None


def print_summary(results: Results, folder: Path, written: list[Path]) -> None:
    from reports.reading import cpu_findings
    from reports.table import build_tables

    console = Console(highlight=False)
    console.print(build_tables(results, console.width))
    if _has_rounds_or_sweep(results):
        from bench.analysis.repeats import summarize_groups
        from reports.stats_table import stats_table, warning_lines

        groups = summarize_groups(results.runs)
        console.print(stats_table(groups, console.width))
        for line in warning_lines(groups):
            console.print(line)  # wrapped at word boundaries, like the tables
    if results.config.get("gc") == "off":
        note = "The garbage collector was off while tasks ran (--gc off, as timeit does)"
        console.print(f"{note}: a program with it on pays for its walks too.")
    for line in cpu_findings(results.runs, dict(results.config)):
        console.print(f"- {line}")
    for path in written:
        console.print(printable(f"{path.name + ':':<13} {path}"), soft_wrap=True)
    report = (folder / "report.html").resolve().as_uri()
    console.print(f"open the report: {printable(report)}", soft_wrap=True)
