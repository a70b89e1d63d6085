"""The workflow's picture of one shipment: carried across continue-as-new, returned by queries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from models.call import CallRecord
from models.consent import MarketingConsent
from models.notification import (
    Channel,
    NotificationKind,
    NotificationRecord,
    NotificationRequest,
    NotificationStatus,
)
from models.page import LivePage
from models.shipment import (
    CarrierEvent,
    Courier,
    PickupPoint,
    ReplyChannel,
    ShipmentRecord,
    ShipmentStart,
    Window,
)
from models.status import ExceptionReason, ShipmentStatus
from models.tracking import TrackerState


class EventOutcome(StrEnum):
    APPLIED = "applied"
    OUT_OF_ORDER = "out_of_order"
    DUPLICATE = "duplicate"
    REFUSED = "refused"


class TimelineEntry(BaseModel):
    """An event as received: kept even when out of order or refused, so support sees everything."""

    event: CarrierEvent
    received_at: datetime
    outcome: EventOutcome
    reason: str | None = None


class _Wait(BaseModel):
    """One thing the workflow waits for. `what` is derived text (the CLI and the UI's details
    print it, and older readers of the query know only `what` and `until`)."""

    until: datetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def what(self) -> str:
        raise NotImplementedError


class RecordingWait(_Wait):
    """Changes queued for the ledger activity, and the messages they send."""

    kind: Literal["recording"] = "recording"
    changes: int
    messages: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def what(self) -> str:
        return f"recording {self.changes} change(s), sending {self.messages} message(s)"


class TimerWait(_Wait):
    """A durable timer (see `Timer`): `until` is when it fires."""

    kind: Literal["timer"] = "timer"
    message: NotificationKind | None
    """The message it sends, or None for the storage deadline (the parcel goes back)."""
    reason: str
    until: datetime

    @property
    def label(self) -> str:
        return self.message.value if self.message else "storage_deadline"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def what(self) -> str:
        return f"timer: {self.label} ({self.reason})"


class DeferredWait(_Wait):
    """A message held back by quiet hours: `until` is when it goes (or is superseded)."""

    kind: Literal["deferred"] = "deferred"
    message: NotificationKind
    channel: Channel
    until: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def what(self) -> str:
        return f"deferred: {self.message.value} by {self.channel.value} (quiet hours)"


class NextEventWait(_Wait):
    """The carrier's next event, expected by the estimated delivery when there is one."""

    kind: Literal["next_event"] = "next_event"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def what(self) -> str:
        return "next carrier event"


Waiting = Annotated[
    RecordingWait | TimerWait | DeferredWait | NextEventWait, Field(discriminator="kind")
]
"""What the `state` query, the tracking page and the UI's details show as coming next."""


class Timer(BaseModel):
    """A durable timer the workflow is waiting on, and what it will do when it fires."""

    kind: NotificationKind | None
    """The message it sends, or None for the storage deadline (the parcel goes back)."""
    due_at: datetime
    reason: str

    @property
    def label(self) -> str:
        return self.kind.value if self.kind else "storage_deadline"


class CustomerReplyRecord(BaseModel):
    """What the customer answered, and when: shown to support and on the tracking page, and
    handed to the ledger activity (`LedgerUpdate.replies`), where a reschedule is to reach the
    shop (its webhook) and, where an adapter can, the carrier."""

    what: str
    """"confirm" or "reschedule" (the courier's one-hour confirmation)."""
    received_at: datetime
    via: ReplyChannel | None = None
    """sms or page; None on replies recorded before it was kept."""
    window: Window | None = None
    """The delivery window the answer was about (the courier's confirmation's)."""


class ReplyReceipt(BaseModel):
    """The workflow's answer to a customer's reply: what it did, and whether a message of its
    own follows (then the reply needs no acknowledgement of its own)."""

    outcome: Literal["recorded", "repeated"]
    """repeated: the same answer to the same question again; nothing changed."""
    text: str
    follows: bool = False
    """A message of the workflow's own answers the reply (a reschedule offers slots again)."""


class FailingChannel(BaseModel):
    """A channel whose address failed for good during this shipment (an SMS to a handset that
    cannot be reached, an email that hard-bounced): later news avoids it, the message that
    failed went by the other channel."""

    channel: Channel
    since: datetime
    key: str
    """The message whose failure showed it."""
    why: str | None = None
    """The provider's error code and description (never the address)."""


class EventReceipt(BaseModel):
    """The answer a carrier gets for one event."""

    event_id: str
    outcome: EventOutcome
    status: ShipmentStatus
    reason: str | None = None
    notifications: list[str] = []


class TrackerPoll(BaseModel):
    """What one fetch of a tracker found: its events, as the carrier's adapter reads them (the
    workflow applies them like webhook events, so repeats are duplicates), and what it skipped."""

    events: list[CarrierEvent] = []
    ignored: int = 0
    """Scans with no canonical meaning (pre_transit, UNKNOWN...)."""
    unreadable: list[str] = []
    """Why each unreadable scan was skipped, naming its field."""


class TrackerCreated(BaseModel):
    """What the create activity answers: the service's id for the tracker, and what it already
    knows (applied in polling mode; in webhook mode the service posts the same scans)."""

    tracker_id: str
    status: str | None = None
    """The service's own status word when created (pre_transit, UNKNOWN...), for support."""
    found: TrackerPoll = TrackerPoll()


class LedgerUpdate(BaseModel):
    """One unit of work for the ledger activity: what changed, and the messages it causes.

    `shipment` is set on the first update of a shipment only (the ledger upserts it). Changes
    queued while an activity ran travel together (`merged`): their timeline entries in `entries`,
    the latest status, every message. `entry` is the single entry of updates recorded before
    merging existed (histories still in flight carry it).
    """

    shipment_ref: str
    shipment: ShipmentRecord | None = None
    status: ShipmentStatus
    status_at: datetime
    closed: bool = False
    entry: TimelineEntry | None = None
    entries: list[TimelineEntry] = []
    notifications: list[NotificationRequest] = []
    consent: MarketingConsent | None = None
    """Marketing consent the customer gave since the last update (the ledger records it)."""
    calls: list[CallRecord] = []
    """Calls a call centre recorded (the ledger keeps each once, by its call id)."""
    replies: list[CustomerReplyRecord] = []
    """The customer's answers recorded by this change: what the shop's webhook (and a carrier
    that takes reschedules) is to hear of. Nothing reads them in the ledger yet."""
    decided: list[NotificationRecord] = []
    """Messages the workflow settled itself since its last update (suppressed, superseded,
    delegated: they never reach the sender), so the ledger can tell the shop their outcome."""
    page: LivePage | None = None
    """What the tracking page shows of the live state, when it changed since the last update
    (the ledger keeps it, sealed, so a page view needs no workflow query)."""

    @property
    def timeline(self) -> list[TimelineEntry]:
        return ([self.entry] if self.entry else []) + self.entries

    @classmethod
    def merged(cls, updates: list[LedgerUpdate]) -> LedgerUpdate:
        """Queued changes as one: entries and messages in order, the shipment's latest status."""
        last = updates[-1]
        return cls(
            shipment_ref=last.shipment_ref,
            shipment=next((u.shipment for u in updates if u.shipment), None),
            status=last.status,
            status_at=last.status_at,
            closed=last.closed,
            entries=[e for u in updates for e in u.timeline],
            notifications=[n for u in updates for n in u.notifications],
            consent=next((u.consent for u in updates if u.consent is not None), None),
            calls=[c for u in updates for c in u.calls],
            replies=[r for u in updates for r in u.replies],
            decided=[d for u in updates for d in u.decided],
            page=next((u.page for u in reversed(updates) if u.page is not None), None),
        )


class ShipmentState(BaseModel):
    shipment: ShipmentStart
    status: ShipmentStatus = ShipmentStatus.SHIPPED
    status_since: datetime
    last_event_at: datetime | None = None
    window: Window | None = None
    estimated_delivery: datetime | None = None
    courier: Courier | None = None
    pickup_point: PickupPoint | None = None
    timeline: list[TimelineEntry] = []
    notifications: list[NotificationRecord] = []
    waiting_for: list[Waiting] = []
    one_hour_window: Window | None = None
    """The window the courier's one-hour confirmation was last sent for (a new one re-arms it)."""
    offered_slots: list[Window] = []
    """Slots the customer may choose from right now (empty once chosen or defaulted)."""
    last_offered_slots: list[Window] = []
    choose_by: datetime | None = None
    replies: list[CustomerReplyRecord] = []
    calls: list[CallRecord] = []
    """Calls the shop's or the carrier's call centre recorded, in the order they came."""
    failing: list[FailingChannel] = []
    """Channels that failed for good during this shipment: later news goes by the others."""
    delay_noticed: bool = False
    """A delay notice went out in the current delay episode; progress ends the episode."""
    unpublished: list[LedgerUpdate] = []
    """Changes not yet in the ledger when the workflow continued as new; the next run sends them."""
    tracker: TrackerState | None = None
    """The tracker Waypost created for the shop (None: the shop made its own, or none)."""
    runs: int = 1
    marketing_consent: MarketingConsent | None = None
    """Consent to marketing the customer gave after the start (on the tracking page)."""
    estimated_day: date | None = None
    """The estimate is this calendar day (date-only, in the recipient's zone);
    `estimated_delivery` then holds the instant the day ends there."""
    exception: ExceptionReason | None = None
    """In status exception: what went wrong, as the carrier's detail said (None: the event
    named no reason, as events recorded before reasons existed)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sms_sent(self) -> int:
        """SMS that went out for this shipment (a full track costs about ten)."""
        return sum(n.segments is not None for n in self.notifications)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sms_segments(self) -> int:
        return sum(n.segments or 0 for n in self.notifications)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sms_cost(self) -> Decimal:
        """Estimated provider cost of this shipment's SMS."""
        return sum((n.cost or Decimal(0) for n in self.notifications), Decimal(0))

    def consents_to_marketing(self) -> bool:
        """The recipient agreed to the shop's marketing: at the start, or later."""
        return self.shipment.recipient.marketing_consent or self.marketing_consent is not None

    def occurrences(self, kind: NotificationKind) -> int:
        """How many times this kind has been planned (each occurrence yields its own keys)."""
        return max((n.occurrence for n in self.notifications if n.kind is kind), default=0)

    def deferred(self) -> list[NotificationRecord]:
        """Messages held back by quiet hours, waiting for their `due_at`."""
        return [
            n
            for n in self.notifications
            if n.status is NotificationStatus.PLANNED and n.due_at is not None
        ]

    def failing_channels(self) -> frozenset[Channel]:
        return frozenset(f.channel for f in self.failing)

    def seen_event_ids(self) -> set[str]:
        return {entry.event.event_id for entry in self.timeline}

    def exception_event(self) -> CarrierEvent | None:
        """The applied event that put the shipment in its current exception (its carrier detail
        and description are what support and the shop's webhooks read), or None."""
        if self.status is not ShipmentStatus.EXCEPTION:
            return None
        return next(
            (
                e.event
                for e in reversed(self.timeline)
                if e.outcome is EventOutcome.APPLIED and e.event.status is ShipmentStatus.EXCEPTION
            ),
            None,
        )


class WorkflowLimits(BaseModel):
    """Knobs for the workflow's own housekeeping (tests shrink them)."""

    history_events: int = 5000


class ShipmentResume(BaseModel):
    """What one run of a shipment hands the next when it continues as new.

    The workflow takes one argument, `ShipmentStart | ShipmentResume`: a shop starts it with the
    shipment alone (from code, the CLI or the Temporal UI), and Temporal only applies type hints
    when the argument count matches the signature.
    """

    model_config = ConfigDict(extra="forbid")

    state: ShipmentState
    limits: WorkflowLimits = WorkflowLimits()
