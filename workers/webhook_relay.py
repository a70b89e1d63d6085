"""Starts the delivery workflow of every recorded webhook event: the ledger is the outbox.

Events are recorded in the transactions that record what they report (the ledger activity, the
HTTP service's opt-outs and replies, a replay); nothing that records one waits for its delivery.
The relay, a task beside each worker, finds the ones not started yet and starts one small
workflow each (its id derived from the delivery, so two workers, or a restart between the start
and its mark, never start a second one). The ledger activity nudges it when it recorded
something, so its events leave at once; the rest are found within `WAYPOST_WEBHOOK_RELAY_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from ledger.webhooks import WebhookLog
from models.webhooks import WebhookDeliveryStart, WebhookRetry, delivery_workflow_id
from workflows.webhook import WebhookDeliveryWorkflow

log = structlog.get_logger("waypost.webhooks.relay")

BATCH = 100


class WebhookRelay:
    def __init__(
        self,
        client: Client,
        webhooks: WebhookLog,
        *,
        task_queue: str,
        retry: WebhookRetry,
        every: float,
    ) -> None:
        self.client = client
        self.webhooks = webhooks
        self.task_queue = task_queue
        self.retry = retry
        self.every = every
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def nudge(self) -> None:
        """Look now (safe from any thread: the ledger activity runs on the worker's pool)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while True:
            try:
                await self.start_pending()
            except Exception as err:  # the ledger or Temporal is away: try again later
                log.warning("webhook relay could not start deliveries", error=str(err))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.every)
            self._wake.clear()

    async def start_pending(self) -> int:
        """Start every recorded delivery not started yet; how many were found."""
        pending = await asyncio.to_thread(self.webhooks.unstarted, BATCH)
        for delivery_id, shop_id, generation in pending:
            start = WebhookDeliveryStart(
                delivery_id=delivery_id, shop_id=shop_id, generation=generation, retry=self.retry
            )
            with contextlib.suppress(WorkflowAlreadyStartedError):
                await self.client.start_workflow(
                    WebhookDeliveryWorkflow.run,
                    start,
                    id=delivery_workflow_id(delivery_id, generation),
                    task_queue=self.task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    static_summary=f"webhook {delivery_id} to shop {shop_id}",
                )
            await asyncio.to_thread(self.webhooks.mark_started, delivery_id, generation)
        return len(pending)


@asynccontextmanager
async def relaying(relay: WebhookRelay) -> AsyncIterator[WebhookRelay]:
    relay._loop = asyncio.get_running_loop()  # nudges may come before the task first runs
    task = asyncio.create_task(relay.run(), name="webhook-relay")
    try:
        yield relay
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
