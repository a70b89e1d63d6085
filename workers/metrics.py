"""The worker's own metric: running shipments waiting on each kind of timer (from visibility).

The metrics runtime and Waypost's recorder are `infra.telemetry`; this part needs the workflow's
timer kinds, so it lives with the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from temporalio.client import Client
from temporalio.service import RPCError

from infra.metrics import AppMetrics
from infra.settings import Settings
from infra.telemetry import app_metrics, serves_metrics
from workflows.schedule import TIMER_KINDS

log = structlog.get_logger("waypost.metrics")

WORKFLOW_TYPE = "ShipmentWorkflow"


def pending_timers_query(task_queue: str, kind: str) -> str:
    return (
        f"WorkflowType = '{WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' "
        f"AND TaskQueue = '{task_queue}' AND PendingTimers = '{kind}'"
    )


async def count_pending_timers(client: Client, task_queue: str) -> dict[str, int]:
    """Running shipments on `task_queue` waiting on each kind of timer, from visibility.

    Why visibility and not counters of timers armed and ended in the workflow: such counters
    live in one worker process, so a timer armed on one worker and ended on another, or a
    worker restarted (its counters back at zero while its shipments still wait), makes their
    difference wrong for good, and a continued run would arm its timers a second time. The
    workflow keeps `PendingTimers` equal to what it waits on (an upsert when the kinds change,
    replayed exactly like any command), so a count here is right whatever happened to workers,
    caches or runs. Visibility lags the workflow by about a second.
    """
    counts = await asyncio.gather(
        *(client.count_workflows(pending_timers_query(task_queue, kind)) for kind in TIMER_KINDS)
    )
    return {kind: found.count for kind, found in zip(TIMER_KINDS, counts, strict=True)}


async def _report_pending_timers(
    client: Client, metrics: AppMetrics, task_queue: str, every: float
) -> None:
    while True:
        try:
            counts = await count_pending_timers(client, task_queue)
        except (RPCError, RuntimeError) as err:
            # The gauge keeps its last value; the warning says it is stale.
            log.warning("pending timers not counted", error=str(err))
        else:
            for kind, count in counts.items():
                metrics.pending_timers(kind, task_queue, count)
        await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def reporting_pending_timers(
    client: Client, settings: Settings, task_queue: str
) -> AsyncIterator[None]:
    """Within the block, refresh `waypost_pending_timers` for `task_queue` every
    `metrics_timers_refresh_seconds`; nothing when the client's runtime serves no metrics."""
    if not serves_metrics(client):
        yield
        return
    task = asyncio.create_task(
        _report_pending_timers(
            client, app_metrics(client), task_queue, settings.metrics_timers_refresh_seconds
        )
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
