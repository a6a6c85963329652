"""Pure functions over records: per-run statistics, significance, repeats, the knee of a sweep,
run-to-run comparison. Nothing here is stored: every figure is computed from the task records.

May import: bench.model.
"""
