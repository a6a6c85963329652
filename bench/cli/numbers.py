"""Flag values as numbers and lists: strict, bounded, one line naming the flag when refused."""

from __future__ import annotations

import math
import re
from typing import Final

from bench.errors import UsageError

MAX_NUMBER: Final = 1e6  # seconds for durations (11.6 days), the same for factors and percents

_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(
    r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?(nan|inf|infinity)", re.I
)


def parse_int(flag: str, text: str, low: int, high: int) -> int:
    # Plain ASCII digits only: int() would also take " 3", "1_0" and Arabic-Indic digits.
    if not isinstance(text, str) or not _INT.fullmatch(text):
        raise UsageError(f"{flag} must be an integer in {low}..{high} (got {text!r})")
    value = int(text)
    if not low <= value <= high:
        raise UsageError(f"{flag} must be an integer in {low}..{high} (got {value})")
    return value


def parse_float(
    flag: str, text: str, low: float, *, above: bool = False, high: float = MAX_NUMBER
) -> float:
    """A finite float >= low (or > low with `above`) and <= high; NaN and inf are refused by
    name. Every duration has an upper bound: 1e308 s would overflow the clocks."""
    bound = f"> {low:g}" if above else f">= {low:g}"
    if not isinstance(text, str) or not _FLOAT.fullmatch(text):  # float() takes "1_0" too
        raise UsageError(f"{flag} must be a number {bound} (got {text!r})")
    value = float(text)
    if not math.isfinite(value) or value < low or (above and value == low):
        raise UsageError(f"{flag} must be a finite number {bound} (got {text})")
    if value > high:
        raise UsageError(f"{flag} must be at most {high:,.0f} (got {text})")
    return value


def parse_list(flag: str, text: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or not all(items):
        raise UsageError(f"{flag} needs a comma-separated list with no empty items (got {text!r})")
    return items
