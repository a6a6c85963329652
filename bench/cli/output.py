"""What a finished run leaves: the reports written, the exports, and what the terminal shows.

`--export-json/--export-markdown/--export-csv FILE` write the results in those forms (hyperfine's
names); `-` is stdout, and then everything else goes to stderr, so stdout holds only the export.
`-q` prints only the one-line answers and where the report is.
"""

from __future__ import annotations

import argparse
import errno
import os
import stat
import sys
import time
import webbrowser
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rich.console import Console

from bench.cli.args import printable
from bench.cli.commands import source_of
from bench.cli.exits import EXIT_OK
from bench.cli.lines import say
from bench.errors import EnvironmentProblem, OutputFailed, UsageError, describe_error
from bench.harness import interrupts
from bench.harness.runner import MACHINE_LIMIT
from bench.model import Results
from bench.results.folder import prepare
from bench.results.loader import load
from bench.results.writer import CSV_LIMIT, csv_chunks, json_chunks, write_atomic

STDOUT = "-"
REPORT_GRACE_S = 3.0  # how long an interrupt waits for `bench report` to finish writing
EXPORTS = ("json", "markdown", "csv")


@dataclass(frozen=True)
class Show:
    """What to show and export, from the flags; checked before anything runs."""

    quiet: bool = False
    exports: Mapping[str, str] = field(default_factory=dict)  # kind -> file, or "-"
    open_report: bool = False

    @property
    def console(self) -> Console:
        stream = sys.stderr if STDOUT in self.exports.values() else sys.stdout
        return Console(file=stream, highlight=False)


def show_from(args: argparse.Namespace) -> Show:
    exports = {kind: value for kind in EXPORTS if (value := getattr(args, f"export_{kind}", None))}
    if list(exports.values()).count(STDOUT) > 1:
        raise UsageError("only one --export-* can be - (stdout)")
    if STDOUT in exports.values() and sys.stdout is None:  # `>&-`: found now, not after the run
        kind = next(k for k, v in exports.items() if v == STDOUT)
        raise EnvironmentProblem(f"--export-{kind} -: stdout is closed; give it a file instead")
    for kind, value in exports.items():
        if value != STDOUT:
            _check_target(kind, value)
    _one_file_each(exports)
    return Show(getattr(args, "quiet", False), exports, getattr(args, "open", False))


def _check_target(kind: str, value: str) -> None:
    target = Path(value)
    try:
        if target.is_dir() or not target.parent.is_dir():
            problem = "is a folder" if target.is_dir() else "is in a folder that does not exist"
            raise UsageError(f"--export-{kind}: {value} {problem}")
    except OSError as exc:  # a name too long, a folder it may not look in: as for --out
        raise EnvironmentProblem(
            f"--export-{kind}: cannot write {value}: {exc.strerror or exc}"
        ) from None


def _one_file_each(exports: Mapping[str, str]) -> None:
    """Two exports into one file: the second would silently replace the first."""
    seen: dict[Path, str] = {}
    for kind, value in exports.items():
        if value == STDOUT:
            continue
        where = Path(value).resolve()
        if where in seen:
            both = f"--export-{seen[where]} and --export-{kind}"
            raise UsageError(f"{both} both write {value}: give each its own file")
        seen[where] = kind


def cmd_report(args: argparse.Namespace) -> int:
    show = show_from(args)
    source = source_of(args.path)
    results = load(source)
    folder = prepare(args.out or source.parent, force=True)
    with interrupts.patient(REPORT_GRACE_S):  # see bench.cli.postrun
        written = [*write_reports(results, folder, source), *write_csv(results, folder)]
        finish(results, folder, written, show)
    return EXIT_OK


def write_csv(
    results: Results, folder: Path, stage: Callable[[str], None] = lambda _name: None
) -> list[Path]:
    """tasks.csv, up to CSV_LIMIT tasks; above, only on request (--export-csv FILE): a million
    tasks' CSV is 153 MB and tasks.parquet has them all. A tasks.csv of an earlier run in the
    folder is removed rather than left beside results it does not match."""
    csv = folder / "tasks.csv"
    tasks = sum(len(run.tasks) for run in results.runs)
    if tasks > CSV_LIMIT:
        csv.unlink(missing_ok=True)
        print(
            f"tasks.csv not written: {tasks:,} tasks is more than {CSV_LIMIT:,} (--export-csv "
            "FILE writes it; tasks.parquet holds every record)",
            file=sys.stderr,
        )
        return []
    stage("tasks.csv")
    write_atomic(csv, csv_chunks(results))
    return [csv]


def write_reports(
    results: Results,
    folder: Path,
    source: Path | None = None,
    stage: Callable[[str], None] = lambda _name: None,
) -> list[Path]:
    """The HTML report and the trace (`stage` is told each file as it begins). The results are
    saved before this runs: a machine that cannot load the plotting libraries (`ulimit -v`) gets
    one line saying so, not a traceback."""
    try:
        # Imported here: pandas and matplotlib cost a few hundred ms, and only reports need them.
        from reports.render import write_reports as render

        return render(results, folder, stage)
    except (ImportError, MemoryError) as exc:
        saved = source or folder / "results.json"
        raise EnvironmentProblem(
            f"cannot render the report ({describe_error(exc)}: {MACHINE_LIMIT}?); "
            f"{saved} is saved: `bench report` can render it elsewhere"
        ) from None


def finish(results: Results, folder: Path, written: list[Path], show: Show) -> None:
    """The summary (or, with -q, the answers), the exports, results/latest, --open."""
    from reports.answers import answers

    console = show.console
    if not show.quiet:
        print_summary(results, console)
        for path in written:
            console.print(printable(f"{path.name + ':':<13} {path}"), soft_wrap=True)
    for line in answers(results):
        say(console, line)
    report = (folder / "report.html").resolve().as_uri()
    console.print(f"open the report: {printable(report)}", soft_wrap=True)
    _export(results, show.exports)
    if show.open_report:
        _open(report, console)


def print_summary(results: Results, console: Console) -> None:
    from reports.reading import cpu_findings
    from reports.table import build_tables

    console.print(build_tables(results, console.width))
    if "sweep" in results.config or any(r.round > 0 for r in results.runs):
        from bench.analysis.repeats import summarize_groups
        from reports.stats_table import stats_table, warning_lines

        groups = summarize_groups(results.runs)
        console.print(stats_table(groups, console.width))
        for line in warning_lines(groups):
            say(console, line)
    if results.config.get("gc") == "off":
        note = "The garbage collector was off while tasks ran (--gc off, as timeit does)"
        say(console, f"{note}: a program with it on pays for its walks too.")
    for line in cpu_findings(results.runs, results.config, results.environment):
        say(console, f"- {line}")


def _export(results: Results, exports: Mapping[str, str]) -> None:
    from reports.markdown import markdown

    render: dict[str, Callable[[], Iterable[str]]] = {
        "json": lambda: json_chunks(results),
        "markdown": lambda: [markdown(results)],
        "csv": lambda: csv_chunks(results),
    }
    # The reports are written: an interrupt now ends a wait on a reader instead of waiting for it.
    with interrupts.interruptible():
        for kind, target in exports.items():
            try:
                _export_one(target, render[kind]())
            except OSError as exc:
                name = "stdout" if target == STDOUT else target
                raise OutputFailed(
                    f"--export-{kind}: cannot write {name}: {exc.strerror or exc}"
                ) from None


def _export_one(target: str, chunks: Iterable[str]) -> None:
    if target == STDOUT:
        if sys.stdout is None:  # started with stdout closed (`>&-`); checked up front too
            raise OSError(errno.EBADF, "stdout is closed")
        _write_through(sys.stdout, chunks)
    elif _special(Path(target)):
        with open(_open_for_writing(target), "w", encoding="utf-8") as out:
            _write_through(out, chunks)
    else:
        write_atomic(Path(target), chunks)


FIFO_READER_WAIT_S = 2.0  # for a reader started just after bench (`bench ... & cat fifo`)


def _open_for_writing(target: str) -> int:
    """A FIFO is opened without blocking: a plain open() waits forever for a reader. One with no
    reader after FIFO_READER_WAIT_S is an error (ENXIO), not a hang."""
    if not stat.S_ISFIFO(os.stat(target).st_mode):
        return os.open(target, os.O_WRONLY | os.O_CLOEXEC)
    deadline = time.monotonic() + FIFO_READER_WAIT_S
    while True:
        try:
            fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            if time.monotonic() >= deadline:
                raise OSError(
                    errno.ENXIO,
                    f"a FIFO nobody is reading (waited {FIFO_READER_WAIT_S:g} s for a reader)",
                ) from None
            time.sleep(0.05)
            continue
        os.set_blocking(fd, True)  # a reader is there: write at its pace (Ctrl-C still ends it)
        return fd


def _special(path: Path) -> bool:
    """A link, a pipe (`>(jq .)`, a FIFO) or a device: written through, never replaced by a
    rename (which would swap a regular file in for it)."""
    return path.is_symlink() or (path.exists() and not path.is_file())


def _write_through(out: TextIO, chunks: Iterable[str]) -> None:
    for chunk in chunks:
        out.write(chunk)
    out.flush()


def _open(uri: str, console: Console) -> None:
    """The report in the user's browser, where there is a display to show it on."""
    display = sys.platform == "darwin" or any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY")
    )
    if not display or not webbrowser.open(uri):
        say(console, "--open: no browser to open here (no display); open the link above.")
