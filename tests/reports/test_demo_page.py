"""The handout (demo.html) as a reader meets it: each chapter's table shows the columns its claim
is about, with rows that say what differs; every chapter asks for a prediction before it reveals
its run; a replay redraws the lanes offline under the page's CSP; a phone's 390 px never scrolls
sideways. Built from the whole lesson on the deterministic fake executor (virtual time: quick)."""

from __future__ import annotations

import re
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest

from bench.cli.demo import _machine, _record
from bench.lesson.chapters import Lesson, chapters
from reports.demo_html import render_demo_html
from tests.browser import CHROMIUM, DRIVER, browser, show

NOWHERE = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from strategies.fake import FakeStrategy

    done = []
    # The fake never sends a request: chapter 10's mock API is an address nobody asks.
    lesson = Lesson(0.05, lambda _name: FakeStrategy, serve=lambda _r, _b: nullcontext(NOWHERE))
    for chapter, measure in chapters(lesson):
        measure(chapter)
        done.append(_record(chapter))
    page = tmp_path_factory.mktemp("handout") / "demo.html"
    page.write_text(render_demo_html(done, 0.05, _machine()))
    return page


def _table(html: str, number: int) -> str:
    section = html[html.index(f'id="chapter-{number}"') :]
    return section[section.index("<table") : section.index("</table>")]


def test_each_table_shows_what_its_claim_is_about(handout: Path) -> None:
    html = handout.read_text()
    assert _table(html, 1) != _table(html, 2)  # chapter 2 no longer repeats chapter 1's
    assert "<th>OS thread id</th>" in _table(html, 1)
    assert "<th>first completion</th>" in _table(html, 2)
    four = _table(html, 4)
    assert "<th>tasks</th>" in four and "asyncio, 10 tasks" in four and "asyncio, 100 tasks" in four
    seven = _table(html, 7)
    assert all(f"<th>{h}</th>" in seven for h in ("peak RSS", "start-up", "context switches"))
    assert "peak overlap" not in seven
    nine = _table(html, 9)
    assert "time.sleep in the coroutine" in nine and "asyncio.to_thread(time.sleep)" in nine
    assert "<th>(pid, thread id) pairs</th>" in _table(html, 6)
    ten = _table(html, 10)
    heads = ("tasks/s", "Little&#39;s law (workers / latency)", "429s")
    assert all(f"<th>{h}</th>" in ten for h in heads), ten
    assert "asyncio, 1 worker</td>" in ten and "asyncio, 16 workers</td>" in ten


def test_chapter_eight_has_one_ideal_per_worker_count(handout: Path) -> None:
    rows = re.findall(
        r"<tr><td>(\w+)</td><td>(\d+)</td><td>[^<]*</td><td>([^<]*)</td>",
        _table(handout.read_text(), 8),
    )
    ideals = {workers: {ideal for name, w, ideal in rows if w == workers} for _, workers, _ in rows}
    assert sorted(ideals) == ["1", "4"] and all(len(v) == 1 for v in ideals.values()), rows
    assert "ideal: one per worker count" in handout.read_text()


def test_the_handout_ends_with_where_and_when(handout: Path) -> None:
    html = handout.read_text()
    tail = html[html.index('id="machine"') :]
    assert "date: " in tail and "Python " in tail and "usable by this process" in tail
    assert "load (1-minute average per usable core) before each chapter: 1: " in tail
    assert html.index('id="claims-table"') > html.index('id="chapter-10"')  # no spoiler on top
    assert html.count('<details class="reveal">') == 10


def test_a_starved_run_reads_not_shown_in_amber(handout: Path) -> None:
    """The fake executor takes no CPU time: chapter 8's precondition fails, in amber."""
    html = handout.read_text()
    eight = html[html.index('id="chapter-8"') : html.index('id="chapter-9"')]
    assert '<p class="verdict not-shown">Not shown:' in eight
    assert "Precondition failed:" in eight and "the median run is shown" in eight


def _errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None or DRIVER is None, reason="chromium/chromedriver absent")
def test_the_page_in_a_browser(handout: Path) -> None:
    """One browser for every check: the fold, the replay, 390 px, the CSP (no errors)."""
    with browser() as driver:
        show(driver, handout, "desktop")
        one = driver.find_element("css selector", "#chapter-1")
        verdict = one.find_element("css selector", ".verdict")
        assert not verdict.is_displayed()  # predict first
        one.find_element("css selector", "summary").click()
        assert verdict.is_displayed()
        replay = one.find_element("css selector", ".replay")
        canvas = replay.find_element("css selector", "canvas")
        replay.find_element("css selector", ".speed option[value='10']").click()
        replay.find_element("css selector", ".play").click()
        deadline = time.monotonic() + 10
        while replay.get_attribute("data-state") != "ended" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert replay.get_attribute("data-state") == "ended"
        # asyncio's 6 lanes and (the fake lesson offers every engine) gevent's 6, a bar each
        assert canvas.get_attribute("data-lanes") == "12"
        assert canvas.get_attribute("data-bars") == "12"
        inked = driver.execute_script(
            "var c = arguments[0], d = c.getContext('2d').getImageData(0, 0, c.width, c.height);"
            "var n = 0; for (var i = 3; i < d.data.length; i += 4) { if (d.data[i]) n++; }"
            "return n;",
            canvas,
        )
        assert inked > 500  # the bars and labels, drawn
        replay.find_element("css selector", ".play").click()
        replay.find_element("css selector", ".pause").click()
        assert replay.get_attribute("data-state") == "paused"
        show(driver, handout, "phone")
        driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390
        scrolled = driver.execute_script(
            "return Array.from(document.querySelectorAll('.table-wrap, pre'))"
            ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
        )
        assert scrolled == 0  # nothing cut off inside a box either
        assert _errors(driver) == []


def test_the_title_asks_the_questions_its_chapters_answer(handout: Path) -> None:
    from reports.demo_html import heading

    html = handout.read_text()
    both = "Why do all my asyncio workers show the same thread id? And how many do I need?"
    assert f"<title>{both}</title>" in html and f"<h1>{both}</h1>" in html
    assert heading([{"number": n} for n in range(1, 10)]).endswith("same thread id?")
