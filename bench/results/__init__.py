"""The results file format in one place: the writer (schema, version history, the one table of
per-task columns that tasks.csv and the pandas frames share), the loader, the output folder.

May import: bench.model, bench.errors, bench.analysis.
"""
