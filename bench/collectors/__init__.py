"""What one task does: sleep (and the blocking and to-thread variants), HTTP, CPU work, injected
faults, the user's own function. Each collector has a sync and an async face over the same plan.

May import: bench.model, bench.errors, bench.workload.
"""
