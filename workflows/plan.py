"""Which messages a status change yields. A pure function over the shipment's state, so it can
grow (timers, quiet hours, caps) without touching the workflow glue."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from models.channels import address, capped, fallback
from models.kinds import EXCEPTION_KIND, RECOMMENDING_KINDS, SHOP_KINDS, STATUS_KIND, URGENT_KINDS
from models.notification import (
    Channel,
    MessageContext,
    NotificationKind,
    NotificationRecord,
    NotificationRequest,
    NotificationStatus,
    idempotency_key,
)
from models.policy import MESSAGES_PER_SHIPMENT, OptOutHint, Party
from models.shipment import Recipient
from models.state import ShipmentState
from models.status import ExceptionReason, ShipmentStatus


def resolve_channels(
    wanted: tuple[Channel, ...],
    recipient: Recipient,
    failing: Collection[Channel] = frozenset(),
) -> list[Channel]:
    """The policy's channels the recipient can be reached on; a missing address, or one that
    failed for good earlier in the shipment (`failing`), falls back to the channel's fallback
    rather than dropping the news."""

    def reachable(channel: Channel) -> bool:
        return address(recipient, channel) is not None and channel not in failing

    chosen: list[Channel] = []
    for channel in wanted:
        if not reachable(channel):
            channel = fallback(channel)
        if reachable(channel) and channel not in chosen:
            chosen.append(channel)
    return chosen


def message_context(state: ShipmentState) -> MessageContext:
    shipment = state.shipment
    pickup = state.pickup_point or shipment.delivery.pickup_point
    window = state.window
    last_applied = next(
        (e.event for e in reversed(state.timeline) if e.event.location is not None), None
    )
    return MessageContext(
        recipient_name=shipment.recipient.name,
        order_id=shipment.order_id,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        tracking_url=shipment.tracking_url,
        time_zone=shipment.recipient.time_zone,
        courier_name=state.courier.name if state.courier else None,
        courier_phone=state.courier.phone if state.courier else None,
        window_start=window.start if window else None,
        window_end=window.end if window else None,
        estimated_delivery=state.estimated_delivery,
        estimated_day=state.estimated_day,
        location=last_applied.location.label() if last_applied and last_applied.location else None,
        pickup_name=pickup.name if pickup else None,
        pickup_address=pickup.address if pickup else None,
        pickup_code=pickup.pickup_code if pickup else None,
        pickup_deadline=pickup.storage_deadline if pickup else None,
    )


def plan_status_change(
    state: ShipmentState,
    previous: ShipmentStatus | None,
    trigger: str,
    now: datetime,
    previous_exception: ExceptionReason | None = None,
) -> tuple[list[NotificationRequest], list[NotificationRecord]]:
    """Messages for entering `state.status` from `previous` (None at start).

    Staying in a status (another in-transit scan) sends nothing; each new entry into a status
    is a new occurrence, so a second delivery attempt gets its own keys and its own message.
    An exception sends its reason's message, once per reason: the same problem reported again
    sends nothing, a different one (held, then lost) its own. An exception without a reason
    (recorded before reasons existed) sends nothing, as it always did.
    """
    if state.status is ShipmentStatus.EXCEPTION and state.exception is not None:
        if previous == state.status and previous_exception == state.exception:
            return [], []
        return plan_kind(state, EXCEPTION_KIND[state.exception], trigger, now)
    kind = STATUS_KIND.get(state.status)
    if kind is None or previous == state.status:
        return [], []
    return plan_kind(state, kind, trigger, now)


def plan_kind(
    state: ShipmentState,
    kind: NotificationKind,
    trigger: str,
    now: datetime,
    context: MessageContext | None = None,
) -> tuple[list[NotificationRequest], list[NotificationRecord]]:
    """One occurrence of `kind` on each of the policy's channels: requests to send now, and the
    records the workflow keeps. Non-urgent news planned during quiet hours is deferred (a record
    with `due_at`, no request); news owned by another party is recorded as delegated."""
    shipment = state.shipment
    policy = shipment.policy
    occurrence = state.occurrences(kind) + 1
    owner = policy.owner(kind)

    def record(channel: Channel, **settled: Any) -> NotificationRecord:
        """This occurrence on `channel`: planned, or already settled (delegated, suppressed)."""
        return NotificationRecord(
            key=idempotency_key(shipment.workflow_id, kind, occurrence, channel),
            kind=kind,
            channel=channel,
            occurrence=occurrence,
            trigger=trigger,
            planned_at=now,
            **settled,
        )

    if owner is not Party.WAYPOST:
        # The shop or the carrier tells the customer; the timeline shows it was expected.
        return [], [
            record(
                channel,
                status=NotificationStatus.DELEGATED,
                provider=owner.value,
                settled_at=now,
            )
            for channel in policy.channels_for(kind)
        ]
    due_at = None
    quiet = policy.quiet_hours
    if kind not in URGENT_KINDS and quiet is not None:
        wake = quiet.end_after(now, shipment.recipient.time_zone)
        due_at = wake if wake != now else None
    channels = resolve_channels(
        policy.channels_for(kind), shipment.recipient, state.failing_channels()
    )
    kept = within_sms_cap(state, channels)
    allowed = kept[: max(0, MESSAGES_PER_SHIPMENT - messages_used(state))]
    records = [
        record(channel, due_at=due_at, status_when_planned=state.status.value)
        for channel in allowed
    ]

    def suppressed(channel: Channel, why: str) -> NotificationRecord:
        """A message a cap stopped: recorded, never silently lost."""
        return record(channel, status=NotificationStatus.SUPPRESSED, settled_at=now, error=why)

    if channels and not kept:  # the SMS cap stopped every channel
        why = f"SMS cap of {policy.sms_cap} reached and no email address to use instead"
        records += [suppressed(channel, why) for channel in channels]
    records += [
        suppressed(channel, f"cap of {MESSAGES_PER_SHIPMENT} messages per shipment reached")
        for channel in kept[len(allowed) :]
    ]
    if due_at is not None:
        return [], records
    live = [r for r in records if r.status is NotificationStatus.PLANNED]
    return [request_for(state, r, context) for r in live], records


SMS_SPENT = frozenset(
    {
        NotificationStatus.PLANNED,
        NotificationStatus.SENDING,
        NotificationStatus.SENT,
        NotificationStatus.DELIVERED,
        NotificationStatus.UNDELIVERED,
    }
)
"""Statuses of a message that count against the caps (failed, superseded or delegated ones do
not)."""


def sms_used(state: ShipmentState) -> int:
    """SMS planned or sent so far: what counts against the policy's cap."""
    return sum(capped(n.channel) and n.status in SMS_SPENT for n in state.notifications)


def messages_used(state: ShipmentState) -> int:
    """Messages to the customer planned or sent so far, on every channel (the shop's own
    notices are not the customer's): what counts against MESSAGES_PER_SHIPMENT."""
    return sum(n.status in SMS_SPENT and n.kind not in SHOP_KINDS for n in state.notifications)


def within_sms_cap(state: ShipmentState, channels: list[Channel]) -> list[Channel]:
    """Past the cap an SMS becomes its fallback (an email) when the recipient has that address
    (and it is not planned already); otherwise it is dropped here and recorded as suppressed by
    the caller."""
    if not any(map(capped, channels)) or sms_used(state) < state.shipment.policy.sms_cap:
        return channels
    rest: list[Channel] = [c for c in channels if not capped(c)]
    recipient = state.shipment.recipient
    failing = state.failing_channels()
    for channel in filter(capped, channels):
        other = fallback(channel)
        if (
            not capped(other)
            and other not in rest
            and other not in failing
            and address(recipient, other) is not None
        ):
            rest.append(other)
    return rest


def request_for(
    state: ShipmentState, record: NotificationRecord, context: MessageContext | None = None
) -> NotificationRequest:
    """The sending activity's input for a planned record, with the shipment's current facts."""
    shipment = state.shipment
    to = address(shipment.recipient, record.channel)
    assert to is not None, "resolve_channels only picks channels with an address"
    context = context or message_context(state)
    if (
        shipment.recommendations
        and record.kind in RECOMMENDING_KINDS
        and record.channel is Channel.EMAIL
    ):
        context = context.model_copy(update={"recommendations": shipment.recommendations})
    return NotificationRequest(
        key=record.key,
        shipment_ref=shipment.workflow_id,
        kind=record.kind,
        occurrence=record.occurrence,
        channel=record.channel,
        to=to,
        locale=shipment.recipient.locale,
        context=context,
        trigger=record.trigger,
        marketing_consent=state.consents_to_marketing(),
        opt_out_hint=wants_opt_out_hint(state, record),
    )


HINT_RECEIVED = frozenset({NotificationStatus.SENT, NotificationStatus.DELIVERED})
"""Statuses of an SMS that reached (or is on its way to) the customer."""


def wants_opt_out_hint(state: ShipmentState, record: NotificationRecord) -> bool:
    """Whether this SMS should end with the opt-out hint, by the policy's `sms_opt_out_hint`:
    `every` SMS, `never`, or the `first` until one that carried it has gone out (one without
    room for it, or one that failed, passes it on). The shop's own notices never carry it."""
    if record.channel is not Channel.SMS or record.kind in SHOP_KINDS:
        return False
    hint = state.shipment.policy.sms_opt_out_hint
    if hint is not OptOutHint.FIRST:
        return hint is OptOutHint.EVERY
    return not any(
        n.opt_out_hint and n.status in HINT_RECEIVED and n.key != record.key
        for n in state.notifications
    )


def channel_fallback(
    state: ShipmentState, failed: NotificationRecord, now: datetime
) -> tuple[list[NotificationRequest], list[NotificationRecord]]:
    """A message the provider refused for good goes by the channel's fallback, under the same
    kind and occurrence: an SMS to an invalid or unsubscribed number by email, a hard-bounced
    email by SMS (within the SMS cap). Never twice, and never to a channel that already has it."""
    recipient = state.shipment.recipient
    other = fallback(failed.channel)
    if address(recipient, other) is None or other in state.failing_channels():
        return [], []
    if capped(other) and sms_used(state) >= state.shipment.policy.sms_cap:
        return [], []
    if messages_used(state) >= MESSAGES_PER_SHIPMENT:
        return [], []
    key = idempotency_key(state.shipment.workflow_id, failed.kind, failed.occurrence, other)
    if any(n.key == key for n in state.notifications):
        return [], []
    record = NotificationRecord(
        key=key,
        kind=failed.kind,
        channel=other,
        occurrence=failed.occurrence,
        trigger=f"fallback:{failed.key}",
        planned_at=now,
        status_when_planned=state.status.value,
    )
    return [request_for(state, record)], [record]


FOLDED = "folded into the courier's confirmation, due at the same time"


def fold_into(
    records: list[NotificationRecord],
    requests: list[NotificationRequest],
    confirmation: list[NotificationRequest],
    now: datetime,
) -> list[NotificationRequest]:
    """The out-for-delivery news (`records`, `requests`) and the courier's confirmation planned
    at the same moment, as the messages to send: on a channel the confirmation takes, the news
    is superseded by it (the confirmation names the courier, the window and the time left);
    on any other channel it still goes. Marks the superseded records."""
    taken = {r.channel for r in confirmation}
    for record in records:
        if record.channel in taken and record.status is NotificationStatus.PLANNED:
            record.status = NotificationStatus.SUPERSEDED
            record.error = FOLDED
            record.settled_at = now
    return [r for r in requests if r.channel not in taken] + confirmation


def plan_shop_notice(
    state: ShipmentState, trigger: str, now: datetime
) -> tuple[list[NotificationRequest], list[NotificationRecord]]:
    """Tell the shop an uncollected parcel is coming back, by email to the policy's address.

    It is the shop's news, not the customer's: no quiet hours, no SMS cap.
    """
    shipment = state.shipment
    policy = shipment.policy
    if policy.shop_email is None:
        return [], []
    kind = NotificationKind.SHOP_RETURN_NOTICE
    occurrence = state.occurrences(kind) + 1
    record = NotificationRecord(
        key=idempotency_key(shipment.workflow_id, kind, occurrence, Channel.EMAIL),
        kind=kind,
        channel=Channel.EMAIL,
        occurrence=occurrence,
        trigger=trigger,
        planned_at=now,
        status_when_planned=state.status.value,
    )
    request = NotificationRequest(
        key=record.key,
        shipment_ref=shipment.workflow_id,
        kind=kind,
        occurrence=occurrence,
        channel=Channel.EMAIL,
        to=policy.shop_email,
        locale=policy.shop_locale,
        context=message_context(state),
        trigger=trigger,
    )
    return [request], [record]
