"""Shell completion (argcomplete): `bench completion bash|zsh` prints the script; when the shell
asks, each value flag completes from the values it accepts (parsing still checks every value and
refuses a bad one in one line), and a results path completes to `latest` as well as to files."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bench.cli.exits import EXIT_OK

Completer = Callable[..., list[str]]


def cmd_completion(args: argparse.Namespace) -> int:
    from argcomplete.shell_integration import shellcode

    sys.stdout.write(shellcode(["bench"], shell=args.shell))
    return EXIT_OK


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's request for completions (and exit), if this is one."""
    import argcomplete

    add_completers(parser)
    argcomplete.autocomplete(parser)


def add_completers(parser: argparse.ArgumentParser) -> None:
    """Each value flag's completer (argcomplete reads an action's `completer`): a closed choice
    offers the values it was declared with (bench.cli.flags.closed), a results path `latest`
    as well as files."""
    from argcomplete.completers import FilesCompleter

    files = FilesCompleter()

    def results(prefix: str, **_kwargs: object) -> list[str]:
        return ["latest", *files(prefix)]

    for action in _all_actions(parser):
        values = getattr(action, "closed", None)
        if values is not None:
            vars(action)["completer"] = _one_of(values)
        elif action.dest in ("path", "baseline", "current"):
            vars(action)["completer"] = results


def _one_of(choices: Sequence[str]) -> Completer:
    def completer(prefix: str, **_kwargs: object) -> list[str]:
        return [c for c in choices if c.startswith(prefix)]

    return completer


def _all_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    found = []
    for action in parser._actions:
        found.append(action)
        if isinstance(action.choices, dict):  # the subcommands
            for sub in action.choices.values():
                found += _all_actions(sub)
    return found
