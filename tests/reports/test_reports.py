"""The reporter's outputs, rendered from hand-built results: structure, escaping, trace shape."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.analysis.stats import summarize_all
from bench.cli.app import main
from bench.model import TaskRecord
from bench.results.writer import dumps, save
from reports import trace
from reports.frames import load_frames, runs_frame, tasks_frame
from reports.html import render_html
from reports.reading import readings
from reports.timeline import timeline_svgs
from reports.trace import trace_chunks, trace_json
from tests.samples import sample_results

HOSTILE = (
    "<script>document.title='pwned'</script>",
    '"onmouseover=alert(1) x="',
    "</script><script>document.title='pwned'</script>",
    "$x$",
    "$$",
    "<img src=x onerror=\"document.title='pwned'\">" + "Z" * 300,
)


def _embedded(html: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<script type="application/json" id="task-data">(.*?)</script>', html, re.S)
    assert match, "the task data block is present and closes where it should"
    data: dict = json.loads(match.group(1))  # type: ignore[type-arg]
    return data


def test_html_has_every_section_and_one_timeline_per_run() -> None:
    results = sample_results()
    html = render_html(results)
    for section in ("summary", "timelines", "concurrency", "environment", "scenario", "data"):
        assert f'id="{section}"' in html
    assert html.count('<div class="figure timeline"><svg') == len(results.runs)
    # Nothing is fetched from outside: no URL in any src or href (namespaces are only names).
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    data = _embedded(html)
    assert [r["strategy"] for r in data["runs"]] == [r.strategy for r in results.runs]
    assert data["runs"][1]["task_name"][0] == "Task-2"


def test_reading_is_computed_from_the_data() -> None:
    texts = readings(sample_results().runs)
    assert texts[1].startswith("6 tasks ran on one thread (7) and overlapped: 6 in flight at once")
    assert "wall 2.01 s vs 12.06 s sequential (5.99x)" in texts[1]
    assert texts[0].startswith("6 tasks ran on one thread (7) one after another")
    assert "in 2 processes" in texts[3] and "1 task failed with an error" in texts[3]
    assert "start-up 95 ms" in texts[3]


def test_hostile_names_appear_escaped_never_raw() -> None:
    html = render_html(sample_results(HOSTILE))
    for name in HOSTILE:
        if "<" in name or '"' in name:
            assert name not in html
        else:
            assert name in html  # "$x$" and "$$" print literally
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html
    data = _embedded(html)  # the script block was not closed early by a name
    assert data["runs"][0]["symbol"] == list(HOSTILE)
    # Exactly our two script blocks: no name added one.
    assert html.count("<script") == 2


def test_timelines_draw_dollar_signs_literally() -> None:
    svgs = timeline_svgs(sample_results(HOSTILE).runs)
    assert len(svgs) == 4
    assert "$x$" in svgs[0] and "$$" in svgs[0]
    assert "<script>" not in svgs[0]


def test_trace_has_one_complete_event_per_task_and_lanes_never_overlap() -> None:
    results = sample_results()
    trace = json.loads(trace_json(results))
    events = trace["traceEvents"]
    work = [e for e in events if e["ph"] == "X" and e["cat"] != "queue"]
    assert len(work) == sum(len(r.tasks) for r in results.runs)
    names = {e["args"]["name"] for e in events if e["name"] == "process_name"}
    assert names == {
        "sequential (1 worker)",
        "asyncio (6 workers)",
        "threads (3 workers)",
        "processes (2 workers)",
    }
    by_lane: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for e in (e for e in events if e["ph"] == "X"):
        by_lane.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
    for spans in by_lane.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    asyncio_lanes = {e["tid"] for e in work if e["pid"] == 2}
    assert len(asyncio_lanes) == 6  # one lane per asyncio task
    assert all(e["args"]["thread_id"] == 7 for e in work if e["pid"] == 2)
    lane_names = [e["args"]["name"] for e in events if e["name"] == "thread_name" and e["pid"] == 2]
    assert lane_names[0] == "Task-2 on MainThread (7)"


def test_the_trace_is_made_an_event_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamed, not built: after the first lines only the first tasks have become events. (A
    list of a run's events was 160 MiB at 100,000 asyncio tasks, the whole command's peak.)"""
    from tests.samples import large_results

    made: list[int] = []
    encode = trace._task_events

    def counted(t: TaskRecord, pid: int, tid: int, show_wait: bool) -> Iterator[dict[str, Any]]:
        made.append(t.index)
        return encode(t, pid, tid, show_wait)

    monkeypatch.setattr(trace, "_task_events", counted)
    chunks = trace_chunks(large_results(2_000))
    head = list(itertools.islice(chunks, 10))
    assert len(made) <= 10
    assert "".join(head + list(chunks)) == trace_json(large_results(2_000))
    assert len(made) == 2 * 2_000  # every task, once for each of the two documents


def test_frames_give_exactly_the_reported_numbers(tmp_path: Path) -> None:
    results = sample_results()
    save(results, tmp_path / "results.json")
    tasks, runs = load_frames(tmp_path)
    assert len(tasks) == 24
    assert str(tasks["started_at"].dtype) == "float64"
    assert tasks.loc[6, "task_name"] == "Task-2"
    assert list(runs["wall_s"]) == [s.wall_s for s in summarize_all(results.runs)]
    assert runs_frame(results).equals(runs)
    assert tasks_frame(results).equals(tasks)


def test_report_command_rerenders_from_the_file_alone(tmp_path: Path) -> None:
    save(sample_results(), tmp_path / "results.json")
    assert main(["report", str(tmp_path / "results.json")]) == 0
    for name in ("report.html", "trace.json", "tasks.csv"):
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{", "invalid JSON at line 1 column 2"),
        ('{"runs": []}', "schema_version: missing"),
        ('{"schema_version": 7, "runs": []}', "newer than this concurrency-bench"),
        (
            '{"schema_version": 1, "environment": {}, "config": {}, "created": "", "runs": [3]}',
            r"$.runs[0]: expected an object",
        ),
    ],
)
def test_report_on_bad_files_exits_3_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content)
    assert main(["report", str(path)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and message in err


def test_large_runs_stay_small() -> None:
    from tests.samples import large_results

    html = render_html(large_results(20_000))
    assert len(html) < 10 * 2**20
    assert "each OS thread's row shows how many of its tasks were in flight" in html
    assert "packed into reusable slots" in render_html(large_results(2_000))
    assert len(dumps(large_results(10))) > 0


def test_the_page_says_values_in_words_not_python_reprs() -> None:
    results = sample_results()
    config = {**results.config, "collector": None, "gc": True, "faults": {"error": 0.1}}
    page = render_html(dataclasses.replace(results, config=config))
    visible = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    for python in (">None<", ">True<", ">False<", "{'", "1 workers", " 1 tasks "):
        assert python not in visible, python
    assert ">error 0.1<" in visible and ">yes<" in visible
    assert ">cpu_count<" not in visible and ">CPUs<" in visible  # field names said as words
    assert ">garbage collector while tasks ran<" in visible
