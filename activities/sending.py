"""Exactly-once sending: claim the key in the ledger, call the provider, record the outcome.

The unique key decides races (two attempts, a replayed workflow, a duplicated event); the lease
lets a retry take over from an attempt that died mid-send. Every attempt is recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import structlog

from activities.providers.base import (
    NoLookup,
    OutgoingMessage,
    PermanentProviderError,
    Provider,
    ProviderError,
    Receipt,
    RetryableProviderError,
)
from activities.shops import ShopDirectory
from infra.links import TrackingLinks, Unsubscribe, UnsubscribeLinks, one_click_headers
from infra.masking import mask_address
from infra.metrics import NOOP, AppMetrics
from ledger.claims import Attempt, Claim, ClaimRequest, LedgerWriter
from ledger.views import AttemptOutcome
from messages.render import Rendered, render
from messages.sms import estimated_sms_cost
from models.channels import CHANNELS
from models.consent import (
    NO_CONSENT_ERROR,
    OptOutSource,
    categories_stopped,
    needs_consent,
    opted_out_error,
)
from models.kinds import KINDS, Category
from models.notification import (
    Channel,
    MessageContext,
    NotificationRequest,
    NotificationStatus,
    SendResult,
)
from models.shipment import shop_of_ref

log = structlog.get_logger("waypost.sending")

TWILIO_UNSUBSCRIBED = "21610"
"""Twilio's refusal of a number that replied STOP: recorded as that shop's opt-out."""


class SendInProgress(Exception):
    """Another attempt holds a live claim on this key; try again after its lease."""


def _now() -> datetime:
    return datetime.now(UTC)


class Sender:
    """Sends one notification at most once, whatever retries or races surround it."""

    def __init__(
        self,
        ledger: LedgerWriter,
        providers: Mapping[Channel, Provider],
        *,
        lease: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = _now,
        links: TrackingLinks | None = None,
        hash_recipient: Callable[[str], str] | None = None,
        metrics: AppMetrics = NOOP,
        shops: ShopDirectory | None = None,
        unsubscribe: UnsubscribeLinks | None = None,
    ) -> None:
        self.ledger = ledger
        self.providers = providers
        self.lease = lease
        self.clock = clock
        self.links = links
        """Signs the tracking link each message carries (else the shop's own tracking_url)."""
        self.hash_recipient = hash_recipient
        """Keys the recipient's hash in the ledger, so an SMS reply finds its shipment."""
        self.unsubscribe = unsubscribe
        """Signs the one-click unsubscribe link every marketing email carries (RFC 8058)."""
        self.metrics = metrics
        """Provider calls, and each message as the ledger settles it (once: the claim's winner)."""
        self.shops = shops
        """Names and brands each message (the shop's profile); none: the message names no shop."""

    def claim_request(self, request: NotificationRequest) -> ClaimRequest:
        """What the ledger records of `request` when claiming it (`send`, or the change that
        causes it: `LedgerWriter.record_change`)."""
        return ClaimRequest(
            request.key,
            request.shipment_ref,
            request.kind,
            request.occurrence,
            request.channel,
            mask_address(request.to),
            self.hash_recipient(request.to) if self.hash_recipient else None,
            KINDS[request.kind].category.value,
        )

    def send(
        self,
        request: NotificationRequest,
        *,
        token: str,
        attempt: int = 1,
        give_up: bool = False,
        claiming: ClaimRequest | None = None,
        claim: Claim | None = None,
    ) -> SendResult:
        """Send `request` unless its key was already claimed (`claim`: won by this attempt, in
        the statement that recorded the change; otherwise it is claimed here, as `claiming`
        says when the caller made it already: `claim_request`).

        Raises RetryableProviderError for a passing provider fault (the claim is released so a
        retry can win it) unless `give_up`, when the message is recorded as failed instead.
        Raises SendInProgress when another live attempt holds the claim.
        """
        category = KINDS[request.kind].category
        claiming = claiming or self.claim_request(request)
        recipient = claiming.recipient_hash
        if claim is None:
            claim = self.ledger.claim_for(claiming, token=token, lease=self.lease, now=self.clock())
        if claim.set_aside is not None:
            # Exactly-once rests on the claim: a message whose claim the ledger cannot record
            # is never sent blind. It fails with the reason, so the workflow settles it.
            if claim.first_set_aside:
                self.metrics.message(request.kind, request.channel, NotificationStatus.FAILED)
            return SendResult(
                key=request.key,
                status=NotificationStatus.FAILED,
                error=f"not sent: the ledger cannot record its claim ({claim.set_aside})",
            )
        if not claim.won:
            if claim.status == NotificationStatus.SENDING:
                raise SendInProgress(f"{request.key} is being sent by another attempt")
            return SendResult(
                key=request.key,
                status=NotificationStatus(claim.status),
                provider_message_id=claim.provider_message_id,
                attempts=claim.attempts,
            )
        provider = self.providers[request.channel]
        shop_id = shop_of_ref(request.shipment_ref) or ""
        if needs_consent(category, request.marketing_consent):
            return self._not_sent(request, token, NotificationStatus.OPTED_OUT, NO_CONSENT_ERROR)
        if claim.opted_out_by is not None:
            return self._not_sent(
                request,
                token,
                NotificationStatus.OPTED_OUT,
                opted_out_error(request.channel, category, claim.opted_out_by),
            )
        shop = self.shops.profile(shop_id) if self.shops and shop_id else None
        context = self._context(request)
        headers = self._headers(request, shop_id, recipient, category)
        if context.recommendations:
            offers = self._offers(request, shop_id, recipient)
            if offers:
                headers = headers or offers
            else:
                context = context.model_copy(update={"recommendations": []})
        rendered = render(
            request.kind,
            request.channel,
            request.locale,
            context,
            shop,
            opt_out_hint=request.opt_out_hint,
        )
        message = OutgoingMessage(
            key=request.key,
            channel=request.channel,
            to=request.to,
            subject=rendered.subject,
            body=rendered.body,
            html=rendered.html,
            custom_args={"waypost_key": request.key, "shipment_ref": request.shipment_ref},
            personal=personal_values(request.context),
            headers=headers,
            sms_sender=shop.sms if shop else None,
            email_sender=shop.email if shop else None,
        )
        started = self.clock()
        bound = log.bind(key=request.key, provider=provider.name, attempt=attempt)

        def attempt_record(outcome: AttemptOutcome, err: ProviderError | None = None) -> Attempt:
            return Attempt(
                attempt,
                provider.name,
                started,
                self.clock(),
                outcome,
                err.code if err else None,
                str(err) if err else None,
            )

        if claim.unknown_since is not None:
            found = self._reconcile(provider, message, claim.unknown_since, attempt_record)
            if found is not None:
                return self._sent(request, token, provider.name, found, attempt, rendered, None)
        try:
            receipt = self._call(provider, message)
        except RetryableProviderError as err:
            if not give_up:
                bound.warning("provider busy, will retry", error=str(err))
                self.ledger.release(
                    request.key,
                    token,
                    str(err),
                    attempt_record("retryable_error", err),
                    outcome_unknown=err.outcome_unknown,
                )
                raise
            bound.error("provider still failing, giving up", error=str(err))
            return self._not_sent(
                request,
                token,
                NotificationStatus.FAILED,
                f"gave up: {err}",
                provider=provider.name,
                record=attempt_record("retryable_error", err),
                attempt=attempt,
            )
        except PermanentProviderError as err:
            bound.warning("message refused by provider", error=str(err), code=err.code)
            if err.code == TWILIO_UNSUBSCRIBED and recipient is not None:
                source = OptOutSource.TWILIO_21610
                self.ledger.record_opt_out(
                    shop_id,
                    request.channel,
                    recipient,
                    categories_stopped(source, category),
                    source,
                    request.shipment_ref,
                )
                return self._not_sent(
                    request,
                    token,
                    NotificationStatus.OPTED_OUT,
                    opted_out_error(request.channel, category, source),
                    provider=provider.name,
                    record=attempt_record("permanent_error", err),
                )
            return self._not_sent(
                request,
                token,
                NotificationStatus.FAILED,
                str(err),
                provider=provider.name,
                record=attempt_record("permanent_error", err),
                attempt=attempt,
                permanent=True,
            )
        bound.info("message sent", kind=request.kind.value, channel=request.channel.value)
        return self._sent(
            request, token, provider.name, receipt, attempt, rendered, attempt_record("sent")
        )

    def _call(self, provider: Provider, message: OutgoingMessage) -> Receipt:
        """`provider.send`, timed and counted by outcome."""
        began = time.perf_counter()
        try:
            receipt = provider.send(message)
        except ProviderError as err:
            elapsed = time.perf_counter() - began
            self.metrics.provider_call(provider.name, message.channel, elapsed, call_outcome(err))
            raise
        elapsed = time.perf_counter() - began
        self.metrics.provider_call(provider.name, message.channel, elapsed, "accepted")
        return receipt

    def _reconcile(
        self,
        provider: Provider,
        message: OutgoingMessage,
        since: datetime,
        attempt_record: Callable[[AttemptOutcome], Attempt],
    ) -> Receipt | None:
        """An earlier attempt may have reached the provider (it died mid-send, or timed out
        waiting for the answer): ask before sending, and record what was decided. Never guess."""
        bound = log.bind(key=message.key, provider=provider.name)
        try:
            found = provider.find_sent(message, since)
        except NoLookup as err:
            decision = f"an earlier attempt's outcome is unknown and {err}: sending again"
            bound.warning("cannot reconcile with provider", decision=decision)
            self.ledger.add_attempt(
                message.key, replace(attempt_record("reconciled"), error_message=decision)
            )
            return None
        if found is None:
            decision = f"no message at the provider since {since.isoformat()}: sending"
        else:
            decision = f"already sent by an earlier attempt ({found.message_id}): not sent again"
        bound.info("reconciled with provider", decision=decision)
        self.ledger.add_attempt(
            message.key, replace(attempt_record("reconciled"), error_message=decision)
        )
        return found

    def _sent(
        self,
        request: NotificationRequest,
        token: str,
        provider: str,
        receipt: Receipt,
        attempt: int,
        rendered: Rendered,
        record: Attempt | None,
    ) -> SendResult:
        segments = rendered.segments if CHANNELS[request.channel].segmented else None
        cost = estimated_sms_cost(segments) if segments else None
        status, permanent = self.ledger.settle_sent(
            request.key,
            token,
            provider,
            receipt.message_id,
            segments=segments,
            cost=cost,
            attempt=record,
        )
        self.metrics.message(request.kind, request.channel, NotificationStatus.SENT)
        if status is not NotificationStatus.SENT:  # the provider's report came first
            self.metrics.message(request.kind, request.channel, status)
        return SendResult(
            key=request.key,
            status=status,
            permanent=permanent,
            provider=provider,
            provider_message_id=receipt.message_id,
            attempts=attempt,
            segments=segments,
            cost=cost,
            opt_out_hint=rendered.opt_out_hint,
        )

    def _headers(
        self, request: NotificationRequest, shop_id: str, recipient: str | None, category: Category
    ) -> dict[str, str]:
        """A marketing email's one-click unsubscribe, when a public address can serve it."""
        if category is not Category.MARKETING:
            return {}
        return self._one_click(request, shop_id, recipient)

    def _one_click(
        self, request: NotificationRequest, shop_id: str, recipient: str | None
    ) -> dict[str, str]:
        """RFC 8058 headers unsubscribing the recipient from this shop's marketing email."""
        if request.channel is not Channel.EMAIL or recipient is None or self.unsubscribe is None:
            return {}
        what = Unsubscribe(shop_id, request.channel.value, recipient, Category.MARKETING.value)
        url = self.unsubscribe.url(what)
        return one_click_headers(url) if url else {}

    def _offers(
        self, request: NotificationRequest, shop_id: str, recipient: str | None
    ) -> dict[str, str]:
        """The one-click headers an email carrying the shop's recommendations (marketing) must
        have; empty, and the block left out, unless the recipient consented, has not opted out
        of the shop's marketing email, and the unsubscribe link can be made."""
        if needs_consent(Category.MARKETING, request.marketing_consent) or recipient is None:
            return {}
        marketing = Category.MARKETING
        if self.ledger.find_opt_out(shop_id, request.channel, recipient, marketing):
            return {}
        return self._one_click(request, shop_id, recipient)

    def _context(self, request: NotificationRequest) -> MessageContext:
        link = self.links.url(request.shipment_ref, self.clock()) if self.links else None
        if link is None:
            return request.context
        return request.context.model_copy(update={"tracking_url": link})

    def _not_sent(
        self,
        request: NotificationRequest,
        token: str,
        status: NotificationStatus,
        error: str,
        *,
        provider: str | None = None,
        record: Attempt | None = None,
        attempt: int = 0,
        permanent: bool = False,
    ) -> SendResult:
        """Settled without reaching the customer, for good: FAILED (refused, or given up on) or
        OPTED_OUT (the recipient said stop, or gave no marketing consent: permanent, so the
        workflow tries the fallback channel as after a refusal)."""
        if status is NotificationStatus.OPTED_OUT:
            log.info("message not sent: opted out", key=request.key, channel=request.channel.value)
            self.ledger.mark_opted_out(request.key, token, error, provider, record)
            permanent = True
        else:
            assert provider is not None, "a failure is always some provider's"
            self.ledger.mark_failed(request.key, token, provider, error, record)
        self.metrics.message(request.kind, request.channel, status)
        return SendResult(
            key=request.key,
            status=status,
            provider=provider,
            error=error,
            attempts=attempt,
            permanent=permanent,
        )


def personal_values(context: MessageContext) -> tuple[str, ...]:
    """What a message may quote that identifies or unlocks something: names, the courier's
    phone (in the carrier's format, which need not be E.164) and the pickup code."""
    values = (
        context.recipient_name,
        context.courier_name,
        context.courier_phone,
        context.pickup_code,
    )
    return tuple(v for v in values if v)


def call_outcome(err: ProviderError) -> str:
    """How a provider call failed, for the metrics: permanent, timeout or retryable."""
    if isinstance(err, PermanentProviderError):
        return "permanent"
    if isinstance(err, RetryableProviderError) and err.timed_out:
        return "timeout"
    return "retryable"
