"""A line of text on a rich console: a record, whole in a pipe, wrapped at words on a screen.

Rich wraps to the console's width, and a console that is not a terminal (a CI log, `| tee`,
`2> file`) is 80 columns wide, so a progress line longer than that came out as two lines, and
`grep` found half a record. The 80-column layout is for tables; everything else is a record.
"""

from __future__ import annotations

import os
from typing import Any

from rich.console import Console


def is_log(console: Console) -> bool:
    """Output that is read later or searched: not a terminal, or a CI job (some give their
    jobs a terminal, and record it as a log)."""
    return not console.is_terminal or bool(os.environ.get("CI"))


def say(console: Console, text: str, **kwargs: Any) -> None:
    """One record: one line in a log, whatever its length; on a person's terminal wrapped at
    word boundaries (the terminal's own wrap would cut words in two)."""
    console.print(text, soft_wrap=is_log(console), **kwargs)
