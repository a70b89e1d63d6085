"""The tracking page lists every call of a call centre beside the SMS and emails: who called,
when, the outcome, in the customer's language; never the operator's name or the note."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.tracking.render import render_page
from api.tracking.view import build_view
from ledger.views import CallView
from messages.page import STRINGS
from models.call import CallCentre, CallDirection, CallOutcome, CallRecord
from models.locale import LOCALES, Locale
from models.notification import Channel, NotificationKind, NotificationStatus
from models.shipment import ShipmentStart
from models.state import ShipmentState
from tests.api.test_tracking_page import (
    ACTION,
    NOW,
    ledger_row,
    live_state,
    message,
    page,
    parse,
    start,
    texts,
)

DASH = "\u2013"
"""The page's mark for a neutral outcome."""


def call(
    call_id: str = "crm-1",
    hours_ago: float = 1,
    centre: CallCentre = CallCentre.SHOP,
    outcome: CallOutcome = CallOutcome.ANSWERED,
    direction: CallDirection = CallDirection.OUTBOUND,
) -> CallView:
    return CallView(
        call_id=call_id,
        occurred_at=NOW - timedelta(hours=hours_ago),
        centre=centre,
        operator="Operator Zofia Nowak",
        direction=direction,
        outcome=outcome,
        note="Customer said the code is 4711, gate at the back",
        recorded_at=NOW,
    )


def view(begun: ShipmentStart, live: ShipmentState | None, calls: list[CallView]) -> str:
    messages = [
        message(
            begun,
            NotificationKind.SHIPPED,
            Channel.EMAIL,
            NotificationStatus.SENT,
            NOW - timedelta(days=1),
        ),
        message(
            begun,
            NotificationKind.OUT_FOR_DELIVERY,
            Channel.SMS,
            NotificationStatus.DELIVERED,
            NOW - timedelta(minutes=30),
        ),
    ]
    shown = build_view(ledger_row(begun), [], messages, live, NOW, calls=calls)
    return render_page(shown, begun.recipient.locale, ACTION)


def test_a_call_is_listed_among_the_messages_in_time_order() -> None:
    begun = start()
    html = view(begun, live_state(begun), [call(hours_ago=2, outcome=CallOutcome.NO_ANSWER)])

    listed = parse(html).one(testid="notifications")
    order = [
        node.attrs["data-testid"]
        for node in listed.find_all("li")
        if node.attrs.get("data-testid") in ("notification", "call")
    ]
    assert order == ["notification", "call", "notification"]
    [shown] = listed.find_all(testid="call")
    assert "Call from the shop" in shown.text()
    assert shown.one(testid="call-channel").text() == "Phone call"
    assert shown.one(testid="call-outcome").text() == f"{DASH} No answer"


def test_the_operator_and_the_note_never_reach_the_page() -> None:
    begun = start()
    html = view(begun, live_state(begun), [call()])

    assert "Zofia" not in html and "4711" not in html and "crm-1" not in html


def test_who_called_and_which_way_are_told_in_the_customers_language() -> None:
    begun = start("pl")
    calls = [
        call("a", 3, CallCentre.CARRIER, CallOutcome.VOICEMAIL),
        call("b", 2, CallCentre.SHOP, CallOutcome.ANSWERED, CallDirection.INBOUND),
    ]
    dom = page(build_view(ledger_row(begun), [], [], live_state(begun), NOW, calls=calls))

    assert texts(dom.find_all(testid="call")) == [
        f"Telefon od przewoźnika Rozmowa telefoniczna wt. 24.11, 07:00 {DASH} Zostawiono "
        "wiadomość głosową",
        "Twój telefon do sklepu Rozmowa telefoniczna wt. 24.11, 08:00 ✓ Odebrany",
    ]


def test_the_list_is_called_messages_and_calls_once_there_is_a_call() -> None:
    begun = start()
    without = page(build_view(ledger_row(begun), [], [], live_state(begun), NOW))
    with_call = page(build_view(ledger_row(begun), [], [], live_state(begun), NOW, calls=[call()]))

    headings = [texts(p.find_all("h2")) for p in (without, with_call)]
    assert "Messages to you" in headings[0]
    assert "Messages and calls" in headings[1]


def test_a_call_the_workflow_has_and_the_ledger_not_yet_is_listed_once() -> None:
    begun = start()
    stored = call("in-ledger", 2)
    pending = CallRecord.model_validate(call("in-state-only", 1).model_dump())
    again = CallRecord.model_validate(stored.model_dump())
    live = live_state(begun, calls=[again, pending])

    dom = page(build_view(ledger_row(begun), [], [], live, NOW, calls=[stored]))

    assert len(dom.find_all(testid="call")) == 2


def test_a_closed_shipments_calls_still_show_from_the_ledger() -> None:
    begun = start()
    dom = page(build_view(ledger_row(begun, closed=True), [], [], None, NOW, calls=[call()]))

    assert len(dom.find_all(testid="call")) == 1


@pytest.mark.parametrize("locale", LOCALES)
def test_every_outcome_centre_and_direction_has_words_in_every_language(locale: Locale) -> None:
    strings = STRINGS[locale]
    for outcome in CallOutcome:
        assert strings[f"call_outcome.{outcome.value}"]
    for centre in CallCentre:
        for direction in CallDirection:
            assert strings[f"call.{direction.value}_{centre.value}"]
    assert strings["channel.call"] and strings["notifications.heading_calls"]
