"""Strategies from other packages, found through the `concurrency_bench.strategies` entry-point
group: `name = "package.module:StrategyClass"` in the plugin's pyproject.toml."""

from __future__ import annotations

from importlib import metadata
from typing import Final

GROUP: Final = "concurrency_bench.strategies"


def discovered() -> dict[str, str]:
    """name -> "module:Class" for every installed plugin (built-in names are not overridden)."""
    return {ep.name: ep.value for ep in metadata.entry_points(group=GROUP)}
