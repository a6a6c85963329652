"""The whole lesson in --fast mode, as CI runs it: every chapter measured, reported, judged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_fast_demo_end_to_end(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "demo", "--fast", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    demo = json.loads((tmp_path / "demo.json").read_text())
    verdicts = {ch["number"]: ch["confirmed"] for ch in demo["chapters"]}
    assert sorted(verdicts) == list(range(1, 10))
    # Claims 1-6 and 9 hold on any normal machine; 7 and 8 depend on it (cores, load, GIL).
    failed = [n for n in (1, 2, 3, 4, 5, 6, 9) if not verdicts[n]]
    assert not failed, [ch["evidence"] for ch in demo["chapters"] if ch["number"] in failed]
    html = (tmp_path / "demo.html").read_text()
    assert html.count('class="chapter"') == 9 and 'id="claims-table"' in html
    assert "Sequential processing took" in proc.stdout
    assert "Waiting for semaphore..." in proc.stdout + proc.stderr


def test_one_chapter_and_bad_chapter(tmp_path: Path) -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "bench", "demo", "--chapter", "10"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "--chapter must be an integer in 1..9" in bad.stderr
    one = subprocess.run(
        [sys.executable, "-m", "bench", "demo", "--fast", "--chapter", "1", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert one.returncode == 0, one.stderr[-2000:]
    chapters = json.loads((tmp_path / "demo.json").read_text())["chapters"]
    assert [c["number"] for c in chapters] == [1]
