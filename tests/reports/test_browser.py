"""The report in a real browser: Debian's headless Chromium loads report.html from disk.

Skipped, with the reason, only where chromium is absent locally; CI installs it and sets CI, and
there a missing browser fails instead of skipping.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports.html import render_html
from tests.reports.test_reports import HOSTILE
from tests.samples import sample_results

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--enable-logging=stderr",
    "--v=0",
]

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("chromium is required in CI (.ci/run installs Debian's chromium)")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium not installed (apt-get install chromium)"
    ),
]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def _report(tmp_path: Path, symbols: tuple[str, ...] | None = None) -> Path:
    path = tmp_path / "report.html"
    path.write_text(render_html(sample_results(symbols) if symbols else sample_results()))
    return path


def _console_errors(stderr: str) -> list[str]:
    markers = ("CONSOLE", "Uncaught", "Content Security Policy")
    return [line for line in stderr.splitlines() if any(m in line for m in markers)]


def test_report_loads_without_errors_and_its_script_ran(tmp_path: Path) -> None:
    page = _report(tmp_path)
    proc = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert _console_errors(proc.stderr) == []
    # The page's script parsed the embedded JSON and counted every record.
    assert 'data-records="24"' in dom
    assert "24 task records from 4 runs" in dom
    assert len(re.findall(r'<div class="figure timeline"><svg', dom)) == 4


def test_screenshot_is_not_blank(tmp_path: Path) -> None:
    from matplotlib.image import imread

    shot = tmp_path / "shot.png"
    proc = _chromium(
        tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", _report(tmp_path).as_uri()
    )
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    pixels = imread(shot)
    assert pixels.shape[0] >= 1000
    assert float(pixels[..., :3].std()) > 0.05  # text and figures, not one flat colour


def test_hostile_names_execute_no_script(tmp_path: Path) -> None:
    page = _report(tmp_path, HOSTILE)
    proc = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert "<title>concurrency-bench report</title>" in dom
    assert "pwned" not in dom.split("</title>")[0]
    assert "<img src" not in dom.split("<svg")[0]  # no name turned into an element
    assert 'data-records="24"' in dom  # our own script still ran
    assert _console_errors(proc.stderr) == []
