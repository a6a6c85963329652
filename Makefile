# The command surface: CI calls these same targets.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements.lock
# One lock for every supported Python (markers choose per version), resolved by uv.
UV     := $(VENV)/bin/uv
UV_COMPILE = $(UV) pip compile pyproject.toml --extra dev --universal \
             --python-version 3.11 --quiet --custom-compile-command "make lock" --output-file $(LOCK)

.PHONY: bench test lint docs demo perf perf-compare models lock upgrade test-latest test-matrix clean

# Installs exactly the lock (re-run only when it or a pyproject changes); the package itself is
# installed without dependencies, so nothing unpinned slips in.
$(STAMP): $(LOCK) pyproject.toml examples/thread_per_task/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --requirement $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e . -e examples/thread_per_task
	touch $(STAMP)

# uv alone, so the lock can be (re)made before the rest installs; the lock's own uv replaces it.
$(UV):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv

bench: $(STAMP)
	$(PY) -m bench run $(ARGS)

demo: $(STAMP)
	$(PY) -m bench demo $(ARGS)

# On every core: most of the suite waits (sleeps, the subprocesses it starts), so workers overlap
# well even on two cores. A file goes to one worker whole, so a module's fixture (a demo run) is
# built once. JOBS=0 runs it in this process (pdb, -x on the first failure in order).
JOBS  ?= auto
XDIST  = -n $(JOBS) --dist loadfile
test: $(STAMP)
	$(PY) -m pytest $(XDIST) $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check --no-cache .
	$(PY) -m ruff format --no-cache --check .
	$(PY) -m mypy

# The documentation site from docs/: the reference pages regenerated from the code first, then a
# strict build (-W -n: a warning, a broken cross-reference or a page outside every table of
# contents fails it). Open docs/_build/html/index.html.
docs: $(STAMP)
	$(PY) -m bench.cli.reference docs/reference
	$(PY) -m sphinx -W --keep-going -n -q -b html docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

# The harness's own speed vs bare loops; saves JSON under .benchmarks/ for --benchmark-compare.
PERF := $(PY) -m pytest tests/perf -p no:randomly -s --benchmark-columns=min,max,rounds -o addopts="-ra -p no:cacheprovider"
# Every figure beside its target (PASS/MISS) and a summary line; each run is saved (.benchmarks/).
# STRICT=1 fails on any MISS (the default only reports: a loaded machine must not fail a build);
# WRITE=1 writes the verdicts, dated, into docs/measurements/performance.md.
# PERF_1M=1 adds the million-task scaling case (about two minutes, both cores).
perf: $(STAMP)
	$(PERF) --benchmark-autosave

# The same, compared with the last saved run (pytest-benchmark's table of both), then saved.
perf-compare: $(STAMP)
	$(PERF) --benchmark-autosave --benchmark-compare

# The "which model for which job" table, measured here (about two minutes), written dated into
# docs/measurements/models.md.
models: $(STAMP)
	$(PY) -m tests.perf.models --write docs/measurements/models.md $(ARGS)

# Re-resolve the lock after editing pyproject's ranges, keeping every other pin.
lock: $(UV)
	$(UV_COMPILE)
	@echo "$(LOCK) updated; the next make reinstalls from it"

# Move every pin to the newest release pyproject allows, reinstall, then lint and test.
upgrade: $(UV)
	$(UV_COMPILE) --upgrade
	$(MAKE) lint test

# The suite against the newest releases pyproject allows (no lock): what `pip install` gives a user.
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade -e '.[dev]' -e examples/thread_per_task
	.venv-latest/bin/python .ci/lock_drift.py $(LOCK)
	.venv-latest/bin/python -m pytest $(XDIST) $(ARGS)

# The suite on every supported Python found here (one venv each, from the lock).
MATRIX ?= 3.11 3.12 3.13
test-matrix:
	.ci/test-matrix $(MATRIX)

clean:
	rm -rf $(VENV) .venv-latest .venv-3.* .mypy_cache .ruff_cache
