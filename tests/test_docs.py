"""The documentation cannot drift from the tool: the reference pages are what the code
generates, every field the writer writes and every exit code is documented, and the README
stays a front page (under 15 KB) whose links all lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.cli import exits, reference
from bench.results import fields, writer
from tests.samples import sample_results

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


@pytest.mark.parametrize("name", sorted(reference.PAGES))
def test_the_reference_pages_are_what_the_code_generates(name: str) -> None:
    page = DOCS / "reference" / name
    assert page.read_text(encoding="utf-8") == reference.PAGES[name](), (
        f"docs/reference/{name} is stale: run `make docs` and commit it"
    )


def test_every_field_the_writer_writes_is_documented() -> None:
    results = sample_results()
    head = writer.run_to_dict(results.runs[0])
    assert set(head) == set(fields.RUN_FIELD_DOCS)
    # tasks_file is written only when the tasks are in tasks.parquet (a large file)
    assert [*writer._header(results), "runs", "tasks_file"] == list(fields.FILE_FIELD_DOCS)
    assert all(f.doc for f in fields.TASK_FIELDS)


def test_every_exit_code_is_documented_once() -> None:
    defined = {v for k, v in vars(exits).items() if k.startswith("EXIT_")}
    documented = [code for code, _ in exits.MEANINGS]
    assert sorted(documented) == sorted(defined) == documented


def test_the_readme_is_a_front_page_whose_links_lead_somewhere() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) < 15_000
    assert readme.startswith("# concurrency-bench")
    first_commands = re.findall(r"^make \w+", readme, re.M)[:2]
    assert first_commands == ["make bench", "make test"]
    for target in re.findall(r"\]\(((?!https?://)[^)#]+)(?:#[^)]*)?\)", readme):
        assert (ROOT / target).exists(), f"README links to {target}, which does not exist"


def test_every_docs_page_is_in_the_site() -> None:
    """Sphinx builds (make docs, CI) with -W: a page left out of every toctree fails there;
    this says which, in the test run."""
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    pages = {
        p.relative_to(DOCS).with_suffix("").as_posix()
        for p in DOCS.rglob("*.md")
        if "_build" not in p.parts and p.name != "index.md"
    }
    listed = set(re.findall(r"^([\w/-]+)$", index, re.M))
    assert pages <= listed, f"not in docs/index.md's toctree: {sorted(pages - listed)}"


def test_every_tasks_csv_column_is_documented() -> None:
    documented = {f.name for f in fields.TASK_FIELDS} | set(fields.OTHER_COLUMN_DOCS)
    assert set(fields.CSV_COLUMNS) <= documented
