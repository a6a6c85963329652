"""The documentation site: Sphinx with MyST (the pages stay Markdown, readable on GitHub) and
the furo theme. Sphinx rather than MkDocs: Material for MkDocs went into maintenance mode in
2025, while Sphinx and MyST are actively released, and `sphinx-build -W -n` fails on a broken
cross-reference or a page left out of the table of contents, which is the strict build CI
needs (make docs)."""

from bench.version import __version__

project = "concurrency-bench"
author = "concurrency-bench developers"
release = version = __version__
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3  # [text](page.md#a-heading) links resolve, and are checked
myst_enable_extensions = ["colon_fence"]
html_theme = "furo"
html_title = f"concurrency-bench {release}"
suppress_warnings: list[str] = []
