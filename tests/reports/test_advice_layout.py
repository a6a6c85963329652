"""The report's How many workers section in a real browser: nothing in it reaches past the page's
width at a phone's (its chart and table scroll in their own boxes), chart text a projector can
show, no console errors. Hand-built sweep records (tests.analysis.test_capacity), so the
section's content is known."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.model import Results
from reports.html import render_html
from tests.analysis.test_capacity import quota_sweep
from tests.browser import CHROMIUM, DRIVER, browser, show

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None,
        reason="chromium or chromedriver not installed (apt-get install chromium chromium-driver)",
    ),
]


def advice_results() -> Results:
    config: dict[str, Any] = {
        "strategies": ["asyncio"],
        "io": "http",
        "http_quota": {"text": "20/s", "rate_per_s": 20.0, "burst": 1},
        "sweep": {"workers": [1, 2, 4, 8], "tasks": [40], "latency": [0.1]},
        "advise": {"job_tasks": 10_000},
    }
    return Results({"usable_cpus": 2}, config, tuple(quota_sweep()), "2026-12-02T17:00:00+00:00")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_advice_section_fits_and_its_chart_is_legible(tmp_path: Path, width: str) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(advice_results()))
    with browser() as driver:
        driver.get_log("browser")
        show(driver, page, width)
        found = driver.execute_script(
            """
            const root = document.documentElement;
            const texts = [...document.querySelectorAll('.figure.advice svg text')];
            const sizes = texts.map(text => {
              const svg = text.ownerSVGElement, box = svg.viewBox.baseVal;
              const scale = box && box.width ? svg.getBoundingClientRect().width / box.width : 1;
              return parseFloat(getComputedStyle(text).fontSize) * scale;
            });
            const section = [...document.querySelectorAll('section.advice, section.advice *')];
            const wide = section.filter(e => !e.closest('.scroll, .figure'))
              .map(e => e.getBoundingClientRect().right);
            return {right: Math.max(...wide), client: root.clientWidth,
                    smallest: Math.min(...sizes),
                    lines: document.querySelectorAll('.advice-line').length,
                    table: document.querySelector('.advice-table').textContent};
            """
        )
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert found["right"] <= found["client"], found
    assert found["smallest"] >= 11, found
    assert found["lines"] == 4 and found["table"].startswith("workers  tasks/s")
    assert severe == []
