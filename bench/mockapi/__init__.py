"""The aiohttp mock market-data API: the app, the process it runs in, its seeded faults.

May import: bench.errors, bench.collectors (the quotes it serves are the collectors' own).
"""
