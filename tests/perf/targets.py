"""`make perf`'s verdicts: each figure beside its target, PASS or MISS, and a summary line.

A figure with no target is reported as a plain line. By default figures never fail the run (a
loaded machine must not fail a build); the summary says how many targets were met. `make perf
STRICT=1` fails on any MISS, for a quiet machine that must meet every target.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    text: str  # what was measured, in words
    target: str = ""  # "<= 1.5", ">= 0.98"; empty: reported, no target
    met: bool | None = None


def at_most(text: str, value: float, bound: float, unit: str = "") -> Figure:
    return Figure(f"{text}: {_show(value, unit)}", f"<= {_show(bound, unit)}", value <= bound)


def at_least(text: str, value: float, bound: float, unit: str = "") -> Figure:
    return Figure(f"{text}: {_show(value, unit)}", f">= {_show(bound, unit)}", value >= bound)


def _show(value: float, unit: str) -> str:
    digits = 3 if abs(value) < 10 else 1
    return f"{value:,.{digits}f}{unit}"


def report(figures: list[Figure]) -> str:
    lines = []
    for f in figures:
        verdict = "    " if f.met is None else ("PASS" if f.met else "MISS")
        lines.append(f"{verdict}  {f.text}" + (f" (target {f.target})" if f.target else ""))
    judged = [f for f in figures if f.met is not None]
    missed = [f.text.split(":")[0] for f in judged if not f.met]
    summary = f"targets met: {len(judged) - len(missed)} of {len(judged)}"
    lines.append(summary + (f"; missed: {'; '.join(missed)}" if missed else ""))
    return "\n".join(lines)


def strict_misses(figures: list[Figure], strict: bool) -> str:
    """Under STRICT=1, the targets missed, in words ("" when none, or when not strict)."""
    missed = [f"{f.text} (target {f.target})" for f in figures if f.met is False]
    return "; ".join(missed) if strict else ""
