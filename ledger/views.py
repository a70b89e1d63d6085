"""The ledger's read side: what the HTTP service, the tracking page, the CLI and support read.

Plain frozen values, never ORM objects outliving their session, so a caller cannot write through
what it read. Each read is one short session on its own pooled connection (thread-safe).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from ledger.schema import (
    CallRow,
    Notification,
    NotificationAttempt,
    OptOut,
    SetAside,
    Shipment,
    ShipmentEvent,
    ShopApiKey,
    ShopRow,
    table_of,
)
from ledger.schema import DeliveryReport as ReportRow
from ledger.storable import fits, storable_key
from models.call import CallCentre, CallDirection, CallOutcome, CallRecord
from models.channels import REPLY_CHANNELS
from models.kinds import ASKING_KINDS
from models.notification import Channel, NotificationKind, NotificationStatus
from models.shipment import DeliveryKind
from models.shop import Shop, ShopProfile
from models.state import EventOutcome
from models.status import ShipmentStatus

__all__ = [
    "ApiKeyView",
    "AttemptOutcome",
    "AttemptView",
    "CallView",
    "DeliveryReportView",
    "EventView",
    "LedgerReader",
    "NotificationView",
    "SealedPage",
    "SetAsidePart",
    "SetAsideView",
    "ShipmentView",
    "ShopView",
]

SetAsidePart = Literal[
    "shipment",
    "event",
    "status",
    "claim",
    "mark",
    "attempt",
    "delivery_report",
    "consent",
    "call",
    "page",
]
"""The parts a ledger write is made of; each is stored, or set aside, on its own."""

AttemptOutcome = Literal["sent", "retryable_error", "permanent_error", "reconciled"]
"""`reconciled`: not a send but a question to the provider after an attempt died mid-send;
`error_message` says what the provider answered and what was decided."""


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
    marketing_consent_at: datetime | None = None
    """When the recipient agreed to the shop's marketing, and where (`ConsentSource`)."""
    marketing_consent_source: str | None = None


class SealedPage(_View):
    """The tracking page's snapshot of a running shipment as stored: sealed with the payload
    keyring (`infra.page_snapshot` opens it); None where none was recorded."""

    page_contact: bytes | None
    page_live: bytes | None


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


class DeliveryReportView(_View):
    provider: str
    event: str
    status: NotificationStatus | None
    permanent: bool
    error_code: str | None
    detail: str | None
    occurred_at: datetime
    received_at: datetime


class CallView(_View):
    """A call as the ledger keeps it. `operator` and `note` are None once retention cleared
    them (and `note` when none was given); the tracking page shows neither."""

    call_id: str
    occurred_at: datetime
    centre: CallCentre
    operator: str | None
    direction: CallDirection
    outcome: CallOutcome
    note: str | None
    recorded_at: datetime

    def record(self) -> CallRecord | None:
        """The call as the workflow keeps it (None once anonymised: no operator left)."""
        if self.operator is None:
            return None
        return CallRecord.model_validate(self.model_dump())


class SetAsideView(_View):
    """A part of a ledger write that could never be stored, as support reads it."""

    shipment_ref: str
    part: SetAsidePart
    key: str
    error_class: str
    error: str
    payload: str
    set_aside_at: datetime


class ShopView(_View):
    """A shop as the registry holds it, without its webhook secret (never read out)."""

    shop: Shop
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: ShopRow) -> ShopView:
        profile = ShopProfile.model_validate_json(row.profile)
        return cls(
            shop=Shop(shop_id=row.shop_id, profile=profile),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class ApiKeyView(_View):
    """One of a shop's API keys, as a human recognises it: name and prefix, never the key."""

    id: int
    shop_id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class OptOutView(BaseModel):
    """An opt-out as the ledger keeps it: a shop, a channel, a hash, a class, and why."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    shop_id: str
    channel: Channel
    recipient_hash: str
    category: str
    source: str
    created_at: datetime


V = TypeVar("V", bound=BaseModel)


class LedgerReader:
    """The ledger's read queries over one Engine; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _all(self, view: type[V], query: Select[Any]) -> list[V]:
        """Every row `query` selects, as `view`s (read while the session is open)."""
        with Session(self.engine) as session:
            return [view.model_validate(row) for row in session.scalars(query)]

    def _one(self, view: type[V], query: Select[Any]) -> V | None:
        """The one row `query` selects as a `view`, or None when there is none."""
        with Session(self.engine) as session:
            row = session.scalars(query).one_or_none()
            return view.model_validate(row) if row is not None else None

    def shipment(self, ref: str) -> ShipmentView | None:
        with Session(self.engine) as session:
            row = session.get(Shipment, ref)
            return ShipmentView.model_validate(row) if row is not None else None

    def sealed_page(self, ref: str) -> SealedPage | None:
        """The page's snapshot of a running shipment (None: no such shipment)."""
        query = select(Shipment.page_contact, Shipment.page_live).where(Shipment.ref == ref)
        with self.engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        return SealedPage.model_validate(row) if row is not None else None

    def timeline(self, ref: str) -> list[EventView]:
        """Events in the order they were received, refused and out-of-order ones included."""
        return self._all(
            EventView,
            select(ShipmentEvent)
            .where(ShipmentEvent.shipment_ref == ref)
            .order_by(ShipmentEvent.received_at, ShipmentEvent.id),
        )

    def shipments_tracked_as(
        self, tracking_number: str, *, shop_id: str | None = None
    ) -> list[ShipmentView]:
        """Shipments carrying this tracking number (a carrier webhook names nothing else), of
        one shop when `shop_id` is given; anonymised ones carry none (their cleared numbers must
        never match an empty one). A number no shipment could be stored with finds none (and
        never errs)."""
        if not fits(_SHIPMENTS, {"tracking_number": tracking_number}):
            return []
        query = select(Shipment).where(
            Shipment.tracking_number == tracking_number, Shipment.anonymised_at.is_(None)
        )
        if shop_id is not None:
            query = query.where(Shipment.shop_id == shop_id)
        return self._all(ShipmentView, query.order_by(Shipment.created_at))

    def notification(self, key: str) -> NotificationView | None:
        return self._one(
            NotificationView, select(Notification).where(Notification.idempotency_key == key)
        )

    def notifications_for(self, ref: str) -> list[NotificationView]:
        return self._all(
            NotificationView,
            select(Notification)
            .where(Notification.shipment_ref == ref)
            .order_by(Notification.created_at, Notification.id),
        )

    def last_question_to(self, recipient: str) -> NotificationView | None:
        """The latest SMS that asked this recipient (by keyed hash) something answerable (an
        asking kind: the courier's one-hour confirmation or a slot choice), of a shipment still
        open."""
        asking = sorted(kind.value for kind in ASKING_KINDS)
        replied_on = [channel.value for channel in REPLY_CHANNELS]
        return self._one(
            NotificationView,
            select(Notification)
            .join(Shipment)
            .where(
                Notification.recipient_hash == recipient,
                Notification.channel.in_(replied_on),
                Notification.kind.in_(asking),
                Shipment.closed_at.is_(None),
            )
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(1),
        )

    def opt_out(
        self, shop_id: str, channel: Channel, recipient: str, category: str
    ) -> OptOutView | None:
        """The recipient's (keyed hash) opt-out at this shop from `category` on `channel`."""
        return self._one(
            OptOutView,
            select(OptOut).where(
                OptOut.shop_id == shop_id,
                OptOut.channel == channel.value,
                OptOut.recipient_hash == recipient,
                OptOut.category == category,
            ),
        )

    def last_sms_to(
        self,
        recipient: str,
        *,
        among: Collection[str] | None = None,
        besides: Collection[str] = (),
    ) -> NotificationView | None:
        """The latest SMS sent (or tried) to this recipient (by keyed hash), of any shipment of
        the shops `among` (None: any shop) but those `besides`: the shop an inbound STOP or
        START is addressed to (`api.sms_routing`)."""
        query = select(Notification).where(
            Notification.recipient_hash == recipient,
            Notification.channel == Channel.SMS.value,
        )
        if among is not None or besides:
            query = query.join(Shipment)
        if among is not None:
            query = query.where(Shipment.shop_id.in_(sorted(among)))
        if besides:
            query = query.where(Shipment.shop_id.not_in(sorted(besides)))
        return self._one(
            NotificationView,
            query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(1),
        )

    def calls_for(self, ref: str) -> list[CallView]:
        """A shipment's calls in the order they happened."""
        return self._all(
            CallView,
            select(CallRow)
            .where(CallRow.shipment_ref == ref)
            .order_by(CallRow.occurred_at, CallRow.id),
        )

    def attempts(self, key: str) -> list[AttemptView]:
        """Every provider call made for one message, oldest first."""
        return self._all(
            AttemptView,
            select(NotificationAttempt)
            .join(Notification)
            .where(Notification.idempotency_key == key)
            .order_by(NotificationAttempt.started_at, NotificationAttempt.id),
        )

    def delivery_reports(self, key: str) -> list[DeliveryReportView]:
        """Every callback about one message, in the order the provider says they happened."""
        return self._all(
            DeliveryReportView,
            select(ReportRow)
            .join(Notification)
            .where(Notification.idempotency_key == key)
            .order_by(ReportRow.occurred_at, ReportRow.id),
        )

    def set_aside_for(self, ref: str) -> list[SetAsideView]:
        """What the ledger could not store of one shipment, oldest first (for support)."""
        return self._all(
            SetAsideView,
            select(SetAside)
            .where(SetAside.shipment_ref == storable_key(ref))
            .order_by(SetAside.set_aside_at, SetAside.id),
        )

    def set_aside_since(self, since: datetime, limit: int = 100) -> list[SetAsideView]:
        """Everything set aside since `since`, newest first: provider callbacks too."""
        return self._all(
            SetAsideView,
            select(SetAside)
            .where(SetAside.set_aside_at >= since)
            .order_by(SetAside.set_aside_at.desc(), SetAside.id.desc())
            .limit(limit),
        )

    def shop(self, shop_id: str) -> ShopView | None:
        with Session(self.engine) as session:
            row = session.get(ShopRow, shop_id)
            return ShopView.of(row) if row is not None else None

    def shops(self) -> list[ShopView]:
        with Session(self.engine) as session:
            rows = session.scalars(select(ShopRow).order_by(ShopRow.shop_id))
            return [ShopView.of(row) for row in rows]

    def api_keys(self, shop_id: str) -> list[ApiKeyView]:
        """A shop's keys, revoked ones included, oldest first."""
        return self._all(
            ApiKeyView,
            select(ShopApiKey)
            .where(ShopApiKey.shop_id == shop_id)
            .order_by(ShopApiKey.created_at, ShopApiKey.id),
        )


_SHIPMENTS = table_of(Shipment)
