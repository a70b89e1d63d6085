"""The ledger's schema: shipments, their timelines, and every notification with its attempts;
and the registry of shops with their API keys.

Only activities and the migrations import this module; workflow code must not (it would pull
SQLAlchemy into the workflow sandbox). The schema itself is created by the Alembic migrations in
`ledger.migrations`, never by `create_all`. No customer's personal data is stored: recipients
only appear masked, and shipments carry identifiers, not names, phones or addresses. A call's
operator and note (`calls`) are the exception support needs: retention clears them. The tracking
page's snapshot of a running shipment (`shipments.page_*`) holds personal data sealed with the
payload keyring, and is cleared when the shipment closes.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so migrations can name what they alter on every backend."""

SQLITE_BUSY_TIMEOUT_MS = 10_000


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored and returned in UTC on every backend.

    SQLite has no time zones: values are stored as naive UTC (so text comparison orders them)
    and get UTC re-attached on load. PostgreSQL's timestamptz comes back in the session's zone,
    so it is normalised too. Naive values are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: the ledger needs UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Id = BigInteger().with_variant(Integer(), "sqlite")
"""64-bit ids on PostgreSQL; SQLite only autoincrements an INTEGER primary key."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Shipment(Base):
    """One shipment, keyed by its workflow id; its status is the workflow's latest word."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("shop_id", "shipment_id"),
        Index("ix_shipments_shop_id_created_at", "shop_id", "created_at"),
    )

    ref: Mapped[str] = mapped_column(String(255), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(100))
    shipment_id: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[str] = mapped_column(String(100), index=True)
    carrier: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(100), index=True)
    delivery_kind: Mapped[str] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    anonymised_at: Mapped[datetime | None]
    """Set by retention (`ledger.retention`) when it cleared what identified the shipment."""
    marketing_consent_at: Mapped[datetime | None]
    """When the recipient agreed to the shop's marketing (at the start, or on the page)."""
    marketing_consent_source: Mapped[str | None] = mapped_column(String(32))
    """Where (`models.consent.ConsentSource`): the proof the shop may be asked for."""
    page_contact: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    """The tracking page's copy of the recipient's zone and addresses, sealed with the payload
    keyring (`infra.page_snapshot`); cleared when the shipment closes."""
    page_live: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    """The tracking page's copy of the live state (`models.page.LivePage`), sealed likewise, so
    a page view needs no workflow query; cleared when the shipment closes."""


class ShipmentEvent(Base):
    """A carrier event as received, whatever its outcome, once per carrier event id."""

    __tablename__ = "shipment_events"
    __table_args__ = (UniqueConstraint("shipment_ref", "event_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    shipment_ref: Mapped[str] = mapped_column(ForeignKey("shipments.ref", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    location: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)


class Notification(Base):
    """One message under its idempotency key: the unique row is what makes sending exactly-once."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(400), unique=True)
    shipment_ref: Mapped[str] = mapped_column(
        ForeignKey("shipments.ref", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    occurrence: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    recipient_masked: Mapped[str] = mapped_column(String(320))
    recipient_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    """Keyed hash of the recipient (infra.links): finds the shipment an SMS reply is for."""
    status: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str | None] = mapped_column(String(50))
    provider_message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    claim_token: Mapped[str | None] = mapped_column(String(255))
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    segments: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 5))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class NotificationAttempt(Base):
    """One call to a provider for one notification, kept whatever came of it."""

    __tablename__ = "notification_attempts"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(
        Id, ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(50))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(100))
    error_message: Mapped[str | None] = mapped_column(Text)


class DeliveryReport(Base):
    """A provider's callback about one message (delivered, bounced, opened...), kept once.

    A callback can overtake the activity that records the provider's message id: it is kept
    unmatched (`notification_id` empty) and adopted when the message is marked sent.
    """

    __tablename__ = "delivery_reports"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    notification_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(50))
    provider_message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    event_id: Mapped[str] = mapped_column(String(255))
    event: Mapped[str] = mapped_column(String(50))
    status: Mapped[str | None] = mapped_column(String(16))
    permanent: Mapped[bool] = mapped_column(Boolean)
    error_code: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]


class SetAside(Base):
    """A part of a ledger write that can never be stored (a NUL in a carrier's text, an id
    longer than its column, a row breaking a constraint), kept here so nothing accepted is lost
    silently while the rest of the change goes on.

    No foreign key: the part set aside may be the shipment row itself. `payload` is the row the
    ledger tried to write, as JSON made storable (NUL escaped, long strings cut, phone numbers
    and emails masked).
    """

    __tablename__ = "set_aside"
    __table_args__ = (UniqueConstraint("shipment_ref", "part", "key"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    shipment_ref: Mapped[str] = mapped_column(String(255), index=True)
    """Empty for a provider callback that named no message the ledger could read."""
    part: Mapped[str] = mapped_column(String(32))
    """shipment, event, status, claim, mark, attempt or delivery_report."""
    key: Mapped[str] = mapped_column(String(255))
    """The carrier event id, idempotency key or callback id, made storable (a retry finds it)."""
    error_class: Mapped[str] = mapped_column(String(100))
    error: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    set_aside_at: Mapped[datetime] = mapped_column(index=True)


class ShopRow(Base):
    """A shop in the registry: its profile (`models.shop.ShopProfile`) as JSON, and the secret
    Waypost signs its webhooks with."""

    __tablename__ = "shops"

    shop_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    profile: Mapped[str] = mapped_column(Text)
    """`ShopProfile` as JSON, validated on every write and read."""
    webhook_secret: Mapped[str] = mapped_column(String(255))
    """Stored as given, not hashed: Waypost must sign with it (Standard Webhooks)."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ShopApiKey(Base):
    """One of a shop's API keys: only its SHA-256 (the key is 32 random bytes, so no slow hash
    is needed) and a short prefix a human recognises it by."""

    __tablename__ = "shop_api_keys"
    __table_args__ = (UniqueConstraint("shop_id", "name"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.shop_id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class OptOut(Base):
    """One shop's recipient who said stop to one class of message on one channel.

    Not tied to a shipment: it outlives every parcel, and retention leaves it (forgetting it
    would message someone who asked not to be). The address is a keyed hash (`infra.links`).
    """

    __tablename__ = "opt_outs"
    __table_args__ = (UniqueConstraint("shop_id", "channel", "recipient_hash", "category"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16))
    recipient_hash: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    """transactional or marketing (`models.kinds.Category`)."""
    source: Mapped[str] = mapped_column(String(32))
    """What recorded it (`models.consent.OptOutSource`)."""
    created_at: Mapped[datetime]


class CallRow(Base):
    """A call a call centre made or took about a shipment, kept once per its own call id (the
    shipment's ref names the shop and the shipment). The operator and the note are personal:
    retention clears them."""

    __tablename__ = "calls"
    __table_args__ = (UniqueConstraint("shipment_ref", "call_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    shipment_ref: Mapped[str] = mapped_column(ForeignKey("shipments.ref", ondelete="CASCADE"))
    call_id: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime]
    centre: Mapped[str] = mapped_column(String(16))
    """shop or carrier (`models.call.CallCentre`)."""
    operator: Mapped[str | None] = mapped_column(String(100))
    direction: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]


class WebhookDelivery(Base):
    """One event Waypost tells a shop (Standard Webhooks), written in the transaction that
    records what it reports, and its delivery so far: the shop's delivery log.

    Its id is the message's `webhook-id`, the same on every retry and replay. `started_at` is
    NULL until a worker started the delivery workflow (the outbox `workers.webhook_relay`
    drains); `generation` counts replays, each its own workflow.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_shop_id_created_at", "shop_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(100))
    shipment_ref: Mapped[str | None] = mapped_column(String(255), index=True)
    """The shipment it is about (retention takes it with the shipment), if any."""
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    """The JSON body as signed and sent: identifiers and statuses, no phone or email."""
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    """pending, delivered or failed (`models.webhooks.DeliveryStatus`)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]
    generation: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(index=True)


class WebhookAttempt(Base):
    """One POST of a webhook to the shop's endpoint, whatever its outcome."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    generation: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)
    """The delivery workflow's activity attempt (1, 2, ...) within its generation."""
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[str] = mapped_column(String(16))
    """delivered or failed."""


def table_of(model: type[Base]) -> Table:
    """A model's Core table, for the statements built once and for `storable.check_fits`."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def normalize_url(url: str | URL) -> URL:
    """`postgres://` and `postgresql://` mean psycopg 3, the only PostgreSQL driver we install."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_ledger_engine(url: str | URL, *, foreign_keys: bool = True, **options: Any) -> Engine:
    """An engine speaking to the ledger the same way for the app and the migrations.

    SQLite: the parent folder is created, WAL lets readers run beside the writer, a busy timeout
    makes concurrent writers wait instead of failing, and every transaction starts with BEGIN
    IMMEDIATE, so a read-then-write never dies on a lock upgrade. Foreign keys are enforced unless
    `foreign_keys=False` (the migrations: SQLite's batch mode recreates tables).
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, **options)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"check_same_thread": False, **options.pop("connect_args", {})}
    engine = create_engine(parsed, connect_args=connect_args, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
