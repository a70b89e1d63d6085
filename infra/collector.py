"""Python's garbage collector, tuned for a long-running service process.

A worker holds hundreds of workflows in memory (Temporal's sticky cache) beside everything its
imports made (pydantic's schemas, the SDK, SQLAlchemy). With the collector's defaults a young
collection runs every 700 allocations and a full one walks all of it with the event loop
stopped: `make bench` measured full collections of up to 300 ms in the worker, the whole of
the carrier webhook's p99. Frozen once the process is set up, what the imports made is never
walked again (`gc.freeze`), and young collections run every 20,000 allocations: full ones
become rare and short. Reference cycles are still collected; memory is unchanged in practice
(`make bench-scale` reports the worker's peak RSS).
"""

from __future__ import annotations

import gc

__all__ = ["YOUNG_THRESHOLD", "tune_collector"]

YOUNG_THRESHOLD = 20_000
"""Allocations (less deallocations) between young collections; CPython's default is 700."""


def tune_collector() -> None:
    """Call once the process has imported and built what it keeps for its lifetime."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
