"""The ledger activity: records a shipment change and sends the messages it causes.

One activity per change keeps the workflow's history short (the benchmark compares us with a
bare workflow running one activity per event); exactly-once holds per message through the
ledger's claims, so retrying the whole activity never re-sends what already went out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.providers.base import RetryableProviderError
from activities.sending import Sender, SendInProgress
from infra.encryption import Keyring
from infra.page_snapshot import seal_contact, seal_live
from ledger.claims import Claim, ClaimRequest, LedgerWriter
from models.notification import SendResult
from models.page import PageContact
from models.shipment import shop_of_ref
from models.state import LedgerUpdate

PROVIDER_ATTEMPTS = 8
"""With the workflow's backoff (1s doubling to 1 min) this is about four minutes of trying."""


class ShipmentActivities:
    def __init__(
        self,
        ledger: LedgerWriter,
        sender: Sender,
        *,
        webhooks_recorded: Callable[[], None] | None = None,
        keyring: Keyring | None = None,
    ) -> None:
        self.ledger = ledger
        self.sender = sender
        self.keyring = keyring
        """Seals the tracking page's snapshot (None: encryption is off, it is stored in clear)."""
        self.webhooks_recorded = webhooks_recorded
        """Called (never waited on) when this change may have recorded webhooks to the shop: the
        worker's relay starts their delivery at once (`workers.webhook_relay`)."""

    @activity.defn(name="publish_update")
    def publish_update(self, update: LedgerUpdate) -> list[SendResult]:
        info = activity.info()
        token = f"{info.workflow_run_id}:{info.activity_id}:{info.attempt}"
        claiming = [self.sender.claim_request(n) for n in update.notifications]
        recorded = self.ledger.record_change(
            update.shipment_ref,
            start=update.shipment,
            entries=update.timeline,
            status=update.status,
            at=update.status_at,
            closed=update.closed,
            consent=update.consent,
            calls=update.calls,
            decided=update.decided,
            page_snapshot=self._page_snapshot(update),
            claims=claiming,
            claim_token=token,
            claimed_at=self.sender.clock(),
        )
        for reply in update.replies:
            # The shop hears of a reply from the HTTP service once the workflow took it
            # (api/shop_events.py, `customer.reply`). This is the seam for a carrier adapter that
            # takes reschedules (none does yet), under this activity's retries.
            activity.logger.info(
                "customer reply", extra={"answer": reply.what, "via": reply.via or "-"}
            )
        nudge = self._webhook_nudge(update.shipment_ref)
        if nudge is not None:
            nudge()  # the status change's event leaves before the messages do
        try:
            return self._send_all(update, info, token, claiming, recorded.claims)
        finally:
            if nudge is not None and update.notifications:
                nudge()  # each message's outcome

    def _page_snapshot(self, update: LedgerUpdate) -> dict[str, bytes]:
        """The tracking page's snapshot, sealed: the recipient's part from the start, the live
        part when the workflow says it changed (the ledger clears both at the close)."""
        ref, start, page = update.shipment_ref, update.shipment, update.page
        snapshot: dict[str, bytes] = {}
        if start is not None:
            contact = PageContact.of(start.recipient)
            snapshot["page_contact"] = seal_contact(self.keyring, ref, contact)
        if page is not None:
            snapshot["page_live"] = seal_live(self.keyring, ref, page)
        return snapshot

    def _send_all(
        self,
        update: LedgerUpdate,
        info: activity.Info,
        token: str,
        claiming: list[ClaimRequest],
        claims: dict[str, Claim],
    ) -> list[SendResult]:
        """Each message in turn, under `token`: its claim made with the change, or its own."""
        results: list[SendResult] = []
        last_beat = time.monotonic()  # the server counts the heartbeat timeout from the start
        for request, claim_request in zip(update.notifications, claiming, strict=True):
            if heartbeat_due(time.monotonic() - last_beat, info.heartbeat_timeout):
                activity.heartbeat(request.key)  # a worker that died mid-send is noticed
                last_beat = time.monotonic()
            try:
                results.append(
                    self.sender.send(
                        request,
                        token=token,
                        attempt=info.attempt,
                        give_up=info.attempt >= PROVIDER_ATTEMPTS,
                        claiming=claim_request,
                        claim=claims.get(request.key),
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

    def _webhook_nudge(self, ref: str) -> Callable[[], None] | None:
        """The relay's nudge when the shop has a webhook URL (its profile, cached a minute by
        the directory): a shop without one costs the relay nothing."""
        if self.webhooks_recorded is None or self.sender.shops is None:
            return None
        shop_id = shop_of_ref(ref)
        profile = self.sender.shops.profile(shop_id) if shop_id else None
        has_url = profile is not None and profile.webhook_url is not None
        return self.webhooks_recorded if has_url else None


def heartbeat_due(since_last: float, timeout: timedelta | None) -> bool:
    """Heartbeat before a send only when the next one could outlast the heartbeat timeout.

    Each heartbeat that reaches the server is a billable action (Temporal Cloud), and the
    server counts the timeout from the activity's start, so an activity that sends quickly
    needs none. A provider call times out in 10 seconds, half of the workflow's 20-second
    heartbeat timeout: beating once half of it has passed keeps a dead worker noticed as soon
    as before, on long sends only."""
    return timeout is not None and since_last >= timeout.total_seconds() / 2


def _seconds(value: float | None) -> timedelta | None:
    return timedelta(seconds=value) if value else None
