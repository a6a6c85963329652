"""A Markdown summary, for a pull request or an issue: the scenario, the one-line answers, then a
table of the figures that answer the project's questions (one row per run)."""

from __future__ import annotations

from bench.analysis.stats import summarize_all
from bench.model import Results
from reports.answers import answers
from reports.words import fmt, scenario

HEADER = (
    "| strategy | workers | status | wall (s) | speed-up | efficiency | OS threads | processes "
    "| peak overlap |"
)


def markdown(results: Results) -> str:
    lines = [f"Scenario: {scenario(results.config)}", ""]
    lines += [f"- {line}" for line in answers(results)]
    rounds = any(run.round for run in results.runs)
    sizes = len({len(run.tasks) for run in results.runs}) > 1
    header = HEADER.replace("| status |", "| round | status |") if rounds else HEADER
    header = header.replace("| workers |", "| workers | tasks |") if sizes else header
    lines += ["", header, "|" + "---|" * header.count(" | ") + "---|"]
    for run, s in zip(results.runs, summarize_all(results.runs), strict=True):
        cells = [
            _cell(s.strategy),
            str(s.workers),
            *([str(s.tasks)] if sizes else []),
            *([str(run.round + 1)] if rounds else []),
            s.status,
            fmt(s.wall_s, 3),
            fmt(s.speedup, 2, "x"),
            fmt(s.efficiency),
            str(s.threads),
            str(s.pids),
            str(s.peak_overlap),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines).lstrip("\n") + "\n"


def _cell(text: str) -> str:
    """Text safe inside a table cell: a pipe would start a new column."""
    return text.replace("|", "\\|")
