"""A small, known ledger for the report and retention tests, written through the real Ledger API.

`fill_known_ledger` records two shops' shipments over three UTC days (D1..D3, 120 days ago, so
retention finds them long closed), plus one shipment before and one after those days, one open
shipment and one closed five days ago. `tests/test_report.py` states the figures it must give.
Every identifying value it writes (order ids, tracking numbers, message ids, masked recipients,
places, free texts) is collected in `Known.secrets`, so a test can look for any left behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from infra.masking import mask_address
from ledger.claims import Attempt, Ledger
from ledger.migrations import upgrade_database
from ledger.schema import Base
from messages.sms import estimated_sms_cost
from models.call import CallCentre, CallOutcome, CallRecord
from models.notification import (
    Channel,
    DeliveryReport,
    NotificationKind,
    NotificationStatus,
    idempotency_key,
)
from models.shipment import (
    CarrierEvent,
    DeliveryKind,
    DeliveryOption,
    Location,
    PickupPoint,
    Recipient,
    ShipmentStart,
)
from models.state import EventOutcome, TimelineEntry
from models.status import ShipmentStatus
from tests.db_fixtures import PostgresServer

S = ShipmentStatus
K = NotificationKind
TODAY = datetime.now(UTC).date()
D0 = TODAY - timedelta(days=121)
D1, D2, D3, D4 = (D0 + timedelta(days=n) for n in range(1, 5))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


@contextmanager
def migrated_database(request: pytest.FixtureRequest, backend: str, folder: Path) -> Iterator[str]:
    """A ledger database of its own (a SQLite file, or a PostgreSQL database created for it and
    dropped after): reports over every shop and retention must not meet other tests' rows."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'ledger.db'}"
        upgrade_database(url)
        yield url
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        upgrade_database(url)
        yield url
    finally:
        server.drop_database(url)


class Clock:
    """The ledger's clock, moved by the builder so each record gets the moment it describes."""

    def __init__(self) -> None:
        self.now = at(D0, 0)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Known:
    """What was written: refs by name, and every identifying value (to look for after retention)."""

    refs: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, set[str]] = field(default_factory=dict)
    """Per shipment name (or stray callback name), the identifying values written for it."""

    def add(self, name: str, *values: str) -> None:
        self.secrets.setdefault(name, set()).update(values)

    def merge(self, other: Known) -> Known:
        return Known({**self.refs, **other.refs}, {**self.secrets, **other.secrets})


class Book:
    """Writes shipments, events and messages as the activities would, at chosen moments."""

    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self.ledger = ledger
        self.clock = clock
        self.known = Known()
        self.recipients: dict[str, tuple[str, str]] = {}

    def start(
        self,
        name: str,
        shop: str,
        when: datetime,
        kind: DeliveryKind = DeliveryKind.COURIER_NEXT_DAY,
    ) -> str:
        tag = uuid.uuid4().hex[:8]
        # Each shipment its own recipient, so even masked values tell them apart
        phone = f"+4477009{len(self.recipients):05d}"
        email = f"sam.taylor@{tag}.example.com"
        self.recipients[name] = (phone, email)
        pickup = (
            PickupPoint(name="Kiosk 7", address="12 Oak Street, Leeds", pickup_code="4711")
            if kind is DeliveryKind.PICKUP_POINT
            else None
        )
        start = ShipmentStart(
            shop_id=shop,
            shipment_id=f"{name}-{tag}",
            order_id=f"ORD-{tag}",
            carrier="acme",
            tracking_number=f"TRK{tag.upper()}",
            recipient=Recipient(name="Sam Taylor", phone=phone, email=email, locale="en"),
            delivery=DeliveryOption(kind=kind, pickup_point=pickup),
        )
        self.clock.now = when
        self.ledger.record_shipment(start.workflow_id, start)
        self.known.refs[name] = start.workflow_id
        self.known.add(
            name, start.workflow_id, start.shipment_id, start.order_id, start.tracking_number
        )
        return start.workflow_id

    def event(self, name: str, status: ShipmentStatus, when: datetime) -> None:
        ref = self.known.refs[name]
        event_id = f"scan-{uuid.uuid4().hex[:10]}"
        carrier_event = CarrierEvent(
            event_id=event_id,
            status=status,
            occurred_at=when,
            location=Location(facility="Kiosk 7", city="Harrogate", country="GB"),
            description="left with neighbour Mrs Okafor at number 14",
        )
        entry = TimelineEntry(
            event=carrier_event,
            received_at=when,
            outcome=EventOutcome.APPLIED,
            reason="applied after scan " + event_id,
        )
        closed = status in (S.DELIVERED, S.RETURNED, S.CANCELLED)
        self.clock.now = when
        self.ledger.record_change(
            ref, start=None, entries=[entry], status=status, at=when, closed=closed
        )
        self.known.add(name, event_id)

    def call(
        self,
        name: str,
        outcome: CallOutcome,
        when: datetime,
        centre: CallCentre = CallCentre.SHOP,
    ) -> None:
        """A call centre's call, recorded as the publish activity records it."""
        ref = self.known.refs[name]
        tag = uuid.uuid4().hex[:8]
        call = CallRecord(
            call_id=f"crm-{tag}",
            occurred_at=when,
            centre=centre,
            operator=f"Agent Okonkwo {tag}",
            outcome=outcome,
            note=f"Customer at Flat {tag} asked for the back door",
            recorded_at=when,
        )
        shown = self.ledger.shipment(ref)
        assert shown is not None
        self.clock.now = when
        self.ledger.record_change(
            ref,
            start=None,
            entries=[],
            status=shown.status,
            at=shown.updated_at,
            closed=shown.closed_at is not None,
            calls=[call],
        )
        self.known.add(name, call.call_id, call.operator, call.note or "")

    def message(
        self,
        name: str,
        kind: NotificationKind,
        channel: Channel,
        when: datetime,
        *,
        provider: str,
        segments: int = 0,
        outcome: str = "sent",
        report: NotificationStatus | None = None,
        occurrence: int = 1,
    ) -> str:
        """A message claimed and then `sent` (with an optional delivery report), `refused` (a
        permanent error) or `pending` (released after a timeout, to be retried)."""
        ref = self.known.refs[name]
        key = idempotency_key(ref, kind, occurrence, channel)
        phone, email = self.recipients[name]
        recipient = phone if channel is Channel.SMS else email
        token = uuid.uuid4().hex
        self.clock.now = when
        self.ledger.claim(
            key,
            shipment_ref=ref,
            kind=kind,
            occurrence=occurrence,
            channel=channel,
            recipient_masked=mask_address(recipient),
            recipient_hash=uuid.uuid4().hex,
            token=token,
            lease=timedelta(seconds=60),
            now=when,
        )
        message_id = ("SM" if channel is Channel.SMS else "sg") + uuid.uuid4().hex
        attempt = Attempt(1, provider, when, when, "sent")
        if outcome == "sent":
            sms = channel is Channel.SMS
            self.ledger.mark_sent(
                key,
                token,
                provider,
                message_id,
                segments=segments if sms else None,
                cost=estimated_sms_cost(segments) if sms else None,
                attempt=attempt,
            )
        elif outcome == "refused":
            error = f"21211 invalid 'To' number {recipient}"
            refusal = Attempt(1, provider, when, when, "permanent_error", "21211", error)
            self.ledger.mark_failed(key, token, provider, error, refusal)
        elif outcome == "pending":
            self.ledger.release(key, token, f"timed out sending to {recipient}")
        else:
            raise ValueError(outcome)
        if report is not None:
            self.clock.now = when + timedelta(minutes=1)
            self.ledger.record_delivery_report(
                DeliveryReport(
                    provider=provider,
                    event=report.value,
                    event_id=f"{message_id}-{report.value}",
                    provider_message_id=message_id,
                    status=report,
                    permanent=report is NotificationStatus.FAILED,
                    detail=f"550 mailbox of {recipient} unavailable",
                    occurred_at=when + timedelta(minutes=1),
                )
            )
        view = self.ledger.notification(key)
        assert view is not None
        self.known.add(name, key, message_id, view.recipient_masked)
        return key

    def stray_callback(self, name: str, when: datetime) -> None:
        """A callback for a message the ledger never recorded: kept unmatched."""
        message_id = "SM" + uuid.uuid4().hex
        self.clock.now = when
        self.ledger.record_delivery_report(
            DeliveryReport(
                provider="twilio",
                event="delivered",
                event_id=f"{message_id}-delivered",
                provider_message_id=message_id,
                status=NotificationStatus.DELIVERED,
                occurred_at=when,
            )
        )
        self.known.add(name, message_id)


def fill_known_ledger(engine: Engine) -> Known:
    """The dataset whose figures `tests/test_report.py` states (read them there)."""
    clock = Clock()
    book = Book(Ledger(engine, clock=clock), clock)
    sms, email = Channel.SMS, Channel.EMAIL
    pickup = DeliveryKind.PICKUP_POINT
    delivered, undelivered, failed = (
        NotificationStatus.DELIVERED,
        NotificationStatus.UNDELIVERED,
        NotificationStatus.FAILED,
    )

    # shop-a, a0: started the day before the period, delivered within it (daily figures only)
    book.start("a0", "shop-a", at(D0, 9))
    book.message("a0", K.SHIPPED, email, at(D0, 9), provider="sendgrid")
    book.event("a0", S.OUT_FOR_DELIVERY, at(D2, 8))
    book.event("a0", S.DELIVERED, at(D2, 9))
    book.message("a0", K.DELIVERED, sms, at(D2, 9), provider="twilio", segments=1)

    # a1: courier, delivered on D2
    book.start("a1", "shop-a", at(D1, 10))
    book.message("a1", K.SHIPPED, email, at(D1, 10), provider="sendgrid", report=delivered)
    book.event("a1", S.IN_TRANSIT, at(D1, 18))
    book.event("a1", S.OUT_FOR_DELIVERY, at(D2, 8))
    book.message(
        "a1", K.OUT_FOR_DELIVERY, sms, at(D2, 8), provider="twilio", segments=2, report=delivered
    )
    book.event("a1", S.DELIVERED, at(D2, 12))
    book.message("a1", K.DELIVERED, sms, at(D2, 12), provider="twilio", segments=1)
    book.call("a1", CallOutcome.NO_ANSWER, at(D2, 10))
    book.call("a1", CallOutcome.ANSWERED, at(D2, 11))

    # a2: pickup point, collected on D3
    book.start("a2", "shop-a", at(D1, 11), pickup)
    book.message("a2", K.SHIPPED, email, at(D1, 11), provider="sendgrid")
    book.event("a2", S.AVAILABLE_FOR_PICKUP, at(D2, 7))
    book.message(
        "a2",
        K.AVAILABLE_FOR_PICKUP,
        sms,
        at(D2, 7),
        provider="twilio",
        segments=2,
        report=delivered,
    )
    book.message(
        "a2", K.AVAILABLE_FOR_PICKUP, email, at(D2, 7), provider="sendgrid", report=delivered
    )
    book.message(
        "a2", K.PICKUP_REMINDER, sms, at(D3, 7), provider="twilio", segments=1, report=undelivered
    )
    book.event("a2", S.DELIVERED, at(D3, 16))

    # a3: pickup point, never collected, returned on D3; its dispatch email bounced
    book.start("a3", "shop-a", at(D2, 9), pickup)
    book.message("a3", K.SHIPPED, email, at(D2, 9), provider="sendgrid", report=failed)
    book.event("a3", S.AVAILABLE_FOR_PICKUP, at(D2, 15))
    book.message(
        "a3",
        K.AVAILABLE_FOR_PICKUP,
        sms,
        at(D2, 15),
        provider="twilio",
        segments=1,
        report=delivered,
    )
    book.call("a3", CallOutcome.VOICEMAIL, at(D3, 9), CallCentre.CARRIER)
    book.event("a3", S.RETURNED, at(D3, 18))
    book.message("a3", K.RETURNED, email, at(D3, 18), provider="sendgrid")

    # a4: courier, still in transit after a delay notice; its dispatch email was refused, an
    # out-for-delivery SMS is waiting for a retry
    book.start("a4", "shop-a", at(D2, 10))
    book.message("a4", K.SHIPPED, email, at(D2, 10), provider="sendgrid", outcome="refused")
    book.event("a4", S.IN_TRANSIT, at(D2, 20))
    book.message(
        "a4", K.DELAY_NOTICE, sms, at(D3, 8), provider="twilio", segments=1, report=delivered
    )
    book.message("a4", K.OUT_FOR_DELIVERY, sms, at(D3, 9), provider="twilio", outcome="pending")

    # a5: cancelled by the shop on the day it started
    book.start("a5", "shop-a", at(D3, 8))
    book.message("a5", K.SHIPPED, email, at(D3, 8), provider="console")
    book.event("a5", S.CANCELLED, at(D3, 12))

    # a6: started the day after the period
    book.start("a6", "shop-a", at(D4, 8))
    book.message("a6", K.SHIPPED, email, at(D4, 8), provider="sendgrid")

    # shop-b, b1: delivered on D1; the SMS's callback overtook the ledger's record of the send
    book.start("b1", "shop-b", at(D1, 7))
    key = idempotency_key(book.known.refs["b1"], K.OUT_FOR_DELIVERY, 1, sms)
    token = uuid.uuid4().hex
    book.ledger.claim(
        key,
        shipment_ref=book.known.refs["b1"],
        kind=K.OUT_FOR_DELIVERY,
        occurrence=1,
        channel=sms,
        recipient_masked=mask_address(book.recipients["b1"][0]),
        token=token,
        lease=timedelta(seconds=60),
        now=at(D1, 8),
    )
    book.clock.now = at(D1, 8)
    book.ledger.record_delivery_report(
        DeliveryReport(
            provider="twilio",
            event="delivered",
            event_id="SMb1early-delivered",
            provider_message_id="SMb1early",
            status=delivered,
            occurred_at=at(D1, 8),
        )
    )
    book.ledger.mark_sent(key, token, "twilio", "SMb1early", segments=3, cost=estimated_sms_cost(3))
    book.ledger.adopt_reports(key, "SMb1early")
    book.known.add("b1", key, "SMb1early")
    book.event("b1", S.DELIVERED, at(D1, 15))
    book.call("b1", CallOutcome.ANSWERED, at(D1, 16))

    # Noise around the period: a callback that never matched anything
    book.stray_callback("stray-old", at(D1, 12))
    return book.known


def add_recent_and_open(engine: Engine) -> Known:
    """A shipment closed five days ago and one still open, started long ago: retention keeps
    both whole."""
    clock = Clock()
    book = Book(Ledger(engine, clock=clock), clock)
    recent = TODAY - timedelta(days=5)
    book.start("recent", "shop-a", at(recent - timedelta(days=2), 9))
    book.message("recent", K.SHIPPED, Channel.EMAIL, at(recent, 9), provider="sendgrid")
    book.event("recent", S.DELIVERED, at(recent, 12))
    book.start("open", "shop-b", at(D1, 9))
    book.message(
        "open",
        K.SHIPPED,
        Channel.EMAIL,
        at(D1, 9),
        provider="sendgrid",
        report=NotificationStatus.DELIVERED,
    )
    book.event("open", S.EXCEPTION, at(D2, 9))
    book.call("open", CallOutcome.BUSY, at(D2, 10), CallCentre.CARRIER)
    book.stray_callback("stray-recent", at(TODAY - timedelta(days=1), 9))
    return book.known


def dump(engine: Engine) -> dict[str, list[dict[str, object]]]:
    """Every row of every ledger table, as plain values (to compare a ledger before and after)."""
    tables: dict[str, list[dict[str, object]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns))
            tables[table.name] = [dict(row._mapping) for row in rows]
    return tables
