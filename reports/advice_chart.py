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
        measured = [p.throughput for p in advice.points]
        top = max(measured)
        if advice.latency_s > 0:
            # Little's law: throughput = workers / latency, drawn up to where it leaves the chart.
            ceiling = 1.15 * max(top, advice.quota_rate or 0.0)
            cross = ceiling * advice.latency_s  # where workers / latency leaves the chart
            xs = [w for w in workers if w < cross] + [min(cross, max(workers))]
            rate_ax.plot(
                xs,
                [w / advice.latency_s for w in xs],
                "k--",
                linewidth=1,
                label=f"Little's law: workers / {advice.latency_s:.3f} s",
            )
        if advice.quota_rate is not None:
            rate_ax.axhline(
                advice.quota_rate,
                color="#d62728",
                linestyle=":",
                linewidth=1.5,
                label=f"quota {advice.quota_rate:g}/s",
            )
        rate_ax.plot(workers, measured, marker="o", color="#3b7dd8", label="measured")
        chosen = advice.chosen
        rate_ax.plot(
            [chosen.workers], [chosen.throughput], marker="s", markersize=10, fillstyle="none"
        )
        rate_ax.annotate(
            f"advice: {chosen.workers}",
            (chosen.workers, chosen.throughput),
            textcoords="offset points",
            xytext=(6, -14),
            fontsize=SMALL,
        )
        rate_ax.set_ylabel("tasks that succeeded per s")
        rate_ax.set_ylim(0, 1.15 * max(top, advice.quota_rate or 0.0) or 1)
        rate_ax.legend(fontsize=SMALL, loc="lower right")
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


def _limit_words(advice: Advice) -> str:
    words = {
        "quota": "the quota",
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
