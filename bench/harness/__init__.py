"""Measuring: the runner, the per-task recording (the hot path), the execution contract every
strategy implements, the start-up calibration, the environment, the interrupt handling.

May import: bench.model, bench.errors, bench.workload, bench.collectors. Prints nothing.
"""
