"""WebhookDeliveryWorkflow: one small workflow per webhook event (and per replay of it) that
POSTs it to the shop until the shop answers 2xx or the retry period (a day) runs out.

Temporal does the backoff: one activity, retried by its retry policy within its
schedule-to-close timeout, so a shop that is down costs the shipment's workflow nothing and a
worker that restarts loses no retry. Each attempt's outcome is in the ledger (the delivery log).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from models.webhooks import WebhookAttemptInput, WebhookDeliveryStart, WebhookGiveUp

DELIVER_ACTIVITY = "deliver_webhook"
GIVE_UP_ACTIVITY = "give_up_webhook"
GONE = "WebhookGone"
"""The shop (or its webhook URL) is gone: nothing to retry."""


@workflow.defn(name="WebhookDelivery")
class WebhookDeliveryWorkflow:
    @workflow.run
    async def run(self, start: WebhookDeliveryStart) -> str:
        retry = start.retry
        job = WebhookAttemptInput(
            delivery_id=start.delivery_id,
            shop_id=start.shop_id,
            generation=start.generation,
            request_timeout=retry.request_timeout,
        )
        try:
            await workflow.execute_activity(
                DELIVER_ACTIVITY,
                job,
                schedule_to_close_timeout=retry.give_up_after,
                start_to_close_timeout=retry.request_timeout + timedelta(seconds=10),
                retry_policy=RetryPolicy(
                    initial_interval=retry.initial_interval,
                    backoff_coefficient=2.0,
                    maximum_interval=retry.maximum_interval,
                    non_retryable_error_types=[GONE],
                ),
                summary=f"POST {start.delivery_id} to shop {start.shop_id}",
            )
            return "delivered"
        except ActivityError as err:
            await workflow.execute_activity(
                GIVE_UP_ACTIVITY,
                WebhookGiveUp(
                    delivery_id=start.delivery_id,
                    generation=start.generation,
                    error=f"gave up: {err.cause or err}",
                ),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
            )
            return "failed"
