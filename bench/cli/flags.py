"""What the subcommands' flags share: closed choices, output folders, and the flags that say what
is shown and exported (run, sweep and report)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, overload

Add = Callable[..., argparse.Action]  # a parser's or an argument group's add_argument


def closed(
    add: Add,
    flag: str,
    values: Sequence[str],
    *,
    metavar: str | None = None,
    help: str,  # argparse's own name for it
    **kwargs: Any,
) -> argparse.Action:
    """A flag that takes one of `values` (checked later, by bench.cli.config, which suggests the
    nearest): the help shows them (as `%(values)s`, or in the metavar), and shell completion
    offers them. `values` is read only then: it may be Deferred."""
    action = add(flag, metavar=metavar or "{" + ",".join(values) + "}", **kwargs)
    vars(action)["closed"] = values  # read by bench.cli.completion
    vars(action)["values"] = Joined(values)
    # Given after the values, so that no Python checks a %(values)s before it is there (3.14
    # expands each help as it is added).
    action.help = help
    return action


class Joined:
    """`a, b, c` when a help is printed, not before."""

    def __init__(self, values: Sequence[str]) -> None:
        self.values = values

    def __str__(self) -> str:
        return ", ".join(self.values)


class Deferred(Sequence[str]):
    """Values found when first read. The strategies' names are: finding the installed plugins
    imports importlib.metadata and reads every installed package's entry points (20-40 ms
    here), which `bench --help` and most Tabs of shell completion never need."""

    def __init__(self, find: Callable[[], Sequence[str]]) -> None:
        self._find = find
        self._found: tuple[str, ...] | None = None

    def _values(self) -> tuple[str, ...]:
        if self._found is None:
            self._found = tuple(self._find())
        return self._found

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._values()[index]

    def __len__(self) -> int:
        return len(self._values())

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())


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
