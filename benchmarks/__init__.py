"""Benchmarks: every figure measured in one run beside its reference, on one stack.

`python -m benchmarks` (make bench): throughput against a bare workflow, latency, cost.
`python -m benchmarks.scale` (make bench-scale): many open shipments waiting on timers.
"""
