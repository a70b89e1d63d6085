"""Notifications: one message of one kind, on one channel, to one recipient, keyed once."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from models.recommendations import Recommendation


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class NotificationKind(StrEnum):
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_FAILED = "delivery_failed"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    RETURNED = "returned"
    COURIER_ONE_HOUR = "courier_one_hour"
    PICKUP_REMINDER = "pickup_reminder"
    PICKUP_FINAL_WARNING = "pickup_final_warning"
    DELAY_NOTICE = "delay_notice"
    THANK_YOU = "thank_you"
    SLOT_CHOICE = "slot_choice"
    SLOT_CONFIRMED = "slot_confirmed"
    SHOP_RETURN_NOTICE = "shop_return_notice"
    """To the shop, not the customer: a parcel was not collected and is on its way back."""
    EXCEPTION_LOST = "exception_lost"
    EXCEPTION_DAMAGED = "exception_damaged"
    EXCEPTION_HELD = "exception_held"
    EXCEPTION_ADDRESS = "exception_address"
    EXCEPTION_REFUSED = "exception_refused"
    EXCEPTION_OTHER = "exception_other"
    """The exception kinds: one per `ExceptionReason`, sent when a parcel enters it."""


class NotificationStatus(StrEnum):
    """Where a message is. The order of the first five is the order a message moves in."""

    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"
    SUPERSEDED = "superseded"
    DELEGATED = "delegated"
    """Another party (the shop, the carrier) owns this news: shown, not sent by Waypost."""
    OPTED_OUT = "opted_out"
    """Not sent: the recipient opted out of this class of message at this shop (STOP, an
    unsubscribe, a spam report, a hard bounce), or a marketing message lacks their consent."""


PROVIDER_MOVES: dict[NotificationStatus, frozenset[NotificationStatus]] = {
    NotificationStatus.SENT: frozenset(),
    NotificationStatus.DELIVERED: frozenset({NotificationStatus.SENT}),
    NotificationStatus.UNDELIVERED: frozenset({NotificationStatus.SENT}),
    NotificationStatus.FAILED: frozenset({NotificationStatus.SENT}),
}
"""For each status a provider's delivery report may set, the statuses it may replace: reports
arrive late, twice and out of order, so a message only ever moves forward from `sent`."""


def provider_may_move(current: NotificationStatus, reported: NotificationStatus) -> bool:
    return current in PROVIDER_MOVES.get(reported, frozenset())


def idempotency_key(
    shipment_ref: str, kind: NotificationKind, occurrence: int, channel: Channel
) -> str:
    """The key a message is claimed under: the same message can never get a second one."""
    return f"{shipment_ref}:{kind.value}:{occurrence}:{channel.value}"


def shipment_ref_of_key(key: str) -> str:
    """The shipment reference an `idempotency_key` begins with (kind, occurrence and channel
    hold no ':')."""
    return key.rsplit(":", 3)[0]


class MessageContext(BaseModel):
    """What a template may say. Built by the workflow from the shipment and the triggering
    event; the sending activity adds the shop's name (so workflow histories never carry it)."""

    model_config = ConfigDict(frozen=True)

    recipient_name: str
    order_id: str
    carrier: str
    tracking_number: str
    tracking_url: str | None = None
    time_zone: str = "UTC"
    courier_name: str | None = None
    courier_phone: str | None = None
    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None
    estimated_delivery: AwareDatetime | None = None
    estimated_day: date | None = None
    """A date-only estimate: the day itself, in the recipient's zone (it wins over
    `estimated_delivery`, which then holds the instant that day ends)."""
    location: str | None = None
    pickup_name: str | None = None
    pickup_address: str | None = None
    pickup_code: str | None = None
    pickup_deadline: AwareDatetime | None = None
    lead_minutes: int | None = None
    """courier_one_hour: how long before the window starts the courier confirms (e.g. 60)."""
    new_estimate: AwareDatetime | None = None
    """delay_notice: the carrier's new estimate, when it gave one."""
    new_estimate_day: date | None = None
    """delay_notice: the new estimate when it is a day without a time."""
    coupon_code: str | None = None
    review_url: str | None = None
    slots: list[tuple[AwareDatetime, AwareDatetime]] = []
    """slot_choice: the offered slots, in order (the customer answers 1, 2 ...)."""
    choose_by: AwareDatetime | None = None
    """slot_choice: after this the carrier's default slot (the first) is confirmed."""
    shop_name: str | None = None
    """The shop's display name: every SMS starts with it, every email carries it."""
    recommendations: list[Recommendation] = []
    """The shop's product links (dispatch and thank-you emails): the sender drops them unless
    the recipient may receive the shop's marketing."""


class NotificationRequest(BaseModel):
    """One planned message, handed to the sending activity."""

    model_config = ConfigDict(frozen=True)

    key: str
    shipment_ref: str
    kind: NotificationKind
    occurrence: int
    channel: Channel
    to: str
    locale: str
    context: MessageContext
    trigger: str
    marketing_consent: bool = False
    """The recipient's consent to marketing: a marketing kind without it is never sent."""
    opt_out_hint: bool = False
    """An SMS asked to end with the opt-out hint (the shop's policy: `sms_opt_out_hint`)."""


class NotificationRecord(BaseModel):
    """A message as the workflow knows it: planned, then as the ledger reported it."""

    key: str
    kind: NotificationKind
    channel: Channel
    occurrence: int
    trigger: str
    status: NotificationStatus = NotificationStatus.PLANNED
    provider: str | None = None
    provider_message_id: str | None = None
    error: str | None = None
    planned_at: datetime
    settled_at: datetime | None = None
    segments: int | None = None
    """SMS segments billed (GSM-7: 160/153 characters each; UCS-2, e.g. Cyrillic: 70/67)."""
    cost: Decimal | None = None
    """Estimated provider cost of an SMS."""
    due_at: datetime | None = None
    """Set while a non-urgent message waits for quiet hours to end (then sent, or superseded)."""
    status_when_planned: str | None = None
    """The shipment status that caused it: a deferred message is stale once that has changed."""
    opt_out_hint: bool = False
    """The SMS ended with the opt-out hint (as the sending activity reported)."""


class SendResult(BaseModel):
    """What the sending activity reports for one message."""

    key: str
    status: NotificationStatus
    provider: str | None = None
    provider_message_id: str | None = None
    error: str | None = None
    attempts: int = 0
    segments: int | None = None
    cost: Decimal | None = None
    permanent: bool = False
    """The provider refused for good (invalid or unsubscribed recipient): another channel may
    reach the customer, a retry never will."""
    opt_out_hint: bool = False
    """The SMS sent ended with the opt-out hint (asked for, and it fitted the budget)."""


class DeliveryReport(BaseModel):
    """What a provider's callback says happened to one message after it was sent.

    Twilio's status callback and SendGrid's event webhook both become this. `status` is the
    canonical status the message moves to (forward only, the ledger decides), or None for
    news that changes no status (deferred, open, click): those are recorded, nothing else.
    Never carries a phone number or email: `detail` is masked.
    """

    model_config = ConfigDict(frozen=True)

    provider: str
    """"twilio" or "sendgrid"."""
    event: str
    """The provider's own word: delivered, undelivered, bounce, dropped, open..."""
    event_id: str
    """Unique per callback (SendGrid `sg_event_id`; Twilio: message sid + status), so a repeated
    callback is recorded once."""
    provider_message_id: str | None = None
    """Twilio MessageSid; SendGrid `sg_message_id` without its ".filter..." suffix."""
    key: str | None = None
    """The notification's idempotency key, when the provider echoes it (SendGrid custom_args)."""
    status: NotificationStatus | None = None
    permanent: bool = False
    """A hard failure (invalid number, hard bounce, spam report...): another channel may reach the
    customer, this one never will."""
    error_code: str | None = None
    detail: str | None = None
    occurred_at: AwareDatetime
