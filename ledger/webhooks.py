"""Webhooks to the shop, in the ledger: each event recorded (with what it reports, in one
transaction where the ledger records that), its delivery state, and every attempt at it.

`emit_shop_event` is the one way to tell a shop something: called inside the transaction that
records the fact (the ledger's own writes do), or through `WebhookLog.emit` in one of its own.
A shop without a webhook URL gets nothing recorded, so it costs nothing further. A recorded event
waits with `started_at` NULL until a worker starts its delivery workflow (`workers.webhook_relay`,
an outbox): whoever records an event never waits for the shop's endpoint.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum, auto
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from infra.masking import mask_text
from ledger.engine import Transactions
from ledger.schema import Shipment, ShopRow, WebhookAttempt, WebhookDelivery, table_of
from ledger.storable import clean_text
from models.webhooks import DeliveryStatus, ShopEventType, envelope, shipment_data

__all__ = [
    "UNREAD",
    "Unread",
    "WebhookAttemptView",
    "WebhookDeliveryView",
    "WebhookLog",
    "WebhookTarget",
    "emit_shop_event",
    "webhook_url_in",
    "webhook_url_of",
]

ERROR_MAX = 500
_DELIVERIES = table_of(WebhookDelivery)
_ATTEMPTS = table_of(WebhookAttempt)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def webhook_url_of(conn: Connection, shop_id: str) -> str | None:
    """The shop's webhook URL in the registry (None: not registered, or no URL)."""
    profile = conn.execute(
        select(ShopRow.profile).where(ShopRow.shop_id == shop_id)
    ).scalar_one_or_none()
    return webhook_url_in(profile)


def webhook_url_in(profile: str | None) -> str | None:
    """The webhook URL in a registry profile as stored (JSON), read with the caller's row."""
    if profile is None:
        return None
    url = json.loads(profile).get("webhook_url")
    return str(url) if url else None


class Unread(Enum):
    """Not read yet: the shop's profile is to be looked up."""

    UNREAD = auto()


UNREAD: Final = Unread.UNREAD
"""`emit_shop_event`'s default: the shop's webhook URL is read in the caller's transaction."""


def _shipment_of(conn: Connection, ref: str) -> dict[str, str] | None:
    row = conn.execute(
        select(
            Shipment.shop_id,
            Shipment.shipment_id,
            Shipment.order_id,
            Shipment.carrier,
            Shipment.tracking_number,
        ).where(Shipment.ref == ref)
    ).first()
    return shipment_data(*row) if row is not None else None


def emit_shop_event(
    conn: Connection,
    shop_id: str,
    event_type: ShopEventType,
    data: dict[str, Any],
    *,
    at: datetime,
    shipment_ref: str | None = None,
    delivery_id: str | None = None,
    webhook_url: str | Literal[Unread.UNREAD] | None = UNREAD,
) -> str | None:
    """Record one event for the shop in the caller's transaction; its delivery id, or None when
    the shop has no webhook URL (nothing recorded).

    `data` must hold no phone number or email address. With `shipment_ref`, the payload names the
    shipment by the shop's own ids (`data["shipment"]`) and retention takes the event with it.
    `delivery_id` (see `models.webhooks.stable_delivery_id`) makes a repeated call record the
    event once; without one each call is a new event. A caller that read the shop's
    `webhook_url` in this transaction already (`webhook_url_in`) passes it, saving a query.
    """
    if webhook_url is UNREAD:
        webhook_url = webhook_url_of(conn, shop_id)
    if webhook_url is None:
        return None
    body = dict(data)
    if shipment_ref is not None and "shipment" not in body:
        found = _shipment_of(conn, shipment_ref)
        if found is not None:
            body["shipment"] = found
    ident = delivery_id or f"msg_{secrets.token_hex(16)}"
    row = {
        "id": ident,
        "shop_id": shop_id,
        "shipment_ref": shipment_ref,
        "event_type": event_type.value,
        "payload": envelope(event_type, body, at),
        "created_at": at,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "generation": 0,
    }
    insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(_DELIVERIES).values(row).on_conflict_do_nothing(index_elements=["id"]))
    return ident


class WebhookAttemptView(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    generation: int
    attempt: int
    started_at: datetime
    finished_at: datetime
    status_code: int | None
    error: str | None
    outcome: str


class WebhookDeliveryView(BaseModel):
    """One line of a shop's delivery log (with its attempts when asked for one delivery)."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: str
    shop_id: str
    event_type: str
    payload: str
    created_at: datetime
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    generation: int
    attempt_log: list[WebhookAttemptView] = []

    @property
    def body(self) -> Any:
        return json.loads(self.payload)


class WebhookTarget(BaseModel):
    """What one POST needs, read at each attempt. Never logged: it holds the secret."""

    model_config = ConfigDict(frozen=True)

    url: str
    secret: str
    payload: str
    delivered: bool


class WebhookLog:
    """The webhook deliveries over one engine: recording, starting, attempts, the log, replay."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self.engine = engine
        self._clock = clock
        self._tx = Transactions(engine)

    def emit(
        self,
        shop_id: str,
        event_type: ShopEventType,
        data: dict[str, Any],
        *,
        shipment_ref: str | None = None,
        delivery_id: str | None = None,
    ) -> str | None:
        """`emit_shop_event` in a transaction of its own (for facts the ledger does not hold,
        such as a customer's reply the workflow accepted)."""
        with self._tx.begin() as conn:
            return emit_shop_event(
                conn,
                shop_id,
                event_type,
                data,
                at=self._clock(),
                shipment_ref=shipment_ref,
                delivery_id=delivery_id,
            )

    # The relay and the delivery workflow

    def unstarted(self, limit: int = 100) -> list[tuple[str, str, int]]:
        """Deliveries whose workflow no worker has started yet: (id, shop, generation)."""
        with self._tx.read() as conn:
            rows = conn.execute(
                select(WebhookDelivery.id, WebhookDelivery.shop_id, WebhookDelivery.generation)
                .where(WebhookDelivery.started_at.is_(None))
                .order_by(WebhookDelivery.created_at)
                .limit(limit)
            ).all()
        return [(row.id, row.shop_id, row.generation) for row in rows]

    def mark_started(self, delivery_id: str, generation: int) -> None:
        with self._tx.begin() as conn:
            conn.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.generation == generation,
                    WebhookDelivery.started_at.is_(None),
                )
                .values(started_at=self._clock())
            )

    def target(self, shop_id: str, delivery_id: str) -> WebhookTarget | None:
        """The payload, the shop's URL and secret now; None when the shop or its URL is gone."""
        with self._tx.read() as conn:
            row = conn.execute(
                select(WebhookDelivery.payload, WebhookDelivery.status, ShopRow.webhook_secret)
                .join(ShopRow, ShopRow.shop_id == WebhookDelivery.shop_id)
                .where(WebhookDelivery.id == delivery_id, WebhookDelivery.shop_id == shop_id)
            ).first()
            url = webhook_url_of(conn, shop_id) if row is not None else None
        if row is None or url is None:
            return None
        return WebhookTarget(
            url=url,
            secret=row.webhook_secret,
            payload=row.payload,
            delivered=row.status == DeliveryStatus.DELIVERED.value,
        )

    def record_attempt(
        self,
        delivery_id: str,
        *,
        generation: int,
        attempt: int,
        started_at: datetime,
        status_code: int | None,
        error: str | None,
        delivered: bool,
    ) -> None:
        """One POST and its outcome; a 2xx marks the delivery delivered. A failure leaves the
        status alone (a replay may have delivered it meanwhile)."""
        now = self._clock()
        cleaned = clean_text(mask_text(error), ERROR_MAX) if error else None
        with self._tx.begin() as conn:
            conn.execute(
                _ATTEMPTS.insert().values(
                    delivery_id=delivery_id,
                    generation=generation,
                    attempt=attempt,
                    started_at=started_at,
                    finished_at=now,
                    status_code=status_code,
                    error=cleaned,
                    outcome="delivered" if delivered else "failed",
                )
            )
            values: dict[str, Any] = {
                "attempts": WebhookDelivery.attempts + 1,
                "last_status_code": status_code,
                "last_error": cleaned,
            }
            if delivered:
                values |= {"status": DeliveryStatus.DELIVERED.value, "delivered_at": now}
            conn.execute(
                update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values)
            )

    def give_up(self, delivery_id: str, generation: int, error: str) -> None:
        """The retry period ran out: failed, unless delivered (or replayed) meanwhile."""
        with self._tx.begin() as conn:
            conn.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.generation == generation,
                    WebhookDelivery.status == DeliveryStatus.PENDING.value,
                )
                .values(
                    status=DeliveryStatus.FAILED.value,
                    last_error=clean_text(mask_text(error), ERROR_MAX),
                )
            )

    # The shop's delivery log

    def deliveries(
        self, shop_id: str, *, limit: int = 50, event_type: str | None = None
    ) -> list[WebhookDeliveryView]:
        """The shop's own deliveries, newest first."""
        query = select(WebhookDelivery).where(WebhookDelivery.shop_id == shop_id)
        if event_type is not None:
            query = query.where(WebhookDelivery.event_type == event_type)
        query = query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id).limit(limit)
        with self._tx.read() as conn:
            rows = conn.execute(query).all()
        return [WebhookDeliveryView.model_validate(row) for row in rows]

    def delivery(self, shop_id: str, delivery_id: str) -> WebhookDeliveryView | None:
        """One of the shop's deliveries with every attempt (another shop's: None)."""
        with self._tx.read() as conn:
            row = conn.execute(
                select(WebhookDelivery).where(
                    WebhookDelivery.id == delivery_id, WebhookDelivery.shop_id == shop_id
                )
            ).first()
            if row is None:
                return None
            attempts = conn.execute(
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id == delivery_id)
                .order_by(WebhookAttempt.finished_at, WebhookAttempt.id)
            ).all()
        view = WebhookDeliveryView.model_validate(row)
        return view.model_copy(
            update={"attempt_log": [WebhookAttemptView.model_validate(a) for a in attempts]}
        )

    def replay(self, shop_id: str, delivery_id: str) -> WebhookDeliveryView | None:
        """Deliver the event again, as it was (the same `webhook-id`): a new generation, which
        the relay starts as a workflow of its own. None when the shop has no such delivery."""
        with self._tx.begin() as conn:
            done = conn.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery_id, WebhookDelivery.shop_id == shop_id)
                .values(
                    generation=WebhookDelivery.generation + 1,
                    status=DeliveryStatus.PENDING.value,
                    started_at=None,
                )
            )
        if done.rowcount == 0:
            return None
        return self.delivery(shop_id, delivery_id)
