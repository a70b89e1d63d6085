"""Retention over the ledger: shipments closed longer ago than the period are anonymised or deleted.

What each column becomes and why is `ledger.anonymisation.ANONYMISATION`. Open shipments (no
`closed_at`) and ones closed within the period are never touched. The work goes in batches of
shipments, each its own short transaction, so a big ledger never holds one huge transaction or
lock and an interrupted run leaves whole shipments done or untouched; running again carries on
(anonymised shipments are stamped and passed by, deleted ones are gone): it is idempotent.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    String,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from ledger.anonymisation import ANONYMISED_PREFIX, RetentionMode, RetentionSummary, cutoff
from ledger.schema import (
    CallRow,
    Notification,
    NotificationAttempt,
    SetAside,
    Shipment,
    ShipmentEvent,
    WebhookAttempt,
    WebhookDelivery,
)
from ledger.schema import DeliveryReport as ReportRow

__all__ = ["DEFAULT_BATCH_SIZE", "Retention"]

DEFAULT_BATCH_SIZE = 500
"""Shipments per transaction: a few thousand rows, well under every backend's parameter limit."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Retention:
    """Applies the retention period to one ledger."""

    def __init__(
        self,
        engine: Engine,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch size must be at least 1, not {batch_size}")
        self.engine = engine
        self.batch_size = batch_size
        self._clock = clock

    @staticmethod
    def _due(mode: RetentionMode, before: datetime) -> ColumnElement[bool]:
        closed = Shipment.closed_at.is_not(None) & (Shipment.closed_at < before)
        if mode is RetentionMode.ANONYMISE:
            return closed & Shipment.anonymised_at.is_(None)
        return closed  # delete: anonymised shipments go too, once they are due

    def plan(self, days: int, mode: RetentionMode) -> RetentionSummary:
        """What `run` would do now, counted without changing anything (the dry run)."""
        before = cutoff(self._clock(), days)
        due = self._due(mode, before)
        refs = select(Shipment.ref).where(due)
        ids = select(Notification.id).where(Notification.shipment_ref.in_(refs))
        with self.engine.connect() as conn:
            by_shop = conn.execute(
                select(Shipment.shop_id, func.count()).where(due).group_by(Shipment.shop_id)
            ).all()

            def count(statement: Select[Any]) -> int:
                return int(conn.execute(statement).scalar_one())

            return RetentionSummary(
                mode=mode,
                days=days,
                cutoff=before,
                dry_run=True,
                shipments_by_shop={shop: n for shop, n in sorted(by_shop)},
                events=count(
                    select(func.count())
                    .select_from(ShipmentEvent)
                    .where(ShipmentEvent.shipment_ref.in_(refs))
                ),
                notifications=count(
                    select(func.count())
                    .select_from(Notification)
                    .where(Notification.shipment_ref.in_(refs))
                ),
                attempts=count(
                    select(func.count())
                    .select_from(NotificationAttempt)
                    .where(NotificationAttempt.notification_id.in_(ids))
                ),
                delivery_reports=count(
                    select(func.count())
                    .select_from(ReportRow)
                    .where(ReportRow.notification_id.in_(ids))
                ),
                calls=count(
                    select(func.count()).select_from(CallRow).where(CallRow.shipment_ref.in_(refs))
                ),
                unmatched_reports=count(
                    select(func.count()).select_from(ReportRow).where(self._unmatched(before))
                ),
            )

    def run(self, days: int, mode: RetentionMode) -> RetentionSummary:
        """Anonymise or delete every due shipment, a batch per transaction, then the unmatched
        provider callbacks older than the cutoff."""
        before = cutoff(self._clock(), days)
        due = self._due(mode, before)
        by_shop: Counter[str] = Counter()
        totals: Counter[str] = Counter()
        batches = 0
        while True:
            with self.engine.begin() as conn:
                # Locked, so two runs at once share the work instead of both copying a shipment
                # (PostgreSQL; SQLite's transactions exclude each other already).
                batch = conn.execute(
                    select(Shipment.ref, Shipment.shop_id)
                    .where(due)
                    .order_by(Shipment.closed_at, Shipment.ref)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                ).all()
                if not batch:
                    break
                refs = [row.ref for row in batch]
                if mode is RetentionMode.ANONYMISE:
                    done = self._anonymise(conn, refs)
                else:
                    done = self._delete(conn, refs)
            batches += 1
            by_shop.update(row.shop_id for row in batch)
            totals.update(done)
        totals["unmatched_reports"] = self._delete_unmatched(before)
        return RetentionSummary(
            mode=mode,
            days=days,
            cutoff=before,
            dry_run=False,
            shipments_by_shop=dict(sorted(by_shop.items())),
            batches=batches,
            **totals,
        )

    def _anonymise(self, conn: Connection, refs: Sequence[str]) -> Counter[str]:
        """Copy each shipment under a random ref with its identifying values cleared, move its
        rows over (clearing theirs), and drop the original: a primary key cannot be updated
        under rows that reference it, and a random ref links to nothing."""
        now = self._clock()
        kept = conn.execute(
            select(
                Shipment.ref,
                Shipment.shop_id,
                Shipment.carrier,
                Shipment.delivery_kind,
                Shipment.locale,
                Shipment.status,
                Shipment.created_at,
                Shipment.updated_at,
                Shipment.closed_at,
            ).where(Shipment.ref.in_(refs))
        ).all()
        renamed: dict[str, str] = {}
        copies = []
        for row in kept:
            token = uuid.uuid4().hex
            renamed[row.ref] = f"{ANONYMISED_PREFIX}:{token}"
            copies.append(
                {
                    **row._asdict(),
                    "ref": renamed[row.ref],
                    "shipment_id": f"{ANONYMISED_PREFIX}-{token}",
                    "order_id": "",
                    "tracking_number": "",
                    "anonymised_at": now,
                }
            )
        if not copies:
            return Counter()
        conn.execute(insert(Shipment), copies)

        def replaced(column: Any) -> Any:
            return literal(f"{ANONYMISED_PREFIX}-", String) + cast(column, String)

        def moved(rows: Any, id_column: str, *personal: str) -> int:
            """Move a shipment's child rows onto its renamed copy: their own id (the carrier's,
            the call centre's) re-derived from the row id, their personal columns cleared."""
            return conn.execute(
                update(rows)
                .where(rows.shipment_ref.in_(refs))
                .values(
                    shipment_ref=case(renamed, value=rows.shipment_ref),
                    **{id_column: replaced(rows.id)},
                    **dict.fromkeys(personal),
                )
            ).rowcount

        events = moved(ShipmentEvent, "event_id", "location", "description", "reason")
        new_ref = case(renamed, value=Notification.shipment_ref)
        notifications = conn.execute(
            update(Notification)
            .where(Notification.shipment_ref.in_(refs))
            .values(
                shipment_ref=new_ref,
                idempotency_key=new_ref
                + ":"
                + Notification.kind
                + ":"
                + cast(Notification.occurrence, String)
                + ":"
                + Notification.channel,
                recipient_masked="",
                recipient_hash=None,
                provider_message_id=None,
                claim_token=None,
                last_error=None,
            )
        ).rowcount
        ids = select(Notification.id).where(Notification.shipment_ref.in_(list(renamed.values())))
        attempts = conn.execute(
            update(NotificationAttempt)
            .where(NotificationAttempt.notification_id.in_(ids))
            .values(error_message=None)
        ).rowcount
        reports = conn.execute(
            update(ReportRow)
            .where(ReportRow.notification_id.in_(ids))
            .values(provider_message_id=None, detail=None, event_id=replaced(ReportRow.id))
        ).rowcount
        calls = moved(CallRow, "call_id", "operator", "note")
        _forget_set_aside(conn, refs)
        _forget_webhooks(conn, WebhookDelivery.shipment_ref.in_(refs))
        dropped = conn.execute(delete(Shipment).where(Shipment.ref.in_(refs))).rowcount
        if dropped != len(refs):  # rolls the batch back: never a copy beside its original
            raise RuntimeError(f"{len(refs) - dropped} shipment(s) changed during retention")
        return Counter(
            events=events,
            notifications=notifications,
            attempts=attempts,
            delivery_reports=reports,
            calls=calls,
        )

    @staticmethod
    def _delete(conn: Connection, refs: Sequence[str]) -> Counter[str]:
        """Delete the shipments and every row about them, children first (no reliance on
        ON DELETE CASCADE, which SQLite applies only with its foreign keys switched on)."""
        ids = select(Notification.id).where(Notification.shipment_ref.in_(refs))
        reports = conn.execute(delete(ReportRow).where(ReportRow.notification_id.in_(ids)))
        attempts = conn.execute(
            delete(NotificationAttempt).where(NotificationAttempt.notification_id.in_(ids))
        )
        notifications = conn.execute(
            delete(Notification).where(Notification.shipment_ref.in_(refs))
        )
        events = conn.execute(delete(ShipmentEvent).where(ShipmentEvent.shipment_ref.in_(refs)))
        calls = conn.execute(delete(CallRow).where(CallRow.shipment_ref.in_(refs)))
        _forget_set_aside(conn, refs)
        _forget_webhooks(conn, WebhookDelivery.shipment_ref.in_(refs))
        conn.execute(delete(Shipment).where(Shipment.ref.in_(refs)))
        return Counter(
            events=events.rowcount,
            notifications=notifications.rowcount,
            attempts=attempts.rowcount,
            delivery_reports=reports.rowcount,
            calls=calls.rowcount,
        )

    @staticmethod
    def _unmatched(before: datetime) -> ColumnElement[bool]:
        """(Also drops, in `_delete_unmatched`, set-aside callbacks that named no shipment.)"""
        return ReportRow.notification_id.is_(None) & (ReportRow.received_at < before)

    def _delete_unmatched(self, before: datetime) -> int:
        """Callbacks that never found their message (its provider id was never recorded, or was
        cleared by anonymisation before the callback came), in batches too."""
        deleted = 0
        while True:
            with self.engine.begin() as conn:
                ids = list(
                    conn.scalars(
                        select(ReportRow.id)
                        .where(self._unmatched(before))
                        .order_by(ReportRow.id)
                        .limit(self.batch_size)
                    )
                )
                if not ids:
                    conn.execute(
                        delete(SetAside).where(
                            SetAside.shipment_ref == "", SetAside.set_aside_at < before
                        )
                    )
                    _forget_webhooks(
                        conn,
                        WebhookDelivery.shipment_ref.is_(None)
                        & (WebhookDelivery.created_at < before),
                    )
                    return deleted
                deleted += conn.execute(delete(ReportRow).where(ReportRow.id.in_(ids))).rowcount


def _forget_set_aside(conn: Connection, refs: Sequence[str]) -> None:
    """What the ledger set aside of these shipments goes with them, whatever the mode: its
    payloads are the raw values retention clears (they were kept for support, not reports)."""
    conn.execute(delete(SetAside).where(SetAside.shipment_ref.in_(refs)))


def _forget_webhooks(conn: Connection, which: ColumnElement[bool]) -> None:
    """Webhook events go with their shipment, whatever the mode (their payloads name the order
    and the parcel); attempts first (no reliance on ON DELETE CASCADE)."""
    ids = select(WebhookDelivery.id).where(which)
    conn.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
    conn.execute(delete(WebhookDelivery).where(which))
