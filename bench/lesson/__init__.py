"""The teaching demo: its chapters, the verdicts computed from the records, and the live board
that draws tasks as they run. No printing: the CLI shows it.

May import: bench.model, bench.errors, bench.workload, bench.collectors, bench.harness,
bench.analysis.
"""
