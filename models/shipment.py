"""The shipment as a shop starts it and as a carrier reports on it.

Everything is validated at the edge (CLI, HTTP, client helper) so that a bad phone number,
a naive datetime or an unknown status is refused, naming the field, before a workflow exists.
The id alphabet, the text rules and the date bounds are models.bounds' (README: "Hostile input").
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from models.bounds import (
    MAX_RECOMMENDATIONS,
    Day,
    Email,
    EventId,
    Identifier,
    Moment,
    PlaceName,
    Reference,
    Text,
    Url,
    single_line,
)
from models.locale import Locale
from models.policy import NotificationPolicy
from models.recommendations import Recommendation
from models.status import ExceptionReason, ShipmentStatus
from models.tracking import TrackerPlan

FINAL_STATUSES = frozenset(
    {ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED, ShipmentStatus.CANCELLED}
)

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def _e164(value: str) -> str:
    compact = re.sub(r"[\s\-().]", "", value)
    if not _E164.fullmatch(compact):
        raise ValueError("must be a phone number in E.164 form, like +447700900123")
    return compact


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long
        raise ValueError(f"unknown IANA time zone {value!r}") from exc
    return value


Phone = Annotated[str, AfterValidator(_e164)]
CarrierDetail = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(single_line),
]
TimeZoneName = Annotated[str, StringConstraints(max_length=64), AfterValidator(_time_zone)]


def _letters(value: str) -> str:
    if not (value.isascii() and value.isalpha()):
        raise ValueError("must be two letters (ISO 3166-1 alpha-2, like GB)")
    return value


CountryCode = Annotated[
    str, StringConstraints(min_length=2, max_length=2, to_upper=True), AfterValidator(_letters)
]


class Frozen(BaseModel):
    """Base for values: immutable, unknown fields refused (a typo must not pass silently)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Recipient(Frozen):
    name: Text
    phone: Phone | None = None
    email: Email | None = None
    locale: Locale = "en"
    time_zone: TimeZoneName = "UTC"
    marketing_consent: bool = False
    """The customer agreed to the shop's marketing (the thank-you with its coupon or review
    link) when ordering: without it, or consent given later on the tracking page
    (`ShipmentState.marketing_consent`), no marketing kind is sent (recorded `opted_out`)."""

    @model_validator(mode="after")
    def _reachable(self) -> Recipient:
        if self.phone is None and self.email is None:
            raise ValueError("a recipient needs a phone or an email to be informed")
        return self


class Window(Frozen):
    """A real delivery window, never a hypothetical one: both ends known and aware."""

    start: Moment
    end: Moment

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end <= self.start:
            raise ValueError("window end must be after its start")
        return self


class Courier(Frozen):
    name: Text
    phone: Phone | None = None


class Location(Frozen):
    city: PlaceName | None = None
    country: CountryCode | None = None
    """ISO 3166-1 alpha-2."""
    facility: PlaceName | None = None

    def label(self) -> str:
        return ", ".join(p for p in (self.facility, self.city, self.country) if p) or "unknown"


class PickupPoint(Frozen):
    name: Text
    address: Text
    opening_hours: Text | None = None
    pickup_code: Text | None = None
    storage_deadline: Moment | None = None


class DeliveryKind(StrEnum):
    COURIER_NEXT_DAY = "courier_next_day"
    COURIER_MULTI_DAY = "courier_multi_day"
    PICKUP_POINT = "pickup_point"


class DeliveryOption(Frozen):
    kind: DeliveryKind
    window: Window | None = None
    pickup_point: PickupPoint | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DeliveryOption:
        if self.kind is DeliveryKind.PICKUP_POINT and self.window is not None:
            raise ValueError("a pickup-point delivery has no courier window")
        return self


class CarrierEvent(Frozen):
    """One carrier scan, de-duplicated by the carrier's own event id."""

    event_id: EventId
    status: ShipmentStatus
    occurred_at: Moment
    location: Location | None = None
    description: Text | None = None
    window: Window | None = None
    courier: Courier | None = None
    estimated_delivery: Moment | None = None
    pickup_point: PickupPoint | None = None
    slots: Annotated[list[Window], Field(max_length=10)] | None = None
    """Delivery slots the carrier offers (multi-day delivery, parcel in the recipient's city);
    the first is the carrier's default."""
    estimated_day: Day | None = None
    """A date-only estimate: a calendar day in the recipient's zone (or the carrier's local day),
    never an instant. The shipment is late only once that day has ended there."""
    exception: ExceptionReason | None = None
    """With status exception: what went wrong (each reason has its own message)."""
    detail: CarrierDetail | None = None
    """The carrier's own status words as it sent them (e.g. "failure/lost",
    "TRANSIT/address_issue"): kept for support and the shop's status-change webhooks."""
    legacy_event_id: EventId | None = None
    """The id an earlier derivation gave this scan (carriers without ids per scan): a scan
    received under that id before a deploy is still a duplicate, never news."""

    @model_validator(mode="after")
    def _exception_only_in_status_exception(self) -> CarrierEvent:
        if self.exception is not None and self.status is not ShipmentStatus.EXCEPTION:
            raise ValueError("exception names what went wrong in status exception only")
        return self


class SlotChoice(Frozen):
    """The customer's choice among the offered slots, 1-based as in the message."""

    slot: int = Field(ge=1, le=10)


ReplyChannel = Literal["sms", "page"]
"""Where a customer's answer came from: an SMS reply, or the tracking page's form."""


class CourierReply(Frozen):
    """The customer's answer to the courier's one-hour confirmation."""

    answer: Literal["confirm", "reschedule"]
    via: ReplyChannel | None = None
    """None from callers that predate it (the tracking page, then, or a test)."""


class ShipmentBasics(Frozen):
    """A shipment's identifiers, recipient and delivery: what the workflow and the ledger both
    keep of it."""

    shipment_id: Identifier
    order_id: Reference
    carrier: Identifier
    tracking_number: Identifier
    recipient: Recipient
    delivery: DeliveryOption


class ShipmentOrder(ShipmentBasics):
    """A shipment as a shop describes it; over HTTP the shop itself is known from its API key."""

    policy: NotificationPolicy = Field(default_factory=NotificationPolicy)
    shipped_at: Moment | None = None
    tracking_url: Url | None = None
    recommendations: Annotated[list[Recommendation], Field(max_length=MAX_RECOMMENDATIONS)] = []
    """Product links for the dispatch and thank-you emails (marketing: shown only with the
    recipient's consent, never after they unsubscribed from the shop's marketing)."""


class ShipmentStart(ShipmentOrder):
    """What starts one shipment's workflow: the shop's order and the shop it belongs to."""

    shop_id: Identifier
    tracker: TrackerPlan | None = None
    """Set by whoever starts the shipment, from the settings (`infra.trackers.tracker_plan`):
    the workflow creates (and in polling mode, polls) the tracker. None: the shop does."""

    @property
    def workflow_id(self) -> str:
        return shipment_workflow_id(self.shop_id, self.shipment_id)


class ShipmentRecord(ShipmentBasics):
    """What the ledger keeps of a shipment's start (`LedgerUpdate.shipment`): its basics and its
    shop. The notification policy and product links stay in the workflow, which alone reads
    them: they were a fifth of the first update's bytes, and validated by the activity for
    nothing."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    """Ignored, not refused: updates scheduled before this model carried the whole start."""

    shop_id: Identifier

    @classmethod
    def of(cls, start: ShipmentStart) -> ShipmentRecord:
        """The start's record, its fields taken as they are (validated with the start)."""
        return cls.model_construct(**{name: getattr(start, name) for name in cls.model_fields})


def shipment_workflow_id(shop_id: str, shipment_id: str) -> str:
    """The workflow id is derived from the shipment so a retried start finds the same workflow."""
    return f"shipment:{shop_id}:{shipment_id}"


def shop_of_ref(ref: str) -> str | None:
    """The shop in a workflow id `shipment:<shop_id>:<shipment_id>` (ids hold no ':')."""
    parts = ref.split(":")
    return parts[1] if len(parts) == 3 and parts[0] == "shipment" else None


def parse_shipment_ref(ref: str) -> str:
    """Accept `shipment:<shop>:<id>` or `<shop>:<id>` and return the workflow id."""
    parts = ref.split(":")
    if len(parts) == 3 and parts[0] == "shipment" and all(parts[1:]):
        return ref
    if len(parts) == 2 and all(parts):
        return shipment_workflow_id(parts[0], parts[1])
    raise ValueError(f"shipment reference {ref!r} is not 'shipment:<shop_id>:<shipment_id>'")
