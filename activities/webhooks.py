"""The webhook delivery's I/O: one signed POST to the shop's endpoint, its outcome recorded.

Signed with the shop's secret by the Standard Webhooks library (`webhook-id` is the delivery's
id, the same on every retry and replay; `webhook-timestamp` is the attempt's own time, so a
receiver's replay window holds for late retries too). Anything but a 2xx raises, and Temporal's
retry policy (`workflows.webhook`) tries again later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import structlog
from standardwebhooks import Webhook
from temporalio import activity
from temporalio.exceptions import ApplicationError

from ledger.webhooks import WebhookLog
from models.webhooks import WebhookAttemptInput, WebhookGiveUp
from workflows.webhook import DELIVER_ACTIVITY, GIVE_UP_ACTIVITY, GONE

log = structlog.get_logger("waypost.webhooks")

USER_AGENT = "Waypost-Webhooks/1"


def _now() -> datetime:
    return datetime.now(UTC)


def signed_headers(secret: str, delivery_id: str, at: datetime, payload: str) -> dict[str, str]:
    """The three Standard Webhooks headers (and the body's type) for one attempt."""
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery_id, at, payload),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


class WebhookActivities:
    """Asynchronous, so a slow or unresolvable endpoint holds no thread: its timeout (name
    resolution included) is enforced on the event loop. The ledger calls, short, go to a thread.
    They run on a task queue of their own (`workers.worker`): deliveries never take the slots
    the customer's messages are sent from."""

    def __init__(
        self,
        webhooks: WebhookLog,
        *,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.webhooks = webhooks
        self.http = http or httpx.AsyncClient(follow_redirects=False)
        self.clock = clock

    @activity.defn(name=DELIVER_ACTIVITY)
    async def deliver_webhook(self, job: WebhookAttemptInput) -> int:
        """POST the event once; the shop's HTTP status, or raise to be retried."""
        attempt = activity.info().attempt
        target = await asyncio.to_thread(self.webhooks.target, job.shop_id, job.delivery_id)
        if target is None:
            raise ApplicationError(
                f"shop {job.shop_id} has no webhook URL now", type=GONE, non_retryable=True
            )
        started = self.clock()
        headers = signed_headers(target.secret, job.delivery_id, started, target.payload)
        bound = log.bind(delivery=job.delivery_id, shop=job.shop_id, attempt=attempt)
        budget = job.request_timeout.total_seconds()
        try:
            async with asyncio.timeout(budget):  # the whole attempt, name resolution included
                response = await self.http.post(
                    target.url, content=target.payload.encode(), headers=headers, timeout=budget
                )
        except (httpx.HTTPError, TimeoutError) as err:
            error = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
            await self._record(job, attempt, started, None, error)
            bound.warning("webhook not delivered", error=error)
            raise ApplicationError(
                f"shop endpoint unreachable ({error})", type="Unreachable"
            ) from err
        code = response.status_code
        if 200 <= code < 300:
            await self._record(job, attempt, started, code, None)
            bound.info("webhook delivered", status_code=code)
            return code
        await self._record(job, attempt, started, code, f"HTTP {code}")
        bound.warning("webhook refused", status_code=code)
        raise ApplicationError(f"shop endpoint answered HTTP {code}", type="Refused")

    async def _record(
        self,
        job: WebhookAttemptInput,
        attempt: int,
        started: datetime,
        code: int | None,
        error: str | None,
    ) -> None:
        await asyncio.to_thread(
            lambda: self.webhooks.record_attempt(
                job.delivery_id,
                generation=job.generation,
                attempt=attempt,
                started_at=started,
                status_code=code,
                error=error,
                delivered=error is None,
            )
        )

    @activity.defn(name=GIVE_UP_ACTIVITY)
    async def give_up_webhook(self, what: WebhookGiveUp) -> None:
        await asyncio.to_thread(
            self.webhooks.give_up, what.delivery_id, what.generation, what.error
        )
        log.warning("webhook given up", delivery=what.delivery_id)
