"""What `waypost shipment show` prints for a state (pure: no Temporal, no ledger)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ledger.views import NotificationView
from models.notification import Channel, NotificationKind, NotificationRecord, NotificationStatus
from models.state import (
    CustomerReplyRecord,
    FailingChannel,
    NextEventWait,
    ShipmentState,
    TimerWait,
)
from models.status import ShipmentStatus
from starters.cli import render_state, with_ledger_statuses
from testing.factories import T0, shipment, window

NOW = T0 + timedelta(hours=12)
K = NotificationKind


def state(**fields: object) -> ShipmentState:
    return ShipmentState(shipment=shipment(), status_since=T0, **fields)


def waiting(text: str) -> str:
    return text.split("waiting for:")[1]


def delay_watch(until: datetime) -> TimerWait:
    return TimerWait(message=K.DELAY_NOTICE, reason="delay watch", until=until)


def test_a_wait_whose_time_has_passed_is_not_shown_as_ahead() -> None:
    past, future = delay_watch(NOW - timedelta(hours=1)), delay_watch(NOW + timedelta(hours=1))

    text = waiting(render_state(state(waiting_for=[past, future]), NOW))

    assert text.count("delay_notice") == 1
    assert (NOW + timedelta(hours=1)).isoformat() in text
    assert (NOW - timedelta(hours=1)).isoformat() not in text


def test_an_overdue_carrier_event_is_shown_as_overdue() -> None:
    text = waiting(render_state(state(waiting_for=[NextEventWait(until=NOW - timedelta(1))]), NOW))

    assert "next carrier event (expected by" in text and "overdue" in text


def test_a_closed_shipment_waits_for_nothing() -> None:
    delivered = state(
        status=ShipmentStatus.DELIVERED, waiting_for=[delay_watch(NOW - timedelta(1))]
    )

    assert waiting(render_state(delivered, NOW)).strip() == "nothing: the shipment is closed"
    assert (
        waiting(
            render_state(state(waiting_for=[delay_watch(NOW + timedelta(1))]), NOW, closed=True)
        )
    ).strip() == "nothing: the shipment is closed"


def test_message_statuses_are_the_ledgers() -> None:
    record = NotificationRecord(
        key="k1",
        kind=K.OUT_FOR_DELIVERY,
        channel=Channel.SMS,
        occurrence=1,
        trigger="e1",
        planned_at=T0,
        status=NotificationStatus.SENT,
        provider="twilio",
        provider_message_id="SM1",
    )
    unknown = record.model_copy(update={"key": "k2", "status": NotificationStatus.DELEGATED})
    view = NotificationView(
        key="k1",
        shipment_ref="r",
        kind=K.OUT_FOR_DELIVERY,
        occurrence=1,
        channel=Channel.SMS,
        recipient_masked="+44*****123",
        status=NotificationStatus.DELIVERED,
        provider="twilio",
        provider_message_id="SM1",
        attempts=1,
        last_error=None,
        segments=1,
        cost=None,
        created_at=T0,
        claimed_at=T0,
        sent_at=T0,
        updated_at=T0,
    )

    shown = with_ledger_statuses(state(notifications=[record, unknown]), [view])

    assert [n.status for n in shown.notifications] == [
        NotificationStatus.DELIVERED,
        NotificationStatus.DELEGATED,
    ]


def test_replies_and_failing_channels_are_listed_without_the_number() -> None:
    start = shipment()
    shown = ShipmentState(
        shipment=start,
        status_since=T0,
        replies=[
            CustomerReplyRecord(what="reschedule", received_at=T0, via="sms", window=window())
        ],
        failing=[FailingChannel(channel=Channel.SMS, since=T0, key="k", why="30003 unreachable")],
    )

    text = render_state(shown, NOW)

    assert "replies:" in text and "reschedule" in text and "sms" in text
    assert window().start.isoformat() in text
    assert "sms failing since" in text and "30003 unreachable" in text
    assert str(start.recipient.phone) not in text
