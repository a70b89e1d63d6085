"""Every kind of message, as data: what sends it, by which channels, at what hour, to whom,
and what it quotes.

The policy's defaults, the plan, the schedule, the tracking page and the ledger read the sets
derived here (computed once, below) instead of each keeping a list of kinds, so a kind is
added by one entry here plus its texts. Pure data: the workflow sandbox imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, model_validator

from models.notification import Channel, NotificationKind
from models.status import ExceptionReason, ShipmentStatus

__all__ = [
    "ASKING_KINDS",
    "DEFAULT_CHANNELS",
    "EXCEPTION_KIND",
    "KINDS",
    "KIND_ENTRIES",
    "PLAIN_COURIER_PATH",
    "RECOMMENDING_KINDS",
    "SHOP_KINDS",
    "STATUS_KIND",
    "TIMED_KINDS",
    "URGENT_KINDS",
    "Audience",
    "Category",
    "KindSpec",
    "Trigger",
]

K = NotificationKind
S = ShipmentStatus
SMS, EMAIL = Channel.SMS, Channel.EMAIL


class Trigger(StrEnum):
    """What makes the workflow plan a message of a kind (any kind may also be re-sent on its
    fallback channel when a provider refuses it for good)."""

    STATUS = "status"
    """The shipment entered the status the kind announces."""
    TIMER = "timer"
    """A durable timer fell due (workflows/schedule.py)."""
    SLOTS = "slots"
    """Delivery slots were offered: a carrier event carrying them, or a reschedule answer."""
    ANSWER = "answer"
    """The customer answered a question."""
    STORAGE_DEADLINE = "storage_deadline"
    """An uncollected parcel's storage deadline passed."""
    EXCEPTION = "exception"
    """The parcel entered status exception for the reason the kind explains."""


class Audience(StrEnum):
    CUSTOMER = "customer"
    SHOP = "shop"
    """The shop's own notice: not counted against the customer's caps, not on their page."""


class Category(StrEnum):
    TRANSACTIONAL = "transactional"
    """Shipping news: it rests on the contract."""
    MARKETING = "marketing"
    """A coupon or a review request: it needs consent (DESIGN.md)."""


class KindSpec(BaseModel):
    """One kind of message, everything about it that is not its wording."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: NotificationKind
    triggers: frozenset[Trigger]
    announces: ShipmentStatus | None = None
    """The status whose entry sends it (trigger `status`)."""
    explains: ExceptionReason | None = None
    """The exception reason whose arrival sends it (trigger `exception`)."""
    channels: tuple[Channel, ...]
    """Its default channels, in order (a shop's policy may override them)."""
    urgent: bool
    """News about today: goes out at once, quiet hours or not."""
    audience: Audience = Audience.CUSTOMER
    category: Category = Category.TRANSACTIONAL
    asks: bool = False
    """It asks the customer something they answer by reply (the ledger finds it by sender)."""
    plain_courier_path: bool = False
    """Sent on a plain next-day courier delivery: the SMS cap may not be below what they need."""
    recommends: bool = False
    """Its email may carry the shop's product recommendations (a marketing block)."""
    context: frozenset[str] = frozenset()
    """The MessageContext fields its messages quote beyond the order, carrier, tracking number,
    tracking link and recipient's name (which every kind may)."""

    @model_validator(mode="after")
    def _announces_iff_status(self) -> KindSpec:
        if (self.announces is not None) != (Trigger.STATUS in self.triggers):
            raise ValueError(f"{self.kind.value}: a status-triggered kind names its status")
        if (self.explains is not None) != (Trigger.EXCEPTION in self.triggers):
            raise ValueError(f"{self.kind.value}: an exception kind names its reason")
        return self


def _spec(kind: NotificationKind, *channels: Channel, **facts: object) -> KindSpec:
    return KindSpec.model_validate({"kind": kind, "channels": channels, **facts})


_WINDOW = ("window_start", "window_end")
_COURIER = ("courier_name", "courier_phone")
_POINT = ("pickup_name", "pickup_address", "pickup_deadline")

KIND_ENTRIES = (
    _spec(
        K.SHIPPED,
        EMAIL,
        triggers={Trigger.STATUS},
        announces=S.SHIPPED,
        urgent=False,
        plain_courier_path=True,
        context={"estimated_delivery"},
        recommends=True,
    ),
    _spec(
        K.OUT_FOR_DELIVERY,
        SMS,
        triggers={Trigger.STATUS},
        announces=S.OUT_FOR_DELIVERY,
        urgent=True,
        plain_courier_path=True,
        context={*_WINDOW, *_COURIER, "estimated_delivery"},
    ),
    _spec(
        K.COURIER_ONE_HOUR,
        SMS,
        triggers={Trigger.TIMER},
        urgent=True,
        asks=True,
        plain_courier_path=True,
        context={*_WINDOW, *_COURIER, "lead_minutes"},
    ),
    _spec(
        K.DELIVERY_FAILED,
        SMS,
        triggers={Trigger.STATUS},
        announces=S.DELIVERY_FAILED,
        urgent=True,
        context={"location"},
    ),
    _spec(
        K.AVAILABLE_FOR_PICKUP,
        SMS,
        EMAIL,
        triggers={Trigger.STATUS},
        announces=S.AVAILABLE_FOR_PICKUP,
        urgent=True,
        context={*_POINT, "pickup_code"},
    ),
    _spec(
        K.PICKUP_REMINDER,
        SMS,
        triggers={Trigger.TIMER},
        urgent=False,
        context={*_POINT, "pickup_code"},
    ),
    _spec(
        K.PICKUP_FINAL_WARNING,
        SMS,
        EMAIL,
        triggers={Trigger.TIMER},
        urgent=False,
        context={*_POINT, "pickup_code"},
    ),
    _spec(
        K.DELAY_NOTICE,
        SMS,
        triggers={Trigger.TIMER},
        urgent=False,
        context={"new_estimate"},
    ),
    _spec(
        K.DELIVERED,
        SMS,
        triggers={Trigger.STATUS},
        announces=S.DELIVERED,
        urgent=True,
        plain_courier_path=True,
    ),
    _spec(
        K.RETURNED,
        EMAIL,
        triggers={Trigger.STATUS},
        announces=S.RETURNED,
        urgent=False,
    ),
    _spec(
        K.THANK_YOU,
        EMAIL,
        triggers={Trigger.TIMER},
        urgent=False,
        category=Category.MARKETING,
        context={"coupon_code", "review_url"},
        recommends=True,
    ),
    _spec(
        K.SLOT_CHOICE,
        SMS,
        EMAIL,
        triggers={Trigger.SLOTS},
        urgent=False,
        asks=True,
        context={"slots", "choose_by"},
    ),
    _spec(
        K.SLOT_CONFIRMED,
        SMS,
        triggers={Trigger.ANSWER, Trigger.TIMER},
        urgent=False,
        context={*_WINDOW, *_COURIER},
    ),
    _spec(
        K.SHOP_RETURN_NOTICE,
        EMAIL,
        triggers={Trigger.STORAGE_DEADLINE},
        urgent=False,
        audience=Audience.SHOP,
        context=set(_POINT),
    ),
    # Exceptions: what happened, an apology, what happens next. A lost or damaged parcel is
    # serious news (SMS and email); an address problem may be fixed before the next attempt, so
    # it goes at once, night or not.
    _spec(
        K.EXCEPTION_LOST,
        SMS,
        EMAIL,
        triggers={Trigger.EXCEPTION},
        explains=ExceptionReason.LOST,
        urgent=False,
    ),
    _spec(
        K.EXCEPTION_DAMAGED,
        SMS,
        EMAIL,
        triggers={Trigger.EXCEPTION},
        explains=ExceptionReason.DAMAGED,
        urgent=False,
    ),
    _spec(
        K.EXCEPTION_HELD,
        SMS,
        triggers={Trigger.EXCEPTION},
        explains=ExceptionReason.HELD,
        urgent=False,
        context={"location"},
    ),
    _spec(
        K.EXCEPTION_ADDRESS,
        SMS,
        triggers={Trigger.EXCEPTION},
        explains=ExceptionReason.ADDRESS,
        urgent=True,
    ),
    _spec(
        K.EXCEPTION_REFUSED,
        SMS,
        triggers={Trigger.EXCEPTION},
        explains=ExceptionReason.REFUSED,
        urgent=False,
    ),
    _spec(
        K.EXCEPTION_OTHER,
        SMS,
        triggers={Trigger.EXCEPTION},
        explains=ExceptionReason.OTHER,
        urgent=False,
    ),
)
"""One entry per NotificationKind, in the order kinds are listed (a delivery's course)."""

KINDS: Mapping[NotificationKind, KindSpec] = MappingProxyType(
    {spec.kind: spec for spec in KIND_ENTRIES}
)

DEFAULT_CHANNELS: Mapping[NotificationKind, tuple[Channel, ...]] = MappingProxyType(
    {kind: spec.channels for kind, spec in KINDS.items()}
)
URGENT_KINDS = frozenset(kind for kind, spec in KINDS.items() if spec.urgent)
"""News about today that goes out at once, quiet hours or not; everything else waits for the
morning."""
STATUS_KIND: Mapping[ShipmentStatus, NotificationKind] = MappingProxyType(
    {spec.announces: kind for kind, spec in KINDS.items() if spec.announces is not None}
)
"""Statuses worth a message. in_transit scans (many a day) send nothing; an exception's message
depends on its reason (EXCEPTION_KIND)."""
EXCEPTION_KIND: Mapping[ExceptionReason, NotificationKind] = MappingProxyType(
    {spec.explains: kind for kind, spec in KINDS.items() if spec.explains is not None}
)
"""The message each exception reason sends."""
TIMED_KINDS = tuple(kind for kind, spec in KINDS.items() if Trigger.TIMER in spec.triggers)
"""Kinds a durable timer sends."""
ASKING_KINDS = frozenset(kind for kind, spec in KINDS.items() if spec.asks)
"""Kinds whose message asks the customer something answerable by reply."""
SHOP_KINDS = frozenset(kind for kind, spec in KINDS.items() if spec.audience is Audience.SHOP)
"""The shop's own notices: not the customer's messages."""
PLAIN_COURIER_PATH = tuple(kind for kind, spec in KINDS.items() if spec.plain_courier_path)
"""What a plain next-day courier delivery sends, in order."""
RECOMMENDING_KINDS = frozenset(kind for kind, spec in KINDS.items() if spec.recommends)
"""Kinds whose email may show the shop's product recommendations: dispatch and thank-you."""
