"""The capacity advice's chart: measured throughput against workers, with the quota's line and
Little's law's prediction beside the points, and what each worker count paid in 429s."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from matplotlib.figure import Figure

from bench.analysis.capacity import Advice, advisable, advise_results
from bench.model import Results
from reports.advice import advice_lines, advice_table
from reports.svg import SMALL, TITLE, style, to_svg


def advice_svg(advice: Advice) -> str:
    workers = [p.workers for p in advice.points]
    with style():
        fig = Figure(figsize=(11, 3.6))
        rate_ax, cost_ax = fig.subplots(1, 2)
        _rates(rate_ax, advice)
        cost_ax.plot(
            workers, [p.refusals_per_task for p in advice.points], marker="o", label="429s a task"
        )
        cost_ax.plot(
            workers,
            [p.requests_per_task - 1 for p in advice.points],
            marker="^",
            label="retries a task",
        )
        cost_ax.plot(
            workers, [p.failed_share for p in advice.points], marker="x", label="share failed"
        )
        cost_ax.set_ylabel("per task")
        cost_ax.legend(fontsize=SMALL)
        for ax in (rate_ax, cost_ax):
            if max(workers) / min(workers) >= 8:
                ax.set_xscale("log", base=2)
            ax.set_xticks(workers, [str(w) for w in workers])
            ax.set_xlabel("workers")
        fig.suptitle(
            f"{advice.strategy}: throughput against workers, {advice.tasks} tasks a point "
            f"(the ceiling: {_limit_words(advice)})",
            fontsize=TITLE,
        )
    return to_svg(fig)


def _rates(ax: Any, advice: Advice) -> None:
    """Measured throughput, Little's law's line, the quota's, and the advice marked."""
    workers = [p.workers for p in advice.points]
    top = max(advice.best.throughput, advice.quota_rate or 0.0)
    if advice.latency_s > 0:
        cross = 1.15 * top * advice.latency_s  # where workers / latency leaves the chart
        xs = [w for w in workers if w < cross] + [min(cross, max(workers))]
        ax.plot(
            xs,
            [w / advice.latency_s for w in xs],
            "k--",
            linewidth=1,
            label=f"Little's law: workers / {advice.latency_s:.3f} s",
        )
    if advice.quota_rate is not None:
        ax.axhline(
            advice.quota_rate,
            color="#d62728",
            linestyle=":",
            linewidth=1.5,
            label=f"quota {advice.quota_rate:g}/s",
        )
    ax.plot(workers, [p.throughput for p in advice.points], marker="o", label="measured")
    chosen = advice.chosen
    ax.plot([chosen.workers], [chosen.throughput], marker="s", markersize=10, fillstyle="none")
    ax.annotate(
        f"advice: {chosen.workers}",
        (chosen.workers, chosen.throughput),
        textcoords="offset points",
        xytext=(6, -14),
        fontsize=SMALL,
    )
    ax.set_ylabel("tasks that succeeded per s")
    ax.set_ylim(0, 1.15 * top or 1)
    ax.legend(fontsize=SMALL, loc="lower right")


def _limit_words(advice: Advice) -> str:
    words = {
        "quota": "the quota",
        "politeness": "your --max-rate",
        "latency": "none reached: Little's law",
        "cpus": "the CPUs",
        "tasks": "the plan's size",
        "unexplained": "not named",
    }
    return words[advice.limit]


def advice_parts(results: Results) -> list[dict[str, Any]]:
    """The report's "How many workers" section, for a sweep run by `bench advise` or against a
    quota: per strategy, the chart, the sentences and the table."""
    if not advisable(results.config):
        return []
    return [
        {
            "strategy": one.strategy,
            "svg": Markup(advice_svg(one)),
            "lines": advice_lines(one),
            "table": advice_table(one),
        }
        for one in advise_results(results)
    ]
