"""PostgreSQL: writes that take several statements elsewhere, as one statement.

A message's settle and the provider call behind it are one statement (the UPDATE and the
attempt's INSERT as CTEs) in every case.

A recorded change (the shipment, its status and page snapshot, its timeline entries) and a
settle run in a transaction because what they record may be told to the shop: a webhook
delivery row, written in the same transaction. A shop without a webhook URL is told nothing,
so for it each is one statement in autocommit ("quiet"). Its data-modifying CTEs commit
together, and it saves the BEGIN and COMMIT round trips and, for a change, a statement per
part: in `make bench`, a delivered shipment's ledger work fell from 22 round trips to 5.

Every sub-statement of a quiet write is guarded by the shop having no webhook URL, read in the
statement's own snapshot. For a shop that has one, the statement changes nothing, and the
caller records it in a transaction as before. SQLite has no data-modifying CTEs: it always
runs the transactions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Select,
    Table,
    bindparam,
    cast,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.sql.dml import Update

from ledger.schema import (
    Notification,
    NotificationAttempt,
    OptOut,
    Shipment,
    ShipmentEvent,
    ShopRow,
    table_of,
)

__all__ = [
    "QUIET_SHOP",
    "QuietShops",
    "find_opt_out",
    "opted_out_by",
    "quiet_change",
    "settle_and_record",
]

_SHIPMENTS, _EVENTS = table_of(Shipment), table_of(ShipmentEvent)
_NOTIFICATIONS, _OPT_OUTS = table_of(Notification), table_of(OptOut)
_SHOPS, _ATTEMPTS = table_of(ShopRow), table_of(NotificationAttempt)

QUIET_SHOP: ColumnElement[bool] = ~exists().where(
    _SHOPS.c.shop_id == bindparam("q_shop"),
    func.coalesce(cast(_SHOPS.c.profile, JSON)["webhook_url"].as_string(), "") != "",
)
"""The shop `q_shop` has no webhook URL in the registry, as `webhooks.webhook_url_in` reads a
profile (absent, null and empty alike)."""


def quiet_change(
    shop_id: str,
    ref: str,
    shipment: Mapping[str, Any] | None,
    status: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    claims: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]] = (),
) -> tuple[Select[Any], dict[str, Any]]:
    """A recorded change as one statement and its parameters. The statement returns one row:
    `quiet`, False when the shop has a webhook URL (then nothing was written), and for each
    claim `claim_<i>` (its id, or None when the message was claimed before) and
    `opted_out_<i>`.

    `shipment` is the shipment's row when the change starts it, already holding `status`: the
    statement's UPDATE cannot see a row its own INSERT adds. `status` is the columns to set on
    the shipment (the status, and the page snapshot or its clearing); `events`, the timeline
    entries' rows (each once per carrier event id); `claims`, the rows of the messages the
    change sends (each inserted once per key), with the parameters of the lookup of their
    recipient's opt-out (`b_shop_id`, `b_channel`, `b_recipient_hash`, `b_category`)."""
    shape = tuple(shipment) if shipment is not None else None
    claimed = tuple(claims[0][0]) if claims else ()
    statement = _recording(shape, tuple(status), len(events), claimed, len(claims))
    params = {"q_shop": shop_id, "b_ref": ref}
    params |= {f"u_{name}": value for name, value in status.items()}
    params |= {f"s_{name}": value for name, value in (shipment or {}).items()}
    for i, event in enumerate(events):
        params |= {f"e{i}_{name}": value for name, value in event.items()}
    for i, (row, opt_out) in enumerate(claims):
        params |= {f"c{i}_{name}": value for name, value in row.items()}
        params |= {f"c{i}_{name}": value for name, value in opt_out.items()}
    return statement, params


@cache
def _recording(
    shipment: tuple[str, ...] | None,
    status: tuple[str, ...],
    events: int,
    claimed: tuple[str, ...],
    claims: int,
) -> Select[Any]:
    """Built once per shape: which shipment and status columns, how many entries and claims
    (`claimed`: the claim rows' columns)."""
    ctes = []
    if shipment is not None:
        ctes.append(_insert_quietly(_SHIPMENTS, shipment, "s_", ("ref",)).cte("started"))
    ctes.append(
        update(_SHIPMENTS)
        .where(_SHIPMENTS.c.ref == bindparam("b_ref"), QUIET_SHOP)
        .values({name: bindparam(f"u_{name}", type_=_SHIPMENTS.c[name].type) for name in status})
        .cte("status_set")
    )
    names = tuple(c.name for c in _EVENTS.columns if c.name != "id")
    for i in range(events):
        entry = _insert_quietly(_EVENTS, names, f"e{i}_", ("shipment_ref", "event_id"))
        ctes.append(entry.cte(f"entry_{i}"))
    outcome: list[Any] = [QUIET_SHOP.label("quiet")]
    for i in range(claims):
        claim = (
            _insert_quietly(_NOTIFICATIONS, claimed, f"c{i}_", ("idempotency_key",))
            .returning(_NOTIFICATIONS.c.id, opted_out_by(f"c{i}_"))
            .cte(f"claim_{i}")
        )
        ctes.append(claim)
        outcome.append(select(claim.c.id).scalar_subquery().label(f"claim_{i}"))
        outcome.append(select(claim.c.opted_out_by).scalar_subquery().label(f"opted_out_{i}"))
    return select(*outcome).add_cte(*ctes)


def find_opt_out(prefix: str = "") -> Select[Any]:
    """The recipient's opt-outs of a class of message, with parameters `<prefix>b_shop_id`,
    `b_channel`, `b_recipient_hash` and `b_category`."""
    return select(_OPT_OUTS).where(
        _OPT_OUTS.c.shop_id == bindparam(f"{prefix}b_shop_id"),
        _OPT_OUTS.c.channel == bindparam(f"{prefix}b_channel"),
        _OPT_OUTS.c.recipient_hash == bindparam(f"{prefix}b_recipient_hash"),
        _OPT_OUTS.c.category == bindparam(f"{prefix}b_category"),
    )


def opted_out_by(prefix: str = "") -> Any:
    """The source of the recipient's opt-out (`find_opt_out`), or NULL: as a column."""
    return (
        find_opt_out(prefix)
        .with_only_columns(_OPT_OUTS.c.source)
        .limit(1)
        .scalar_subquery()
        .label("opted_out_by")
    )


def _insert_quietly(
    table: Table, names: tuple[str, ...], prefix: str, keys: tuple[str, ...]
) -> Any:
    """INSERT ... SELECT <parameters> WHERE <quiet shop> ON CONFLICT (keys) DO NOTHING."""
    row = select(*(bindparam(f"{prefix}{n}", type_=table.c[n].type) for n in names))
    return (
        postgresql_insert(table)
        .from_select(list(names), row.where(QUIET_SHOP))
        .on_conflict_do_nothing(index_elements=list(keys))
    )


@cache
def settle_and_record(settle: Update, columns: tuple[str, ...], *, quiet: bool) -> Select[Any]:
    """`settle` (a claimed message's UPDATE ... RETURNING) setting `columns`, with the provider
    call's attempt (parameters `a_*`) inserted for the row it moved: the moved row, or no row.

    `quiet` guards it by the shop `q_shop` having no webhook URL, to run in autocommit: no row
    then means a shop with a webhook URL or a lost claim, and the caller's transaction tells
    which."""
    moved_by = settle.values({name: bindparam(name) for name in columns})
    moved = (moved_by.where(QUIET_SHOP) if quiet else moved_by).cte("moved")
    names = [c.name for c in _ATTEMPTS.columns if c.name not in ("id", "notification_id")]
    recorded = (
        insert(_ATTEMPTS)
        .from_select(
            ["notification_id", *names],
            select(
                moved.c.id,
                *(bindparam(f"a_{name}", type_=_ATTEMPTS.c[name].type) for name in names),
            ),
        )
        .cte("recorded")
    )
    return select(moved).add_cte(recorded)


class QuietShops:
    """Which shops a quiet write is tried for: every shop on PostgreSQL, but one seen with a
    webhook URL in the last `memory` seconds. Its writes need their transaction, so trying the
    quiet statement first would only cost it a round trip each."""

    def __init__(
        self,
        dialect: str,
        memory: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._on = dialect == "postgresql"
        self._memory = memory
        self._clock = clock
        self._loud: dict[str, float] = {}
        """Shop id -> when it was last seen with a webhook URL (threads share it: a lost
        update costs one round trip, never a wrong write, since the statement checks)."""

    def first(self, shop_id: str | None) -> bool:
        """Try the quiet statement before the transaction for this shop's write."""
        if not self._on or not shop_id:
            return False
        seen = self._loud.get(shop_id)
        return seen is None or self._clock() - seen >= self._memory

    def heard(self, shop_id: str | None, webhook_url: str | None) -> None:
        """What a write's transaction read of the shop's webhook URL."""
        if webhook_url:
            self.loud(shop_id)
        elif shop_id:
            self._loud.pop(shop_id, None)

    def loud(self, shop_id: str | None) -> None:
        """The shop has a webhook URL: its writes take their transaction for a while."""
        if shop_id:
            self._loud[shop_id] = self._clock()
