"""What the Temporal UI's current details tell a support agent."""

from __future__ import annotations

from models.notification import Channel, NotificationKind, NotificationRecord, NotificationStatus
from models.state import FailingChannel, NextEventWait, ShipmentState
from testing.factories import T0, shipment
from workflows.details import markdown


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
