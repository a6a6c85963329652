"""Chapter 10, Little's law then the quota: its verdict's three states from hand-built sweeps (no
real time), the table and sentences it prints, exactly, and one real run of the chapter."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.lesson import quota
from bench.lesson.chapters import Lesson, chapters
from bench.lesson.texts import QUOTA_BURST, QUOTA_SWEEP, quota_plan, texts
from bench.model import RunRecord, TaskRecord

S = 1_000_000_000
LATENCY, RATE = quota_plan(0.2)  # --fast: 0.1 s, 40 requests a second
BURST = QUOTA_BURST


def _task(i: int, start: float, end: float, attempts: int = 1) -> TaskRecord:
    return TaskRecord(
        i,
        f"S{i}",
        "ok",
        round(LATENCY * S),
        round(start * S),
        round(start * S),
        round(end * S),
        10,
        1,
        "t",
        f"Task-{i}",
        None,
        attempts=attempts,
        http_status=200,
        retried=(429,) * (attempts - 1),
    )


def _run(workers: int, tasks: list[TaskRecord]) -> RunRecord:
    wall = max(t.finished_ns or 0 for t in tasks)
    return RunRecord("asyncio", workers, "completed", wall, 0, tuple(tasks))


def little_run(workers: int, count: int, late: float = 0.0) -> RunRecord:
    """Waves of `workers` tasks, one latency each (`late` past it): no quota in the way."""
    waves = [(i // workers) * (LATENCY + late) for i in range(count)]
    return _run(workers, [_task(i, at, at + LATENCY + late) for i, at in enumerate(waves)])


def quota_run(workers: int, count: int, refused: int, pause: float = 0.0) -> RunRecord:
    """The quota's pace: BURST admitted at once, then one per 1/RATE (after a `pause` from the
    ninth admission on), each answered a latency later; a task starts when its worker is free,
    and one that waits for its admission was refused: `refused` 429s shared among those."""
    admitted = [max(0, i - BURST + 1) / RATE + (pause if i >= 8 else 0.0) for i in range(count)]
    starts = [
        0.0 if i < workers else min(at, admitted[i - workers] + LATENCY)
        for i, at in enumerate(admitted)
    ]
    waited = [i for i in range(count) if starts[i] < admitted[i]]
    assert refused >= len(waited), "each task that waited was refused at least once"
    extra = {i: refused // len(waited) + (n < refused % len(waited)) for n, i in enumerate(waited)}
    return _run(
        workers,
        [_task(i, starts[i], admitted[i] + LATENCY, 1 + extra.get(i, 0)) for i in range(count)],
    )


def sweep(refused: tuple[int, int, int] = (3, 50, 100)) -> list[RunRecord]:
    """The chapter's sweep as the model says it goes: 1 and 2 workers at Little's law's pace,
    4, 8 and 16 at the quota's, with more 429s at each."""
    (w1, n1), (w2, n2), *capped = QUOTA_SWEEP
    runs = [little_run(w1, n1), little_run(w2, n2)]
    return runs + [quota_run(w, n, r) for (w, n), r in zip(capped, refused, strict=True)]


def test_the_prediction_is_the_longer_of_little_and_the_quota() -> None:
    assert quota.pace_s(3, 1, 0.1, 40, 2) == pytest.approx(0.3)  # Little's law: 3 waves
    assert quota.pace_s(6, 2, 0.1, 40, 2) == pytest.approx(0.3)
    assert quota.pace_s(16, 4, 0.1, 40, 2) == pytest.approx(0.45)  # 14 / 40 + 0.1 > 4 waves
    assert quota.pace_s(16, 16, 0.1, 40, 2) == pytest.approx(0.45)
    assert quota.pace_s(2, 8, 0.1, 40, 2) == pytest.approx(0.1)  # the burst: no wait at all
    assert [quota.quota_paced(r, RATE, BURST) for r in sweep()] == [False] * 2 + [True] * 3


def test_the_model_confirms_with_the_evidence_it_counts() -> None:
    verdict = quota.little_then_quota(sweep(), RATE, BURST)
    assert verdict.state == "confirmed"
    assert verdict.claim == (
        "throughput = workers / latency (Little's law) until the quota caps it; beyond it, "
        "more workers only add 429s"
    )
    assert verdict.evidence == (
        "1, 2 workers: 10.0, 20.0 tasks/s, as Little's law says (10, 20); 4, 8, 16 workers: "
        "35.6, 35.6, 35.6 tasks/s, the quota's pace (35.6; Little's law alone: 40, 80, 160); "
        "429s 0, 0, then 3, 50, 100"
    )
    assert verdict.checked() == (
        "precondition held: tasks answered at their first request ended at most 0 ms past "
        "their latency (limit 30 ms); while refused tasks waited, at most 25 ms between "
        "admissions (limit 70 ms: the 2-request bucket fills in 50 ms)"
    )


def test_the_table_on_screen() -> None:
    assert quota.table(sweep(), RATE, BURST) == (
        "workers  tasks    wall  tasks/s  predicted                429s",
        "      1      3  0.30 s     10.0  10.0 Little's law           0",
        "      2      6  0.30 s     20.0  20.0 Little's law           0",
        "      4     16  0.45 s     35.6  35.6 quota (Little 40)      3",
        "      8     16  0.45 s     35.6  35.6 quota (Little 80)     50",
        "     16     16  0.45 s     35.6  35.6 quota (Little 160)   100",
    )
    assert max(map(len, quota.table(sweep(), RATE, BURST))) <= 76  # 80 columns, indented


def test_a_quota_not_enforced_is_contradicted() -> None:
    """More workers at Little's law's pace, and no 429s: the machine kept pace (nobody waited),
    so the quota is what failed, in red."""
    runs = [little_run(w, n) for w, n in QUOTA_SWEEP]
    verdict = quota.little_then_quota(runs, RATE, BURST)
    assert verdict.state == "contradicted" and verdict.precondition.held
    assert verdict.evidence.endswith(
        "off the prediction: 8 workers 0.20 s (predicted 0.45 s); 16 workers 0.10 s (predicted "
        "0.45 s); 429s not rising with workers: 0, 0, 0"
    )


def test_429s_under_the_quota_or_failed_tasks_contradict() -> None:
    runs = sweep()
    two = _refused_first(runs[1], 2)  # two workers never outpace 40/s: no 429 is due
    verdict = quota.little_then_quota([runs[0], two, *runs[2:]], RATE, BURST)
    assert verdict.state == "contradicted"
    assert "429s under the quota: 2 workers: 2" in verdict.evidence
    failed = _last_failed(runs[4])
    verdict = quota.little_then_quota([*runs[:4], failed], RATE, BURST)
    assert verdict.state == "contradicted" and "tasks failed: 16 workers: 1" in verdict.evidence
    flat = quota.little_then_quota(sweep((3, 50, 50)), RATE, BURST)
    assert flat.state == "contradicted"
    assert "429s not rising with workers: 3, 50, 50" in flat.evidence


def _refused_first(run: RunRecord, refused: int) -> RunRecord:
    """The run with its first task refused `refused` times before its answer (its times kept:
    the 429s are what the verdict counts here)."""
    first = dataclasses.replace(run.tasks[0], attempts=1 + refused, retried=(429,) * refused)
    return dataclasses.replace(run, tasks=(first, *run.tasks[1:]))


def _last_failed(run: RunRecord) -> RunRecord:
    last = dataclasses.replace(run.tasks[-1], status="error", error="HTTP 500", http_status=500)
    return dataclasses.replace(run, tasks=(*run.tasks[:-1], last))


def test_a_late_machine_is_not_shown_never_contradicted() -> None:
    """Tasks answered at their first request 60 ms past their latency: the machine, not the
    model, and the walls it stretched say nothing."""
    runs = sweep()
    late = quota.little_then_quota([little_run(1, 3, late=0.06), *runs[1:]], RATE, BURST)
    assert late.state == "not shown" and late.precondition.retry
    assert late.precondition.text.startswith(
        "tasks answered at their first request ended at most 60 ms past their latency (limit 30 ms)"
    )


def test_a_client_that_let_the_quota_idle_is_not_shown() -> None:
    """A 225 ms pause between admissions while a refused task waited: the bucket (2 tokens,
    full in 50 ms) lost tokens because nobody asked, which only a late client does."""
    runs = sweep()
    stalled = quota_run(8, 16, 50, pause=0.2)
    verdict = quota.little_then_quota([*runs[:3], stalled, runs[4]], RATE, BURST)
    assert verdict.state == "not shown"
    assert "while refused tasks waited, at most 225 ms between admissions (limit 70 ms" in (
        verdict.precondition.text
    )


def test_a_lesson_without_a_mock_api_is_not_shown_once() -> None:
    from strategies.fake import FakeStrategy

    chapter, measure = list(chapters(Lesson(0.1, lambda _name: FakeStrategy)))[9]
    measure(chapter)
    assert chapter.verdict is not None and chapter.verdict.state == "not shown"
    assert chapter.attempts == 1 and chapter.runs == []
    assert chapter.verdict.checked() == (
        "precondition FAILED: a mock API to run against: the lesson was given none"
    )


def test_the_chapter_says_the_numbers_it_uses() -> None:
    title, text = texts(0.2)[9]
    assert title == "Little's law, then the quota"
    assert "after 0.1 s and admits 40 a second (2 at once;" in text
    assert "so 4 workers reach the quota" in text and "1, 2, 4, 8 and 16 workers" in text
    assert "after 1 s and admits 4 a second" in texts(2.0)[9][1]


@pytest.mark.slow
def test_the_chapter_end_to_end(tmp_path: Path) -> None:
    """`bench demo --fast --chapter 10` against the real mock API, piped. Timing may make it
    "not shown" on a busy machine, never contradicted; the structure holds on any machine: two
    workers never outpace the quota (no 429), sixteen at once on a 2-request bucket are refused."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "demo",
            "--fast",
            "--chapter",
            "10",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (chapter,) = json.loads((tmp_path / "demo.json").read_text())["chapters"]
    assert chapter["verdict"] != "contradicted", chapter["evidence"]
    refused = [
        sum(
            t.get("retried_statuses", []).count(429) + (t["http_status"] == 429)
            for t in run["tasks"]
        )
        for run in chapter["runs"]
    ]
    assert [run["workers"] for run in chapter["runs"]] == [w for w, _ in QUOTA_SWEEP]
    assert refused[:2] == [0, 0] and refused[-1] > 0, refused
    lines = proc.stdout.splitlines()
    head = lines.index("  workers  tasks    wall  tasks/s  predicted                429s")
    assert [line.split()[0] for line in lines[head + 1 : head + 6]] == ["1", "2", "4", "8", "16"]
    assert chapter["verdict"] in proc.stdout and "precondition" in proc.stdout
