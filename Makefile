# The command surface: CI calls these same targets.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: bench test lint demo perf clean

# Re-install only when pyproject.toml changes.
$(STAMP): pyproject.toml examples/thread_per_task/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip install --quiet -e examples/thread_per_task
	touch $(STAMP)

bench: $(STAMP)
	$(PY) -m bench run

demo: $(STAMP)
	$(PY) -m bench demo

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check --no-cache .
	$(PY) -m ruff format --no-cache --check .
	$(PY) -m mypy

# The harness's own speed vs bare loops; saves JSON under .benchmarks/ for --benchmark-compare.
perf: $(STAMP)
	$(PY) -m pytest tests/perf -p no:randomly -s --benchmark-autosave --benchmark-columns=min,max,rounds -o addopts="-ra -p no:cacheprovider"

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
