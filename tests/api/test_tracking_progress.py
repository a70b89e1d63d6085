"""The tracking page's overview, rendered without a server: a progress stepper honest about
detours, the carrier by its name with a link to its own page, a map link for a pickup point, an
add-to-calendar file for the window or the deadline, and the messages folded away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from api.tracking.calendar import PICKUP_SLOT, calendar_file
from api.tracking.view import Step, progress
from models.carriers import CARRIERS, carrier_info
from models.notification import Channel, NotificationKind, NotificationStatus
from models.shipment import DeliveryKind, DeliveryOption, PickupPoint
from models.state import EventOutcome
from models.status import ShipmentStatus
from tests.api.test_tracking_page import (
    NOW,
    WINDOW,
    live_state,
    message,
    out_for_delivery,
    page,
    scan,
    start,
    view_of,
)

S = ShipmentStatus
COURIER = DeliveryKind.COURIER_NEXT_DAY
PICKUP = DeliveryKind.PICKUP_POINT
POINT = PickupPoint(
    name="Kiosk 12",
    address="ul. Prosta 1/3, Warszawa",
    pickup_code="4711",
    storage_deadline=NOW + timedelta(days=5),
)


def states(steps: list[Step]) -> list[tuple[str, str]]:
    return [(s.status.value, s.state) for s in steps]


# --- The stepper ------------------------------------------------------------------------------


def test_a_courier_parcel_in_transit_has_two_steps_behind_it_and_two_ahead() -> None:
    steps = progress(S.IN_TRANSIT, COURIER, [S.SHIPPED, S.IN_TRANSIT])
    assert states(steps) == [
        ("shipped", "done"),
        ("in_transit", "current"),
        ("out_for_delivery", "upcoming"),
        ("delivered", "upcoming"),
    ]


def test_a_pickup_parcel_steps_through_ready_for_pickup() -> None:
    steps = progress(S.AVAILABLE_FOR_PICKUP, PICKUP, [S.SHIPPED, S.IN_TRANSIT])
    assert [s.status for s in steps] == [
        S.SHIPPED,
        S.IN_TRANSIT,
        S.AVAILABLE_FOR_PICKUP,
        S.DELIVERED,
    ]
    assert steps[2].state == "current"
    assert steps[3].label == "collected", "at a pickup point the last step is collecting it"


def test_a_courier_parcel_sent_to_a_pickup_point_shows_the_pickup_steps() -> None:
    steps = progress(S.AVAILABLE_FOR_PICKUP, COURIER, [S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED])
    assert S.AVAILABLE_FOR_PICKUP in [s.status for s in steps]


def test_an_exception_is_its_own_step_where_the_parcel_stands_with_the_rest_ahead() -> None:
    steps = progress(S.EXCEPTION, COURIER, [S.SHIPPED, S.IN_TRANSIT, S.EXCEPTION])
    assert states(steps) == [
        ("shipped", "done"),
        ("in_transit", "done"),
        ("exception", "problem"),
        ("out_for_delivery", "upcoming"),
        ("delivered", "upcoming"),
    ]


def test_a_failed_attempt_follows_out_for_delivery() -> None:
    route = [S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED]
    steps = progress(S.DELIVERY_FAILED, COURIER, route)
    assert [s.state for s in steps] == ["done", "done", "done", "problem", "upcoming"]


@pytest.mark.parametrize("final", [S.RETURNED, S.CANCELLED])
def test_a_return_or_cancellation_ends_the_stepper(final: ShipmentStatus) -> None:
    steps = progress(final, COURIER, [S.SHIPPED, S.IN_TRANSIT, final])
    assert states(steps)[-1] == (final.value, "problem")
    assert not any(s.state == "upcoming" for s in steps)


def test_the_stepper_is_an_ordered_list_with_the_current_step_marked() -> None:
    begun = start()
    events = [scan("e1", S.SHIPPED, NOW - timedelta(days=1))]
    dom = page(view_of(begun, out_for_delivery(begun), events=events))
    stepper = dom.one(testid="stepper")
    assert stepper.tag == "ol" and stepper.attrs.get("aria-label") == "Parcel progress"
    current = [s for s in dom.find_all(testid="step") if s.attrs.get("aria-current") == "step"]
    assert [c.attrs["data-status"] for c in current] == ["out_for_delivery"]
    assert "Out for delivery" in current[0].text() and "current step" in current[0].text()


def test_a_late_event_does_not_move_the_stepper() -> None:
    begun = start()
    live = live_state(begun, S.EXCEPTION)
    events = [
        scan("e1", S.IN_TRANSIT, NOW - timedelta(days=1)),
        scan("e2", S.SHIPPED, NOW - timedelta(hours=3), outcome=EventOutcome.OUT_OF_ORDER),
    ]
    view = view_of(begun, live, events=events)
    assert [s.status for s in view.steps if s.state == "done"] == [S.SHIPPED, S.IN_TRANSIT]


# --- Layout and messages ----------------------------------------------------------------------


def test_the_page_has_a_main_column_and_a_side_column_for_the_journey_and_messages() -> None:
    begun = start()
    dom = page(view_of(begun, out_for_delivery(begun)))
    main = dom.one("main")
    columns = [n for n in main.children if not isinstance(n, str)]
    assert [c.attrs.get("class") for c in columns] == ["layout__main", "layout__side"]
    side_headings = [h.attrs.get("id") for h in columns[1].find_all("h2")]
    assert side_headings == ["route-heading", "messages-heading"]


def test_the_messages_are_folded_away_with_their_count() -> None:
    begun = start()
    sent = [
        message(begun, NotificationKind.SHIPPED, Channel.SMS, NotificationStatus.DELIVERED, NOW),
        message(begun, NotificationKind.SHIPPED, Channel.EMAIL, NotificationStatus.SENT, NOW),
    ]
    dom = page(view_of(begun, live_state(begun), messages=sent))
    folded = dom.one("details", testid="messages-details")
    assert "open" not in folded.attrs
    assert folded.one("summary").text() == "Show all (2)"
    assert len(folded.find_all(testid="notification")) == 2


# --- Carrier and pickup point -----------------------------------------------------------------


def test_a_known_carrier_is_named_and_linked_with_the_number_encoded() -> None:
    info = carrier_info("dhl_express", "JD 014/600&x=1")
    assert info.name == "DHL"
    assert info.tracking_url is not None
    assert info.tracking_url.endswith("tracking-id=JD%20014%2F600%26x%3D1")


@pytest.mark.parametrize("given", ["UPS", "ups", "Royal-Mail", "royal_mail", "FanCourier"])
def test_carrier_ids_are_matched_without_case_or_punctuation(given: str) -> None:
    assert carrier_info(given, "1").tracking_url is not None


def test_every_known_carrier_links_to_its_own_https_page() -> None:
    for known in CARRIERS:
        assert known.tracking_url.startswith("https://") and "{number}" in known.tracking_url


def test_an_unknown_carrier_is_shown_as_given_without_a_link() -> None:
    begun = start(carrier="demo-carrier")
    dom = page(view_of(begun, live_state(begun)))
    assert dom.one(testid="carrier").text() == "demo-carrier"
    assert not dom.find_all(testid="carrier-link")


def test_the_page_names_a_known_carrier_and_links_its_tracking_page() -> None:
    begun = start(carrier="inpost", tracking_number="620012345")
    dom = page(view_of(begun, live_state(begun)))
    link = dom.one("a", testid="carrier-link")
    assert link.text() == "InPost"
    assert link.attrs["href"] == "https://inpost.pl/sledzenie-przesylek?number=620012345"


def test_a_pickup_point_links_to_a_map_search_for_its_address() -> None:
    begun = start(delivery=DeliveryOption(kind=DeliveryKind.PICKUP_POINT))
    dom = page(view_of(begun, live_state(begun, S.AVAILABLE_FOR_PICKUP, pickup_point=POINT)))
    link = dom.one("a", testid="pickup-map")
    assert link.attrs["href"] == (
        "https://www.openstreetmap.org/search?query=ul.%20Prosta%201%2F3%2C%20Warszawa"
    )


# --- Add to calendar --------------------------------------------------------------------------


def test_the_calendar_link_is_shown_only_with_a_window_or_a_deadline() -> None:
    begun = start()
    with_window = page(view_of(begun, out_for_delivery(begun)))
    href = with_window.one("a", testid="calendar-link").attrs["href"]
    assert href is not None and href.endswith("/calendar.ics")
    without = page(view_of(begun, live_state(begun)))
    assert not without.find_all(testid="calendar-link")


def test_the_calendar_file_holds_the_delivery_window_and_nothing_personal() -> None:
    begun = start(carrier="ups", tracking_number="1Z999")
    ics = calendar_file(view_of(begun, out_for_delivery(begun)), NOW)
    assert ics is not None
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("dtstart") == WINDOW.start
    assert event.decoded("dtend") == WINDOW.end
    assert str(event["summary"]) == "Parcel delivery: order ORD-1042"
    assert "UPS, tracking number 1Z999" in str(event["description"])
    text = ics.decode()
    for personal in ("Sam", "Taylor", "+48600111222", "sam@example.com", begun.workflow_id):
        assert personal not in text


def test_the_calendar_file_holds_the_pickup_deadline_with_a_reminder_in_the_pages_language() -> (
    None
):
    begun = start("pl", delivery=DeliveryOption(kind=DeliveryKind.PICKUP_POINT))
    live = live_state(begun, S.AVAILABLE_FOR_PICKUP, pickup_point=POINT)
    ics = calendar_file(view_of(begun, live), NOW)
    assert ics is not None
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert POINT.storage_deadline is not None
    assert event.decoded("dtend") == POINT.storage_deadline
    assert event.decoded("dtstart") == POINT.storage_deadline - PICKUP_SLOT
    assert str(event["location"]) == "Kiosk 12, ul. Prosta 1/3, Warszawa"
    assert str(event["summary"]) == "Odbierz przesyłkę: zamówienie ORD-1042"
    assert "4711" not in ics.decode(), "the pickup code stays on the page"
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(days=-1)


def test_no_calendar_file_without_a_window_or_a_deadline() -> None:
    begun = start()
    assert calendar_file(view_of(begun, live_state(begun)), NOW) is None
