"""Dated measurements written into a documentation page between two markers (`make models`,
`make perf WRITE=1`): the prose around them stays the author's, the figures the tool's."""

from __future__ import annotations

import datetime
import os
import platform
from pathlib import Path

import psutil


def markers(tool: str) -> tuple[str, str]:
    return f"<!-- {tool} writes below -->", f"<!-- {tool} writes above -->"


def dated(text: str, tool: str, how: str) -> str:
    """`text` under a line saying when, where, on which Python and how loaded it was measured."""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    where = f"{platform.machine()}, {psutil.cpu_count()} CPUs, {platform.platform(terse=True)}"
    python = f"{platform.python_implementation()} {platform.python_version()}"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    head = f"Measured {when} by `{tool}` on {where}, {python}, {how}"
    return f"{head}; load average {load} at the end.\n\n{text}"


def write_into(page: Path, text: str, tool: str) -> None:
    """Replace what lies between the page's two markers, keeping the prose around them."""
    begin, end = markers(tool)
    before, rest = page.read_text(encoding="utf-8").split(begin, 1)
    after = rest.split(end, 1)[1]
    page.write_text(f"{before}{begin}\n{text}\n{end}{after}", encoding="utf-8")
