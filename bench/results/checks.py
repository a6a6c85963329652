"""The checks every value of a results file passes on load, shared by results.json's reader
(bench.results.loader) and tasks.parquet's (bench.results.columns): each problem is a _Shape
naming where it is (a JSON path) and what is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

MAX_SECONDS: Final = 1e9  # about 31 years: any time beyond is not a measurement
MAX_INT: Final = 2**63 - 1  # pids, thread ids and counts are 64-bit at most


def to_ns(seconds: float | None) -> int | None:
    if seconds is None:
        return None
    if not -MAX_SECONDS <= seconds <= MAX_SECONDS:
        raise ValueError(f"a time of {seconds:.3g} s is out of range (|t| <= {MAX_SECONDS:g} s)")
    return round(seconds * 1e9)


class Shape(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")


def typed_field(obj: Mapping[str, Any], key: str, kinds: tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise Shape(f"{where}.{key}", "missing")
    value = obj[key]
    # bool is an int in Python, but true is not a valid number of workers.
    if isinstance(value, bool) and bool not in kinds:
        raise Shape(f"{where}.{key}", f"expected {kind_names(kinds)}, got a boolean")
    if not isinstance(value, kinds):
        raise Shape(f"{where}.{key}", f"expected {kind_names(kinds)}, got {type(value).__name__}")
    if isinstance(value, str) and not is_text(value):
        raise Shape(f"{where}.{key}", "not valid text (a lone surrogate or a control character)")
    if isinstance(value, int) and not -MAX_INT <= value <= MAX_INT:
        raise Shape(f"{where}.{key}", "integer out of range (64-bit)")
    if isinstance(value, float) and not -MAX_SECONDS * 1e9 <= value <= MAX_SECONDS * 1e9:
        raise Shape(f"{where}.{key}", f"number {value:.3g} out of range")
    return value


# A lone surrogate (not writable as UTF-8) or a control character other than tab and newlines.
BAD_TEXT: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def is_text(value: str) -> bool:
    """Writable as UTF-8 and free of control characters (tabs and newlines aside: error texts
    may hold them), so every report can show it."""
    return BAD_TEXT.search(value) is None


def check_texts(obj: Any, where: str) -> None:
    """The same check through the free-form parts (environment, config, details)."""
    if isinstance(obj, str) and not is_text(obj):
        raise Shape(where, "not valid text (a lone surrogate or a control character)")
    if isinstance(obj, dict):
        for key, value in obj.items():
            check_texts(key, where)
            check_texts(value, f"{where}.{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            check_texts(value, f"{where}[{i}]")


def kind_names(kinds: tuple[type, ...]) -> str:
    return " or ".join("null" if k is type(None) else k.__name__ for k in kinds)


NUM = (int, float)
OPT_NUM = (int, float, type(None))
OPT_INT = (int, type(None))
OPT_STR = (str, type(None))
