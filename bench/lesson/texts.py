"""The demo's words: each chapter's title and explanation, with the latency the lesson uses."""

from __future__ import annotations


def _s(seconds: float) -> str:
    return f"{seconds:g} s"


# Chapter 10's API: a quota that QUOTA_KNEE workers keep busy at half the lesson's latency
# (Little's law: workers = rate x latency), QUOTA_BURST requests of it at once. Its sweep, as
# (workers, tasks): three waves under the quota; from the knee on, one 16-task job, which more
# workers finish no sooner.
QUOTA_KNEE, QUOTA_BURST = 4, 2
QUOTA_SWEEP = ((1, 3), (2, 6), (QUOTA_KNEE, 16), (8, 16), (16, 16))


def quota_plan(latency_s: float) -> tuple[float, float]:
    """Chapter 10's latency and its quota's rate (requests a second), for the lesson's latency:
    0.1 s and 40/s under --fast, 1 s and 4/s without."""
    half = latency_s / 2
    return half, QUOTA_KNEE / half


def chapter_help() -> str:
    """`bench demo --help`'s list of chapters, with --fast's titles where they differ."""
    lines = [
        "chapters: each a claim, measured, with a verdict (confirmed, contradicted, or",
        "not shown where the machine could not show it, naming what it checked):",
    ]
    for n, ((title, _), (short, _)) in enumerate(zip(texts(2.0), texts(0.2), strict=True), 1):
        lines.append(f"  {n:>2}  {title}" + (f" ({short} with --fast)" if short != title else ""))
    lines += [
        "",
        "examples:",
        "  bench demo --fast --chapter 2",
        "  bench demo --step",
    ]
    return "\n".join(lines)


def texts(latency_s: float, gil: bool = True) -> list[tuple[str, str]]:
    """Each chapter's title and explanation, with the latency the lesson really uses (--fast
    scales it by 0.1: its chapter 3 is "1.2 s vs 0.2 s", not "12 s vs 2 s"), and the CPU
    chapter's promise for this interpreter: threads held back by the GIL, or not without it."""
    one, tenth = latency_s, latency_s / 10
    half, rate = quota_plan(latency_s)
    chosen = [*TEXTS[:7], TEXTS[7] if gil else CPU_WITHOUT_GIL, *TEXTS[8:]]
    words = {"tenth": _s(tenth), "ten": _s(10 * one), "wait": f"{one:.2f}s", "half": _s(half)}
    counts = [str(w) for w, _ in QUOTA_SWEEP]
    words |= {"rate": f"{rate:g}", "knee": str(QUOTA_KNEE), "burst": str(QUOTA_BURST)}
    words["counts"] = ", ".join(counts[:-1]) + " and " + counts[-1]
    return [
        (title.format(one=_s(one), six=_s(6 * one)), text.format(one=_s(one), **words))
        for title, text in chosen
    ]


TEXTS = [
    (
        "One thread id",
        "asyncio runs every coroutine on the thread that runs the event loop: 6 symbols, "
        "6 workers, and every record shows the same thread id and pid.",
    ),
    (
        "...yet overlapping",
        "Waiting is not computing: while one coroutine awaits, the loop runs the next. The same "
        "run: do the tasks overlap in time?",
    ),
    ("{six} vs {one}", "6 symbols x {one} each, one after another, then with 6 asyncio workers."),
    (
        "The arithmetic",
        "10 symbols x {one} = {ten} sequential vs about {one} with 10 workers; 100 symbols "
        "with 10 workers: 10 waves, about {ten}. Run at a tenth of the latency ({tenth} a "
        "task).",
    ),
    (
        "Semaphore queuing",
        "With 2 workers for 6 symbols, asyncio.Semaphore(2) makes the other four wait: 'Waiting "
        "for semaphore...', then 'Acquired semaphore after {wait} wait'.",
    ),
    (
        "Threads and processes",
        "A thread pool runs tasks on different threads; a process pool in different processes.",
    ),
    (
        "What each model costs",
        "For waiting, threads are not much faster than asyncio; processes pay in memory and "
        "start-up; one thread means few context switches (counted by the OS, for the harness and "
        "its workers).",
    ),
    (
        "CPU-bound work",
        "Now the tasks compute (factors over a price series): asyncio cannot help, threads are "
        "held back by the GIL, processes use the cores.",
    ),
    (
        "A blocking call in a coroutine",
        "time.sleep inside a coroutine holds the loop's one thread: every task waits its turn. "
        "asyncio.to_thread hands the call to a thread and restores the overlap: the case where "
        "threads are the right tool.",
    ),
    (
        "Little's law, then the quota",
        "An API with a quota: the mock answers each request after {half} and admits {rate} a "
        "second ({burst} at once; beyond that, 429 with Retry-After, and the task waits and "
        "retries). Little's law: throughput = workers / latency, so {knee} workers reach the "
        "quota; more only add 429s. asyncio with {counts} workers.",
    ),
]
# Chapter 8 on a free-threaded build running without the GIL (3.13t, 3.14t).
CPU_WITHOUT_GIL = (
    "CPU-bound work",
    "Now the tasks compute (factors over a price series): asyncio cannot help; this Python runs "
    "without the GIL, so threads use the cores, as processes do.",
)
