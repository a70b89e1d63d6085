"""What the tracking page needs of a running shipment that the ledger does not hold: the workflow
derives it (workflows/page.py) and the ledger activity stores it, sealed, so a page view costs no
workflow query.

`LivePage` changes as the shipment does and travels on `LedgerUpdate.page` when it changed;
`PageContact` is taken once from the start. Both hold personal data (the courier's name and
phone, the pickup code, the recipient's addresses): the ledger keeps them sealed with the
payload keyring.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from models.call import CallCentre, CallDirection, CallOutcome
from models.channels import CHANNELS
from models.consent import MarketingConsent
from models.notification import Channel, NotificationKind, NotificationStatus
from models.shipment import Courier, PickupPoint, Recipient, Window
from models.status import ExceptionReason, ShipmentStatus

__all__ = ["LivePage", "LiveView", "PageCall", "PageContact", "PageMessage", "PageWait"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PageMessage(_Frozen):
    """A message the ledger may not hold: planned (perhaps held back by quiet hours), or settled
    by the workflow itself (suppressed, superseded, delegated)."""

    key: str
    kind: NotificationKind
    channel: Channel
    status: NotificationStatus
    at: datetime
    """When it was settled, else when it was planned."""
    due_at: datetime | None = None
    """Set while quiet hours hold it back."""
    provider: str | None = None
    """Who sent delegated news (`shop`, `carrier`)."""


class PageCall(_Frozen):
    """A call centre's call as the page lists it: never the operator nor the note."""

    call_id: str
    occurred_at: datetime
    centre: CallCentre
    direction: CallDirection
    outcome: CallOutcome


class PageWait(_Frozen):
    """Something scheduled: a durable timer (`message` None: the storage deadline), or a message
    quiet hours hold back (`channel` set)."""

    until: datetime
    message: NotificationKind | None = None
    channel: Channel | None = None

    @property
    def deferred(self) -> bool:
        return self.channel is not None

    @property
    def label(self) -> str:
        return self.message.value if self.message else "storage_deadline"


class LivePage(_Frozen):
    """The page's part of the live state, derived from it: every field is something the page
    shows or a decision the workflow's validators would make (so the forms shown are the ones
    it accepts)."""

    status: ShipmentStatus
    status_since: datetime
    window: Window | None = None
    estimated_delivery: datetime | None = None
    estimated_day: date | None = None
    exception: ExceptionReason | None = None
    """Only while the shipment is in an exception."""
    courier: Courier | None = None
    pickup_point: PickupPoint | None = None
    """The live point, else the start's, with the storage deadline the workflow keeps."""
    scheduled: list[PageWait] = []
    """The workflow's timers and the messages quiet hours hold back (the page shows those still
    ahead when it is viewed)."""
    offered_slots: list[Window] = []
    """The slots the customer may choose now (`can_choose_slot`)."""
    choose_by: datetime | None = None
    courier_question: Window | None = None
    """The courier's confirmation's window, while it is answerable (`can_answer_courier`)."""
    answer: Literal["confirm", "reschedule"] | None = None
    """The customer's last answer to that confirmation."""
    answered_at: datetime | None = None
    consented: bool = False
    """The recipient agreed to the shop's marketing (at the start, or later)."""
    consent: MarketingConsent | None = None
    """Consent given after the start (on the page)."""
    marketing_ahead: bool = False
    """A marketing message may still be planned (the opt-in's condition)."""
    marketing_channels: list[Channel] = []
    """The channels that marketing message would go by (their opt-outs withdraw consent)."""
    messages: list[PageMessage] = []
    calls: list[PageCall] = []
    """Every call recorded (the page lists those the ledger has not recorded yet)."""


class PageContact(_Frozen):
    """What the page needs of the recipient named at the start: the zone times are shown in, and
    the addresses (masked on the page; hashed to find the recipient's opt-outs)."""

    time_zone: str = "UTC"
    phone: str | None = None
    email: str | None = None

    @classmethod
    def of(cls, recipient: Recipient) -> PageContact:
        return cls(
            time_zone=recipient.time_zone,
            phone=recipient.phone,
            email=str(recipient.email) if recipient.email else None,
        )

    def address(self, channel: Channel) -> str | None:
        """The address on `channel` (as `models.channels.address` reads a recipient's)."""
        found: str | None = getattr(self, CHANNELS[channel].address_field)
        return found


class LiveView(_Frozen):
    """Everything the page shows of a running shipment beyond the ledger's rows."""

    contact: PageContact
    page: LivePage
