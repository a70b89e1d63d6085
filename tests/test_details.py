"""What the Temporal UI's current details tell a support agent."""

from __future__ import annotations

from datetime import timedelta

from models.notification import Channel, NotificationKind, NotificationRecord, NotificationStatus
from models.state import FailingChannel, NextEventWait, ShipmentState
from models.status import ExceptionReason, ShipmentStatus
from testing.factories import T0, event, shipment
from workflows.details import markdown
from workflows.reactions import on_carrier_event

S = ShipmentStatus


def test_details_say_why_a_message_was_not_sent_and_hold_no_personal_data() -> None:
    start = shipment()
    state = ShipmentState(
        shipment=start,
        status_since=T0,
        notifications=[
            NotificationRecord(
                key="k",
                kind=NotificationKind.SHIPPED,
                channel=Channel.EMAIL,
                occurrence=1,
                trigger="start",
                planned_at=T0,
                status=NotificationStatus.SUPERSEDED,
                error="stale: the shipment is out_for_delivery now",
            ),
        ],
    )

    text = markdown(state, [NextEventWait()])

    assert "shipped by email: superseded (stale: the shipment is out_for_delivery now)" in text
    assert "Waiting for: next carrier event" in text
    assert start.recipient.name not in text
    assert str(start.recipient.phone) not in text and str(start.recipient.email) not in text


def test_details_say_a_channel_is_failing_and_why_without_the_number() -> None:
    start = shipment()
    state = ShipmentState(
        shipment=start,
        status_since=T0,
        failing=[
            FailingChannel(
                channel=Channel.SMS,
                since=T0,
                key="k",
                why="30003 unreachable destination handset",
            )
        ],
    )

    text = markdown(state, [])

    assert "sms failing since" in text
    assert "30003 unreachable destination handset" in text
    assert str(start.recipient.phone) not in text


def test_details_show_the_exception_and_the_carriers_words_without_the_recipients_name() -> None:
    start = shipment()
    state = ShipmentState(shipment=start, status_since=T0)
    words = f"Refused by {start.recipient.name}, call {start.recipient.phone}"
    on_carrier_event(
        state,
        event(
            S.EXCEPTION,
            10,
            exception=ExceptionReason.REFUSED,
            detail="failure/refused",
            description=words,
        ),
        T0,
    )

    text = markdown(state, [])

    assert "Exception: **refused** · carrier: failure/refused - Refused by" in text
    assert start.recipient.name not in text and str(start.recipient.phone) not in text


def test_details_show_a_date_only_estimate_as_the_day() -> None:
    state = ShipmentState(shipment=shipment(), status_since=T0)
    day = T0.date() + timedelta(days=2)
    on_carrier_event(state, event(S.IN_TRANSIT, 10, estimated_day=day), T0)

    assert f"Estimated delivery: {day.isoformat()} (the day" in markdown(state, [])
