"""Webhooks to the shop, in the ledger (SQLite and PostgreSQL): each event is recorded in the
transaction that records what it reports, once, only for a shop with a webhook URL, naming the
shipment by the shop's own ids and never by the customer's phone or email; the delivery log is
per shop; a replay is a new generation of the same event."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from infra.settings import RetentionMode
from ledger.claims import Attempt, Ledger
from ledger.engine import make_engine
from ledger.migrations import upgrade_database
from ledger.retention import Retention
from ledger.shops import ShopRegistry
from ledger.webhooks import WebhookLog
from models.notification import Channel, DeliveryReport, NotificationKind, NotificationStatus
from models.shipment import ShipmentStart
from models.shop import ShopProfile
from models.state import EventOutcome, TimelineEntry
from models.status import ShipmentStatus
from models.webhooks import STORAGE_DEADLINE_EVENT, DeliveryStatus, ShopEventType
from testing.factories import T0, event, shipment
from tests.db_fixtures import record_start, unique

PHONE = "+447700900123"
EMAIL = "sam@example.com"


def shop(ledger: Ledger, *, webhook: bool = True) -> str:
    shop_id = unique("shop")
    # a closed port on this machine: a worker that ever delivers it is refused at once
    url = f"http://127.0.0.1:9/hooks/{shop_id}" if webhook else None
    ShopRegistry(ledger.engine).create(shop_id, ShopProfile(display_name="Acme", webhook_url=url))
    return shop_id


def started(ledger: Ledger, shop_id: str) -> ShipmentStart:
    start = shipment(shop_id=shop_id, shipment_id=unique("s"))
    record_start(ledger, start)
    return start


def applied(status: ShipmentStatus, event_id: str, **extra: Any) -> TimelineEntry:
    carrier_event = event(status, 30, event_id=event_id, **extra)
    return TimelineEntry(
        event=carrier_event, received_at=carrier_event.occurred_at, outcome=EventOutcome.APPLIED
    )


def record(ledger: Ledger, start: ShipmentStart, *entries: TimelineEntry) -> None:
    ledger.record_change(
        start.workflow_id,
        start=None,
        entries=list(entries),
        status=entries[-1].event.status,
        at=T0,
        closed=False,
    )


def log_of(ledger: Ledger, shop_id: str) -> list[dict[str, object]]:
    return [v.body for v in WebhookLog(ledger.engine).deliveries(shop_id)]


def test_a_status_change_is_recorded_for_the_shop_with_the_carriers_description(
    ledger: Ledger,
) -> None:
    shop_id = shop(ledger)
    start = started(ledger, shop_id)

    record(
        ledger,
        start,
        applied(ShipmentStatus.EXCEPTION, "e-1", description="Address incomplete: held at depot"),
    )

    [body] = log_of(ledger, shop_id)
    assert body["type"] == ShopEventType.SHIPMENT_STATUS_CHANGED
    data = body["data"]
    assert isinstance(data, dict)
    assert data["status"] == "exception"
    assert data["description"] == "Address incomplete: held at depot"
    assert data["location"] == "Leeds, GB"
    assert data["shipment"] == {
        "shop_id": shop_id,
        "shipment_id": start.shipment_id,
        "order_id": start.order_id,
        "carrier": start.carrier,
        "tracking_number": start.tracking_number,
    }
    [view] = WebhookLog(ledger.engine).deliveries(shop_id)
    assert view.status is DeliveryStatus.PENDING and view.attempts == 0


def test_a_retried_change_records_its_event_once(ledger: Ledger) -> None:
    shop_id = shop(ledger)
    start = started(ledger, shop_id)
    entry = applied(ShipmentStatus.IN_TRANSIT, "e-1")

    record(ledger, start, entry)
    record(ledger, start, entry)

    assert len(log_of(ledger, shop_id)) == 1


def test_a_change_of_several_events_tells_each_new_one_once(ledger: Ledger) -> None:
    shop_id = shop(ledger)
    start = started(ledger, shop_id)
    record(ledger, start, applied(ShipmentStatus.IN_TRANSIT, "e-1"))
    batch = [
        applied(ShipmentStatus.IN_TRANSIT, "e-1"),
        applied(ShipmentStatus.OUT_FOR_DELIVERY, "e-2"),
        applied(ShipmentStatus.DELIVERED, "e-3"),
    ]

    record(ledger, start, *batch)
    record(ledger, start, *batch)

    told = [body["data"]["event_id"] for body in log_of(ledger, shop_id)]  # type: ignore[index]
    assert sorted(told) == ["e-1", "e-2", "e-3"]
    assert [e.event_id for e in ledger.timeline(start.workflow_id)] == ["e-1", "e-2", "e-3"]


def test_events_that_did_not_move_the_shipment_are_not_told(ledger: Ledger) -> None:
    shop_id = shop(ledger)
    start = started(ledger, shop_id)
    late = applied(ShipmentStatus.IN_TRANSIT, "e-late").model_copy(
        update={"outcome": EventOutcome.OUT_OF_ORDER}
    )

    record(ledger, start, late)

    assert log_of(ledger, shop_id) == []


def test_a_shop_without_a_webhook_url_gets_nothing_recorded(ledger: Ledger) -> None:
    shop_id = shop(ledger, webhook=False)
    start = started(ledger, shop_id)
    record(ledger, start, applied(ShipmentStatus.IN_TRANSIT, "e-1"))
    ledger.record_opt_out(shop_id, Channel.SMS, "hash", ["transactional"], "sms_keyword")

    assert log_of(ledger, shop_id) == []


def test_the_storage_deadline_return_is_told_as_an_uncollected_return(ledger: Ledger) -> None:
    shop_id = shop(ledger)
    start = started(ledger, shop_id)

    record(ledger, start, applied(ShipmentStatus.RETURNED, f"{STORAGE_DEADLINE_EVENT}x"))

    types = sorted(str(b["type"]) for b in log_of(ledger, shop_id))
    assert types == [
        ShopEventType.SHIPMENT_RETURN_UNCOLLECTED,
        ShopEventType.SHIPMENT_STATUS_CHANGED,
    ]


def _claimed(ledger: Ledger, start: ShipmentStart, token: str) -> str:
    key = f"{start.workflow_id}:out_for_delivery:1:sms"
    claim = ledger.claim(
        key,
        shipment_ref=start.workflow_id,
        kind=NotificationKind.OUT_FOR_DELIVERY,
        occurrence=1,
        channel=Channel.SMS,
        recipient_masked="+44*******123",
        token=token,
        lease=timedelta(seconds=60),
        now=T0,
    )
    assert claim.won
    return key


def test_each_message_outcome_is_told_sent_then_delivered(ledger: Ledger) -> None:
    shop_id = shop(ledger)
    start = started(ledger, shop_id)
    key = _claimed(ledger, start, "t")

    ledger.mark_sent(key, "t", "twilio", "SM1")
    ledger.record_delivery_report(
        DeliveryReport(
            provider="twilio",
            event_id="SM1:delivered",
            key=key,
            provider_message_id="SM1",
            event="delivered",
            status=NotificationStatus.DELIVERED,
            occurred_at=T0,
        )
    )

    messages = [b["data"]["message"] for b in log_of(ledger, shop_id)]  # type: ignore[index]
    assert sorted(m["status"] for m in messages) == ["delivered", "sent"]
    assert all(m["kind"] == "out_for_delivery" and m["channel"] == "sms" for m in messages)


def test_a_refused_message_is_told_failed_without_the_number(ledger: Ledger) -> None:
    shop_id = shop(ledger)
    start = started(ledger, shop_id)
    key = _claimed(ledger, start, "t")
    attempt = Attempt(1, "twilio", T0, T0, "permanent_error", "21211", f"invalid number {PHONE}")

    ledger.mark_failed(key, "t", "twilio", f"invalid 'To' number {PHONE}", attempt)

    [view] = WebhookLog(ledger.engine).deliveries(shop_id)
    assert view.body["data"]["message"]["status"] == "failed"
    assert PHONE not in view.payload


def test_an_opt_out_is_told_with_its_shipment_never_the_address(ledger: Ledger) -> None:
    shop_id = shop(ledger)
    start = started(ledger, shop_id)

    ledger.record_opt_out(
        shop_id, Channel.EMAIL, "hashed", ["marketing"], "sendgrid_unsubscribe", start.workflow_id
    )
    ledger.record_opt_out(
        shop_id, Channel.EMAIL, "hashed", ["marketing"], "sendgrid_unsubscribe", start.workflow_id
    )  # a repeat records nothing new, and tells nothing
    ledger.remove_opt_outs(shop_id, Channel.EMAIL, "hashed")

    bodies = log_of(ledger, shop_id)
    assert sorted(str(b["type"]) for b in bodies) == [
        ShopEventType.RECIPIENT_OPTED_IN,
        ShopEventType.RECIPIENT_OPTED_OUT,
    ]
    out = next(b for b in bodies if b["type"] == ShopEventType.RECIPIENT_OPTED_OUT)
    assert out["data"] == {
        "channel": "email",
        "categories": ["marketing"],
        "source": "sendgrid_unsubscribe",
        "shipment": out["data"]["shipment"],  # type: ignore[index]
    }
    assert out["data"]["shipment"]["order_id"] == start.order_id
    raw = json.dumps(bodies)
    assert EMAIL not in raw and PHONE not in raw and "hashed" not in raw


def test_the_log_and_replay_are_each_shops_own(ledger: Ledger) -> None:
    one, two = shop(ledger), shop(ledger)
    log = WebhookLog(ledger.engine)
    mine = log.emit(one, ShopEventType.CUSTOMER_REPLY, {"reply": {"answer": "reschedule"}})
    assert mine is not None

    assert log.delivery(two, mine) is None
    assert log.replay(two, mine) is None
    assert log.deliveries(two) == []
    replayed = log.replay(one, mine)
    assert replayed is not None and replayed.generation == 1
    assert replayed.id == mine and replayed.status is DeliveryStatus.PENDING


@pytest.mark.parametrize("delivered", [True, False])
def test_attempts_are_logged_with_their_answer(ledger: Ledger, delivered: bool) -> None:
    shop_id = shop(ledger)
    log = WebhookLog(ledger.engine)
    ident = log.emit(shop_id, ShopEventType.CUSTOMER_REPLY, {"reply": {"answer": "confirm"}})
    assert ident is not None

    log.record_attempt(
        ident,
        generation=0,
        attempt=1,
        started_at=T0,
        status_code=503,
        error="HTTP 503",
        delivered=False,
    )
    log.record_attempt(
        ident,
        generation=0,
        attempt=2,
        started_at=T0,
        status_code=204 if delivered else None,
        error=None if delivered else "ConnectError: refused",
        delivered=delivered,
    )

    view = log.delivery(shop_id, ident)
    assert view is not None and view.attempts == 2
    assert [a.outcome for a in view.attempt_log] == [
        "failed",
        "delivered" if delivered else "failed",
    ]
    assert view.status is (DeliveryStatus.DELIVERED if delivered else DeliveryStatus.PENDING)


@pytest.mark.parametrize("mode", list(RetentionMode))
def test_retention_takes_a_shipments_webhook_events_with_it(
    empty_database_url: str, mode: RetentionMode
) -> None:
    upgrade_database(empty_database_url)  # a database of its own: retention touches every shop
    ledger = Ledger(make_engine(empty_database_url))
    shop_id = shop(ledger)
    start = started(ledger, shop_id)
    record(ledger, start, applied(ShipmentStatus.IN_TRANSIT, "e-1"))
    ledger.record_change(
        start.workflow_id,
        start=None,
        entries=[applied(ShipmentStatus.DELIVERED, "e-2")],
        status=ShipmentStatus.DELIVERED,
        at=T0,
        closed=True,
    )
    log = WebhookLog(ledger.engine)
    [first, *_] = log.deliveries(shop_id)
    log.record_attempt(
        first.id,
        generation=0,
        attempt=1,
        started_at=T0,
        status_code=204,
        error=None,
        delivered=True,
    )
    kept = log.emit(shop_id, ShopEventType.RECIPIENT_OPTED_IN, {"channel": "sms"})

    Retention(ledger.engine, clock=lambda: T0 + timedelta(days=400)).run(180, mode)

    assert [v.id for v in log.deliveries(shop_id)] == []  # the opt-in was older than the cutoff
    assert kept is not None and log.delivery(shop_id, kept) is None
    ledger.engine.dispose()
