"""The report's reads of the ledger: grouped counts, never one row per shipment or message.

SQLAlchemy Core over the ledger's tables, the same statements on SQLite and PostgreSQL; the one
difference (how a timestamp becomes its UTC day) is compiled per dialect. Every read of one report
runs in one transaction, so its figures agree with each other while workers keep writing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Engine,
    Select,
    and_,
    distinct,
    exists,
    func,
    inspect,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from ledger.schema import CallRow, Notification, Shipment, ShipmentEvent
from models.notification import NotificationKind
from models.state import EventOutcome
from models.status import ShipmentStatus
from reports.model import (
    CallCount,
    ClosedDay,
    DayCount,
    LedgerRows,
    MessageCount,
    Period,
    SentDay,
    ShipmentCount,
    ShopCount,
)

__all__ = ["has_ledger", "known_shops", "read_rows"]

AnySelect: TypeAlias = Select[*tuple[Any, ...]]


class utc_day(FunctionElement[Any]):
    """The UTC calendar day of a ledger timestamp, as a DATE."""

    type = Date()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite holds the ledger's timestamps as naive UTC text (ledger.schema.UTCDateTime).
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # timestamptz -> the wall-clock time in UTC (not the session's zone) -> its date.
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


def has_ledger(engine: Engine) -> bool:
    """Whether the database has the ledger's schema (`waypost db upgrade` creates it)."""
    return inspect(engine).has_table(Shipment.__tablename__)


def known_shops(engine: Engine) -> list[str]:
    """Every shop the ledger has a shipment of (to name them when an unknown one is asked for)."""
    with engine.connect() as conn:
        return list(conn.scalars(select(Shipment.shop_id).distinct().order_by(Shipment.shop_id)))


def _at_pickup() -> ColumnElement[bool]:
    """The shipment has been available for pickup: an applied event of its timeline says so."""
    return exists().where(
        ShipmentEvent.shipment_ref == Shipment.ref,
        ShipmentEvent.status == ShipmentStatus.AVAILABLE_FOR_PICKUP.value,
        ShipmentEvent.outcome == EventOutcome.APPLIED.value,
    )


def _between(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _grouped(inner: AnySelect, *keys: str) -> AnySelect:
    """count(*) of `inner`'s rows grouped by the named columns (grouping on a subquery keeps
    expressions such as EXISTS or a day out of GROUP BY, which the backends treat differently)."""
    sub = inner.subquery()
    columns = [sub.c[key] for key in keys]
    return select(*columns, func.count().label("count")).group_by(*columns)


def _rows(conn: Connection, statement: AnySelect) -> Sequence[dict[str, Any]]:
    return [dict(row._mapping) for row in conn.execute(statement)]


def read_rows(engine: Engine, period: Period, shop: str | None) -> LedgerRows:
    """Everything the report needs for the period (and the shop, when one is named)."""

    def of_shop(statement: AnySelect) -> AnySelect:
        return statement if shop is None else statement.where(Shipment.shop_id == shop)

    cohort = _between(Shipment.created_at, period)
    shipments = _grouped(
        of_shop(
            select(Shipment.shop_id, Shipment.status, _at_pickup().label("at_pickup")).where(cohort)
        ),
        "shop_id",
        "status",
        "at_pickup",
    )

    message_rows = of_shop(
        select(
            Shipment.shop_id,
            Notification.channel,
            Notification.kind,
            Notification.provider,
            Notification.status,
            Notification.sent_at.is_not(None).label("accepted"),
            Notification.segments,
            Notification.cost,
        )
        .join(Shipment, Notification.shipment_ref == Shipment.ref)
        .where(cohort)
    ).subquery()
    message_keys = [
        message_rows.c[key]
        for key in ("shop_id", "channel", "kind", "provider", "status", "accepted")
    ]
    messages = select(
        *message_keys,
        func.count().label("count"),
        func.coalesce(func.sum(message_rows.c.segments), 0).label("segments"),
        func.sum(message_rows.c.cost).label("cost"),
    ).group_by(*message_keys)

    delayed = of_shop(
        select(Shipment.shop_id, func.count(distinct(Notification.shipment_ref)).label("count"))
        .join(Shipment, Notification.shipment_ref == Shipment.ref)
        .where(
            cohort,
            Notification.kind == NotificationKind.DELAY_NOTICE.value,
            Notification.sent_at.is_not(None),
        )
        .group_by(Shipment.shop_id)
    )

    started = _grouped(
        of_shop(select(Shipment.shop_id, utc_day(Shipment.created_at).label("day")).where(cohort)),
        "shop_id",
        "day",
    )
    closed = _grouped(
        of_shop(
            select(
                Shipment.shop_id,
                utc_day(Shipment.closed_at).label("day"),
                Shipment.status,
                _at_pickup().label("at_pickup"),
            ).where(_between(Shipment.closed_at, period))
        ),
        "shop_id",
        "day",
        "status",
        "at_pickup",
    )
    sent = _grouped(
        of_shop(
            select(
                Shipment.shop_id,
                utc_day(Notification.sent_at).label("day"),
                Notification.channel,
            )
            .join(Shipment, Notification.shipment_ref == Shipment.ref)
            .where(_between(Notification.sent_at, period))
        ),
        "shop_id",
        "day",
        "channel",
    )

    calls = of_shop(
        select(
            Shipment.shop_id,
            CallRow.outcome,
            func.count().label("count"),
        )
        .join(Shipment, CallRow.shipment_ref == Shipment.ref)
        .where(cohort)
        .group_by(Shipment.shop_id, CallRow.outcome)
    )
    called = of_shop(
        select(Shipment.shop_id, func.count(distinct(CallRow.shipment_ref)).label("count"))
        .join(Shipment, CallRow.shipment_ref == Shipment.ref)
        .where(cohort)
        .group_by(Shipment.shop_id)
    )

    with _snapshot(engine) as conn:
        return LedgerRows(
            shipments=[ShipmentCount.model_validate(r) for r in _rows(conn, shipments)],
            messages=[
                MessageCount.model_validate({**r, "cost": r["cost"] or 0})
                for r in _rows(conn, messages)
            ],
            delayed=[ShopCount.model_validate(r) for r in _rows(conn, delayed)],
            started=[DayCount.model_validate(r) for r in _rows(conn, started)],
            closed=[ClosedDay.model_validate(r) for r in _rows(conn, closed)],
            sent=[SentDay.model_validate(r) for r in _rows(conn, sent)],
            calls=[CallCount.model_validate(r) for r in _rows(conn, calls)],
            called=[ShopCount.model_validate(r) for r in _rows(conn, called)],
        )


def _snapshot(engine: Engine) -> Any:
    """One transaction for all of a report's reads. PostgreSQL: REPEATABLE READ, so they see one
    snapshot; SQLite: every transaction already excludes writers (BEGIN IMMEDIATE)."""
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="REPEATABLE READ")
    return engine.connect()
