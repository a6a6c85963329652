"""concurrency-bench: the harness (data model, workload, collector, runner, stats, results, CLI)."""

__version__ = "0.1.0"
