"""The capacity advice in words and as a table (plain text: the terminal and the report alike).

Every sentence names its evidence: the measured throughput, the threshold it passed (within 5%
of the best; 80% of the quota with 429s beyond; 80% of Little's law or of the CPUs), and the
numbers behind it.
"""

from __future__ import annotations

import math

from bench.analysis.capacity import (
    CPU_SHARE,
    FAILED_SHARE,
    LITTLE_SHARE,
    QUOTA_SHARE,
    Advice,
    Point,
)
from bench.analysis.knee import KNEE_TOLERANCE


def duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _rate(value: float) -> str:
    return "-" if math.isinf(value) else f"{value:.1f}/s"


def advice_lines(advice: Advice) -> list[str]:
    """The answer, its reason, the job's duration and the cost of more workers."""
    return [_answer(advice), _reason(advice), _job(advice), _cost(advice)]


def _answer(advice: Advice) -> str:
    chosen, walls = advice.chosen, advice.wall_knee
    dropped = len(advice.points) - len(advice.candidates)
    failing = (
        f" ({dropped} of {len(advice.points)} counts failed more than {FAILED_SHARE:.0%} of "
        "their tasks: a job needs its data, so they are not candidates.)"
        if dropped
        else ""
    )
    note = (
        f" (The sweep's knee, {walls}, is on wall time, which tasks failing fast shorten.)"
        if walls is not None and walls != chosen.workers
        else ""
    )
    return _best(advice, bool(dropped)) + failing + note


def _best(advice: Advice, dropped: bool) -> str:
    chosen, best = advice.chosen, advice.best
    among = f" of the counts where at most {FAILED_SHARE:.0%} failed" if dropped else " measured"
    if chosen.workers == best.workers:
        return (
            f"{advice.strategy}: {chosen.workers} workers give the best throughput{among}, "
            f"{_rate(chosen.throughput)} (tasks that succeeded a second, once under way)."
        )
    return (
        f"{advice.strategy}: {chosen.workers} workers reach the best throughput: "
        f"{_rate(chosen.throughput)}, within {KNEE_TOLERANCE:.0%} of the best{among} "
        f"({_rate(best.throughput)} at {best.workers} workers)."
    )


def _reason(advice: Advice) -> str:
    best, latency = advice.best, advice.latency_s
    if advice.limit == "quota":
        assert advice.quota_rate is not None and advice.little_workers is not None
        return (
            f"The ceiling is the quota, {advice.quota_rate:g} requests/s: the best measured is "
            f"{best.throughput / advice.quota_rate:.0%} of it, and every count beyond the "
            f"advice met 429s (at least {QUOTA_SHARE:.0%} and 429s name it). By Little's "
            f"law, {advice.quota_rate:g}/s x {latency:.3f} s mean latency = "
            f"{advice.little_workers:.1f} workers keep it busy; beyond that, more workers only "
            "add 429s and retries."
        )
    if advice.limit == "politeness":
        return (
            f"The ceiling is your own politeness cap, --max-rate {advice.polite_rate:g}/s: the "
            f"best measured is {best.throughput / (advice.polite_rate or 1):.0%} of it. Raise it "
            "(if the endpoint's owner agrees) to find the endpoint's own limit."
        )
    if advice.limit == "tasks":
        return (
            f"The ceiling is the plan's size: at {advice.workers} workers all {advice.tasks} "
            "tasks run at once. Sweep with more --tasks to find the API's limit."
        )
    last = advice.points[-1]
    if advice.limit == "latency":
        return (
            f"No ceiling within the sweep: at {last.workers} workers the throughput still "
            f"follows Little's law ({_rate(last.throughput)} of workers / {latency:.3f} s = "
            f"{_rate(last.little)}, at least {LITTLE_SHARE:.0%}); more workers would still "
            "help: sweep further (--workers)."
        )
    if advice.limit == "cpus":
        return (
            f"The ceiling is the CPUs: at {best.workers} workers the run and the mock server "
            f"kept {best.cpu_busy:.0%} of the usable CPUs busy (at least {CPU_SHARE:.0%} names "
            f"them), below Little's law's {_rate(best.little)}"
            + (f" and the quota's {advice.quota_rate:g}/s." if advice.quota_rate else ".")
        )
    return (
        f"The ceiling, {_rate(best.throughput)}, is below Little's law's {_rate(best.little)}"
        + (f" and the quota's {advice.quota_rate:g}/s" if advice.quota_rate else "")
        + f" with the CPUs {best.cpu_busy:.0%} busy: not a limit this advice can name "
        "(the mock server's one CPU, the client's connection pool?)."
    )


def _job(advice: Advice) -> str:
    seconds, chosen = advice.job_seconds, advice.chosen
    if seconds is None:
        return "No task succeeded: the job would not finish."
    failed = (
        f" At that count {chosen.failed_share:.0%} of the sweep's tasks failed; they would "
        "need running again."
        if chosen.failed_share
        else ""
    )
    return (
        f"The whole job, {advice.job_tasks:,} tasks at {_rate(chosen.throughput)}, takes about "
        f"{duration(seconds)} with {chosen.workers} workers.{failed}"
    )


def _cost(advice: Advice) -> str:
    if not advice.beyond:
        return f"No more than {advice.workers} workers were swept: the cost of more is not shown."
    chosen, most = advice.chosen, advice.beyond[-1]
    return (
        f"More workers cost: at {most.workers} workers, {_rate(most.throughput)}; "
        f"{most.requests_per_task:.2f} requests a task, {most.refusals_per_task:.2f} of them "
        f"refused with 429 (against {chosen.requests_per_task:.2f} and "
        f"{chosen.refusals_per_task:.2f} at {chosen.workers}); {most.failed_share:.0%} of tasks "
        f"failed (against {chosen.failed_share:.0%}); peak memory {_mb(most)} "
        f"(against {_mb(chosen)})."
    )


def _mb(point: Point) -> str:
    return f"{point.peak_rss_bytes / 2**20:.0f} MB"


HEADERS = ("workers", "tasks/s", "Little's law", "requests/task", "429s/task", "failed", "peak")


def advice_table(advice: Advice) -> str:
    """The measured curve beside Little's law's prediction, a row a worker count."""
    rows = [
        (
            f"{p.workers}" + (" *" if p.workers == advice.workers else ""),
            _rate(p.throughput),
            _rate(min(p.little, advice.quota_rate or math.inf)),
            f"{p.requests_per_task:.2f}",
            f"{p.refusals_per_task:.2f}",
            f"{p.failed_share:.0%}",
            _mb(p),
        )
        for p in advice.points
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(HEADERS)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(HEADERS, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    quota = f", capped at the quota's {advice.quota_rate:g}/s" if advice.quota_rate else ""
    lines.append(
        f"* the advice. Little's law: workers / {advice.latency_s:.3f} s mean latency{quota}."
    )
    return "\n".join(lines)
