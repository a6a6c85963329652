"""A line of text on a rich console: a record, whole in a pipe, wrapped at words on a screen.

Rich wraps to the console's width, and a console that is not a terminal (a CI log, `| tee`,
`2> file`) is 80 columns wide, so a progress line longer than that came out as two lines, and
`grep` found half a record. The 80-column layout is for tables; everything else is a record.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console


def say(console: Console, text: str, **kwargs: Any) -> None:
    """One record: one line in a pipe or a file, whatever its length; on a terminal wrapped at
    word boundaries (a terminal's own wrap would cut words in two)."""
    console.print(text, soft_wrap=not console.is_terminal, **kwargs)
