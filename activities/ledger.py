"""The ledger repository: what happened to each shipment and each message, and who may send.

Called from synchronous activities on a thread pool, so every method is one short transaction on
its own connection from the engine's pool (thread-safe), and every write is idempotent or
conditional: a retried activity, a replayed workflow or two racing attempts leave one truth.

Exactly-once sending rests on `claim`: the unique idempotency key decides who inserts first, and
later claims win only through a conditional UPDATE (a released claim, or a lease that expired
because its sender died). Everything after a claim is conditional on the claim's token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Engine, and_, insert, or_, select, update
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from activities.masking import mask_text
from models.ledger import (
    Notification,
    NotificationAttempt,
    Shipment,
    ShipmentEvent,
    create_ledger_engine,
    normalize_url,
)
from models.notification import Channel, NotificationKind, NotificationStatus
from models.shipment import DeliveryKind, ShipmentStart, ShipmentStatus
from models.state import EventOutcome, TimelineEntry

__all__ = [
    "Attempt",
    "AttemptOutcome",
    "AttemptView",
    "Claim",
    "EventView",
    "Ledger",
    "NotificationView",
    "ShipmentView",
    "make_engine",
]

AttemptOutcome = Literal["sent", "retryable_error", "permanent_error"]

_PROVIDER_MOVES: dict[NotificationStatus, tuple[NotificationStatus, ...]] = {
    NotificationStatus.SENT: (),
    NotificationStatus.DELIVERED: (NotificationStatus.SENT,),
    NotificationStatus.UNDELIVERED: (NotificationStatus.SENT,),
    NotificationStatus.FAILED: (NotificationStatus.SENT,),
}
"""For each status a provider callback may report, the statuses it may replace: callbacks arrive
late, twice and out of order, so a message only ever moves forward from `sent`."""


def make_engine(url: str) -> Engine:
    """The ledger's engine: SQLite tuned for threads (WAL, busy timeout, foreign keys, BEGIN
    IMMEDIATE), or PostgreSQL through psycopg 3 (`postgres://` and `postgresql://` accepted)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "postgresql":
        return create_ledger_engine(parsed, pool_pre_ping=True)
    return create_ledger_engine(parsed)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Claim:
    """The answer to a claim: `won` means this caller, and only it, may send the message now."""

    won: bool
    status: NotificationStatus
    provider_message_id: str | None
    attempts: int


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class ShipmentView(_View):
    ref: str
    shop_id: str
    shipment_id: str
    order_id: str
    carrier: str
    tracking_number: str
    delivery_kind: DeliveryKind
    locale: str
    status: ShipmentStatus
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class EventView(_View):
    event_id: str
    status: ShipmentStatus
    occurred_at: datetime
    received_at: datetime
    location: str | None
    description: str | None
    outcome: EventOutcome
    reason: str | None


class NotificationView(_View):
    key: str = Field(validation_alias=AliasChoices("key", "idempotency_key"))
    shipment_ref: str
    kind: NotificationKind
    occurrence: int
    channel: Channel
    recipient_masked: str
    status: NotificationStatus
    provider: str | None
    provider_message_id: str | None
    attempts: int
    last_error: str | None
    segments: int | None
    cost: Decimal | None
    created_at: datetime
    claimed_at: datetime | None
    sent_at: datetime | None
    updated_at: datetime


class AttemptView(_View):
    attempt: int
    provider: str
    started_at: datetime
    finished_at: datetime
    outcome: AttemptOutcome
    error_code: str | None
    error_message: str | None


@dataclass(frozen=True)
class Attempt:
    """One provider call, recorded whatever its outcome (for support and billing questions)."""

    number: int
    provider: str
    started_at: datetime
    finished_at: datetime
    outcome: AttemptOutcome
    error_code: str | None = None
    error_message: str | None = None


class Ledger:
    """The ledger over one Engine; safe to share between activity threads."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self.engine = engine
        self._clock = clock
        # SQLite has one writer at a time; queueing our own threads on a lock hands the write
        # over at once, where SQLite's busy handler would sleep (up to 100 ms a try).
        self._writer: AbstractContextManager[Any] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        with self._writer, self.engine.begin() as conn:
            yield conn

    # Shipments and their timelines

    def record_change(
        self,
        ref: str,
        *,
        start: ShipmentStart | None,
        entry: TimelineEntry | None,
        status: ShipmentStatus,
        at: datetime,
        closed: bool,
    ) -> None:
        """One workflow change in one transaction: the shipment (first time), the timeline entry
        (once per carrier event id) and the current status."""
        with self._begin() as conn:
            if start is not None:
                self._insert_shipment(conn, ref, start)
            if entry is not None:
                self._insert_event(conn, ref, entry)
            self._update_status(conn, ref, status, at, closed)

    def record_shipment(self, ref: str, start: ShipmentStart) -> bool:
        """Insert the shipment once (status `shipped`); True when this call created it.

        A repeat never touches the row, so it cannot undo a status recorded since.
        """
        with self._begin() as conn:
            return self._insert_shipment(conn, ref, start)

    def _insert_shipment(self, conn: Connection, ref: str, start: ShipmentStart) -> bool:
        now = self._clock()
        values = {
            "ref": ref,
            "shop_id": start.shop_id,
            "shipment_id": start.shipment_id,
            "order_id": start.order_id,
            "carrier": start.carrier,
            "tracking_number": start.tracking_number,
            "delivery_kind": start.delivery.kind.value,
            "locale": start.recipient.locale,
            "status": ShipmentStatus.SHIPPED.value,
            "created_at": now,
            "updated_at": now,
        }
        return _insert_if_absent(conn, Shipment, values, ["ref"])

    def record_event(self, ref: str, entry: TimelineEntry) -> bool:
        """Add a timeline entry once per carrier event id; False when it was already there."""
        with self._begin() as conn:
            return self._insert_event(conn, ref, entry)

    def _insert_event(self, conn: Connection, ref: str, entry: TimelineEntry) -> bool:
        event = entry.event
        values = {
            "shipment_ref": ref,
            "event_id": event.event_id,
            "status": event.status.value,
            "occurred_at": event.occurred_at,
            "received_at": entry.received_at,
            "location": event.location.label() if event.location else None,
            "description": event.description,
            "outcome": entry.outcome.value,
            "reason": entry.reason,
        }
        return _insert_if_absent(conn, ShipmentEvent, values, ["shipment_ref", "event_id"])

    def set_status(self, ref: str, status: ShipmentStatus, at: datetime, closed: bool) -> bool:
        """The shipment's current status as the workflow decided it (the workflow serialises its
        updates, so the last call is the truth); `closed` stamps `closed_at`."""
        with self._begin() as conn:
            return self._update_status(conn, ref, status, at, closed)

    @staticmethod
    def _update_status(
        conn: Connection, ref: str, status: ShipmentStatus, at: datetime, closed: bool
    ) -> bool:
        values: dict[str, Any] = {"status": status.value, "updated_at": at}
        if closed:
            values["closed_at"] = at
        result = conn.execute(update(Shipment).where(Shipment.ref == ref).values(**values))
        return bool(result.rowcount == 1)

    # Exactly-once claims

    def claim(
        self,
        key: str,
        *,
        shipment_ref: str,
        kind: NotificationKind,
        occurrence: int,
        channel: Channel,
        recipient_masked: str,
        token: str,
        lease: timedelta,
        now: datetime,
    ) -> Claim:
        """Try to become the one sender of `key`.

        The first caller inserts the row (`sending`, with its token); the unique key makes any
        concurrent insert fail. A later caller wins only if the message was released (`planned`)
        or its sender's lease ran out; otherwise it learns the current status and must not send.
        """
        row = {
            "idempotency_key": key,
            "shipment_ref": shipment_ref,
            "kind": kind.value,
            "occurrence": occurrence,
            "channel": channel.value,
            "recipient_masked": mask_text(recipient_masked),  # a no-op unless a caller slipped
            "status": NotificationStatus.SENDING.value,
            "claim_token": token,
            "claimed_at": now,
            "attempts": 1,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self._begin() as conn:
                conn.execute(insert(Notification).values(**row))
            return Claim(
                won=True, status=NotificationStatus.SENDING, provider_message_id=None, attempts=1
            )
        except IntegrityError as err:
            insert_error = err
        claimable = or_(
            Notification.status == NotificationStatus.PLANNED.value,
            and_(
                Notification.status == NotificationStatus.SENDING.value,
                Notification.claimed_at < now - lease,
            ),
        )
        current = (Notification.status, Notification.provider_message_id, Notification.attempts)
        with self._begin() as conn:
            taken = conn.execute(
                update(Notification)
                .where(Notification.idempotency_key == key, claimable)
                .values(
                    status=NotificationStatus.SENDING.value,
                    claim_token=token,
                    claimed_at=now,
                    attempts=Notification.attempts + 1,
                    updated_at=now,
                )
                .returning(*current)
            ).one_or_none()
            if taken is not None:
                return Claim(
                    won=True,
                    status=NotificationStatus.SENDING,
                    provider_message_id=taken.provider_message_id,
                    attempts=taken.attempts,
                )
            existing = conn.execute(
                select(*current).where(Notification.idempotency_key == key)
            ).one_or_none()
        if existing is None:  # not a lost race: the insert broke another rule (unknown shipment)
            raise insert_error
        return Claim(
            won=False,
            status=NotificationStatus(existing.status),
            provider_message_id=existing.provider_message_id,
            attempts=existing.attempts,
        )

    def release(self, key: str, token: str, error: str, attempt: Attempt | None = None) -> bool:
        """Give a claim back after a retryable provider error, so the next attempt can win it."""
        return self._settle(
            key,
            token,
            attempt,
            status=NotificationStatus.PLANNED,
            last_error=error,
            claim_token=None,
            claimed_at=None,
        )

    def mark_sent(
        self,
        key: str,
        token: str,
        provider: str,
        provider_message_id: str,
        segments: int | None = None,
        cost: Decimal | None = None,
        attempt: Attempt | None = None,
    ) -> bool:
        """The provider accepted the message; False (nothing changed) if the claim was lost."""
        return self._settle(
            key,
            token,
            attempt,
            status=NotificationStatus.SENT,
            provider=provider,
            provider_message_id=provider_message_id,
            segments=segments,
            cost=cost,
            sent_at=self._clock(),
            last_error=None,
        )

    def mark_failed(
        self, key: str, token: str, provider: str, error: str, attempt: Attempt | None = None
    ) -> bool:
        """The provider refused for good (or we gave up): never to be sent by a later claim."""
        return self._settle(
            key,
            token,
            attempt,
            status=NotificationStatus.FAILED,
            provider=provider,
            last_error=error,
        )

    def _settle(
        self,
        key: str,
        token: str,
        attempt: Attempt | None,
        *,
        status: NotificationStatus,
        **values: Any,
    ) -> bool:
        """Move a claimed message on, only while `token` still holds the claim; the provider call
        that led here is recorded in the same transaction."""
        if values.get("last_error") is not None:
            values["last_error"] = mask_text(values["last_error"])
        with self._begin() as conn:
            if attempt is not None:
                _insert_attempt(conn, key, attempt)
            result = conn.execute(
                update(Notification)
                .where(
                    Notification.idempotency_key == key,
                    Notification.claim_token == token,
                    Notification.status == NotificationStatus.SENDING.value,
                )
                .values(status=status.value, updated_at=self._clock(), **values)
            )
            return bool(result.rowcount == 1)

    def record_attempt(
        self,
        key: str,
        attempt: int,
        provider: str,
        started_at: datetime,
        finished_at: datetime,
        outcome: AttemptOutcome,
        error_code: str | None,
        error_message: str | None,
    ) -> None:
        """Keep one provider call, whatever its outcome, for support and billing questions."""
        with self._begin() as conn:
            _insert_attempt(
                conn,
                key,
                Attempt(
                    attempt, provider, started_at, finished_at, outcome, error_code, error_message
                ),
            )

    def mark_provider_status(self, provider_message_id: str, status: NotificationStatus) -> bool:
        """A provider's delivery report; True if it moved the message forward.

        A repeated or late report (`sent` after `delivered`) changes nothing.
        """
        if status not in _PROVIDER_MOVES:
            raise ValueError(f"a provider cannot report {status.value!r}")
        movable = [s.value for s in _PROVIDER_MOVES[status]]
        if not movable:
            return False
        with self._begin() as conn:
            result = conn.execute(
                update(Notification)
                .where(
                    Notification.provider_message_id == provider_message_id,
                    Notification.status.in_(movable),
                )
                .values(status=status.value, updated_at=self._clock())
            )
            return result.rowcount > 0

    # Readers: plain values, no ORM objects outliving their session

    def shipment(self, ref: str) -> ShipmentView | None:
        with Session(self.engine) as session:
            row = session.get(Shipment, ref)
            return ShipmentView.model_validate(row) if row is not None else None

    def timeline(self, ref: str) -> list[EventView]:
        """Events in the order they were received, refused and out-of-order ones included."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(ShipmentEvent)
                .where(ShipmentEvent.shipment_ref == ref)
                .order_by(ShipmentEvent.received_at, ShipmentEvent.id)
            )
            return [EventView.model_validate(row) for row in rows]

    def notification(self, key: str) -> NotificationView | None:
        with Session(self.engine) as session:
            row = session.scalars(
                select(Notification).where(Notification.idempotency_key == key)
            ).one_or_none()
            return NotificationView.model_validate(row) if row is not None else None

    def notifications_for(self, ref: str) -> list[NotificationView]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(Notification)
                .where(Notification.shipment_ref == ref)
                .order_by(Notification.created_at, Notification.id)
            )
            return [NotificationView.model_validate(row) for row in rows]

    def attempts(self, key: str) -> list[AttemptView]:
        """Every provider call made for one message, oldest first."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(NotificationAttempt)
                .join(Notification)
                .where(Notification.idempotency_key == key)
                .order_by(NotificationAttempt.started_at, NotificationAttempt.id)
            )
            return [AttemptView.model_validate(row) for row in rows]


def _insert_attempt(conn: Connection, key: str, attempt: Attempt) -> None:
    notification_id = conn.execute(
        select(Notification.id).where(Notification.idempotency_key == key)
    ).scalar_one_or_none()
    if notification_id is None:
        raise LookupError(f"no notification {key!r} to record an attempt for")
    conn.execute(
        insert(NotificationAttempt).values(
            notification_id=notification_id,
            attempt=attempt.number,
            provider=attempt.provider,
            started_at=attempt.started_at,
            finished_at=attempt.finished_at,
            outcome=attempt.outcome,
            error_code=attempt.error_code,
            error_message=mask_text(attempt.error_message) if attempt.error_message else None,
        )
    )


def _insert_if_absent(
    conn: Connection,
    model: type[Shipment | ShipmentEvent],
    values: dict[str, Any],
    keys: list[str],
) -> bool:
    """INSERT ... ON CONFLICT (keys) DO NOTHING; True if the row was new.

    Only the named unique key is tolerated: any other violation (an unknown shipment) raises.
    RETURNING tells a new row from a skipped one (rowcount of an INSERT is not portable).
    """
    dialect = conn.dialect.name
    stmt: PostgresqlInsert | SqliteInsert
    if dialect == "postgresql":
        stmt = postgresql_insert(model).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "sqlite":
        stmt = sqlite_insert(model).on_conflict_do_nothing(index_elements=keys)
    else:
        raise NotImplementedError(f"the ledger supports SQLite and PostgreSQL, not {dialect}")
    returned = stmt.values(**values).returning(*(getattr(model, key) for key in keys))
    return conn.execute(returned).first() is not None
