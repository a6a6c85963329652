"""Figures to inline SVG text: deterministic, self-contained, safe with any label.

Figures are built with `matplotlib.figure.Figure` (no pyplot: no global state, nothing to close),
under settings that make the output byte-identical between runs and keep `$` in a symbol from being
parsed as mathtext.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import matplotlib
from matplotlib.figure import Figure

matplotlib.use("Agg")

STYLE: dict[str, Any] = {
    "text.parse_math": False,  # "$$" or "$x$" in a symbol must print literally, not crash
    "svg.fonttype": "none",  # real text in the SVG: selectable, small, searchable
    "svg.hashsalt": "concurrency-bench",  # stable ids: the same input gives the same bytes
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

# Point sizes: a figure is shown at its natural size (1 pt = 1.33 px), so the smallest text is
# 12 px, above the 11 px a projector or a laptop needs; a phone scrolls the figure instead.
SMALL = 9
TITLE = 11

# Status by pattern as well as colour, for readers who do not tell the colours apart.
HATCHES = {"ok": "", "error": "xxx", "timeout": "...", "cancelled": "---"}

COLORS = {
    "ok": "#3b7dd8",
    "error": "#d62728",
    "timeout": "#ff8c00",
    "cancelled": "#8c8c8c",
    "queue": "#d9d9d9",
    "cpu": "#1b3f7a",
}


# Bars take the hue of the OS thread (or process) that ran them: asyncio's overlapping bars share
# one hue, a pool's threads get one each. No red or orange here: those mark failures.
PALETTE = (
    "#3b7dd8",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#17becf",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#5c7cfa",
    "#6b4226",
)
# Where a failed, timed-out or cancelled task ended: shape and colour, so a task that failed at
# once (a bar of no width) is still seen.
MARKERS = {"error": "X", "timeout": "D", "cancelled": "s"}


@contextmanager
def style() -> Iterator[None]:
    # The stubs type rc keys as a Literal union; these are checked by matplotlib at run time.
    with matplotlib.rc_context(cast(Any, STYLE)):
        yield


def to_svg(fig: Figure, tight: bool = True) -> str:
    """The figure as an `<svg>` element, without the XML prolog and doctype, ready to inline."""
    out = io.StringIO()
    with style():
        fig.savefig(
            out, format="svg", metadata={"Date": None}, bbox_inches="tight" if tight else None
        )
    text = out.getvalue()
    text = text[text.index("<svg") :]
    # The RDF metadata block only names namespaces; it is dead weight in an inline figure.
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text, count=1, flags=re.S)


def shorten(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
