"""A real browser for the layout tests: Debian's chromium, driven through its WebDriver
(chromium-driver) by selenium, at a desktop width and at a phone's, with the page's own CSP.

`python -m tests.browser DIR [RUN]` saves the two screenshots the README shows
(DIR/report-1280.png, DIR/report-390.png): of RUN's report (a folder holding results.json,
re-rendered first), or without RUN of the sample results the tests use.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
WIDTHS = {"desktop": (1280, 800, False), "phone": (390, 844, True)}


@contextmanager
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM is not None and DRIVER is not None
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def show(driver: Any, page: Path, width: str) -> None:
    """Load `page` in a viewport of that width (a phone's: mobile, the meta viewport applies)."""
    w, h, mobile = WIDTHS[width]
    metrics = {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": mobile}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.get(page.as_uri())


def screenshots(folder: Path, run: Path | None = None) -> list[Path]:
    from bench.results import loader
    from reports.html import render_html
    from tests.samples import sample_results

    results = loader.load(run / "results.json") if run is not None else sample_results()
    page = folder.resolve() / "sample-report.html"
    page.write_text(render_html(results))
    saved = []
    with browser() as driver:
        for width in WIDTHS:
            show(driver, page, width)
            path = folder / f"report-{WIDTHS[width][0]}.png"
            driver.save_screenshot(str(path))
            saved.append(path)
    page.unlink()
    return saved


if __name__ == "__main__":
    args = sys.argv[1:]
    target = Path(args[0] if args else "docs")
    for shot in screenshots(target, Path(args[1]) if len(args) > 1 else None):
        print(shot)
