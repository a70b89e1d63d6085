"""The ledger activity: records a shipment change and sends the messages it causes.

One activity per change keeps the workflow's history short (the benchmark compares us with a
bare workflow running one activity per event); exactly-once holds per message through the
ledger's claims, so retrying the whole activity never re-sends what already went out.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.providers.base import RetryableProviderError
from activities.sending import Sender, SendInProgress
from ledger.claims import LedgerWriter
from models.notification import SendResult
from models.state import LedgerUpdate

PROVIDER_ATTEMPTS = 8
"""With the workflow's backoff (1s doubling to 1 min) this is about four minutes of trying."""


class ShipmentActivities:
    def __init__(self, ledger: LedgerWriter, sender: Sender) -> None:
        self.ledger = ledger
        self.sender = sender

    @activity.defn(name="publish_update")
    def publish_update(self, update: LedgerUpdate) -> list[SendResult]:
        info = activity.info()
        self.ledger.record_change(
            update.shipment_ref,
            start=update.shipment,
            entries=update.timeline,
            status=update.status,
            at=update.status_at,
            closed=update.closed,
            consent=update.consent,
            calls=update.calls,
        )
        for reply in update.replies:
            # The seam for the shop's webhook (a reschedule must reach the shop) and for a
            # carrier adapter that takes reschedules (none does yet): they hook in here, under
            # this activity's retries. Until then the reply is in the workflow's state only.
            activity.logger.info(
                "customer reply", extra={"answer": reply.what, "via": reply.via or "-"}
            )
        token = f"{info.workflow_run_id}:{info.activity_id}:{info.attempt}"
        results: list[SendResult] = []
        for request in update.notifications:
            activity.heartbeat(request.key)  # a worker that died mid-send is noticed in seconds
            try:
                results.append(
                    self.sender.send(
                        request,
                        token=token,
                        attempt=info.attempt,
                        give_up=info.attempt >= PROVIDER_ATTEMPTS,
                    )
                )
            except RetryableProviderError as err:
                raise ApplicationError(
                    f"{err.provider} unavailable: {err}",
                    type="ProviderUnavailable",
                    next_retry_delay=_seconds(err.retry_after),
                ) from err
            except SendInProgress as err:
                raise ApplicationError(str(err), type="SendInProgress") from err
        return results


def _seconds(value: float | None) -> timedelta | None:
    return timedelta(seconds=value) if value else None
