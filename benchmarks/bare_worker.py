"""`python -m benchmarks.bare_worker <task queue>`: the bare reference's worker, on the same
terms as `waypost worker` (workers/worker.py): the same workflow runner (WAYPOST_WORKFLOW_SANDBOX,
Waypost's sandbox restrictions when on), slots, cache size, thread pool, shutdown grace,
connection and garbage collector settings, in a process of its own. Only the workflow and its
activity differ. Kept apart from benchmarks/bare.py, which the sandbox imports afresh for every
run: that stays as light as a workflow module should be."""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio import workflow
from temporalio.worker import Worker

from benchmarks.bare import BareShipmentWorkflow, bare_noop
from infra.collector import tune_collector
from infra.connection import connect
from infra.logs import configure_logging
from infra.serving import stop_on_signals
from infra.settings import Settings
from starters.process import leave
from workers.worker import workflow_runner


async def serve(task_queue: str) -> None:
    settings = Settings()
    client = await connect(settings)
    workflow.logger.workflow_info_on_message = False
    stop = stop_on_signals()
    with ThreadPoolExecutor(max_workers=settings.max_concurrent_activities) as pool:
        worker = Worker(
            client,
            task_queue=task_queue,
            workflows=[BareShipmentWorkflow],
            workflow_runner=workflow_runner(settings),
            activities=[bare_noop],
            activity_executor=pool,
            max_concurrent_activities=settings.max_concurrent_activities,
            max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
            max_cached_workflows=settings.max_cached_workflows,
            graceful_shutdown_timeout=timedelta(seconds=10),
        )
        async with worker:
            tune_collector()  # as `waypost worker` does
            await stop.wait()


if __name__ == "__main__":
    configure_logging("WARNING", "console")
    asyncio.run(serve(sys.argv[1]))
    leave(0)  # Temporal's runtime threads can abort a normal interpreter exit
