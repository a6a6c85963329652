"""Machinery the executors use in bench's own process: supervising pools and their deaths, thread
groups, the submission window, the event loop's watch, the resource tracker. Private to
strategies/: a plugin implements bench.Strategy and needs none of it."""
