"""The ledger's write side: what happened to each shipment and each message, and who may send.

Called from synchronous activities on a thread pool (and from the HTTP service for delivery
reports), so every method is one short transaction (`ledger.engine.Transactions`), and every
write is idempotent or conditional: a retried activity, a replayed workflow or two racing
attempts leave one truth.

Exactly-once sending rests on `claim`: the unique idempotency key decides who inserts first, and
later claims win only through a conditional UPDATE (a released claim, or a lease that expired
because its sender died). Everything after a claim is conditional on the claim's token.

No single bad row may block a shipment forever. Free text from outside is cleaned before it is
written (`ledger.storable`); a part of a write that still fails for good (an id with NUL or
longer than its column, a broken constraint) is recorded in `set_aside`, counted
(`waypost_ledger_set_aside`) and logged, and the rest of the write goes on. A database that does
not answer is not such a failure: it raises, and the activity retries until it is back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, Literal

import structlog
from sqlalchemy import (
    Boolean,
    Connection,
    Engine,
    Row,
    String,
    Table,
    bindparam,
    delete,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import ReturningUpdate

from infra.masking import mask_text
from infra.metrics import NOOP, AppMetrics
from ledger.engine import Transactions
from ledger.one_statement import (
    QuietShops,
    find_opt_out,
    opted_out_by,
    quiet_change,
    settle_and_record,
)
from ledger.schema import (
    CallRow,
    Notification,
    NotificationAttempt,
    OptOut,
    SetAside,
    Shipment,
    ShipmentEvent,
    table_of,
)
from ledger.schema import DeliveryReport as ReportRow
from ledger.storable import (
    ERROR_MAX,
    check_fits,
    clean_text,
    describe_error,
    fits,
    permanent,
    storable_key,
    storable_payload,
)
from ledger.views import (
    AttemptOutcome,
    CallView,
    LedgerReader,
    NotificationView,
    OptOutView,
    SetAsidePart,
    SetAsideView,
)
from ledger.webhooks import UNREAD, Unread, emit_shop_event, webhook_url_in, webhook_url_of
from models.call import Call, CallReceipt, CallRecord, call_refusal
from models.consent import ConsentSource, MarketingConsent, OptOutSource, categories_stopped
from models.kinds import KINDS
from models.notification import (
    Channel,
    DeliveryReport,
    NotificationKind,
    NotificationRecord,
    NotificationStatus,
    provider_may_move,
    shipment_ref_of_key,
)
from models.shipment import ShipmentRecord, ShipmentStart, shop_of_ref
from models.state import EventOutcome, TimelineEntry
from models.status import ShipmentStatus
from models.webhooks import STORAGE_DEADLINE_EVENT, ShopEventType, stable_delivery_id

__all__ = ["Attempt", "CallRefused", "Claim", "Ledger", "LedgerWriter", "ReportReceipt"]

log = structlog.get_logger("waypost.ledger")

Started = ShipmentRecord | ShipmentStart
"""A shipment as the ledger is given it: the activity's record, or (tests, tools) the start."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CallRefused(Exception):
    """A call the ledger will not record for a closed shipment; the message says why."""


@dataclass(frozen=True, slots=True)
class Claim:
    """The answer to a claim: `won` means this caller, and only it, may send the message now."""

    won: bool
    status: NotificationStatus
    provider_message_id: str | None
    attempts: int
    unknown_since: datetime | None = None
    """Set when an earlier attempt may have reached the provider from this moment on: it died
    while sending (its lease ran out) or timed out waiting for the answer. Ask before sending."""
    set_aside: str | None = None
    """Why the claim could not be recorded (set aside): the message must not be sent, since
    exactly-once rests on the claim."""
    first_set_aside: bool = False
    """This call set the claim aside (a retry that finds it so counts nothing again)."""
    opted_out_by: str | None = None
    """A won claim's recipient said stop to this class of message (`OptOutSource`): read in
    the claim's own statement when the caller named the recipient's hash and the category."""


@dataclass(frozen=True)
class ClaimRequest:
    """A message to claim: what its row records besides the claim's token and time."""

    key: str
    shipment_ref: str
    kind: NotificationKind
    occurrence: int
    channel: Channel
    recipient_masked: str
    recipient_hash: str | None = None
    """Keys the recipient's opt-outs (and an SMS reply's way back to the shipment)."""
    category: str | None = None
    """The class of message the recipient may have opted out of (`Claim.opted_out_by`)."""

    def row(self, token: str, now: datetime) -> dict[str, Any]:
        """The claimed row: `sending`, under `token`."""
        return {
            "idempotency_key": self.key,
            "shipment_ref": self.shipment_ref,
            "kind": self.kind.value,
            "occurrence": self.occurrence,
            "channel": self.channel.value,
            # mask_text is a no-op unless a caller slipped
            "recipient_masked": clean_text(mask_text(self.recipient_masked), 320),
            "recipient_hash": self.recipient_hash,
            "status": NotificationStatus.SENDING.value,
            "claim_token": token,
            "claimed_at": now,
            "attempts": 1,
            "created_at": now,
            "updated_at": now,
        }

    def opt_out(self) -> dict[str, Any]:
        """The parameters of the lookup of the recipient's opt-out (`_FIND_OPT_OUT`)."""
        return {
            "b_shop_id": shop_of_ref(self.shipment_ref) or "",
            "b_channel": self.channel.value,
            "b_recipient_hash": self.recipient_hash,
            "b_category": self.category,
        }


@dataclass(frozen=True)
class Recorded:
    """What `record_change` did: the parts it set aside, and the claims it made."""

    set_aside: list[SetAsideView]
    claims: dict[str, Claim] = field(default_factory=dict)
    """By key, the claims this change won in its own statement; a message not here claims
    for itself (`LedgerWriter.claim`)."""


@dataclass(frozen=True)
class ReportReceipt:
    """What recording a delivery report did: `moved` is when the workflow must hear of it."""

    notification: NotificationView | None
    new: bool
    moved: bool
    set_aside: SetAsideView | None = None
    """Set when the report could not be stored (it is in `set_aside` instead)."""


@dataclass(frozen=True)
class _Part:
    """One part of a write: stored with `write`, or set aside with `values` as its payload."""

    part: SetAsidePart
    key: str
    values: dict[str, Any]
    write: Callable[[Connection], object]
    fallback: Callable[[Connection], object] | None = None
    """Written instead when `write` fails for good (the original is set aside all the same)."""


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


class LedgerWriter:
    """The ledger's writes over one Engine; safe to share between activity threads."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = _utcnow,
        metrics: AppMetrics = NOOP,
    ) -> None:
        self.engine = engine
        self._clock = clock
        self.metrics = metrics
        """Counts the parts set aside (once each: a retry that finds one counts nothing)."""
        self._tx = Transactions(engine)
        self._quiet = QuietShops(engine.dialect.name)
        self._views = LedgerReader(engine)

    # Shipments and their timelines

    def record_change(
        self,
        ref: str,
        *,
        start: Started | None,
        entries: list[TimelineEntry],
        status: ShipmentStatus,
        at: datetime,
        closed: bool,
        consent: MarketingConsent | None = None,
        calls: Sequence[CallRecord] = (),
        decided: Sequence[NotificationRecord] = (),
        page_snapshot: Mapping[str, bytes] | None = None,
        claims: Sequence[ClaimRequest] = (),
        claim_token: str = "",
        claimed_at: datetime | None = None,
    ) -> Recorded:
        """One workflow change in one transaction: the shipment (first time), the timeline entry
        (once per carrier event id), a call centre's calls (once per call id), the current status
        and marketing consent given since the last change (the first consent recorded stays); the
        outcomes of messages the workflow settled itself (`decided`) are told to the shop; the
        tracking page's sealed snapshot (`page_snapshot`: `page_contact` and/or `page_live`) is
        stored, and cleared when the shipment closes. A part that can never be stored is set
        aside and returned; the others are recorded all the same.

        `claims` are the messages the change sends: when the change is one statement (a shop
        without a webhook URL, on PostgreSQL: `one_statement`), they are claimed in it, under
        `claim_token` at `claimed_at`, and the claims won come back; otherwise each message
        claims for itself."""
        shop_id = shop_of_ref(ref)
        if not consent and not calls and self._quiet.first(shop_id):
            assert shop_id is not None
            won = self._record_quietly(
                shop_id,
                ref,
                start=start,
                entries=entries,
                status=status,
                at=at,
                closed=closed,
                page_snapshot=page_snapshot,
                claims=claims,
                token=claim_token,
                now=claimed_at or self._clock(),
            )
            if won is not None:
                return Recorded([], won)
        parts: list[_Part] = []
        webhook = _WebhookUrl(shop_id)
        if start is not None:
            values = self._shipment_values(ref, start)
            cleaned = _cleaned(_SHIPMENTS, values, keep=("ref",))
            parts.append(
                _Part(
                    "shipment",
                    ref,
                    values,
                    _inserting(Shipment, values, ["ref"]),
                    _inserting(Shipment, cleaned, ["ref"]),
                )
            )
        # The status first: its statement also reads the shop's webhook URL for the events.
        status_values = _status_values(ref, status, at, closed)
        parts.append(
            _Part(
                "status",
                status.value,
                status_values,
                lambda conn: webhook.seen(conn.execute(_UPDATE_STATUS, status_values).first()),
            )
        )
        events: list[tuple[TimelineEntry, dict[str, Any]]] = []
        for entry in entries:
            values = self._event_values(ref, entry)
            events.append((entry, values))
            write = self._event_write(ref, entry, values, webhook)
            parts.append(_Part("event", entry.event.event_id, values, write))
        for call in calls:
            values = _call_values(ref, call)
            parts.append(
                _Part(
                    "call",
                    call.call_id,
                    values,
                    _inserting(CallRow, values, ["shipment_ref", "call_id"]),
                )
            )
        if page_snapshot and not closed:
            sealed = {"b_ref": ref, **page_snapshot}
            # Set aside, it keeps only which columns it held: the values are personal data.
            parts.append(
                _Part(
                    "page",
                    ",".join(page_snapshot),
                    {"columns": sorted(page_snapshot)},
                    lambda conn: conn.execute(_UPDATE_SHIPMENT, sealed),
                )
            )
        if consent is not None:
            consent_values = {
                "b_ref": ref,
                "marketing_consent_at": consent.given_at,
                "marketing_consent_source": consent.source.value,
            }
            parts.append(
                _Part(
                    "consent",
                    consent.source.value,
                    consent_values,
                    lambda conn: conn.execute(_RECORD_CONSENT, consent_values),
                )
            )
        if decided and shop_id is not None:
            parts.append(
                _Part(
                    "status",
                    "decided",
                    {"decided": [d.key for d in decided]},
                    lambda conn: _emit_decided(
                        conn, shop_id, ref, decided, self._clock(), webhook.url(conn)
                    ),
                )
            )
        return Recorded(self._write_parts(ref, parts, self._batched(ref, parts, events, webhook)))

    def _record_quietly(
        self,
        shop_id: str,
        ref: str,
        *,
        start: Started | None,
        entries: Sequence[TimelineEntry],
        status: ShipmentStatus,
        at: datetime,
        closed: bool,
        page_snapshot: Mapping[str, bytes] | None,
        claims: Sequence[ClaimRequest],
        token: str,
        now: datetime,
    ) -> dict[str, Claim] | None:
        """`record_change` as one statement in autocommit (`one_statement.quiet_change`), for a
        shop without a webhook URL, with the claims of its messages: the claims won, by key.
        None when nothing was written: the shop has a webhook URL (the transaction tells it),
        or a row is refused (the transaction sets it aside)."""
        values = _status_values(ref, status, at, closed)
        del values["b_ref"]
        if page_snapshot and not closed:
            values |= page_snapshot
        shipment = self._shipment_values(ref, start) | values if start is not None else None
        events = [self._event_values(ref, entry) for entry in entries]
        rows = [(request.row(token, now), request.opt_out()) for request in claims]
        try:
            if shipment is not None:
                check_fits(_SHIPMENTS, shipment)
            for event in events:
                check_fits(_EVENTS, event)
            for row, _ in rows:
                check_fits(_NOTIFICATIONS, row)
            statement, params = quiet_change(shop_id, ref, shipment, values, events, rows)
            with self._tx.single() as conn:
                written = conn.execute(statement, params).one()
        except Exception as err:
            if not permanent(err):
                raise
            return None
        if not written.quiet:
            self._quiet.loud(shop_id)
            return None
        won: dict[str, Claim] = {}
        outcome = written._mapping
        for i, request in enumerate(claims):
            if outcome[f"claim_{i}"] is not None:
                won[request.key] = Claim(
                    won=True,
                    status=NotificationStatus.SENDING,
                    provider_message_id=None,
                    attempts=1,
                    opted_out_by=outcome[f"opted_out_{i}"],
                )
        return won

    def _batched(
        self,
        ref: str,
        parts: Sequence[_Part],
        events: Sequence[tuple[TimelineEntry, dict[str, Any]]],
        webhook: _WebhookUrl,
    ) -> Callable[[Connection], object] | None:
        """The fast path of a change with several timeline entries: one INSERT for all of them
        (the parts' own writes, one by one, are the path that sets a failing one aside)."""
        if len(events) < 2:
            return None
        first = next(p for p in parts if p.part == "event")

        def write(conn: Connection) -> None:
            for part in parts:
                if part is first:
                    self._insert_events(conn, ref, events, webhook)
                elif part.part != "event":
                    part.write(conn)

        return write

    def _insert_events(
        self,
        conn: Connection,
        ref: str,
        events: Sequence[tuple[TimelineEntry, dict[str, Any]]],
        webhook: _WebhookUrl,
    ) -> None:
        """`_event_write` for several entries in one statement: the new ones are told to the
        shop as each would have been."""
        rows = [values for _, values in events]
        for row in rows:
            check_fits(_EVENTS, row)
        statement = _insert_once(conn.dialect.name, _EVENTS, ("shipment_ref", "event_id"))
        new = {row.event_id for row in conn.execute(statement, rows)}
        shop_id = shop_of_ref(ref)
        for entry, values in events:
            event_id = entry.event.event_id
            if event_id in new and entry.outcome is EventOutcome.APPLIED and shop_id is not None:
                url = webhook.url(conn)
                _emit_status_change(conn, shop_id, ref, entry, values, self._clock(), url)

    def _event_write(
        self, ref: str, entry: TimelineEntry, values: dict[str, Any], webhook: _WebhookUrl
    ) -> Callable[[Connection], object]:
        """The timeline entry, once; a new one that moved the shipment is told to its shop in the
        same transaction (`shipment.status_changed`, and `shipment.return_uncollected` when the
        storage deadline sent the parcel back)."""

        def write(conn: Connection) -> bool:
            new = _insert_if_absent(conn, ShipmentEvent, values, ["shipment_ref", "event_id"])
            shop_id = shop_of_ref(ref)
            if new and entry.outcome is EventOutcome.APPLIED and shop_id is not None:
                url = webhook.url(conn)
                _emit_status_change(conn, shop_id, ref, entry, values, self._clock(), url)
            return new

        return write

    def _write_parts(
        self,
        ref: str,
        parts: Sequence[_Part],
        fast: Callable[[Connection], object] | None = None,
    ) -> list[SetAsideView]:
        """All parts in one transaction (`fast` writes them all, when given). When one fails for
        good, they are written again, each in a SAVEPOINT of one transaction: the failing part
        is set aside, the rest committed. The fast path costs nothing extra; every part is
        idempotent, so writing it again after the rollback is safe."""
        try:
            with self._tx.begin() as conn:
                if fast is not None:
                    fast(conn)
                else:
                    for part in parts:
                        part.write(conn)
            return []
        except Exception as err:
            if not permanent(err):
                raise
        aside: list[tuple[SetAsideView, bool]] = []
        with self._tx.begin() as conn:
            for part in parts:
                try:
                    with conn.begin_nested():
                        part.write(conn)
                except Exception as err:
                    if not permanent(err):
                        raise
                    aside.append(self._keep_aside(conn, ref, part, err))
                    if part.fallback is not None:
                        self._write_fallback(conn, part.part, part.fallback)
        return self._announce(aside)

    @staticmethod
    def _write_fallback(
        conn: Connection, part: SetAsidePart, fallback: Callable[[Connection], object]
    ) -> None:
        try:
            with conn.begin_nested():
                fallback(conn)
        except Exception as err:
            if not permanent(err):
                raise
            log.error(
                "ledger part not stored even cleaned", part=part, error_class=type(err).__name__
            )

    def _keep_aside(
        self, conn: Connection, ref: str, part: _Part, err: BaseException
    ) -> tuple[SetAsideView, bool]:
        """Record `part` in `set_aside` (once per shipment, part and key); True when new."""
        error_class, error = describe_error(err)
        row = {
            "shipment_ref": storable_key(ref),
            "part": part.part,
            "key": storable_key(part.key),
            "error_class": error_class,
            "error": error,
            "payload": storable_payload(part.values),
            "set_aside_at": self._clock(),
        }
        new = True
        try:
            with conn.begin_nested():
                new = _insert_if_absent(conn, SetAside, row, ["shipment_ref", "part", "key"])
        except Exception as failed:
            if not permanent(failed):
                raise
            log.error(
                "ledger part lost: not even its set-aside record could be stored",
                part=part.part,
                error_class=describe_error(failed)[0],
            )
        return SetAsideView.model_validate(row), new

    def _set_aside_alone(
        self, ref: str, part: _Part, err: BaseException
    ) -> tuple[SetAsideView, bool]:
        """`_keep_aside` in a transaction of its own, after the part's own one rolled back."""
        with self._tx.begin() as conn:
            return self._keep_aside(conn, ref, part, err)

    def _announce(self, aside: Sequence[tuple[SetAsideView, bool]]) -> list[SetAsideView]:
        """Count and log what was set aside (after the commit, and once: a retry that meets the
        same part again only logs it). No payload in the log: the table has it."""
        for view, new in aside:
            if new:
                self.metrics.set_aside(view.part)
            (log.error if new else log.info)(
                "ledger part set aside" if new else "ledger part already set aside",
                part=view.part,
                shipment_ref=mask_text(view.shipment_ref),
                key=mask_text(view.key),
                error_class=view.error_class,
                error=view.error,
            )
        return [view for view, _ in aside]

    def record_call_after_close(self, ref: str, call: Call, now: datetime) -> CallReceipt:
        """A call about a shipment whose workflow has closed (a call about a returned parcel, a
        complaint after delivery): a closed workflow takes no update, so the call goes straight
        here, under the same rules as the workflow's (`models.call.call_refusal`), in one
        transaction. LookupError: the ledger has no such shipment (or retention anonymised it);
        CallRefused: the rules refuse it."""
        with self._tx.begin() as conn:
            row = conn.execute(
                select(Shipment.status).where(Shipment.ref == ref, Shipment.anonymised_at.is_(None))
            ).one_or_none()
            if row is None:
                raise LookupError(f"no shipment {ref}")
            status = ShipmentStatus(row.status)
            recorded = [
                CallView.model_validate(r)
                for r in conn.execute(select(*_CALLS.c).where(_CALLS.c.shipment_ref == ref))
            ]
            known = [r for r in (v.record() for v in recorded) if r is not None]
            why = call_refusal(known, call, now)
            if why is not None:
                raise CallRefused(why)
            same = next((c for c in known if c.call_id == call.call_id), None)
            if same is not None:
                return CallReceipt(
                    call_id=call.call_id,
                    outcome="duplicate",
                    status=status,
                    recorded_at=same.recorded_at,
                    after_close=True,
                )
            record = CallRecord(**call.model_dump(), recorded_at=now)
            new = _insert_if_absent(
                conn, CallRow, _call_values(ref, record), ["shipment_ref", "call_id"]
            )
            return CallReceipt(
                call_id=call.call_id,
                outcome="recorded" if new else "duplicate",
                status=status,
                recorded_at=now,
                after_close=True,
            )

    def record_shipment(self, ref: str, start: Started) -> bool:
        """Insert the shipment once (status `shipped`); True when this call created it.

        A repeat never touches the row, so it cannot undo a status recorded since.
        """
        with self._tx.begin() as conn:
            return self._insert_shipment(conn, ref, start)

    def _insert_shipment(self, conn: Connection, ref: str, start: Started) -> bool:
        values = self._shipment_values(ref, start)
        return _insert_if_absent(conn, Shipment, values, ["ref"])

    def _shipment_values(self, ref: str, start: Started) -> dict[str, Any]:
        """Identifiers only, written as given. One the ledger cannot store sets the row aside,
        and the row is written cleaned instead (NUL out, cut to its column): every message and
        event of the shipment hangs on it."""
        now = self._clock()
        return {
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
            **(
                {
                    "marketing_consent_at": now,
                    "marketing_consent_source": ConsentSource.START.value,
                }
                if start.recipient.marketing_consent
                else {}
            ),
        }

    def record_event(self, ref: str, entry: TimelineEntry) -> bool:
        """Add a timeline entry once per carrier event id; False when it was already there."""
        with self._tx.begin() as conn:
            return self._insert_event(conn, ref, entry)

    def _insert_event(self, conn: Connection, ref: str, entry: TimelineEntry) -> bool:
        values = self._event_values(ref, entry)
        return _insert_if_absent(conn, ShipmentEvent, values, ["shipment_ref", "event_id"])

    @staticmethod
    def _event_values(ref: str, entry: TimelineEntry) -> dict[str, Any]:
        """The carrier's free text is cleaned (NUL out, cut to its column); its event id is the
        entry's identity and is never altered."""
        event = entry.event
        return {
            "shipment_ref": ref,
            "event_id": event.event_id,
            "status": event.status.value,
            "occurred_at": event.occurred_at,
            "received_at": entry.received_at,
            "location": clean_text(event.location.label(), 500) if event.location else None,
            "description": clean_text(event.description, 500),
            "outcome": entry.outcome.value,
            "reason": clean_text(entry.reason),
        }

    def set_status(self, ref: str, status: ShipmentStatus, at: datetime, closed: bool) -> bool:
        """The shipment's current status as the workflow decided it (the workflow serialises its
        updates, so the last call is the truth); `closed` stamps `closed_at`."""
        with self._tx.begin() as conn:
            return self._update_status(conn, ref, status, at, closed)

    @staticmethod
    def _update_status(
        conn: Connection, ref: str, status: ShipmentStatus, at: datetime, closed: bool
    ) -> bool:
        result = conn.execute(_UPDATE_SHIPMENT, _status_values(ref, status, at, closed))
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
        recipient_hash: str | None = None,
        category: str | None = None,
    ) -> Claim:
        """Try to become the one sender of `key`.

        The first caller inserts the row (`sending`, with its token) in one statement, which
        also reads whether the recipient opted out of `category` (`Claim.opted_out_by`); the
        unique key makes any concurrent insert fail. A later caller wins only if the message was
        released (`planned`) or its sender's lease ran out; otherwise it learns the current
        status and must not send.
        """
        request = ClaimRequest(
            key,
            shipment_ref,
            kind,
            occurrence,
            channel,
            recipient_masked,
            recipient_hash,
            category,
        )
        return self.claim_for(request, token=token, lease=lease, now=now)

    def claim_for(
        self, request: ClaimRequest, *, token: str, lease: timedelta, now: datetime
    ) -> Claim:
        """`claim`, for a request the sender made up."""
        key, shipment_ref = request.key, request.shipment_ref
        row, opt_out = request.row(token, now), request.opt_out()
        try:
            check_fits(_NOTIFICATIONS, row)
            with self._tx.single() as conn:
                inserted = conn.execute(_CLAIM_NOTIFICATION, row | opt_out).one()
            return Claim(
                won=True,
                status=NotificationStatus.SENDING,
                provider_message_id=None,
                attempts=1,
                opted_out_by=inserted.opted_out_by,
            )
        except IntegrityError as err:
            insert_error = err
        except Exception as err:
            if not permanent(err):
                raise
            return self._claim_set_aside(key, shipment_ref, row, err)
        current = (
            Notification.status,
            Notification.provider_message_id,
            Notification.attempts,
            Notification.claimed_at,
        )
        with self._tx.begin() as conn:
            existing = conn.execute(
                select(*current).where(Notification.idempotency_key == key).with_for_update()
            ).one_or_none()
            released = existing is not None and existing.status == NotificationStatus.PLANNED.value
            stale = (
                existing is not None
                and existing.status == NotificationStatus.SENDING.value
                and existing.claimed_at is not None
                and existing.claimed_at < now - lease
            )
            if existing is not None and (released or stale):
                conn.execute(
                    update(Notification)
                    .where(Notification.idempotency_key == key)
                    .values(
                        status=NotificationStatus.SENDING.value,
                        claim_token=token,
                        claimed_at=now,
                        attempts=Notification.attempts + 1,
                        updated_at=now,
                    )
                )
                said_stop = conn.execute(_FIND_OPT_OUT, opt_out).first()
                return Claim(
                    won=True,
                    status=NotificationStatus.SENDING,
                    provider_message_id=existing.provider_message_id,
                    attempts=existing.attempts + 1,
                    unknown_since=existing.claimed_at if stale or released else None,
                    opted_out_by=said_stop.source if said_stop else None,
                )
        if existing is None:  # not a lost race: the insert broke another rule (unknown shipment)
            return self._claim_set_aside(key, shipment_ref, row, insert_error)
        return Claim(
            won=False,
            status=NotificationStatus(existing.status),
            provider_message_id=existing.provider_message_id,
            attempts=existing.attempts,
        )

    def _claim_set_aside(
        self, key: str, shipment_ref: str, row: dict[str, Any], err: BaseException
    ) -> Claim:
        """A claim that can never be recorded: set aside, and answered as failed, never won
        (a message sent without its claim could be sent again by any retry)."""
        part = _Part("claim", key, {k: v for k, v in row.items() if k != "claim_token"}, _noop)
        view, new = self._set_aside_alone(shipment_ref, part, err)
        self._announce([(view, new)])
        return Claim(
            won=False,
            status=NotificationStatus.FAILED,
            provider_message_id=None,
            attempts=0,
            set_aside=f"{view.error_class}: {view.error}",
            first_set_aside=new,
        )

    def release(
        self,
        key: str,
        token: str,
        error: str,
        attempt: Attempt | None = None,
        *,
        outcome_unknown: bool = False,
    ) -> bool:
        """Give a claim back after a retryable provider error, so the next attempt can win it.

        When the request may have reached the provider anyway (a timeout), the claim's time is
        kept: the next claim reports it as `unknown_since` and asks the provider first.
        """
        values: dict[str, Any] = {"claim_token": None}
        if not outcome_unknown:
            values["claimed_at"] = None
        settled = self._settle(
            key, token, attempt, status=NotificationStatus.PLANNED, last_error=error, **values
        )
        return settled is not None

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
        moved, _ = self._mark_sent(
            key, token, provider, provider_message_id, segments, cost, attempt
        )
        return moved

    def settle_sent(
        self,
        key: str,
        token: str,
        provider: str,
        provider_message_id: str,
        segments: int | None = None,
        cost: Decimal | None = None,
        attempt: Attempt | None = None,
    ) -> tuple[NotificationStatus, bool]:
        """The sender's `mark_sent`, then `adopt_reports` only when the settle's own statement
        found delivery reports that came first (almost never: no read more). The message's
        status after both, and whether a failure is permanent."""
        _, waiting = self._mark_sent(
            key, token, provider, provider_message_id, segments, cost, attempt
        )
        adopted = self.adopt_reports(key, provider_message_id) if waiting else None
        return adopted or (NotificationStatus.SENT, False)

    def _mark_sent(
        self,
        key: str,
        token: str,
        provider: str,
        provider_message_id: str,
        segments: int | None,
        cost: Decimal | None,
        attempt: Attempt | None,
    ) -> tuple[bool, bool]:
        """Moved (the claim held), and whether delivery reports wait for the message."""
        settled = self._settle(
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
        return settled is not None, bool(settled is not None and settled.reports_waiting)

    def mark_failed(
        self, key: str, token: str, provider: str, error: str, attempt: Attempt | None = None
    ) -> bool:
        """The provider refused for good (or we gave up): never to be sent by a later claim."""
        settled = self._settle(
            key,
            token,
            attempt,
            status=NotificationStatus.FAILED,
            provider=provider,
            last_error=error,
        )
        return settled is not None

    def mark_opted_out(
        self,
        key: str,
        token: str,
        error: str,
        provider: str | None = None,
        attempt: Attempt | None = None,
    ) -> bool:
        """Not sent, for good: the recipient opted out (or gave no consent to marketing)."""
        settled = self._settle(
            key,
            token,
            attempt,
            status=NotificationStatus.OPTED_OUT,
            provider=provider,
            last_error=error,
        )
        return settled is not None

    # Opt-outs

    def record_opt_out(
        self,
        shop_id: str,
        channel: Channel,
        recipient: str,
        categories: Iterable[str],
        source: str,
        shipment_ref: str | None = None,
    ) -> int:
        """Record that the recipient (keyed hash) opted out at this shop; how many classes were
        new (a repeated STOP keeps the first row and its date). New ones are told to the shop
        (`recipient.opted_out`, naming the shipment whose message it was about, if known)."""
        now = self._clock()
        stopped = sorted(categories)
        with self._tx.begin() as conn:
            new = sum(
                _insert_if_absent(
                    conn,
                    OptOut,
                    {
                        "shop_id": shop_id,
                        "channel": channel.value,
                        "recipient_hash": recipient,
                        "category": category,
                        "source": source,
                        "created_at": now,
                    },
                    ["shop_id", "channel", "recipient_hash", "category"],
                )
                for category in stopped
            )
            if new:
                data = {"channel": channel.value, "categories": stopped, "source": source}
                emit_shop_event(
                    conn,
                    shop_id,
                    ShopEventType.RECIPIENT_OPTED_OUT,
                    data,
                    at=now,
                    shipment_ref=shipment_ref,
                )
            return new

    def opt_out_recipient_of(self, key: str, source: OptOutSource) -> int:
        """Record the opt-out a provider reported about one message: its recipient, its shop, its
        channel, and the classes `source` stops given the message's own class."""
        with self._tx.begin() as conn:
            row = conn.execute(
                select(
                    _NOTIFICATIONS.c.shipment_ref,
                    _NOTIFICATIONS.c.channel,
                    _NOTIFICATIONS.c.kind,
                    _NOTIFICATIONS.c.recipient_hash,
                ).where(_NOTIFICATIONS.c.idempotency_key == key)
            ).first()
        shop_id = shop_of_ref(row.shipment_ref) if row is not None else None
        if row is None or shop_id is None or row.recipient_hash is None:
            return 0
        category = KINDS[NotificationKind(row.kind)].category
        return self.record_opt_out(
            shop_id,
            Channel(row.channel),
            row.recipient_hash,
            categories_stopped(source, category),
            source,
            row.shipment_ref,
        )

    def find_opt_out(
        self, shop_id: str, channel: Channel, recipient: str, category: str
    ) -> OptOutView | None:
        """The sender's check before every message: the read side's `opt_out`, as one
        autocommit read of a statement built once (no ORM session per message)."""
        with self._tx.read() as conn:
            row = conn.execute(
                _FIND_OPT_OUT,
                {
                    "b_shop_id": shop_id,
                    "b_channel": channel.value,
                    "b_recipient_hash": recipient,
                    "b_category": category,
                },
            ).one_or_none()
        return OptOutView.model_validate(row) if row is not None else None

    def remove_opt_outs(
        self, shop_id: str, channel: Channel, recipient: str, shipment_ref: str | None = None
    ) -> int:
        """The recipient opted back in (START): every class on this channel at this shop; told to
        the shop (`recipient.opted_in`) when there was something to lift."""
        with self._tx.begin() as conn:
            result = conn.execute(
                delete(_OPT_OUTS).where(
                    _OPT_OUTS.c.shop_id == shop_id,
                    _OPT_OUTS.c.channel == channel.value,
                    _OPT_OUTS.c.recipient_hash == recipient,
                )
            )
            if result.rowcount:
                emit_shop_event(
                    conn,
                    shop_id,
                    ShopEventType.RECIPIENT_OPTED_IN,
                    {"channel": channel.value, "source": "sms_keyword"},
                    at=self._clock(),
                    shipment_ref=shipment_ref,
                )
            return int(result.rowcount)

    def _settle(
        self,
        key: str,
        token: str,
        attempt: Attempt | None,
        *,
        status: NotificationStatus,
        **values: Any,
    ) -> Row[Any] | None:
        """Move a claimed message on, only while `token` still holds the claim; the provider call
        that led here is recorded in the same transaction. The moved row (`_SETTLE_NOTIFICATION`),
        or None when the claim was lost.

        A provider's answer the ledger cannot store (an id with NUL or longer than its column)
        is set aside, and the message still moves on without it: a sent message left `sending`
        would be sent again once its lease ran out."""
        if values.get("last_error") is not None:
            values["last_error"] = clean_text(mask_text(values["last_error"]), ERROR_MAX)
        params = {
            "b_key": key,
            "b_token": token,
            "status": status.value,
            "updated_at": self._clock(),
            **values,
        }
        try:
            check_fits(_NOTIFICATIONS, values)
            shop_id = shop_of_ref(shipment_ref_of_key(key))
            if attempt is not None and self._quiet.first(shop_id):
                with self._tx.single() as conn:
                    quiet = {"q_shop": shop_id, **params}
                    moved = _settle_recording(conn, quiet, attempt, quiet=True)
                if moved is not None:
                    return moved  # nothing to tell: the shop takes no webhooks
            with self._tx.begin() as conn:
                if attempt is not None and conn.dialect.name == "postgresql":
                    moved = _settle_recording(conn, params, attempt)
                    if moved is None:  # the claim was lost: the call is kept all the same
                        _insert_attempt(conn, key, attempt)
                    else:
                        self._quiet.heard(shop_id, webhook_url_in(moved.shop_profile))
                else:
                    moved = conn.execute(_SETTLE_NOTIFICATION, params).first()
                    if attempt is not None:
                        _insert_attempt(conn, key, attempt, moved.id if moved else None)
                if moved is not None:
                    error = values.get("last_error")
                    _emit_message_outcome(conn, moved, status, error, params, moved.shop_profile)
                return moved
        except Exception as err:
            if not permanent(err):
                raise
        return self._settle_in_parts(key, token, attempt, status, params)

    def _settle_in_parts(
        self,
        key: str,
        token: str,
        attempt: Attempt | None,
        status: NotificationStatus,
        params: dict[str, Any],
    ) -> Row[Any] | None:
        """`_settle` again, its parts apart: the move (or, failing that, the bare status), then
        the attempt; what fails for good is set aside."""
        ref = self._shipment_of(key)
        aside: list[tuple[SetAsideView, bool]] = []
        moved: Row[Any] | None = None
        with self._tx.begin() as conn:
            try:
                with conn.begin_nested():
                    check_fits(_NOTIFICATIONS, params)
                    moved = conn.execute(_SETTLE_NOTIFICATION, params).first()
            except Exception as err:
                if not permanent(err):
                    raise
                mark = _Part("mark", key, _unbound(params), _noop)
                view, new = self._keep_aside(conn, ref, mark, err)
                aside.append((view, new))
                bare = {
                    name: value
                    for name, value in params.items()
                    if name in ("b_key", "b_token", "status", "updated_at", "provider", "sent_at")
                }
                bare["last_error"] = (
                    f"the ledger could not store the provider's answer: {view.error}"
                )
                moved = conn.execute(_SETTLE_NOTIFICATION, bare).first()
            if moved is not None:
                error = params.get("last_error")
                _emit_message_outcome(conn, moved, status, error, params, moved.shop_profile)
            if attempt is not None:
                notification_id = moved.id if moved else None
                record = _Part(
                    "attempt",
                    f"{key}#{attempt.number}:{attempt.outcome}",
                    _attempt_values(attempt),
                    lambda c: _insert_attempt(c, key, attempt, notification_id),
                )
                try:
                    with conn.begin_nested():
                        record.write(conn)
                except Exception as err:
                    if not permanent(err):
                        raise
                    aside.append(self._keep_aside(conn, ref, record, err))
        self._announce(aside)
        return moved

    def _shipment_of(self, key: str) -> str:
        with self._tx.read() as conn:
            ref = conn.execute(
                select(Notification.shipment_ref).where(Notification.idempotency_key == key)
            ).scalar_one_or_none()
        return ref or ""

    def add_attempt(self, key: str, attempt: Attempt) -> None:
        """Keep one attempt; one the ledger cannot store is set aside (it is a record of what
        happened, and must not stop the message)."""
        try:
            with self._tx.begin() as conn:
                _insert_attempt(conn, key, attempt)
        except Exception as err:
            if not permanent(err):
                raise
            part = _Part(
                "attempt",
                f"{key}#{attempt.number}:{attempt.outcome}",
                _attempt_values(attempt),
                _noop,
            )
            self._announce([self._set_aside_alone(self._shipment_of(key), part, err)])

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
        self.add_attempt(
            key,
            Attempt(attempt, provider, started_at, finished_at, outcome, error_code, error_message),
        )

    # Provider delivery reports

    def record_delivery_report(self, report: DeliveryReport) -> ReportReceipt:
        """Keep a provider's callback once, and move its message forward if it says so.

        The message is found by our key (SendGrid echoes it) or the provider's message id. A
        repeated callback changes nothing; a late one (`sent` after `delivered`) is kept but
        moves nothing; one that overtook `mark_sent` is kept unmatched until `adopt_reports`.

        A report the ledger cannot store (an id with NUL, or longer than any id we gave) is set
        aside and answered with `set_aside`: the provider's other reports go on.
        """
        now = self._clock()
        values = {
            "provider": report.provider,
            "provider_message_id": report.provider_message_id,
            "event_id": report.event_id,
            "event": clean_text(report.event, 50),
            "status": report.status.value if report.status else None,
            "permanent": report.permanent,
            "error_code": clean_text(report.error_code, 100),
            "detail": clean_text(mask_text(report.detail), ERROR_MAX) if report.detail else None,
            "occurred_at": report.occurred_at,
            "received_at": now,
        }
        try:
            # The key must fit where it is looked for, or SQLite and PostgreSQL would differ.
            check_fits(_NOTIFICATIONS, {"idempotency_key": report.key})
            with self._tx.begin() as conn:
                found = self._find_reported(conn, report)
                new = _insert_if_absent(
                    conn,
                    ReportRow,
                    {"notification_id": found.id if found else None, **values},
                    ["provider", "event_id"],
                )
                moved = False
                if new and found is not None and report.status is not None:
                    current = NotificationStatus(found.status)
                    if provider_may_move(current, report.status):
                        moved = self._move(conn, found.id, current, report.status, now)
        except Exception as err:
            if not permanent(err):
                raise
            part = _Part(
                "delivery_report",
                f"{report.provider}:{report.event_id}",
                {"key": report.key, **values},
                _noop,
            )
            view, new = self._set_aside_alone("", part, err)
            self._announce([(view, new)])
            return ReportReceipt(notification=None, new=False, moved=False, set_aside=view)
        message = self._views.notification(found.idempotency_key) if found is not None else None
        return ReportReceipt(notification=message, new=new, moved=moved)

    @staticmethod
    def _find_reported(conn: Connection, report: DeliveryReport) -> Any:
        columns = (Notification.id, Notification.idempotency_key, Notification.status)
        if report.key is not None:
            match = Notification.idempotency_key == report.key
        elif report.provider_message_id is not None:
            match = Notification.provider_message_id == report.provider_message_id
        else:
            return None
        return conn.execute(select(*columns).where(match)).first()

    @staticmethod
    def _move(
        conn: Connection,
        notification_id: int,
        current: NotificationStatus,
        new: NotificationStatus,
        now: datetime,
    ) -> bool:
        moved = conn.execute(
            update(_NOTIFICATIONS)
            .where(
                _NOTIFICATIONS.c.id == notification_id,
                _NOTIFICATIONS.c.status == current.value,
            )
            .values(status=new.value, updated_at=now)
            .returning(*_OUTCOME_COLUMNS)
        ).first()
        if moved is not None:
            _emit_message_outcome(conn, moved, new, None, {"updated_at": now}, UNREAD)
        return moved is not None

    def adopt_reports(
        self, key: str, provider_message_id: str
    ) -> tuple[NotificationStatus, bool] | None:
        """After `mark_sent`: apply the callbacks that arrived before it, in the order they
        happened. Returns the message's new status and whether its failure is permanent, or
        None when nothing moved. Almost always there is nothing: one read says so. An id the
        ledger cannot store was never recorded, so no report can be waiting for it."""
        if not fits(_NOTIFICATIONS, {"provider_message_id": provider_message_id}):
            return None
        with self._tx.read() as conn:
            early = conn.execute(
                _EARLY_REPORT, {"b_key": key, "b_provider_message_id": provider_message_id}
            ).first()
        if early is None:
            return None
        now = self._clock()
        with self._tx.begin() as conn:
            message = conn.execute(
                select(
                    Notification.id, Notification.status, Notification.provider_message_id
                ).where(Notification.idempotency_key == key)
            ).first()
            if message is None or message.provider_message_id is None:
                return None
            conn.execute(
                update(ReportRow)
                .where(
                    ReportRow.provider_message_id == message.provider_message_id,
                    ReportRow.notification_id.is_(None),
                )
                .values(notification_id=message.id)
            )
            reports = conn.execute(
                select(ReportRow.status, ReportRow.permanent)
                .where(ReportRow.notification_id == message.id, ReportRow.status.is_not(None))
                .order_by(ReportRow.occurred_at, ReportRow.id)
            ).all()
            status, permanent = NotificationStatus(message.status), False
            for reported in reports:
                candidate = NotificationStatus(reported.status)
                if provider_may_move(status, candidate):
                    status, permanent = candidate, reported.permanent
            if status.value == message.status:
                return None
            self._move(conn, message.id, NotificationStatus(message.status), status, now)
            return status, permanent


class Ledger(LedgerWriter, LedgerReader):
    """Both sides over one engine, for code that reads back what it wrote (the tests). The
    processes take the side they need: the worker writes, the CLI and the page read."""


def _call_values(ref: str, call: CallRecord) -> dict[str, Any]:
    """The model bounds every field to its column (the note is prose, at most 500 characters)."""
    return {
        "shipment_ref": ref,
        "call_id": call.call_id,
        "occurred_at": call.occurred_at,
        "centre": call.centre.value,
        "operator": call.operator,
        "direction": call.direction.value,
        "outcome": call.outcome.value,
        "note": call.note,
        "recorded_at": call.recorded_at,
    }


def _status_values(ref: str, status: ShipmentStatus, at: datetime, closed: bool) -> dict[str, Any]:
    values: dict[str, Any] = {"b_ref": ref, "status": status.value, "updated_at": at}
    if closed:
        # A closed shipment's page shows the ledger alone: its live snapshot goes.
        values |= {"closed_at": at, "page_contact": None, "page_live": None}
    return values


def _inserting(
    model: type[Shipment | ShipmentEvent | CallRow], values: dict[str, Any], keys: list[str]
) -> Callable[[Connection], object]:
    return lambda conn: _insert_if_absent(conn, model, values, keys)


def _cleaned(table: Table, values: dict[str, Any], keep: tuple[str, ...]) -> dict[str, Any]:
    """`values` with every string but `keep` cleaned and cut to its column."""
    cleaned = dict(values)
    for name, value in values.items():
        kind = table.c[name].type
        if isinstance(value, str) and name not in keep:
            cleaned[name] = clean_text(value, kind.length if isinstance(kind, String) else None)
    return cleaned


_TOLD_OUTCOMES = frozenset(
    {
        NotificationStatus.SENT,
        NotificationStatus.DELIVERED,
        NotificationStatus.UNDELIVERED,
        NotificationStatus.FAILED,
        NotificationStatus.OPTED_OUT,
    }
)
"""The outcomes the ledger settles and tells the shop (`message.outcome`); a released claim
(`planned`) is not an outcome. The workflow's own (suppressed...) come with its changes."""


class _WebhookUrl:
    """The shop's webhook URL, read once per recorded change (in the transaction of its first
    use) however many of the change's facts are told to the shop."""

    def __init__(self, shop_id: str | None) -> None:
        self._shop_id = shop_id
        self._read = False
        self._url: str | None = None

    def url(self, conn: Connection) -> str | None:
        if not self._read and self._shop_id is not None:
            self._url, self._read = webhook_url_of(conn, self._shop_id), True
        return self._url

    def seen(self, row: Row[Any] | None) -> None:
        """The shipment's status update returned its shop's profile: no read of its own."""
        if row is not None:
            self._url, self._read = webhook_url_in(row.shop_profile), True


def _emit_status_change(
    conn: Connection,
    shop_id: str,
    ref: str,
    entry: TimelineEntry,
    values: dict[str, Any],
    now: datetime,
    webhook_url: str | None,
) -> None:
    """A carrier event that moved the shipment, told to its shop: the status, the carrier's own
    description and location (an exception or a return says why)."""
    event = entry.event
    data = {
        "status": event.status.value,
        "event_id": event.event_id,
        "occurred_at": event.occurred_at.isoformat(),
        "description": values["description"],
        "location": values["location"],
    }
    kinds = [ShopEventType.SHIPMENT_STATUS_CHANGED]
    if event.event_id.startswith(STORAGE_DEADLINE_EVENT):
        kinds.append(ShopEventType.SHIPMENT_RETURN_UNCOLLECTED)
    for kind in kinds:
        emit_shop_event(
            conn,
            shop_id,
            kind,
            data,
            at=now,
            shipment_ref=ref,
            delivery_id=stable_delivery_id(ref, event.event_id, kind.value),
            webhook_url=webhook_url,
        )


def _emit_message_outcome(
    conn: Connection,
    row: Any,
    status: NotificationStatus,
    error: str | None,
    params: dict[str, Any],
    shop_profile: str | Literal[Unread.UNREAD] | None,
) -> None:
    """A message's settled outcome, told to its shop in the transaction that recorded it;
    `shop_profile` as the statement that moved it read it (`_SETTLE_NOTIFICATION`), if it did."""
    shop_id = shop_of_ref(row.shipment_ref)
    if shop_id is None or status not in _TOLD_OUTCOMES:
        return
    data = {
        "message": {
            "kind": row.kind,
            "channel": row.channel,
            "occurrence": row.occurrence,
            "status": status.value,
            "error": error,
        }
    }
    emit_shop_event(
        conn,
        shop_id,
        ShopEventType.MESSAGE_OUTCOME,
        data,
        at=params["updated_at"],
        shipment_ref=row.shipment_ref,
        delivery_id=stable_delivery_id(row.idempotency_key, status.value),
        webhook_url=UNREAD if shop_profile is UNREAD else webhook_url_in(shop_profile),
    )


def _emit_decided(
    conn: Connection,
    shop_id: str,
    ref: str,
    decided: Sequence[NotificationRecord],
    now: datetime,
    webhook_url: str | None,
) -> None:
    """Messages the workflow settled itself (suppressed, superseded, delegated), told to the
    shop like the ledger's own outcomes; once each, however often the change is recorded."""
    for record in decided:
        data = {
            "message": {
                "kind": record.kind.value,
                "channel": record.channel.value,
                "occurrence": record.occurrence,
                "status": record.status.value,
                "error": clean_text(mask_text(record.error), ERROR_MAX) if record.error else None,
            }
        }
        emit_shop_event(
            conn,
            shop_id,
            ShopEventType.MESSAGE_OUTCOME,
            data,
            at=now,
            shipment_ref=ref,
            delivery_id=stable_delivery_id(record.key, record.status.value),
            webhook_url=webhook_url,
        )


def _noop(_conn: Connection) -> None:
    """The write of a part recorded only to be set aside (its own transaction failed)."""


def _unbound(params: dict[str, Any]) -> dict[str, Any]:
    """A statement's parameters as the row's values (b_key -> key), for a set-aside payload."""
    return {name.removeprefix("b_"): value for name, value in params.items() if name != "b_token"}


def _attempt_values(attempt: Attempt) -> dict[str, Any]:
    """An attempt's row: the provider's code and text cleaned (NUL out, cut to their column)."""
    return {
        "attempt": attempt.number,
        "provider": clean_text(attempt.provider, 50),
        "started_at": attempt.started_at,
        "finished_at": attempt.finished_at,
        "outcome": attempt.outcome,
        "error_code": clean_text(attempt.error_code, 100),
        "error_message": clean_text(mask_text(attempt.error_message), ERROR_MAX)
        if attempt.error_message
        else None,
    }


def _insert_attempt(
    conn: Connection, key: str, attempt: Attempt, notification_id: int | None = None
) -> None:
    """Keep one provider call; `notification_id` saves the lookup when the caller has it."""
    if notification_id is None:
        notification_id = conn.execute(
            select(Notification.id).where(Notification.idempotency_key == key)
        ).scalar_one_or_none()
    if notification_id is None:
        raise LookupError(f"no notification {key!r} to record an attempt for")
    row = {"notification_id": notification_id, **_attempt_values(attempt)}
    check_fits(_ATTEMPTS, row)
    conn.execute(_INSERT_ATTEMPT, row)


def _settle_recording(
    conn: Connection, params: dict[str, Any], attempt: Attempt, *, quiet: bool = False
) -> Row[Any] | None:
    """`_SETTLE_NOTIFICATION` and the provider call that led to it in one statement (PostgreSQL,
    `one_statement.settle_and_record`): the moved row, or None. `quiet`: only for a shop without
    a webhook URL (`q_shop` in `params`), in autocommit."""
    row = _attempt_values(attempt)
    check_fits(_ATTEMPTS, row)
    columns = tuple(sorted(k for k in params if not k.startswith(("b_", "q_"))))
    bound = {f"a_{name}": value for name, value in row.items()}
    settling = _SETTLE_QUIETLY if quiet else _SETTLE_NOTIFICATION
    statement = settle_and_record(settling, columns, quiet=quiet)
    moved: Row[Any] | None = conn.execute(statement, params | bound).first()
    return moved


def _insert_if_absent(
    conn: Connection,
    model: type[Shipment | ShipmentEvent | ReportRow | SetAside | OptOut | CallRow],
    values: dict[str, Any],
    keys: list[str],
) -> bool:
    """INSERT ... ON CONFLICT (keys) DO NOTHING; True if the row was new.

    Only the named unique key is tolerated: any other violation (an unknown shipment) raises.
    RETURNING tells a new row from a skipped one (rowcount of an INSERT is not portable). A
    value no backend would store raises Unstorable first, alike on SQLite and PostgreSQL.
    """
    table = table_of(model)
    check_fits(table, values)
    stmt = _insert_once(conn.dialect.name, table, tuple(keys))
    return conn.execute(stmt, values).first() is not None


@cache
def _insert_once(dialect: str, table: Table, keys: tuple[str, ...]) -> Any:
    """The statement of `_insert_if_absent`, built once per table (see _UPDATE_SHIPMENT)."""
    stmt: PostgresqlInsert | SqliteInsert
    if dialect == "postgresql":
        stmt = postgresql_insert(table).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "sqlite":
        stmt = sqlite_insert(table).on_conflict_do_nothing(index_elements=keys)
    else:
        raise NotImplementedError(f"the ledger supports SQLite and PostgreSQL, not {dialect}")
    return stmt.returning(*(table.c[key] for key in keys))


# The statements every message and every event runs, built once: their values travel as
# execute() parameters (an UPDATE's SET clause is the parameters not named in its WHERE), so
# SQLAlchemy neither rebuilds a statement nor computes its cache key per call. Parameters of a
# WHERE clause are named b_*, apart from the columns.
_SHIPMENTS, _NOTIFICATIONS = table_of(Shipment), table_of(Notification)
_EVENTS = table_of(ShipmentEvent)
_UPDATE_SHIPMENT = update(_SHIPMENTS).where(_SHIPMENTS.c.ref == bindparam("b_ref"))
_UPDATE_STATUS: ReturningUpdate[tuple[str | None]] = _UPDATE_SHIPMENT.returning(
    literal_column(
        "(SELECT shops.profile FROM shops WHERE shops.shop_id = shipments.shop_id)"
    ).label("shop_profile")
)
"""The shipment's status, returning its shop's registry profile (whether it takes webhooks)."""
_RECORD_CONSENT = _UPDATE_SHIPMENT.where(_SHIPMENTS.c.marketing_consent_at.is_(None))
"""Consent recorded once: a repeated activity (or a second consent) keeps the first."""
_OPT_OUTS = table_of(OptOut)
_FIND_OPT_OUT = find_opt_out()
_CLAIM_NOTIFICATION = insert(_NOTIFICATIONS).returning(_NOTIFICATIONS.c.id, opted_out_by())
"""A first claim, and the recipient's opt-out of its class of message, in one round trip."""
_OUTCOME_COLUMNS = (
    _NOTIFICATIONS.c.id,
    _NOTIFICATIONS.c.idempotency_key,
    _NOTIFICATIONS.c.shipment_ref,
    _NOTIFICATIONS.c.kind,
    _NOTIFICATIONS.c.channel,
    _NOTIFICATIONS.c.occurrence,
)
"""What a settled message returns: enough to tell its shop (`_emit_message_outcome`)."""
_SETTLING = update(_NOTIFICATIONS).where(
    _NOTIFICATIONS.c.idempotency_key == bindparam("b_key"),
    _NOTIFICATIONS.c.claim_token == bindparam("b_token"),
    _NOTIFICATIONS.c.status == NotificationStatus.SENDING.value,
)
"""A claimed message moved on, while `b_token` still holds its claim."""
# Written out: SQLAlchemy renders a RETURNING clause's columns without their tables, which on
# SQLite makes a correlated subquery's own columns ambiguous.
_REPORTS_WAITING = literal_column(
    "EXISTS (SELECT 1 FROM delivery_reports WHERE"
    " delivery_reports.provider_message_id = notifications.provider_message_id"
    " OR delivery_reports.notification_id = notifications.id)",
    Boolean,
).label("reports_waiting")
_SETTLE_NOTIFICATION = _SETTLING.returning(
    *_OUTCOME_COLUMNS,
    literal_column(
        "(SELECT shops.profile FROM shops JOIN shipments ON shipments.shop_id = shops.shop_id"
        " WHERE shipments.ref = notifications.shipment_ref)"
    ).label("shop_profile"),
    _REPORTS_WAITING,
)
"""`_SETTLING`, returning what comes next in the same round trip: its shop's profile (whether
the shop takes webhooks), and whether delivery reports came first."""
_SETTLE_QUIETLY = _SETTLING.returning(_NOTIFICATIONS.c.id, _REPORTS_WAITING)
"""`_SETTLING` for a shop without a webhook URL: nothing to tell it, so no profile to read."""
_ATTEMPTS = table_of(NotificationAttempt)
_CALLS = table_of(CallRow)
_INSERT_ATTEMPT = insert(_ATTEMPTS)
_EARLY_REPORT = (
    select(ReportRow.id)
    .where(
        or_(
            ReportRow.provider_message_id == bindparam("b_provider_message_id"),
            ReportRow.notification_id
            == select(_NOTIFICATIONS.c.id)
            .where(_NOTIFICATIONS.c.idempotency_key == bindparam("b_key"))
            .scalar_subquery(),
        )
    )
    .limit(1)
)
"""A delivery report that came before `mark_sent` (see LedgerWriter.adopt_reports)."""
