"""What runs inside a worker process, interpreter or greenlet child: the entry points the pools
start. Each module here is imported by every worker, so it stays light: no reports, no CLI, no
pandas or matplotlib (tests/test_architecture.py holds the folder to that)."""
