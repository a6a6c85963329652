"""What the subcommands' flags share: closed choices, output folders, and the flags that say what
is shown and exported (run, sweep and report)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Add = Callable[..., argparse.Action]  # a parser's or an argument group's add_argument


def closed(
    add: Add, flag: str, values: Sequence[str], *, metavar: str | None = None, **kwargs: Any
) -> argparse.Action:
    """A flag that takes one of `values` (checked later, by bench.cli.config, which suggests the
    nearest): the help shows them, and shell completion offers them."""
    action = add(flag, metavar=metavar or "{" + ",".join(values) + "}", **kwargs)
    vars(action)["closed"] = tuple(values)  # read by bench.cli.completion
    return action


def folder(text: str) -> Path:
    """An output folder: `Path("")` would silently mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must name a folder (got an empty string)")
    return Path(text)


class Once(argparse.Action):
    """A flag that takes one value: given twice, argparse keeps the last and the first is lost
    without a word (`--export-json a.json ... --export-json b.json` wrote only b.json)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"{option_string} was given twice: give it once")
        setattr(namespace, self.dest, values)


def output_flags(add: Add) -> None:
    """What is shown and exported (run, sweep and report)."""
    add(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the one-line answers and where the report is",
    )
    for kind, what in (
        ("json", "the results document"),
        ("markdown", "the answers and a summary table"),
        ("csv", "the task records (tasks.csv)"),
    ):
        add(
            f"--export-{kind}",
            action=Once,
            metavar="FILE",
            help=f"write {what} to FILE; - is stdout, and then all else goes to stderr "
            "(default: none)",
        )
    add("--open", action="store_true", help="open the report in your browser (with a display)")
