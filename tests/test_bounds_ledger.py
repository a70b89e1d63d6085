"""Whatever text the models accept is stored and read back unchanged, on SQLite and PostgreSQL
(PostgreSQL refuses NUL; UTF-8 has no lone surrogates): the ledger activity never fails on it.
The `ledger` fixture runs each example on both backends (tests/db_fixtures.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from pydantic import TypeAdapter, ValidationError

from carriers.base import clean_text, required_text
from ledger.claims import Ledger
from models.bounds import EventId, PlaceName, Reference, Text
from models.call import CallRecord, Note, Operator
from models.notification import Channel, NotificationKind, idempotency_key
from models.shipment import CarrierEvent, Location, Recipient
from models.state import EventOutcome, TimelineEntry
from models.status import ShipmentStatus
from testing.factories import shipment
from tests.db_fixtures import unique
from tests.strategies import hostile_text, identifiers

EXAMPLES = 200
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def accepted(kind: Any, value: str, fallback: str) -> str:
    """The value when the type accepts it (as the type leaves it), else the fallback."""
    try:
        result: str = TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return fallback
    return result


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    shipment_id=identifiers,
    order_id=hostile_text(110),
    name=hostile_text(40),
    event_id=hostile_text(210),
    city=hostile_text(210),
    description=hostile_text(520),
    carrier_prose=hostile_text(600),
    carrier_id=hostile_text(60),
)
def test_accepted_text_round_trips_through_the_ledger(
    ledger: Ledger,
    shipment_id: str,
    order_id: str,
    name: str,
    event_id: str,
    city: str,
    description: str,
    carrier_prose: str,
    carrier_id: str,
) -> None:
    start = shipment(
        shop_id=unique("shop"),
        shipment_id=shipment_id,
        order_id=accepted(Reference, order_id, "ORD-1"),
        recipient=Recipient(name=accepted(Text, name, "Sam"), email="sam@example.com"),
    )
    try:
        carrier_tracking = required_text(carrier_id, "tracking_code")
    except ValueError:
        carrier_tracking = "TRK"
    event = CarrierEvent(
        event_id=accepted(EventId, event_id, "e-1"),
        status=ShipmentStatus.IN_TRANSIT,
        occurred_at=NOW,
        location=Location(city=accepted(PlaceName, city, "Leeds"), facility=clean_text(city, 200)),
        description=accepted(Text, description, "") or clean_text(carrier_prose),
    )
    ref = start.workflow_id
    entry = TimelineEntry(event=event, received_at=NOW, outcome=EventOutcome.APPLIED)

    ledger.record_change(
        ref, start=start, entries=[entry], status=event.status, at=NOW, closed=False
    )
    key = idempotency_key(ref, NotificationKind.SHIPPED, 1, Channel.EMAIL)
    claim = ledger.claim(
        key,
        shipment_ref=ref,
        kind=NotificationKind.SHIPPED,
        occurrence=1,
        channel=Channel.EMAIL,
        recipient_masked="s***@example.com",
        token="t",
        lease=timedelta(minutes=1),
        now=NOW,
    )

    stored = ledger.shipment(ref)
    assert stored is not None
    assert (stored.shipment_id, stored.order_id) == (start.shipment_id, start.order_id)
    [recorded] = ledger.timeline(ref)
    assert (recorded.event_id, recorded.description) == (event.event_id, event.description)
    assert recorded.location == event.location.label()  # type: ignore[union-attr]
    assert claim.won and ledger.notification(key) is not None
    assert ledger.shipments_tracked_as(carrier_tracking) == []


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(call_id=hostile_text(210), operator=hostile_text(110), note=hostile_text(520))
def test_an_accepted_call_round_trips_through_the_ledger(
    ledger: Ledger, call_id: str, operator: str, note: str
) -> None:
    start = shipment(shipment_id=unique("s"))
    ledger.record_shipment(start.workflow_id, start)
    call = CallRecord(
        call_id=accepted(EventId, call_id, "c-1"),
        occurred_at=NOW,
        centre="carrier",
        operator=accepted(Operator, operator, "agent"),
        outcome="answered",
        note=accepted(Note, note, "") or None,
        recorded_at=NOW,
    )

    aside = ledger.record_change(
        start.workflow_id,
        start=None,
        entries=[],
        status=ShipmentStatus.SHIPPED,
        at=NOW,
        closed=False,
        calls=[call],
    ).set_aside

    assert aside == []
    [stored] = ledger.calls_for(start.workflow_id)
    assert (stored.call_id, stored.operator, stored.note) == (
        call.call_id,
        call.operator,
        call.note,
    )
