"""No single bad row blocks a shipment: on SQLite and PostgreSQL, a part of a ledger write that
can never be stored is set aside (recorded, counted, logged) and the rest goes on; a database
that does not answer is still retried, never set aside.

The edge validates carrier events; these tests bypass it (`model_construct`) to reach the
ledger with what a bug there, or an older client, could let through, or make the database
refuse a value the models accept (`refusing_description`), as a schema that drifted would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import OperationalError
from temporalio.common import MetricMeter

from infra.metrics import AppMetrics
from ledger.claims import Attempt, Ledger
from ledger.engine import make_engine
from ledger.storable import Unstorable, permanent
from models.notification import (
    Channel,
    DeliveryReport,
    NotificationKind,
    NotificationStatus,
    idempotency_key,
)
from models.shipment import CarrierEvent, Location
from models.state import EventOutcome, TimelineEntry
from models.status import ShipmentStatus
from testing.factories import T0, event, shipment
from tests.db_fixtures import REFUSED_DESCRIPTION, refusing_description, unique

LEASE = timedelta(seconds=60)
S = ShipmentStatus


class CountingMetrics(AppMetrics):
    """Keeps the parts counted as set aside, in order."""

    def __init__(self) -> None:
        super().__init__(MetricMeter.noop)
        self.parts: list[str] = []

    def set_aside(self, part: str) -> None:
        self.parts.append(part)


@pytest.fixture
def metrics() -> CountingMetrics:
    return CountingMetrics()


@pytest.fixture
def counted(database_url: str, metrics: CountingMetrics) -> Iterator[Ledger]:
    """A ledger counting its set-aside parts."""
    engine = make_engine(database_url)
    try:
        yield Ledger(engine, metrics=metrics)
    finally:
        engine.dispose()


@pytest.fixture
def ref(counted: Ledger) -> str:
    start = shipment(shipment_id=unique("s"))
    counted.record_shipment(start.workflow_id, start)
    return start.workflow_id


def unchecked(status: ShipmentStatus, minutes: int, **fields: Any) -> CarrierEvent:
    """An event as the edge would never let through: no validation at all."""
    valid = event(status, minutes)
    return CarrierEvent.model_construct(**{**dict(valid), **fields})


def entry(carrier_event: CarrierEvent) -> TimelineEntry:
    return TimelineEntry.model_construct(
        event=carrier_event,
        received_at=carrier_event.occurred_at,
        outcome=EventOutcome.APPLIED,
        reason=None,
    )


def record(ledger: Ledger, ref: str, *entries: TimelineEntry, status: S = S.IN_TRANSIT) -> Any:
    return ledger.record_change(
        ref, start=None, entries=list(entries), status=status, at=T0, closed=False
    ).set_aside


def claim(ledger: Ledger, ref: str, key: str, token: str = "t") -> Any:
    return ledger.claim(
        key,
        shipment_ref=ref,
        kind=NotificationKind.OUT_FOR_DELIVERY,
        occurrence=1,
        channel=Channel.SMS,
        recipient_masked="+44*******123",
        token=token,
        lease=LEASE,
        now=T0,
    )


# Free text from outside is cleaned, not set aside


def test_a_nul_in_a_carriers_description_is_removed_and_the_event_recorded(
    counted: Ledger, ref: str, metrics: CountingMetrics
) -> None:
    scan = unchecked(S.IN_TRANSIT, 10, description="left at the\x00 depot")

    assert record(counted, ref, entry(scan)) == []

    [recorded] = counted.timeline(ref)
    assert recorded.description == "left at the depot"
    assert metrics.parts == []


def test_a_location_longer_than_its_column_is_cut_to_fit(counted: Ledger, ref: str) -> None:
    place = Location.model_construct(facility="F" * 500, city="C" * 500, country="GB")

    record(counted, ref, entry(unchecked(S.IN_TRANSIT, 10, location=place)))

    [recorded] = counted.timeline(ref)
    assert recorded.location is not None
    assert len(recorded.location) == 500
    assert recorded.location.startswith("FFF") and recorded.location.endswith("…")


def test_a_provider_error_with_nul_is_kept_cleaned_and_cut(counted: Ledger, ref: str) -> None:
    key = idempotency_key(ref, NotificationKind.OUT_FOR_DELIVERY, 1, Channel.SMS)
    claim(counted, ref, key)
    counted.add_attempt(
        key,
        Attempt(1, "twilio", T0, T0, "permanent_error", "2" * 300, "bad\x00 number " * 500),
    )

    [attempt] = counted.attempts(key)
    assert attempt.error_code is not None and len(attempt.error_code) == 100
    assert attempt.error_message is not None and "\x00" not in attempt.error_message
    assert len(attempt.error_message) == 1000


# A part that can never be stored is set aside; the rest goes on


def test_an_event_id_with_nul_is_set_aside_and_the_rest_of_the_change_recorded(
    counted: Ledger, ref: str
) -> None:
    bad = unchecked(S.IN_TRANSIT, 10, event_id="scan\x00-1")
    good = event(S.OUT_FOR_DELIVERY, 20)

    aside = record(counted, ref, entry(bad), entry(good), status=S.OUT_FOR_DELIVERY)

    assert [e.event_id for e in counted.timeline(ref)] == [good.event_id]
    shipment_row = counted.shipment(ref)
    assert shipment_row is not None and shipment_row.status is S.OUT_FOR_DELIVERY
    assert [(a.part, a.key) for a in aside] == [("event", "scan\\x00-1")]
    assert counted.set_aside_for(ref) == aside


def test_a_row_the_database_refuses_for_good_is_set_aside_and_the_rest_recorded(
    counted: Ledger, ref: str, database_url: str
) -> None:
    refused = event(S.IN_TRANSIT, 10, description=REFUSED_DESCRIPTION)
    good = event(S.OUT_FOR_DELIVERY, 20)

    with refusing_description(database_url):
        aside = record(counted, ref, entry(refused), entry(good), status=S.OUT_FOR_DELIVERY)

    assert [e.event_id for e in counted.timeline(ref)] == [good.event_id]
    assert [(a.part, a.key) for a in aside] == [("event", refused.event_id)]
    assert json.loads(aside[0].payload)["description"] == REFUSED_DESCRIPTION


def test_a_database_refusal_is_kept_in_its_own_words_without_the_row_it_quotes(
    counted: Ledger, ref: str, database_url: str
) -> None:
    refused = event(S.IN_TRANSIT, 10, description=REFUSED_DESCRIPTION)

    with refusing_description(database_url):
        [aside] = record(counted, ref, entry(refused))

    assert aside.error_class in ("IntegrityError", "CheckViolation")  # sqlite3, psycopg
    assert "refuses" in aside.error or "violates check constraint" in aside.error
    assert REFUSED_DESCRIPTION not in aside.error


def test_a_set_aside_part_keeps_the_offending_row_as_storable_json(
    counted: Ledger, ref: str
) -> None:
    record(counted, ref, entry(unchecked(S.IN_TRANSIT, 10, event_id="scan\x00-1")))

    [aside] = counted.set_aside_for(ref)
    payload = json.loads(aside.payload)
    assert payload["event_id"] == "scan\\x00-1"
    assert payload["status"] == "in_transit"
    assert aside.error_class == "Unstorable"
    assert "NUL" in aside.error


def test_an_event_id_longer_than_its_column_is_set_aside(counted: Ledger, ref: str) -> None:
    long_id = "e" * 10_000

    [aside] = record(counted, ref, entry(unchecked(S.IN_TRANSIT, 10, event_id=long_id)))

    assert aside.part == "event"
    assert len(aside.key) <= 200
    assert len(json.loads(aside.payload)["event_id"]) < 1100
    assert counted.timeline(ref) == []


def test_a_part_set_aside_is_counted_once_however_often_it_is_retried(
    counted: Ledger, ref: str, metrics: CountingMetrics
) -> None:
    bad = entry(unchecked(S.IN_TRANSIT, 10, event_id="scan\x00-1"))

    record(counted, ref, bad)
    record(counted, ref, bad)

    assert metrics.parts == ["event"]
    assert len(counted.set_aside_for(ref)) == 1


def test_a_later_update_of_the_same_shipment_goes_through(counted: Ledger, ref: str) -> None:
    record(counted, ref, entry(unchecked(S.IN_TRANSIT, 10, event_id="scan\x00-1")))

    later = event(S.DELIVERED, 30)
    assert record(counted, ref, entry(later), status=S.DELIVERED) == []

    assert [e.event_id for e in counted.timeline(ref)] == [later.event_id]
    shipment_row = counted.shipment(ref)
    assert shipment_row is not None and shipment_row.status is S.DELIVERED


def test_a_shipment_row_that_cannot_be_stored_is_set_aside_and_written_cleaned(
    counted: Ledger,
) -> None:
    start = shipment(shipment_id=unique("s")).model_copy(update={"tracking_number": "AC\x00123"})

    aside = counted.record_change(
        start.workflow_id,
        start=start,
        entries=[entry(event(S.IN_TRANSIT, 10))],
        status=S.IN_TRANSIT,
        at=T0,
        closed=False,
    ).set_aside

    assert [a.part for a in aside] == ["shipment"]
    row = counted.shipment(start.workflow_id)
    assert row is not None and row.tracking_number == "AC123"
    assert len(counted.timeline(start.workflow_id)) == 1


# The database being away is not a bad row


def _wrapped(kind: type[sa_exc.DBAPIError], invalidated: bool = False) -> sa_exc.DBAPIError:
    return kind("INSERT ...", {}, Exception("driver says no"), connection_invalidated=invalidated)


@pytest.mark.parametrize(
    ("err", "for_good"),
    [
        (_wrapped(sa_exc.DataError), True),
        (_wrapped(sa_exc.IntegrityError), True),
        (Unstorable("shipment_events.event_id contains a NUL character"), True),
        (ValueError("naive datetime refused"), True),
        (OverflowError("Python int too large to convert to SQLite INTEGER"), True),
        (_wrapped(sa_exc.OperationalError), False),
        (_wrapped(sa_exc.InterfaceError), False),
        (_wrapped(sa_exc.DataError, invalidated=True), False),
        (_wrapped(sa_exc.ProgrammingError), False),  # a missing migration: retried until run
        (sa_exc.TimeoutError("QueuePool limit reached"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_only_bad_data_is_a_failure_for_good(err: BaseException, for_good: bool) -> None:
    assert permanent(err) is for_good


def test_a_lost_connection_is_raised_for_a_retry_and_nothing_is_set_aside(
    counted: Ledger, ref: str, metrics: CountingMetrics
) -> None:
    engine = counted.engine
    dbapi = engine.dialect.loaded_dbapi

    def cut(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "shipment_events" in statement:
            raise dbapi.OperationalError("server closed the connection unexpectedly")

    scan = event(S.IN_TRANSIT, 10)
    sa_event.listen(engine, "before_cursor_execute", cut)
    try:
        with pytest.raises(OperationalError):
            record(counted, ref, entry(scan))
    finally:
        sa_event.remove(engine, "before_cursor_execute", cut)

    assert counted.set_aside_for(ref) == [] and metrics.parts == []
    assert record(counted, ref, entry(scan)) == []  # the retry, once the database is back
    assert [e.event_id for e in counted.timeline(ref)] == [scan.event_id]


# Messages: a claim the ledger cannot record is never won


def test_a_claim_that_cannot_be_recorded_is_set_aside_and_not_won(
    counted: Ledger, ref: str, metrics: CountingMetrics
) -> None:
    key = f"{ref}:{'x' * 500}"

    answer = claim(counted, ref, key)

    assert not answer.won and answer.status is NotificationStatus.FAILED
    assert answer.set_aside is not None and answer.first_set_aside
    assert metrics.parts == ["claim"]
    assert counted.notifications_for(ref) == []


def test_a_provider_id_that_cannot_be_stored_still_marks_the_message_sent(
    counted: Ledger, ref: str, metrics: CountingMetrics
) -> None:
    key = idempotency_key(ref, NotificationKind.OUT_FOR_DELIVERY, 1, Channel.SMS)
    claim(counted, ref, key)

    assert counted.mark_sent(key, "t", "twilio", "SM" + "9" * 1000, segments=1)

    message = counted.notification(key)
    assert message is not None and message.status is NotificationStatus.SENT
    assert message.provider_message_id is None
    assert message.last_error is not None and "could not store" in message.last_error
    assert metrics.parts == ["mark"]


# Provider callbacks


def report(event_id: str, **fields: Any) -> DeliveryReport:
    return DeliveryReport.model_construct(
        **{
            "provider": "twilio",
            "event": "delivered",
            "event_id": event_id,
            "provider_message_id": None,
            "key": None,
            "status": NotificationStatus.DELIVERED,
            "permanent": False,
            "error_code": None,
            "detail": None,
            "occurred_at": T0,
            **fields,
        }
    )


def test_a_callback_the_ledger_cannot_store_is_set_aside_and_the_next_recorded(
    counted: Ledger, metrics: CountingMetrics
) -> None:
    huge = "SM" + "1" * 10_000

    bad = counted.record_delivery_report(report(f"{huge}:delivered", provider_message_id=huge))
    good = counted.record_delivery_report(report(unique("SM") + ":delivered"))

    assert bad.set_aside is not None and bad.set_aside.part == "delivery_report"
    assert not bad.new and not bad.moved
    assert good.set_aside is None and good.new
    assert metrics.parts == ["delivery_report"]


def test_a_callback_with_nul_in_our_key_is_set_aside_alike_on_every_backend(
    counted: Ledger,
) -> None:
    receipt = counted.record_delivery_report(
        report(unique("sg"), provider="sendgrid", key="shipment:\x00")
    )

    assert receipt.set_aside is not None
    assert receipt.set_aside.error_class == "Unstorable"


def test_a_tracking_number_no_shipment_could_carry_finds_none(counted: Ledger) -> None:
    assert counted.shipments_tracked_as("AC\x00123") == []
    assert counted.shipments_tracked_as("A" * 10_000) == []


def test_a_sent_message_whose_provider_id_was_set_aside_adopts_no_reports(
    counted: Ledger, ref: str
) -> None:
    key = idempotency_key(ref, NotificationKind.OUT_FOR_DELIVERY, 1, Channel.SMS)
    claim(counted, ref, key)
    counted.mark_sent(key, "t", "twilio", "SM\x00bad")

    assert counted.adopt_reports(key, "SM\x00bad") is None
