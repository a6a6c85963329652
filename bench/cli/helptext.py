"""How --help is laid out: the flags' column, prose wrapped to the console, examples kept whole,
the subcommands one a line. The same text on every supported Python (tests/golden/help)."""

from __future__ import annotations

import argparse
from collections.abc import Generator
from typing import Any


class HelpFormatter(argparse.HelpFormatter):
    """Flags and their values in a column wide enough for `--latency-spread X`; prose wrapped
    to the console, but an indented line (an example) kept whole; the subcommands listed one a
    line under "commands", without argparse's `{run,sweep,...}` line above them."""

    def __init__(self, prog: str, **kwargs: Any) -> None:
        kwargs.setdefault("max_help_position", 30)
        super().__init__(prog, **kwargs)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        fill = super()._fill_text  # (not inside the generator: super() needs the method's frame)
        return "\n".join(
            indent + line if not line or line[0].isspace() else fill(line, width, indent)
            for line in text.splitlines()
        )

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):
            return "".join(self._format_action(choice) for choice in action._get_subactions())
        return super()._format_action(action)

    def _iter_indented_subactions(
        self, action: argparse.Action
    ) -> Generator[argparse.Action, None, None]:
        # Flush with the other entries, as _format_action lists them; the help column is then
        # the same on every Python (3.13 began counting the indent it would have added).
        if isinstance(action, argparse._SubParsersAction):
            yield from action._get_subactions()
        else:
            yield from super()._iter_indented_subactions(action)
