"""The ledger on SQLite and PostgreSQL: migrations, idempotent records, exactly-once claims."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError, StatementError

from ledger.claims import Attempt, Claim, Ledger
from ledger.engine import make_engine
from ledger.migrations import alembic_config, upgrade_database
from ledger.schema import Base
from models.notification import (
    Channel,
    DeliveryReport,
    NotificationKind,
    NotificationStatus,
    idempotency_key,
)
from models.shipment import CarrierEvent
from models.state import EventOutcome, TimelineEntry
from models.status import ShipmentStatus
from testing.factories import T0, event, shipment
from tests.db_fixtures import unique

LEASE = timedelta(seconds=60)
SHIPMENT_TABLES = {
    "shipments",
    "shipment_events",
    "notifications",
    "notification_attempts",
    "delivery_reports",
    "set_aside",
    "opt_outs",
    "calls",
    "webhook_deliveries",
    "webhook_attempts",
}
SHOP_TABLES = {"shops", "shop_api_keys"}
"""A shop's registry: a business's published contacts and its keys' names, on purpose."""
LEDGER_TABLES = SHIPMENT_TABLES | SHOP_TABLES


def entry(
    carrier_event: CarrierEvent,
    outcome: EventOutcome = EventOutcome.APPLIED,
    reason: str | None = None,
) -> TimelineEntry:
    return TimelineEntry(
        event=carrier_event, received_at=carrier_event.occurred_at, outcome=outcome, reason=reason
    )


def key_for(ref: str, kind: NotificationKind = NotificationKind.SHIPPED) -> str:
    return idempotency_key(ref, kind, 1, Channel.EMAIL)


def claim(ledger: Ledger, ref: str, token: str, now: datetime = T0) -> Claim:
    return ledger.claim(
        key_for(ref),
        shipment_ref=ref,
        kind=NotificationKind.SHIPPED,
        occurrence=1,
        channel=Channel.EMAIL,
        recipient_masked="s***@example.com",
        token=token,
        lease=LEASE,
        now=now,
    )


# Migrations


def test_migrations_create_the_schema_in_an_empty_database(empty_database_url: str) -> None:
    upgrade_database(empty_database_url)

    engine = make_engine(empty_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert tables == LEDGER_TABLES | {"alembic_version"}


def test_upgrading_twice_is_a_no_op_that_keeps_the_data(empty_database_url: str) -> None:
    upgrade_database(empty_database_url)
    start = shipment()
    engine = make_engine(empty_database_url)
    try:
        Ledger(engine).record_shipment(start.workflow_id, start)

        upgrade_database(empty_database_url)

        assert Ledger(engine).shipment(start.workflow_id) is not None
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    """A hand-written migration that drifts from the models would show up here as a diff."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_migrations_downgrade_to_an_empty_database(empty_database_url: str) -> None:
    upgrade_database(empty_database_url)

    command.downgrade(alembic_config(empty_database_url), "base")

    engine = make_engine(empty_database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_the_ledger_has_no_column_for_personal_data(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        inspector = inspect(engine)
        columns = {c["name"] for table in SHIPMENT_TABLES for c in inspector.get_columns(table)}
    finally:
        engine.dispose()
    personal = {c for c in columns if any(w in c for w in ("name", "phone", "email", "address"))}
    assert personal == set()


# Engines


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_postgresql_urls_are_served_by_psycopg(scheme: str) -> None:
    engine = make_engine(f"{scheme}://user@db.example:5432/waypost")
    assert engine.url.drivername == "postgresql+psycopg"
    engine.dispose()


def test_a_sqlite_ledger_creates_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "ledger.db"

    upgrade_database(f"sqlite:///{path}")

    assert path.exists()


# Shipments and timelines


def test_recording_a_shipment_again_keeps_the_first_row_and_its_status(ledger: Ledger) -> None:
    start = shipment(shipment_id=unique("s"))
    ref = start.workflow_id
    assert ledger.record_shipment(ref, start) is True
    ledger.set_status(ref, ShipmentStatus.IN_TRANSIT, T0 + timedelta(hours=1), closed=False)

    assert ledger.record_shipment(ref, start) is False

    recorded = ledger.shipment(ref)
    assert recorded is not None
    assert recorded.status is ShipmentStatus.IN_TRANSIT
    assert (recorded.shop_id, recorded.shipment_id) == (start.shop_id, start.shipment_id)


def test_a_final_status_closes_the_shipment(ledger: Ledger, shipment_ref: str) -> None:
    delivered_at = T0 + timedelta(days=1)

    ledger.set_status(shipment_ref, ShipmentStatus.DELIVERED, delivered_at, closed=True)

    recorded = ledger.shipment(shipment_ref)
    assert recorded is not None
    assert (recorded.status, recorded.closed_at) == (ShipmentStatus.DELIVERED, delivered_at)


def test_an_event_is_recorded_once_per_carrier_event_id(ledger: Ledger, shipment_ref: str) -> None:
    scan = event(ShipmentStatus.IN_TRANSIT, 30, event_id="e-1")

    assert ledger.record_event(shipment_ref, entry(scan)) is True
    assert ledger.record_event(shipment_ref, entry(scan)) is False

    assert [e.event_id for e in ledger.timeline(shipment_ref)] == ["e-1"]


def test_the_timeline_keeps_refused_events_with_their_reason(
    ledger: Ledger, shipment_ref: str
) -> None:
    late = event(ShipmentStatus.IN_TRANSIT, 10, event_id="e-late")
    refused = event(ShipmentStatus.RETURNED, 20, event_id="e-bad")
    ledger.record_event(shipment_ref, entry(late, EventOutcome.OUT_OF_ORDER))
    ledger.record_event(shipment_ref, entry(refused, EventOutcome.REFUSED, "not from shipped"))

    timeline = ledger.timeline(shipment_ref)

    assert [(e.event_id, e.outcome, e.reason) for e in timeline] == [
        ("e-late", EventOutcome.OUT_OF_ORDER, None),
        ("e-bad", EventOutcome.REFUSED, "not from shipped"),
    ]
    assert timeline[0].location == "Leeds, GB"


def test_an_event_for_an_unknown_shipment_is_refused_by_the_database(ledger: Ledger) -> None:
    with pytest.raises(IntegrityError):
        ledger.record_event(unique("shipment:shop:none"), entry(event(ShipmentStatus.SHIPPED, 1)))


# Exactly-once claims


def test_concurrent_claims_of_one_key_have_exactly_one_winner(
    ledger: Ledger, shipment_ref: str
) -> None:
    contenders = 16
    barrier = threading.Barrier(contenders)

    def contend(n: int) -> Claim:
        barrier.wait()
        return claim(ledger, shipment_ref, token=f"worker-{n}")

    with ThreadPoolExecutor(max_workers=contenders) as pool:
        claims = list(pool.map(contend, range(contenders)))

    assert sum(c.won for c in claims) == 1
    assert {c.status for c in claims if not c.won} == {NotificationStatus.SENDING}
    notification = ledger.notification(key_for(shipment_ref))
    assert notification is not None and notification.attempts == 1


def test_a_claim_after_the_message_was_sent_loses_and_reports_sent(
    ledger: Ledger, shipment_ref: str
) -> None:
    claim(ledger, shipment_ref, token="first")
    ledger.mark_sent(key_for(shipment_ref), "first", "console", "msg-1")

    later = claim(ledger, shipment_ref, token="retry", now=T0 + LEASE * 10)

    assert later == Claim(
        won=False, status=NotificationStatus.SENT, provider_message_id="msg-1", attempts=1
    )


def test_a_released_claim_can_be_won_again_with_one_more_attempt(
    ledger: Ledger, shipment_ref: str
) -> None:
    claim(ledger, shipment_ref, token="first")
    assert ledger.release(key_for(shipment_ref), "first", "429 Too Many Requests") is True

    again = claim(ledger, shipment_ref, token="second", now=T0 + timedelta(seconds=1))

    assert (again.won, again.attempts) == (True, 2)
    released = ledger.notification(key_for(shipment_ref))
    assert released is not None and released.last_error == "429 Too Many Requests"


def test_a_stale_sending_claim_is_taken_over(ledger: Ledger, shipment_ref: str) -> None:
    claim(ledger, shipment_ref, token="crashed")

    takeover = claim(ledger, shipment_ref, token="rescuer", now=T0 + LEASE + timedelta(seconds=1))

    assert (takeover.won, takeover.attempts) == (True, 2)


def test_a_live_sending_claim_cannot_be_taken_over(ledger: Ledger, shipment_ref: str) -> None:
    claim(ledger, shipment_ref, token="busy")

    intruder = claim(ledger, shipment_ref, token="intruder", now=T0 + LEASE - timedelta(seconds=1))

    assert (intruder.won, intruder.status) == (False, NotificationStatus.SENDING)


def test_mark_sent_with_a_wrong_token_changes_nothing(ledger: Ledger, shipment_ref: str) -> None:
    claim(ledger, shipment_ref, token="owner")

    assert ledger.mark_sent(key_for(shipment_ref), "stranger", "console", "msg-x") is False

    notification = ledger.notification(key_for(shipment_ref))
    assert notification is not None
    assert (notification.status, notification.provider_message_id) == (
        NotificationStatus.SENDING,
        None,
    )


def test_the_old_token_is_void_once_a_stale_claim_was_taken_over(
    ledger: Ledger, shipment_ref: str
) -> None:
    claim(ledger, shipment_ref, token="slow")
    claim(ledger, shipment_ref, token="rescuer", now=T0 + LEASE * 2)

    assert ledger.mark_sent(key_for(shipment_ref), "slow", "console", "msg-slow") is False
    assert ledger.mark_sent(key_for(shipment_ref), "rescuer", "console", "msg-ok") is True


def test_a_settled_message_keeps_the_provider_call_that_settled_it(
    ledger: Ledger, shipment_ref: str
) -> None:
    claim(ledger, shipment_ref, token="t")
    call = Attempt(1, "twilio", T0, T0 + timedelta(seconds=1), "sent")

    assert ledger.mark_sent(key_for(shipment_ref), "t", "twilio", "SM1", attempt=call) is True

    [kept] = ledger.attempts(key_for(shipment_ref))
    assert (kept.attempt, kept.provider, kept.outcome) == (1, "twilio", "sent")


def test_a_sender_that_lost_its_claim_still_has_its_provider_call_kept(
    ledger: Ledger, shipment_ref: str
) -> None:
    claim(ledger, shipment_ref, token="slow")
    claim(ledger, shipment_ref, token="rescuer", now=T0 + LEASE * 2)
    call = Attempt(1, "twilio", T0, T0 + timedelta(seconds=1), "sent")

    assert ledger.mark_sent(key_for(shipment_ref), "slow", "twilio", "SM1", attempt=call) is False

    assert [a.outcome for a in ledger.attempts(key_for(shipment_ref))] == ["sent"]


def test_a_permanently_failed_message_is_never_claimed_again(
    ledger: Ledger, shipment_ref: str
) -> None:
    claim(ledger, shipment_ref, token="first")
    ledger.mark_failed(key_for(shipment_ref), "first", "twilio", "21211 invalid 'To' number")

    later = claim(ledger, shipment_ref, token="retry", now=T0 + LEASE * 10)

    assert (later.won, later.status) == (False, NotificationStatus.FAILED)


def test_mark_sent_keeps_provider_details(ledger: Ledger, shipment_ref: str) -> None:
    claim(ledger, shipment_ref, token="t")

    ledger.mark_sent(
        key_for(shipment_ref), "t", "twilio", unique("SM"), segments=2, cost=Decimal("0.0158")
    )

    notification = ledger.notification(key_for(shipment_ref))
    assert notification is not None
    assert (notification.status, notification.provider, notification.segments) == (
        NotificationStatus.SENT,
        "twilio",
        2,
    )
    assert notification.cost == Decimal("0.0158")
    assert notification.sent_at is not None


def test_a_claim_for_an_unknown_shipment_is_set_aside_and_never_won(ledger: Ledger) -> None:
    ref = unique("shipment:shop:nobody")

    answer = claim(ledger, ref, token="t")

    assert not answer.won
    assert answer.status is NotificationStatus.FAILED
    assert answer.set_aside is not None and "foreign key" in answer.set_aside.lower()
    [aside] = ledger.set_aside_for(ref)
    assert (aside.part, aside.key) == ("claim", key_for(ref))


def test_every_attempt_is_recorded_with_masked_errors(ledger: Ledger, shipment_ref: str) -> None:
    key = key_for(shipment_ref)
    claim(ledger, shipment_ref, token="t")
    ledger.record_attempt(
        key,
        1,
        "twilio",
        T0,
        T0 + timedelta(seconds=1),
        "retryable_error",
        "429",
        "rate limited sending to +447700900123",
    )
    ledger.record_attempt(
        key, 2, "twilio", T0 + timedelta(seconds=5), T0 + timedelta(seconds=6), "sent", None, None
    )

    attempts = ledger.attempts(key)

    assert [(a.attempt, a.outcome) for a in attempts] == [(1, "retryable_error"), (2, "sent")]
    assert attempts[0].error_message == "rate limited sending to +44*******123"


# Provider callbacks


def report(
    status: NotificationStatus | None,
    *,
    message_id: str | None = None,
    key: str | None = None,
    event_id: str | None = None,
    at: datetime = T0,
    permanent: bool = False,
) -> DeliveryReport:
    return DeliveryReport(
        provider="twilio",
        event=status.value if status else "open",
        event_id=event_id or unique("ev"),
        provider_message_id=message_id,
        key=key,
        status=status,
        permanent=permanent,
        occurred_at=at,
    )


def sent(ledger: Ledger, ref: str) -> str:
    """A message the provider accepted; returns its provider message id."""
    message_id = unique("SM")
    claim(ledger, ref, token="t")
    ledger.mark_sent(key_for(ref), "t", "twilio", message_id)
    return message_id


def status_of(ledger: Ledger, ref: str) -> NotificationStatus:
    notification = ledger.notification(key_for(ref))
    assert notification is not None
    return notification.status


@pytest.mark.parametrize(
    ("reported", "late"),
    [
        (NotificationStatus.DELIVERED, NotificationStatus.SENT),
        (NotificationStatus.DELIVERED, NotificationStatus.UNDELIVERED),
        (NotificationStatus.UNDELIVERED, NotificationStatus.DELIVERED),
        (NotificationStatus.FAILED, NotificationStatus.SENT),
    ],
)
def test_a_delivery_report_never_moves_a_message_backwards(
    ledger: Ledger, shipment_ref: str, reported: NotificationStatus, late: NotificationStatus
) -> None:
    message_id = sent(ledger, shipment_ref)
    assert ledger.record_delivery_report(report(reported, message_id=message_id)).moved is True

    assert ledger.record_delivery_report(report(late, message_id=message_id)).moved is False

    assert status_of(ledger, shipment_ref) is reported


def test_a_repeated_delivery_report_is_kept_once(ledger: Ledger, shipment_ref: str) -> None:
    message_id = sent(ledger, shipment_ref)
    delivered = report(NotificationStatus.DELIVERED, message_id=message_id, event_id="same")
    assert ledger.record_delivery_report(delivered).new is True

    again = ledger.record_delivery_report(delivered)

    assert (again.new, again.moved) == (False, False)
    assert len(ledger.delivery_reports(key_for(shipment_ref))) == 1


def test_a_report_is_matched_by_our_key_as_well_as_the_provider_id(
    ledger: Ledger, shipment_ref: str
) -> None:
    sent(ledger, shipment_ref)

    receipt = ledger.record_delivery_report(
        report(NotificationStatus.DELIVERED, key=key_for(shipment_ref))
    )

    assert receipt.moved is True
    assert receipt.notification is not None and receipt.notification.key == key_for(shipment_ref)


def test_news_without_a_status_is_kept_and_moves_nothing(ledger: Ledger, shipment_ref: str) -> None:
    message_id = sent(ledger, shipment_ref)

    receipt = ledger.record_delivery_report(report(None, message_id=message_id))

    assert (receipt.new, receipt.moved) == (True, False)
    assert [r.event for r in ledger.delivery_reports(key_for(shipment_ref))] == ["open"]


def test_a_report_that_overtook_mark_sent_is_adopted_by_it(
    ledger: Ledger, shipment_ref: str
) -> None:
    message_id = unique("SM")
    claim(ledger, shipment_ref, token="t")
    early = ledger.record_delivery_report(
        report(NotificationStatus.FAILED, message_id=message_id, permanent=True)
    )
    assert (early.notification, early.moved) == (None, False)
    ledger.mark_sent(key_for(shipment_ref), "t", "twilio", message_id)

    adopted = ledger.adopt_reports(key_for(shipment_ref), message_id)

    assert adopted == (NotificationStatus.FAILED, True)
    assert status_of(ledger, shipment_ref) is NotificationStatus.FAILED
    assert len(ledger.delivery_reports(key_for(shipment_ref))) == 1


def test_adopted_reports_apply_in_the_order_they_happened(
    ledger: Ledger, shipment_ref: str
) -> None:
    message_id = unique("SM")
    claim(ledger, shipment_ref, token="t")
    for status, minutes in [(NotificationStatus.DELIVERED, 2), (NotificationStatus.SENT, 1)]:
        ledger.record_delivery_report(
            report(status, message_id=message_id, at=T0 + timedelta(minutes=minutes))
        )
    ledger.mark_sent(key_for(shipment_ref), "t", "twilio", message_id)

    assert ledger.adopt_reports(key_for(shipment_ref), message_id) == (
        NotificationStatus.DELIVERED,
        False,
    )


def test_nothing_to_adopt_leaves_the_message_sent(ledger: Ledger, shipment_ref: str) -> None:
    message_id = sent(ledger, shipment_ref)

    assert ledger.adopt_reports(key_for(shipment_ref), message_id) is None
    assert status_of(ledger, shipment_ref) is NotificationStatus.SENT


# Lookups for the HTTP service


def test_shipments_are_found_by_tracking_number(ledger: Ledger) -> None:
    start = shipment(shipment_id=unique("s"), tracking_number=unique("TRK"))
    ledger.record_shipment(start.workflow_id, start)

    found = ledger.shipments_tracked_as(start.tracking_number)

    assert [s.ref for s in found] == [start.workflow_id]
    assert ledger.shipments_tracked_as(unique("TRK")) == []


def ask(ledger: Ledger, ref: str, kind: NotificationKind, recipient: str, at: datetime) -> str:
    key = idempotency_key(ref, kind, 1, Channel.SMS)
    ledger.claim(
        key,
        shipment_ref=ref,
        kind=kind,
        occurrence=1,
        channel=Channel.SMS,
        recipient_masked="+44*******123",
        token="t",
        lease=LEASE,
        now=at,
        recipient_hash=recipient,
    )
    return key


def test_the_last_question_to_a_recipient_is_found_by_its_hash(
    ledger: Ledger, shipment_ref: str
) -> None:
    who = unique("hash")
    ask(ledger, shipment_ref, NotificationKind.SLOT_CHOICE, who, T0)
    latest = ask(ledger, shipment_ref, NotificationKind.COURIER_ONE_HOUR, who, T0 + timedelta(1))

    found = ledger.last_question_to(who)

    assert found is not None and found.key == latest
    assert ledger.last_question_to(unique("hash")) is None


def test_questions_of_closed_shipments_are_not_answerable(
    ledger: Ledger, shipment_ref: str
) -> None:
    who = unique("hash")
    ask(ledger, shipment_ref, NotificationKind.SLOT_CHOICE, who, T0)
    ledger.set_status(shipment_ref, ShipmentStatus.DELIVERED, T0 + timedelta(1), closed=True)

    assert ledger.last_question_to(who) is None


# Time


def test_datetimes_come_back_aware_in_utc(ledger: Ledger, shipment_ref: str) -> None:
    warsaw = timezone(timedelta(hours=2))
    occurred = datetime(2026, 11, 20, 10, 30, tzinfo=warsaw)
    ledger.record_event(
        shipment_ref,
        entry(event(ShipmentStatus.IN_TRANSIT, 0).model_copy(update={"occurred_at": occurred})),
    )

    [recorded] = ledger.timeline(shipment_ref)

    assert recorded.occurred_at.tzinfo is UTC
    assert recorded.occurred_at == occurred
    assert recorded.occurred_at.hour == 8


def test_naive_datetimes_are_refused(ledger: Ledger, shipment_ref: str) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        ledger.set_status(
            shipment_ref, ShipmentStatus.IN_TRANSIT, datetime(2026, 11, 20, 9), closed=False
        )
