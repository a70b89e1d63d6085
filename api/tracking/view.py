"""What the customer's tracking page shows, built purely from the ledger and the live state.

The ledger is the page's source of truth, so the page still works after the workflow closed;
the live state, when there is one, adds what only the workflow knows: the delivery window, the
courier, the pickup point, what is scheduled next, and the questions the customer may answer.
The live state is the ledger's sealed snapshot of it (`models.page.LiveView`, written by the
ledger activity) or, failing that, the workflow's query, reduced to the same view
(`workflows.page`). Without it the page shows the ledger alone and offers no forms.

Deliberate choices, for a customer rather than for support:
- the route shows each carrier event once, in the order it happened; an event reported late
  is shown where it belongs and marked, a refused one (it contradicts the parcel's status) is
  left out, since nothing the customer can do follows from it;
- notifications are every message to the customer, the ledger's (with their delivery reports)
  and the workflow's that never reached the ledger (delegated, suppressed, superseded,
  deferred); the shop's own return notice is not the customer's message and is left out;
- only actions still ahead are pending: one past due is being done as the page loads;
- calls of the shop's or the carrier's call centre are listed among the messages, with who
  called, when and the outcome; never the operator's name nor the note (they are for support).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict

from infra.masking import mask_address
from ledger.views import CallView, EventView, NotificationView, ShipmentView
from messages.locales import negotiate
from models.call import CallCentre, CallDirection, CallOutcome
from models.carriers import carrier_info
from models.consent import ConsentSource
from models.kinds import SHOP_KINDS
from models.notification import Channel, NotificationKind, NotificationStatus
from models.page import LiveView, PageContact, PageMessage
from models.shipment import Courier, DeliveryKind, Window
from models.shop import ShopProfile
from models.state import EventOutcome, ShipmentState
from models.status import ExceptionReason, ShipmentStatus
from workflows.page import live_view

__all__ = [
    "CallItem",
    "ConsentBlock",
    "CourierQuestion",
    "NotificationItem",
    "PendingAction",
    "PickupView",
    "RouteItem",
    "ShopBrand",
    "SlotOffer",
    "SlotOption",
    "Step",
    "Summary",
    "TrackingView",
    "as_live_view",
    "build_view",
    "consent_block",
    "marketing_channels",
    "progress",
    "shop_brand",
]

WAYPOST_EVENT_PREFIX = "waypost:"
"""Events the workflow records itself (the storage deadline passing) carry this id prefix."""

_NOT_FOR_CUSTOMER = SHOP_KINDS


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Summary(_Frozen):
    order_id: str
    carrier: str
    tracking_number: str
    delivery_kind: DeliveryKind
    status: ShipmentStatus
    status_since: datetime
    carrier_name: str = ""
    """The carrier's display name (its id as given when it is not a known carrier)."""
    carrier_url: str | None = None
    """The carrier's own tracking page for this parcel, for a known carrier."""


class PickupView(_Frozen):
    name: str
    address: str
    opening_hours: str | None = None
    pickup_code: str | None = None
    storage_deadline: datetime | None = None

    @property
    def map_url(self) -> str:
        """An OpenStreetMap search for the point's address: a plain link, so the page loads no
        map tiles or scripts and its CSP stays strict."""
        return "https://www.openstreetmap.org/search?query=" + quote(self.address, safe="")


class Step(_Frozen):
    """One step of the progress stepper: a status the parcel passes through. A `problem` step
    is the exception, failed attempt, return or cancellation where the parcel actually is."""

    status: ShipmentStatus
    state: Literal["done", "current", "upcoming", "problem"]
    label: str = ""
    """The page string's key under `step.` (the status's own, or `collected` for a parcel
    delivered at a pickup point)."""


_COURIER_STEPS = (
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED,
)
_PICKUP_STEPS = (
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.AVAILABLE_FOR_PICKUP,
    ShipmentStatus.DELIVERED,
)
_FINAL_DETOURS = frozenset({ShipmentStatus.RETURNED, ShipmentStatus.CANCELLED})
"""A detour after which the usual steps will not happen: the stepper ends with it."""


class RouteItem(_Frozen):
    """One carrier event. `description` is the carrier's own text (shown escaped, as is);
    `description_key` replaces it for events Waypost records itself, so they are translated."""

    event_id: str
    status: ShipmentStatus
    occurred_at: datetime
    place: str | None = None
    description: str | None = None
    description_key: str | None = None
    late: bool = False
    """Reported after a newer event: shown where it belongs in time, marked as late."""


class NotificationItem(_Frozen):
    """One message to the customer. `at` is when it went out (or was planned); `due_at` is set
    while quiet hours hold it back; `sent_by` names who sent delegated news."""

    key: str
    kind: NotificationKind
    channel: Channel
    status: NotificationStatus
    at: datetime
    due_at: datetime | None = None
    recipient: str | None = None
    """Masked: enough for the customer to recognise their own number or address."""
    sent_by: Literal["shop", "carrier"] | None = None


class CallItem(_Frozen):
    """One call of a call centre about the parcel, shown among the messages."""

    call_id: str
    at: datetime
    centre: CallCentre
    direction: CallDirection
    outcome: CallOutcome


class PendingAction(_Frozen):
    """Something scheduled: a timer of the workflow, or a message deferred by quiet hours.

    `action` is the timer's label (a notification kind, or "storage_deadline").
    """

    action: str
    due_at: datetime
    kind: NotificationKind | None = None
    channel: Channel | None = None
    deferred: bool = False


class SlotOption(_Frozen):
    number: int
    """1-based, as in the message and as the form posts it."""
    window: Window


class SlotOffer(_Frozen):
    options: list[SlotOption]
    choose_by: datetime | None = None


class CourierQuestion(_Frozen):
    """The courier's one-hour confirmation, answerable now; with the customer's last answer."""

    window: Window
    answer: Literal["confirm", "reschedule"] | None = None
    answered_at: datetime | None = None


class TrackingView(_Frozen):
    ref: str
    locale: str
    """The shipment's page language (a supported one; English when unknown)."""
    time_zone: str
    """The zone times are shown in: the recipient's when known, else UTC (the page says which)."""
    summary: Summary
    window: Window | None = None
    estimated_delivery: datetime | None = None
    estimated_day: date | None = None
    """A date-only estimate: the day itself (shown as it is, never moved by a zone)."""
    exception: ExceptionReason | None = None
    """What holds the parcel up, when it is in an exception: the page says what happened and
    what comes next."""
    courier: Courier | None = None
    pickup_point: PickupView | None = None
    route: list[RouteItem] = []
    notifications: list[NotificationItem] = []
    calls: list[CallItem] = []
    pending: list[PendingAction] = []
    slot_offer: SlotOffer | None = None
    courier_question: CourierQuestion | None = None
    closed: bool = False
    live: bool = False
    """The workflow answered: without it the page is the ledger alone, and has no forms."""

    @property
    def steps(self) -> list[Step]:
        return progress(
            self.summary.status,
            self.summary.delivery_kind,
            [r.status for r in self.route if not r.late],
            pickup=self.pickup_point is not None,
        )

    @property
    def has_calendar(self) -> bool:
        """There is a delivery window or a pickup deadline to put in a calendar."""
        point = self.pickup_point
        return self.window is not None or (point is not None and point.storage_deadline is not None)

    @property
    def has_forms(self) -> bool:
        return self.slot_offer is not None or self.courier_question is not None

    @property
    def actions(self) -> list[NotificationItem | CallItem]:
        """Every message and call, in the order they happened (what the page lists)."""
        items: list[NotificationItem | CallItem] = [*self.notifications, *self.calls]
        return sorted(items, key=_when)


def _when(item: NotificationItem | CallItem) -> datetime:
    return (item.due_at or item.at) if isinstance(item, NotificationItem) else item.at


def as_live_view(live: ShipmentState | LiveView | None) -> LiveView | None:
    """The page's view of the live state, whether the ledger's snapshot or the query's state."""
    return live_view(live) if isinstance(live, ShipmentState) else live


def build_view(
    shipment: ShipmentView,
    events: list[EventView],
    notifications: list[NotificationView],
    state: ShipmentState | LiveView | None,
    now: datetime,
    *,
    time_zone: str | None = None,
    calls: list[CallView] | None = None,
) -> TrackingView:
    """Everything the page shows, without I/O. `state` (the live state: the ledger's snapshot
    or the query's) is None when the workflow is closed or unreachable; `time_zone` is for a
    caller that knows the recipient's zone some other way; `calls` are the ledger's (the live
    state adds those not recorded yet)."""
    live = as_live_view(state)
    route = _route(events)
    closed = shipment.closed_at is not None
    zone = time_zone or (live.contact.time_zone if live else None) or "UTC"
    if live is not None:
        status, since = live.page.status, live.page.status_since
    else:
        status, since = shipment.status, _status_since(shipment, route)
    carrier = carrier_info(shipment.carrier, shipment.tracking_number)
    summary = Summary(
        order_id=shipment.order_id,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        delivery_kind=shipment.delivery_kind,
        status=status,
        status_since=since,
        carrier_name=carrier.name,
        carrier_url=carrier.tracking_url,
    )
    view = TrackingView(
        ref=shipment.ref,
        locale=negotiate(shipment.locale),
        time_zone=zone,
        summary=summary,
        route=route,
        notifications=_notifications(notifications, live),
        calls=_calls(calls or [], live),
        closed=closed,
    )
    if live is None:
        return view
    answerable = not closed
    page = live.page
    return view.model_copy(
        update={
            "live": True,
            "window": page.window,
            "estimated_delivery": page.estimated_delivery,
            "estimated_day": page.estimated_day,
            "exception": page.exception if page.status is ShipmentStatus.EXCEPTION else None,
            "courier": page.courier,
            "pickup_point": _pickup(live),
            "pending": _pending(live, now) if not closed else [],
            "slot_offer": _slot_offer(live) if answerable else None,
            "courier_question": _courier_question(live) if answerable else None,
        }
    )


def progress(
    status: ShipmentStatus,
    kind: DeliveryKind,
    reached: list[ShipmentStatus],
    *,
    pickup: bool = False,
) -> list[Step]:
    """The stepper: shipped, in transit, then out for delivery and delivered (or ready for
    pickup and collected, for a pickup point or a parcel the carrier sent to one).

    Honest about detours: an exception or a failed attempt is shown as its own step where the
    parcel stands (after the last usual step it reached, by the route `reached`, in order), with
    the steps still ahead after it; a return or a cancellation ends the stepper, since the
    remaining steps will not happen.
    """
    to_pickup = (
        pickup
        or kind is DeliveryKind.PICKUP_POINT
        or ShipmentStatus.AVAILABLE_FOR_PICKUP in (status, *reached)
    )
    steps = _PICKUP_STEPS if to_pickup else _COURIER_STEPS

    def step(s: ShipmentStatus, state: Literal["done", "current", "upcoming"]) -> Step:
        collected = to_pickup and s is ShipmentStatus.DELIVERED
        return Step(status=s, state=state, label="collected" if collected else s.value)

    if status in steps:
        at = steps.index(status)
        return [
            step(s, "done" if i < at else "current" if i == at else "upcoming")
            for i, s in enumerate(steps)
        ]
    usual = [s for s in reached if s in steps]
    last = steps.index(usual[-1]) if usual else 0
    done = [step(s, "done") for s in steps[: last + 1]]
    detour = Step(status=status, state="problem", label=status.value)
    if status in _FINAL_DETOURS:
        return [*done, detour]
    return [*done, detour, *(step(s, "upcoming") for s in steps[last + 1 :])]


def _route(events: list[EventView]) -> list[RouteItem]:
    seen: set[str] = set()
    items: list[tuple[datetime, datetime, RouteItem]] = []
    for event in events:
        if event.event_id in seen or event.outcome in (
            EventOutcome.DUPLICATE,
            EventOutcome.REFUSED,
        ):
            continue
        seen.add(event.event_id)
        own = event.event_id.startswith(WAYPOST_EVENT_PREFIX)
        item = RouteItem(
            event_id=event.event_id,
            status=event.status,
            occurred_at=event.occurred_at,
            place=event.location if event.location and event.location != "unknown" else None,
            description=None if own else event.description,
            description_key="route.storage_deadline" if own else None,
            late=event.outcome is EventOutcome.OUT_OF_ORDER,
        )
        items.append((event.occurred_at, event.received_at, item))
    return [item for _, _, item in sorted(items, key=lambda t: (t[0], t[1]))]


def _status_since(shipment: ShipmentView, route: list[RouteItem]) -> datetime:
    """When the current status began, from the events that applied; the ledger's last update
    when no event explains it (a status set at start)."""
    since: datetime | None = None
    previous: ShipmentStatus | None = None
    for item in route:
        if item.late:
            continue
        if item.status is not previous:
            since, previous = item.occurred_at, item.status
    return since if since is not None and previous is shipment.status else shipment.updated_at


def _notifications(ledger: list[NotificationView], live: LiveView | None) -> list[NotificationItem]:
    items = [
        NotificationItem(
            key=n.key,
            kind=n.kind,
            channel=n.channel,
            status=n.status,
            at=n.sent_at or n.created_at,
            recipient=n.recipient_masked or None,
            sent_by=_sender(n.provider) if n.status is NotificationStatus.DELEGATED else None,
        )
        for n in ledger
        if n.kind not in _NOT_FOR_CUSTOMER
    ]
    if live is not None:
        known = {n.key for n in ledger}
        items += [
            _from_record(record, live.contact)
            for record in live.page.messages
            if record.key not in known and record.kind not in _NOT_FOR_CUSTOMER
        ]
    return sorted(items, key=lambda n: n.due_at or n.at)  # stable: ties keep their order


def _calls(ledger: list[CallView], live: LiveView | None) -> list[CallItem]:
    known = {c.call_id for c in ledger}
    pending = [c for c in (live.page.calls if live else []) if c.call_id not in known]
    items = [_call_item(c.call_id, c.occurred_at, c.centre, c.direction, c.outcome) for c in ledger]
    items += [
        _call_item(c.call_id, c.occurred_at, c.centre, c.direction, c.outcome) for c in pending
    ]
    return sorted(items, key=lambda c: c.at)


def _call_item(
    call_id: str,
    at: datetime,
    centre: CallCentre,
    direction: CallDirection,
    outcome: CallOutcome,
) -> CallItem:
    return CallItem(call_id=call_id, at=at, centre=centre, direction=direction, outcome=outcome)


def _from_record(record: PageMessage, contact: PageContact) -> NotificationItem:
    """A message the workflow knows and the ledger does not (it was never handed to a sender)."""
    delegated = record.status is NotificationStatus.DELEGATED
    address: str | None = None
    if not delegated and (to := contact.address(record.channel)) is not None:
        address = mask_address(to)
    return NotificationItem(
        key=record.key,
        kind=record.kind,
        channel=record.channel,
        status=record.status,
        at=record.at,
        due_at=record.due_at,
        recipient=address,
        sent_by=_sender(record.provider) if delegated else None,
    )


def _sender(provider: str | None) -> Literal["shop", "carrier"] | None:
    if provider == "shop":
        return "shop"
    if provider == "carrier":
        return "carrier"
    return None


def _pickup(live: LiveView) -> PickupView | None:
    point = live.page.pickup_point
    if point is None:
        return None
    return PickupView(
        name=point.name,
        address=point.address,
        opening_hours=point.opening_hours,
        pickup_code=point.pickup_code,
        storage_deadline=point.storage_deadline,
    )


def _pending(live: LiveView, now: datetime) -> list[PendingAction]:
    """What the workflow says is scheduled (its timers, its messages held by quiet hours), ahead
    of `now` (one past due is being done as the page loads)."""
    found = [
        PendingAction(
            action=w.label,
            due_at=w.until,
            kind=w.message,
            channel=w.channel,
            deferred=w.deferred,
        )
        for w in live.page.scheduled
        if not w.deferred or w.message not in _NOT_FOR_CUSTOMER
    ]
    return sorted((p for p in found if p.due_at >= now), key=lambda p: p.due_at)


def _slot_offer(live: LiveView) -> SlotOffer | None:
    """Shown exactly when the workflow's `choose_slot` validator would accept a choice (the
    live view carries the slots only then)."""
    page = live.page
    if not page.offered_slots:
        return None
    options = [SlotOption(number=n, window=w) for n, w in enumerate(page.offered_slots, 1)]
    return SlotOffer(options=options, choose_by=page.choose_by)


def _courier_question(live: LiveView) -> CourierQuestion | None:
    """Shown exactly when the workflow's `courier_reply` validator would accept an answer, with
    the last answer given since the latest confirmation was planned (an answer to an earlier
    window never looks like an answer to this one)."""
    page = live.page
    if page.courier_question is None:
        return None
    return CourierQuestion(
        window=page.courier_question, answer=page.answer, answered_at=page.answered_at
    )


_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


class ShopBrand(_Frozen):
    """Who the page is from: the shop's name, logo, colour and help contact, each one already
    checked for where the page puts it (an attribute, a stylesheet, a CSP header)."""

    name: str
    logo_url: str | None = None
    """An https URL whose host is a plain DNS name or address (it goes into the CSP too)."""
    logo_origin: str | None = None
    """`https://host[:port]` of the logo: the one image origin the page's CSP allows."""
    accent: str | None = None
    """`#rrggbb`, and nothing else: it is written into a stylesheet."""
    accent_text: str = "#ffffff"
    """Black or white, whichever reads better on `accent`."""
    support_url: str | None = None
    support_email: str | None = None
    support_phone: str | None = None

    @property
    def has_help(self) -> bool:
        return any((self.support_url, self.support_email, self.support_phone))


def shop_brand(shop_id: str, profile: ShopProfile | None) -> ShopBrand:
    """The page's brand from the shop's profile (the directory's: registry, then settings); a
    shop nobody describes is named by its id, as its messages name it. A logo that is not https,
    a support link that is not http(s) or a colour that is not `#rrggbb` is left out."""
    if profile is None:
        return ShopBrand(name=shop_id)
    logo, origin = _https_image(profile.brand.logo_url)
    colour = profile.brand.accent_colour
    accent = colour if _HEX_COLOUR.fullmatch(colour) else None
    support = profile.support
    link = (
        support.url if support.url and urlsplit(support.url).scheme in ("http", "https") else None
    )
    return ShopBrand(
        name=profile.display_name,
        logo_url=logo,
        logo_origin=origin,
        accent=accent,
        accent_text=_text_on(accent) if accent else "#ffffff",
        support_url=link,
        support_email=str(support.email) if support.email else None,
        support_phone=support.phone,
    )


def _https_image(url: str | None) -> tuple[str | None, str | None]:
    if not url:
        return None, None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None, None
    host = parts.hostname or ""
    if parts.scheme != "https" or not _HOST.fullmatch(host) or parts.username or parts.password:
        return None, None
    return url, f"https://{host}" + (f":{port}" if port else "")


def _text_on(colour: str) -> str:
    """Black or white text on `colour`: the one with the higher WCAG contrast ratio."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


class ConsentBlock(_Frozen):
    """The page's offers block: the opt-in (`offer`), the consent given and its withdrawal
    (`given`), or that the customer said no more offers (`withdrawn`)."""

    state: Literal["offer", "given", "withdrawn"]
    given_at: datetime | None = None
    """When consent was given on the page (none: at the start)."""
    source: ConsentSource | None = None


def marketing_channels(live: ShipmentState | LiveView) -> list[Channel]:
    """The channels the shipment's marketing (the thank-you) would go by to this recipient."""
    view = as_live_view(live)
    return view.page.marketing_channels if view else []


def consent_block(
    state: ShipmentState | LiveView | None, closed: bool, withdrawn: bool
) -> ConsentBlock | None:
    """What the offers block shows, from the live state (none without it: nothing can be
    asked of a workflow that does not answer) and whether the recipient has opted out of this
    shop's marketing on every channel it would use (`withdrawn`, the ledger's word). The opt-in
    is shown exactly when the workflow's `marketing_consent` validator would accept it."""
    live = as_live_view(state)
    if live is None or closed:
        return None
    page = live.page
    if withdrawn:
        ahead = page.consented or page.marketing_ahead
        return ConsentBlock(state="withdrawn") if ahead else None
    if page.consented:
        later = page.consent
        if later is None:
            return ConsentBlock(state="given", source=ConsentSource.START)
        return ConsentBlock(state="given", given_at=later.given_at, source=later.source)
    if page.marketing_ahead:  # and no consent: what `can_give_consent` accepts
        return ConsentBlock(state="offer")
    return None
