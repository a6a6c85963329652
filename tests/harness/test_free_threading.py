"""Free-threaded CPython (3.13t, 3.14t): whether the GIL was on is recorded, shown, and decides
what the CPU chapter expects of threads.

No free-threaded build is installed where these tests were written, so the interpreter's answer
is faked: `sys._is_gil_enabled` (3.13+) and the build's `Py_GIL_DISABLED` config variable.
"""

from __future__ import annotations

import json
import sys
import sysconfig
from pathlib import Path

import pytest

from bench.harness import environment
from bench.lesson import chapters
from bench.lesson.chapters import Lesson
from reports.reading import cpu_findings, gil_line
from strategies.fake import FakeStrategy
from tests.strategies.test_cpu import _crafted


def _free_threaded(monkeypatch: pytest.MonkeyPatch, gil: bool) -> None:
    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: gil, raising=False)
    real = sysconfig.get_config_var
    monkeypatch.setattr(
        sysconfig,
        "get_config_var",
        lambda name: 1 if name == "Py_GIL_DISABLED" else real(name),
    )


def test_detection_asks_the_interpreter_not_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    found = environment.collect("forkserver")
    if not hasattr(sys, "_is_gil_enabled"):  # before 3.13 there is only the GIL
        assert found["gil_enabled"] is True
    assert found["free_threaded_build"] is bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    _free_threaded(monkeypatch, gil=False)
    free = environment.collect("forkserver")
    assert free["gil_enabled"] is False and free["free_threaded_build"] is True
    # A free-threaded build whose GIL an extension (or PYTHON_GIL=1) turned back on.
    _free_threaded(monkeypatch, gil=True)
    assert environment.collect("forkserver")["gil_enabled"] is True


def test_the_findings_lead_with_the_gil_and_read_threads_by_it() -> None:
    walls = {"sequential": 4.0, "threads": 2.1, "processes": 2.05}
    free = cpu_findings(
        _crafted(walls), {"workload": "cpu"}, {"gil_enabled": False, "free_threaded_build": True}
    )
    assert free[0] == gil_line({"gil_enabled": False})
    assert "without the GIL" in free[0] and "several cores" in free[0]
    slow = cpu_findings(
        _crafted({"sequential": 4.0, "threads": 4.0}), {"workload": "cpu"}, {"gil_enabled": False}
    )
    assert slow[1].endswith(
        "no faster, although this Python ran without the GIL: something serialised the threads "
        "(a lock, or a busy machine)"
    )
    held = cpu_findings(
        _crafted({"sequential": 4.0, "threads": 4.0}), {"workload": "cpu"}, {"gil_enabled": True}
    )
    assert held[0] == "The GIL was enabled: one thread at a time runs Python code."
    assert held[1].endswith("no faster: the GIL lets one thread run Python at a time")
    back_on = gil_line({"gil_enabled": True, "free_threaded_build": True})
    assert "a free-threaded build, with the GIL back on" in back_on
    assert cpu_findings(_crafted(walls), {"workload": "io"}, {"gil_enabled": False}) == []


def test_the_terminal_and_the_report_show_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.cli.app import main

    _free_threaded(monkeypatch, gil=False)
    argv = ["run", "--strategies", "fake", "--tasks", "2", "--workload", "cpu"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    assert "This Python ran without the GIL" in capsys.readouterr().out
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["environment"]["gil_enabled"] is False
    html = (tmp_path / "report.html").read_text()
    assert '<td>GIL enabled</td><td class="value">no</td>' in html
    assert 'free-threaded build (can run without the GIL)</td><td class="value">yes' in html


def test_the_cpu_chapter_expects_threads_to_win_without_the_gil(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The chapter's text and its verdict's claim follow the interpreter (the runs are the
    virtual-clock fake, and the CPU part is not calibrated, so no CPU is spent)."""
    monkeypatch.setattr(chapters, "gil_enabled", lambda: False)
    monkeypatch.setattr(chapters, "with_cpu_estimates", lambda plan, _collector: tuple(plan))
    lesson = Lesson(0.01, lambda _name: FakeStrategy)
    chapter, measure = list(chapters.chapters(lesson))[7]
    assert "without the GIL, so threads use the cores" in chapter.explanation
    measure(chapter)
    assert chapter.verdict is not None
    assert "without the GIL threads use the cores" in chapter.verdict.claim
    monkeypatch.setattr(chapters, "gil_enabled", lambda: True)
    chapter, measure = list(chapters.chapters(Lesson(0.01, lambda _name: FakeStrategy)))[7]
    measure(chapter)
    assert chapter.verdict is not None and "held back by the GIL" in chapter.verdict.claim
