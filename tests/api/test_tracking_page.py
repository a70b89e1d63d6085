"""The customer's tracking page, rendered without a server: it says where the parcel is in the
customer's language and time zone, lists every message sent to them, shows what comes next,
offers a form only when the workflow would accept the answer, and never lets a carrier's text
(or a stack trace) reach the page as markup."""

# Cyrillic and Romanian/Polish letters in expected text are intended.
# ruff: noqa: RUF001

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from itertools import pairwise
from typing import get_args

import pytest

from api.tracking.render import (
    ErrorKind,
    Notice,
    NoticeKey,
    content_security_policy,
    make_notice,
    notice_text,
    render_error,
    render_page,
    stylesheet,
)
from api.tracking.view import TrackingView, build_view
from ledger.views import EventView, NotificationView, ShipmentView
from messages import formats
from messages.locales import negotiate
from messages.page import STRINGS
from messages.shape import fields
from models.days import day_end
from models.locale import LOCALES, Locale
from models.notification import Channel, NotificationKind, NotificationRecord, NotificationStatus
from models.shipment import (
    Courier,
    DeliveryKind,
    DeliveryOption,
    PickupPoint,
    Recipient,
    ShipmentStart,
    Window,
)
from models.state import CustomerReplyRecord, EventOutcome, ShipmentState
from models.status import ExceptionReason, ShipmentStatus
from testing.factories import shipment

K = NotificationKind
S = ShipmentStatus
NS = NotificationStatus

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
"""Tuesday 24 November 2026, 09:00 UTC: 10:00 in Warsaw."""
ACTION = "/track/tok3n"
WINDOW = Window(start=NOW + timedelta(hours=4), end=NOW + timedelta(hours=6))
SLOTS = [
    Window(start=NOW + timedelta(days=1, hours=1), end=NOW + timedelta(days=1, hours=3)),
    Window(start=NOW + timedelta(days=1, hours=5), end=NOW + timedelta(days=1, hours=7)),
    Window(start=NOW + timedelta(days=2, hours=1), end=NOW + timedelta(days=2, hours=3)),
]


# --- A tiny DOM over html.parser --------------------------------------------------------------

VOID = frozenset({"meta", "input", "br", "img", "link", "hr", "source", "wbr", "area", "col"})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        """Visible text, whitespace collapsed (a stylesheet is not text)."""
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in ("style", "script"):
                parts.append(child.text())
        return " ".join(" ".join(parts).split())

    def walk(self) -> list[Node]:
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                found.append(child)
                found.extend(child.walk())
        return found

    def find_all(self, tag: str | None = None, *, testid: str | None = None) -> list[Node]:
        return [
            node
            for node in self.walk()
            if (tag is None or node.tag == tag)
            and (testid is None or node.attrs.get("data-testid") == testid)
        ]

    def one(self, tag: str | None = None, *, testid: str | None = None) -> Node:
        found = self.find_all(tag, testid=testid)
        assert len(found) == 1, f"expected one {tag or ''}[{testid}], found {len(found)}"
        return found[0]

    def ancestors(self) -> list[Node]:
        chain: list[Node] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    assert builder.current is builder.root, f"unclosed <{builder.current.tag}>"
    return builder.root


# --- Builders ---------------------------------------------------------------------------------


def start(
    locale: str = "en", time_zone: str = "Europe/Warsaw", **overrides: object
) -> ShipmentStart:
    recipient = Recipient(
        name="Sam Taylor",
        phone="+48600111222",
        email="sam@example.com",
        locale=locale,
        time_zone=time_zone,
    )
    return shipment(order_id="ORD-1042", recipient=recipient, **overrides)


def ledger_row(
    begun: ShipmentStart,
    status: ShipmentStatus = S.IN_TRANSIT,
    *,
    closed: bool = False,
    updated_at: datetime = NOW,
) -> ShipmentView:
    return ShipmentView(
        ref=begun.workflow_id,
        shop_id=begun.shop_id,
        shipment_id=begun.shipment_id,
        order_id=begun.order_id,
        carrier=begun.carrier,
        tracking_number=begun.tracking_number,
        delivery_kind=begun.delivery.kind,
        locale=begun.recipient.locale,
        status=status,
        created_at=NOW - timedelta(days=3),
        updated_at=updated_at,
        closed_at=updated_at if closed else None,
    )


def scan(
    event_id: str,
    status: ShipmentStatus,
    at: datetime,
    *,
    place: str | None = "Hub, Łódź, PL",
    description: str | None = None,
    outcome: EventOutcome = EventOutcome.APPLIED,
    received_at: datetime | None = None,
) -> EventView:
    return EventView(
        event_id=event_id,
        status=status,
        occurred_at=at,
        received_at=received_at or at + timedelta(minutes=1),
        location=place,
        description=description,
        outcome=outcome,
        reason="refused: impossible" if outcome is EventOutcome.REFUSED else None,
    )


def message(
    begun: ShipmentStart,
    kind: NotificationKind,
    channel: Channel,
    status: NotificationStatus,
    at: datetime,
    *,
    provider: str | None = "twilio",
) -> NotificationView:
    return NotificationView(
        key=f"{begun.workflow_id}:{kind.value}:1:{channel.value}",
        shipment_ref=begun.workflow_id,
        kind=kind,
        occurrence=1,
        channel=channel,
        recipient_masked="+48*******222" if channel is Channel.SMS else "s***@example.com",
        status=status,
        provider=provider,
        provider_message_id="pm-1",
        attempts=1,
        last_error=None,
        segments=1 if channel is Channel.SMS else None,
        cost=Decimal("0.05") if channel is Channel.SMS else None,
        created_at=at,
        claimed_at=at,
        sent_at=at,
        updated_at=at,
    )


def record(
    kind: NotificationKind,
    channel: Channel,
    status: NotificationStatus,
    *,
    due_at: datetime | None = None,
    provider: str | None = None,
    at: datetime = NOW - timedelta(hours=1),
) -> NotificationRecord:
    return NotificationRecord(
        key=f"live:{kind.value}:1:{channel.value}",
        kind=kind,
        channel=channel,
        occurrence=1,
        trigger="test",
        status=status,
        provider=provider,
        planned_at=at,
        due_at=due_at,
    )


def live_state(
    begun: ShipmentStart, status: ShipmentStatus = S.IN_TRANSIT, **fields: object
) -> ShipmentState:
    values: dict[str, object] = {
        "shipment": begun,
        "status": status,
        "status_since": NOW - timedelta(hours=2),
        "last_event_at": NOW - timedelta(hours=2),
    }
    values.update(fields)
    return ShipmentState.model_validate(values)


def out_for_delivery(begun: ShipmentStart, **fields: object) -> ShipmentState:
    """Out for delivery, the courier's one-hour confirmation sent: answerable."""
    values: dict[str, object] = {
        "window": WINDOW,
        "one_hour_window": WINDOW,
        "courier": Courier(name="Piotr", phone="+48600999888"),
    }
    values.update(fields)
    return live_state(begun, S.OUT_FOR_DELIVERY, **values)


def view_of(
    begun: ShipmentStart,
    live: ShipmentState | None,
    *,
    events: list[EventView] | None = None,
    messages: list[NotificationView] | None = None,
    closed: bool = False,
    status: ShipmentStatus | None = None,
) -> TrackingView:
    row = ledger_row(begun, status or (live.status if live else S.IN_TRANSIT), closed=closed)
    return build_view(row, events or [], messages or [], live, NOW)


def page(view: TrackingView, locale: str | None = None, notice: Notice | None = None) -> Node:
    return parse(render_page(view, locale or view.locale, ACTION, notice))


def texts(nodes: list[Node]) -> list[str]:
    return [node.text() for node in nodes]


# --- Status and language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "label"),
    [
        ("en", "Out for delivery"),
        ("ru", "Передан курьеру"),
        ("pl", "Wydana do doręczenia"),
        ("ro", "În curs de livrare"),
    ],
)
def test_the_status_is_shown_in_the_shipments_language(locale: str, label: str) -> None:
    begun = start(locale)
    dom = page(view_of(begun, out_for_delivery(begun)))
    assert dom.one(testid="status").text() == label


@pytest.mark.parametrize("locale", LOCALES)
def test_the_page_declares_its_language(locale: str) -> None:
    begun = start(locale)
    dom = page(view_of(begun, live_state(begun)))
    assert dom.one("html").attrs["lang"] == locale


def test_an_unsupported_locale_falls_back_to_english() -> None:
    assert negotiate("de-DE") == "en"
    assert negotiate(None) == "en"
    assert negotiate("") == "en"
    assert negotiate("pl-PL") == "pl"
    assert negotiate("ro_RO") == "ro"
    assert negotiate("ru,en;q=0.8") == "ru"


def test_the_page_has_one_h1_and_headings_in_order() -> None:
    begun = start(delivery=DeliveryOption(kind=DeliveryKind.COURIER_MULTI_DAY))
    live = out_for_delivery(begun, offered_slots=SLOTS, choose_by=NOW + timedelta(hours=6))
    dom = page(view_of(begun, live, events=[scan("e1", S.SHIPPED, NOW - timedelta(days=1))]))
    levels = [int(node.tag[1]) for node in dom.walk() if re.fullmatch(r"h[1-6]", node.tag)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(later <= earlier + 1 for earlier, later in pairwise(levels))
    assert [node.tag for node in dom.find_all()][:3] == ["html", "head", "meta"]
    assert dom.find_all("main") and dom.find_all("header")


def test_times_are_shown_in_the_recipients_zone_and_the_zone_is_named() -> None:
    begun = start(time_zone="Europe/Warsaw")
    events = [scan("e1", S.IN_TRANSIT, datetime(2026, 11, 23, 12, 0, tzinfo=UTC))]
    dom = page(view_of(begun, live_state(begun), events=events))
    item = dom.one(testid="route-item")
    assert "13:00" in item.text()
    assert item.one("time").attrs["datetime"] == "2026-11-23T13:00+01:00"
    assert "Europe/Warsaw" in dom.one(testid="time-zone").text()


def test_without_the_live_state_times_are_in_utc_and_say_so() -> None:
    begun = start(time_zone="Europe/Warsaw")
    events = [scan("e1", S.IN_TRANSIT, datetime(2026, 11, 23, 12, 0, tzinfo=UTC))]
    dom = page(view_of(begun, None, events=events))
    assert "12:00" in dom.one(testid="route-item").text()
    assert "UTC" in dom.one(testid="time-zone").text()


def test_without_the_live_state_the_status_dates_from_the_event_that_set_it() -> None:
    begun = start()
    events = [
        scan("e1", S.SHIPPED, NOW - timedelta(days=2)),
        scan("e2", S.IN_TRANSIT, datetime(2026, 11, 23, 7, 30, tzinfo=UTC)),
        scan("e3", S.IN_TRANSIT, NOW - timedelta(hours=3)),
    ]
    view = view_of(begun, None, events=events, status=S.IN_TRANSIT)
    assert view.summary.status_since == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    assert page(view).one(testid="status-since").text() == "Since Mon 23 Nov, 07:30"


# --- Route ------------------------------------------------------------------------------------


def test_the_route_is_in_time_order_with_place_and_time() -> None:
    begun = start()
    events = [
        scan("late", S.IN_TRANSIT, NOW - timedelta(days=1), place="Hub, Łódź, PL"),
        scan("first", S.SHIPPED, NOW - timedelta(days=2), place="Warehouse, Poznań, PL"),
        scan("last", S.OUT_FOR_DELIVERY, NOW - timedelta(hours=1), place="Warsaw, PL"),
    ]
    items = page(view_of(begun, live_state(begun), events=events)).find_all(testid="route-item")
    assert [item.attrs["data-status"] for item in items] == [
        "shipped",
        "in_transit",
        "out_for_delivery",
    ]
    assert texts([item.one(testid="route-place") for item in items]) == [
        "Warehouse, Poznań, PL",
        "Hub, Łódź, PL",
        "Warsaw, PL",
    ]
    assert [item.one("time").text() for item in items] == [
        "Sun 22 Nov, 10:00",
        "Mon 23 Nov, 10:00",
        "Tue 24 Nov, 09:00",
    ]


def test_a_duplicate_event_is_shown_once() -> None:
    begun = start()
    events = [
        scan("e1", S.IN_TRANSIT, NOW - timedelta(days=1)),
        scan("e1", S.IN_TRANSIT, NOW - timedelta(days=1), received_at=NOW),
        scan("e2", S.IN_TRANSIT, NOW - timedelta(hours=5), outcome=EventOutcome.DUPLICATE),
    ]
    items = page(view_of(begun, live_state(begun), events=events)).find_all(testid="route-item")
    assert len(items) == 1


def test_a_refused_event_is_left_out_and_a_late_one_is_marked_in_its_place() -> None:
    begun = start()
    events = [
        scan("e1", S.SHIPPED, NOW - timedelta(days=2)),
        scan("e3", S.OUT_FOR_DELIVERY, NOW - timedelta(hours=2)),
        scan(
            "e2",
            S.IN_TRANSIT,
            NOW - timedelta(days=1),
            outcome=EventOutcome.OUT_OF_ORDER,
            received_at=NOW,
        ),
        scan("bogus", S.DELIVERED, NOW - timedelta(hours=1), outcome=EventOutcome.REFUSED),
    ]
    items = page(view_of(begun, live_state(begun), events=events)).find_all(testid="route-item")
    assert [item.attrs["data-status"] for item in items] == [
        "shipped",
        "in_transit",
        "out_for_delivery",
    ]
    assert [bool(item.find_all(testid="route-late")) for item in items] == [False, True, False]


def test_the_storage_deadline_event_is_told_in_the_customers_language() -> None:
    begun = start("pl")
    events = [
        scan(
            "waypost:storage-deadline:2026-11-20T10:00:00+00:00",
            S.RETURNED,
            NOW,
            place=None,
            description="storage deadline passed without pickup: returned to the shop",
        )
    ]
    dom = page(view_of(begun, None, events=events, status=S.RETURNED, closed=True))
    assert dom.one(testid="route-description").text() == (
        "Przesyłka nie została odebrana na czas: wraca do sklepu."
    )


def test_carrier_text_is_escaped_not_run() -> None:
    begun = start()
    evil = 'Left at door <script>alert("x")</script> <b>bold</b>'
    events = [scan("e1", S.IN_TRANSIT, NOW - timedelta(hours=1), description=evil)]
    html = render_page(view_of(begun, live_state(begun), events=events), "en", ACTION)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    dom = parse(html)
    assert dom.find_all("script") == [] and dom.find_all("b") == []
    assert dom.one(testid="route-description").text() == evil


def test_an_empty_route_says_there_is_no_news_yet() -> None:
    begun = start("ro")
    dom = page(view_of(begun, live_state(begun)))
    assert dom.one(testid="route-empty").text() == "Încă nu avem vești de la transportator."


# --- Notifications ----------------------------------------------------------------------------


def test_every_message_is_listed_with_its_channel_and_delivery_state() -> None:
    begun = start()
    messages = [
        message(begun, K.SHIPPED, Channel.EMAIL, NS.DELIVERED, NOW - timedelta(days=2)),
        message(begun, K.OUT_FOR_DELIVERY, Channel.SMS, NS.FAILED, NOW - timedelta(hours=2)),
        message(begun, K.DELAY_NOTICE, Channel.SMS, NS.UNDELIVERED, NOW - timedelta(hours=1)),
    ]
    dom = page(view_of(begun, live_state(begun), messages=messages))
    items = dom.find_all(testid="notification")
    assert [
        (
            item.one(testid="notification-channel").text(),
            item.one(testid="notification-status").text(),
        )
        for item in items
    ] == [("Email", "✓ Delivered"), ("SMS", "✕ Could not be sent"), ("SMS", "✕ Not delivered")]
    assert "To s***@example.com" in items[0].text()
    assert "Shipping confirmation" in items[0].text()


def test_the_page_never_shows_a_full_address() -> None:
    begun = start()
    live = live_state(begun, notifications=[record(K.SHIPPED, Channel.EMAIL, NS.SUPPRESSED)])
    html = render_page(view_of(begun, live), "en", ACTION)
    assert "sam@example.com" not in html and "+48600111222" not in html
    assert "To s***@example.com" in parse(html).one(testid="notification").text()


def test_delegated_news_names_who_sent_it() -> None:
    begun = start("ro")
    messages = [message(begun, K.SHIPPED, Channel.EMAIL, NS.DELEGATED, NOW, provider="shop")]
    live = live_state(
        begun,
        notifications=[record(K.DELIVERED, Channel.SMS, NS.DELEGATED, provider="carrier")],
    )
    statuses = texts(
        page(view_of(begun, live, messages=messages)).find_all(testid="notification-status")
    )
    assert statuses == ["– Trimis de transportator", "– Trimis de magazin"]


def test_messages_only_the_workflow_knows_are_listed_too() -> None:
    begun = start()
    messages = [message(begun, K.SHIPPED, Channel.EMAIL, NS.SENT, NOW - timedelta(days=1))]
    live = live_state(
        begun,
        notifications=[
            record(K.PICKUP_REMINDER, Channel.SMS, NS.SUPPRESSED),
            record(K.DELAY_NOTICE, Channel.SMS, NS.SUPERSEDED),
            record(K.THANK_YOU, Channel.EMAIL, NS.PLANNED, due_at=NOW + timedelta(hours=3)),
        ],
    )
    items = page(view_of(begun, live, messages=messages)).find_all(testid="notification")
    assert [item.attrs["data-status"] for item in items] == [
        "sent",
        "suppressed",
        "superseded",
        "planned",
    ]
    assert items[-1].one(testid="notification-status").text() == "• Planned for Tue 24 Nov, 13:00"


def test_a_message_in_the_ledger_is_shown_once_with_the_ledgers_status() -> None:
    begun = start()
    sent = message(begun, K.SHIPPED, Channel.EMAIL, NS.DELIVERED, NOW - timedelta(days=1))
    known = record(K.SHIPPED, Channel.EMAIL, NS.SENT).model_copy(update={"key": sent.key})
    items = page(view_of(begun, live_state(begun, notifications=[known]), messages=[sent]))
    assert [n.attrs["data-status"] for n in items.find_all(testid="notification")] == ["delivered"]


def test_the_shops_own_return_notice_is_not_listed() -> None:
    begun = start()
    messages = [message(begun, K.SHOP_RETURN_NOTICE, Channel.EMAIL, NS.SENT, NOW)]
    dom = page(view_of(begun, None, messages=messages))
    assert dom.find_all(testid="notification") == []
    assert dom.find_all(testid="notifications-empty")


# --- What comes next --------------------------------------------------------------------------


def test_pending_actions_list_the_workflows_timers_and_messages_held_for_the_morning() -> None:
    begun = start()
    live = out_for_delivery(
        begun,
        one_hour_window=None,
        notifications=[
            record(K.DELAY_NOTICE, Channel.SMS, NS.PLANNED, due_at=NOW + timedelta(hours=20))
        ],
    )
    actions = page(view_of(begun, live)).find_all(testid="pending-action")
    assert [a.attrs["data-action"] for a in actions][:2] == ["courier_one_hour", "delay_notice"]
    assert "Your courier confirms the arrival time" in actions[0].text()
    assert "Tue 24 Nov, 13:00" in actions[0].text()  # an hour before the 14:00 window
    assert "held until the morning" in actions[1].text()
    assert "Delay notice (SMS)" in actions[1].text()


def test_pending_actions_already_past_are_not_listed() -> None:
    begun = start()
    live = live_state(
        begun,
        notifications=[
            record(K.DELAY_NOTICE, Channel.SMS, NS.PLANNED, due_at=NOW - timedelta(minutes=1))
        ],
    )
    assert all(p.due_at >= NOW for p in view_of(begun, live).pending)
    assert not any(p.deferred for p in view_of(begun, live).pending)


def test_a_pickup_shows_the_point_its_code_and_the_storage_deadline() -> None:
    begun = start(delivery=DeliveryOption(kind=DeliveryKind.PICKUP_POINT))
    point = PickupPoint(
        name="Kiosk 12",
        address="ul. Prosta 1, Warszawa",
        opening_hours="Mon-Sat 8-20",
        pickup_code="4711",
        storage_deadline=NOW + timedelta(days=5),
    )
    live = live_state(begun, S.AVAILABLE_FOR_PICKUP, pickup_point=point)
    dom = page(view_of(begun, live))
    card = dom.one(testid="pickup-point")
    assert "Kiosk 12" in card.text() and "ul. Prosta 1, Warszawa" in card.text()
    assert "Mon-Sat 8-20" in card.text()
    assert dom.one(testid="pickup-code").text() == "4711"
    assert "Sun 29 Nov, 10:00" in card.text()
    actions = [a.attrs["data-action"] for a in dom.find_all(testid="pending-action")]
    assert "storage_deadline" in actions


# --- Forms ------------------------------------------------------------------------------------


def test_the_slot_form_lists_the_offered_windows_numbered_from_one() -> None:
    begun = start(delivery=DeliveryOption(kind=DeliveryKind.COURIER_MULTI_DAY))
    live = live_state(begun, offered_slots=SLOTS, choose_by=NOW + timedelta(hours=6))
    dom = page(view_of(begun, live))
    form = dom.one(testid="slot-form")
    assert form.attrs["method"] == "post"
    assert form.attrs["action"] == f"{ACTION}/slot"
    radios = form.find_all("input")
    assert [(r.attrs["type"], r.attrs["name"], r.attrs["value"]) for r in radios] == [
        ("radio", "slot", "1"),
        ("radio", "slot", "2"),
        ("radio", "slot", "3"),
    ]
    labels = {label.attrs["for"]: label.text() for label in form.find_all("label")}
    assert labels[radios[0].attrs["id"]] == "Option 1: Wed 25 Nov, 11:00–13:00"
    assert form.one("fieldset").one("legend").text() == "Available times"
    assert "Tue 24 Nov, 16:00" in form.one(testid="choose-by").text()
    assert form.one(testid="slot-submit").attrs["type"] == "submit"


def test_no_slot_form_when_no_slots_are_offered() -> None:
    begun = start()
    dom = page(view_of(begun, live_state(begun)))
    assert dom.find_all(testid="slot-form") == []


def test_the_courier_question_posts_confirm_or_reschedule() -> None:
    begun = start("pl")
    dom = page(view_of(begun, out_for_delivery(begun)))
    form = dom.one(testid="courier-reply-form")
    assert (form.attrs["method"], form.attrs["action"]) == ("post", f"{ACTION}/reply")
    confirm, reschedule = dom.one(testid="confirm-button"), dom.one(testid="reschedule-button")
    assert (confirm.attrs["name"], confirm.attrs["value"]) == ("answer", "confirm")
    assert (reschedule.attrs["name"], reschedule.attrs["value"]) == ("answer", "reschedule")
    assert confirm.text() == "Tak, będę w domu"
    assert form in confirm.ancestors() and form in reschedule.ancestors()


@pytest.mark.parametrize(
    "live_fields",
    [
        {"status": S.IN_TRANSIT},
        {"one_hour_window": None},
        {"status": S.DELIVERED},
    ],
    ids=["not-out-for-delivery", "confirmation-not-sent", "delivered"],
)
def test_no_courier_question_when_it_cannot_be_answered(live_fields: dict[str, object]) -> None:
    begun = start()
    live = out_for_delivery(begun).model_copy(update=live_fields)
    dom = page(view_of(begun, live))
    assert dom.find_all(testid="courier-reply-form") == []
    assert dom.find_all(testid="confirm-button") == []


def test_the_customers_last_answer_is_shown_with_the_question() -> None:
    begun = start()
    replies = [CustomerReplyRecord(what="confirm", received_at=NOW - timedelta(minutes=5))]
    dom = page(view_of(begun, out_for_delivery(begun, replies=replies)))
    assert dom.one(testid="courier-answer").text() == (
        "You told the courier you'll be at home (Tue 24 Nov, 09:55)."
    )


def test_a_closed_shipment_has_no_forms_and_says_it_is_closed() -> None:
    begun = start()
    events = [scan("e1", S.DELIVERED, NOW - timedelta(hours=1))]
    dom = page(view_of(begun, None, events=events, status=S.DELIVERED, closed=True))
    assert dom.find_all("form") == [] and dom.find_all("input") == []
    assert dom.find_all("button") == []
    assert dom.one(testid="closed-note")
    assert dom.one(testid="status").text() == "Delivered"


def test_a_closed_shipment_offers_no_forms_even_if_the_workflow_still_answers() -> None:
    begun = start()
    live = out_for_delivery(begun, offered_slots=SLOTS)
    view = view_of(begun, live, closed=True)
    assert not view.has_forms
    assert page(view).find_all("form") == []


def test_without_the_live_state_the_ledger_is_shown_and_no_forms() -> None:
    begun = start()
    events = [scan("e1", S.OUT_FOR_DELIVERY, NOW - timedelta(hours=1))]
    messages = [message(begun, K.OUT_FOR_DELIVERY, Channel.SMS, NS.DELIVERED, NOW)]
    dom = page(view_of(begun, None, events=events, messages=messages, status=S.OUT_FOR_DELIVERY))
    assert dom.find_all("form") == []
    assert dom.one(testid="live-unavailable")
    assert len(dom.find_all(testid="route-item")) == 1
    assert len(dom.find_all(testid="notification")) == 1


def test_every_form_control_has_a_label() -> None:
    begun = start()
    live = out_for_delivery(begun, offered_slots=SLOTS, choose_by=NOW + timedelta(hours=6))
    dom = page(view_of(begun, live))
    labelled = {label.attrs.get("for") for label in dom.find_all("label")}
    inputs = [i for i in dom.find_all("input") if i.attrs.get("type") != "hidden"]
    assert inputs
    for control in inputs:
        in_label = any(node.tag == "label" for node in control.ancestors())
        assert in_label or control.attrs.get("id") in labelled, control.attrs
    assert all(button.text() for button in dom.find_all("button"))


# --- Notices ----------------------------------------------------------------------------------


def test_a_slot_choice_notice_names_the_window_in_the_recipients_zone() -> None:
    text = notice_text("slot_chosen", "ru", time_zone="Europe/Warsaw", window=SLOTS[0])
    assert text == "Спасибо! Доставка назначена на ср 25.11, 11:00–13:00."


def test_a_refusal_notice_carries_the_workflows_reason_and_is_an_error() -> None:
    notice = make_notice("refused", "en", reason="no delivery slots are on offer now")
    assert notice.kind == "error"
    assert notice.text == "Sorry, we couldn't take your answer: no delivery slots are on offer now"
    assert make_notice("refused", "pl").text.startswith("Niestety nie udało się")


@pytest.mark.parametrize("locale", LOCALES)
def test_a_slot_choice_notice_without_its_window_still_thanks_the_customer(locale: Locale) -> None:
    text = notice_text("slot_chosen", locale)
    assert text == STRINGS[locale]["notice.slot_chosen_generic"]


@pytest.mark.parametrize("key", get_args(NoticeKey))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_notice_renders_in_every_locale(key: NoticeKey, locale: str) -> None:
    notice = make_notice(key, locale, window=SLOTS[0], reason="x")
    assert notice.text and "{" not in notice.text
    begun = start(locale)
    dom = page(view_of(begun, live_state(begun)), notice=notice)
    shown = dom.one(testid="notice")
    assert shown.attrs["data-kind"] == notice.kind
    assert shown.attrs["role"] == ("status" if notice.kind == "success" else "alert")
    assert notice.text in shown.text()


# --- Error pages ------------------------------------------------------------------------------

TECHNICAL = re.compile(
    r"\b(traceback|exception|error|stack|none|null|undefined|internal|workflow|temporal|"
    r"500|404|keyerror|valueerror)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("kind", get_args(ErrorKind))
@pytest.mark.parametrize("locale", LOCALES)
def test_error_pages_are_friendly_in_every_locale(kind: ErrorKind, locale: Locale) -> None:
    dom = parse(render_error(kind, locale))
    assert dom.one("html").attrs["lang"] == locale
    assert dom.one("h1").text() == STRINGS[locale][f"error.{kind}.title"]
    shown = dom.one("html").text()
    assert STRINGS[locale][f"error.{kind}.body"] in shown
    assert not TECHNICAL.search(shown), TECHNICAL.search(shown)


def test_the_expired_link_page_points_to_the_latest_message() -> None:
    dom = parse(render_error("expired", "en"))
    assert dom.one(testid="error-message").text() == (
        "This tracking link has expired. The latest link is in your most recent message from "
        "the shop."
    )


# --- Strings and assets -----------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_every_key_with_the_same_fields(locale: Locale) -> None:
    english = STRINGS["en"]
    assert set(STRINGS[locale]) == set(english)
    for key, value in STRINGS[locale].items():
        assert fields(value) == fields(english[key]), key
        assert value.strip(), key


def test_every_status_kind_channel_and_notice_has_a_string() -> None:
    wanted = (
        {f"status.{s.value}" for s in ShipmentStatus}
        | {f"kind.{k.value}" for k in NotificationKind}
        | {f"nstatus.{n.value}" for n in NotificationStatus}
        | {f"channel.{c.value}" for c in Channel}
        | {f"delivery.{d.value}" for d in DeliveryKind}
        | {f"notice.{key}" for key in get_args(NoticeKey)}
        | {f"error.{kind}.{part}" for kind in get_args(ErrorKind) for part in ("title", "body")}
    )
    assert wanted <= set(STRINGS["en"])


def test_the_page_is_one_request_and_the_policy_allows_exactly_its_stylesheet() -> None:
    begun = start()
    html = render_page(view_of(begun, live_state(begun)), "en", ACTION)
    dom = parse(html)
    assert dom.find_all("link") == [] and dom.find_all("script") == []
    assert dom.one("style").children == [stylesheet()]
    digest = base64.b64encode(hashlib.sha256(stylesheet().encode()).digest()).decode()
    assert f"'sha256-{digest}'" in content_security_policy()
    assert "http" not in stylesheet()


# --- Issue 15: exceptions and date-only estimates ---------------------------------------------


@pytest.mark.parametrize("reason", list(ExceptionReason))
@pytest.mark.parametrize("locale", LOCALES)
def test_an_exception_is_explained_on_the_page_in_the_shipments_language(
    reason: ExceptionReason, locale: str
) -> None:
    begun = start(locale)
    dom = page(view_of(begun, live_state(begun, S.EXCEPTION, exception=reason)))
    shown = dom.one(testid="exception")
    assert shown.attrs["data-reason"] == reason.value
    assert shown.text() == STRINGS[negotiate(locale)][f"exception.{reason.value}"]


def test_no_exception_is_explained_once_the_parcel_moves_on() -> None:
    begun = start()
    dom = page(view_of(begun, live_state(begun, S.IN_TRANSIT, exception=None)))
    assert dom.find_all(testid="exception") == []


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_a_date_only_estimate_shows_that_day_on_both_sides_of_utc(zone: str) -> None:
    begun = start(time_zone=zone)
    day = NOW.date() + timedelta(days=2)
    live = live_state(begun, estimated_day=day, estimated_delivery=day_end(day, zone))
    shown = page(view_of(begun, live)).one(testid="expected-delivery").one("time")
    assert shown.attrs["datetime"] == day.isoformat()
    assert shown.text() == formats.day(day, "en", "page")
