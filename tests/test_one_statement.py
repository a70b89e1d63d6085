"""The ledger's one-statement writes on PostgreSQL (ledger/one_statement.py): for a shop without
a webhook URL, a recorded change, with the claims of the messages it sends, is one statement in
autocommit, and so is a message's settle; a shop with a webhook URL keeps its transactions and
is told of everything, as before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from psycopg import _queries
from sqlalchemy import event, select

from ledger.claims import Attempt, ClaimRequest, Ledger, Recorded
from ledger.schema import Shipment
from ledger.shops import ShopRegistry
from ledger.webhooks import WebhookLog
from models.notification import Channel, NotificationKind, NotificationStatus, idempotency_key
from models.shipment import ShipmentStart
from models.shop import ShopProfile
from models.state import EventOutcome, TimelineEntry
from models.status import ShipmentStatus
from testing.factories import T0, shipment
from testing.factories import event as carrier_event
from tests.db_fixtures import unique

S = ShipmentStatus
PAGE = {"page_contact": b"sealed contact", "page_live": b"sealed live"}


pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
"""The `ledger` fixture on PostgreSQL alone: SQLite has no data-modifying CTEs."""


class Round:
    """What reached the database since `watching` began: the statements and the commits."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.commits = 0


def watching(ledger: Ledger) -> Round:
    seen = Round()

    def statement(*args: Any) -> None:
        seen.statements.append(args[2])

    def commit(*_: Any) -> None:
        seen.commits += 1

    event.listen(ledger.engine, "before_cursor_execute", statement)
    event.listen(ledger.engine, "commit", commit)
    return seen


def a_shop(ledger: Ledger, *, webhook: bool) -> str:
    shop_id = unique("shop")
    url = f"http://127.0.0.1:9/hooks/{shop_id}" if webhook else None
    ShopRegistry(ledger.engine).create(shop_id, ShopProfile(display_name="Acme", webhook_url=url))
    return shop_id


def entry(status: S, minutes: int) -> TimelineEntry:
    scan = carrier_event(status, minutes, event_id=unique("e"))
    return TimelineEntry(event=scan, received_at=scan.occurred_at, outcome=EventOutcome.APPLIED)


def message(ref: str, kind: NotificationKind = NotificationKind.SHIPPED) -> ClaimRequest:
    key = idempotency_key(ref, kind, 1, Channel.EMAIL)
    return ClaimRequest(key, ref, kind, 1, Channel.EMAIL, "s***@example.com", "hash", "tx")


def started(shop_id: str) -> ShipmentStart:
    return shipment(shop_id=shop_id, shipment_id=unique("s"))


def first_change(ledger: Ledger, start: ShipmentStart, *claims: ClaimRequest) -> Recorded:
    """The change that starts `start`: two timeline entries, the page, the claims."""
    return ledger.record_change(
        start.workflow_id,
        start=start,
        entries=[entry(S.IN_TRANSIT, 10), entry(S.IN_TRANSIT, 20)],
        status=S.IN_TRANSIT,
        at=T0 + timedelta(minutes=20),
        closed=False,
        page_snapshot=PAGE,
        claims=list(claims),
        claim_token="token",
        claimed_at=T0,
    )


def shipment_row(ledger: Ledger, ref: str) -> Any:
    with ledger.engine.connect() as conn:
        return conn.execute(select(Shipment.__table__).where(Shipment.ref == ref)).one()


def test_a_quiet_shops_change_is_one_statement_and_no_transaction(ledger: Ledger) -> None:
    start = started(a_shop(ledger, webhook=False))
    seen = watching(ledger)

    first_change(ledger, start)

    assert (len(seen.statements), seen.commits) == (1, 0)
    row = shipment_row(ledger, start.workflow_id)
    assert (row.status, row.updated_at) == ("in_transit", T0 + timedelta(minutes=20))
    assert (row.page_contact, row.page_live) == (PAGE["page_contact"], PAGE["page_live"])
    assert len(ledger.timeline(start.workflow_id)) == 2


def test_psycopg_keeps_the_parsing_of_a_quiet_change_with_its_messages(ledger: Ledger) -> None:
    """Parsed once per shape, not on every change (`ledger.engine.cache_long_statements`)."""
    start = started(a_shop(ledger, webhook=False))
    ref = start.workflow_id
    kinds = (
        NotificationKind.SHIPPED,
        NotificationKind.OUT_FOR_DELIVERY,
        NotificationKind.DELIVERED,
    )
    seen = watching(ledger)

    first_change(ledger, start, *(message(ref, kind) for kind in kinds))

    [statement] = seen.statements
    assert len(statement.encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH
    assert statement.count("%(") <= _queries.MAX_CACHED_STATEMENT_PARAMS


def test_a_shop_missing_from_the_registry_is_a_quiet_shop(ledger: Ledger) -> None:
    start = started(unique("unregistered"))
    seen = watching(ledger)

    first_change(ledger, start)

    assert (len(seen.statements), seen.commits) == (1, 0)
    assert len(ledger.timeline(start.workflow_id)) == 2


def test_a_quiet_shops_closing_change_sets_the_status_and_clears_the_page(
    ledger: Ledger,
) -> None:
    start = started(a_shop(ledger, webhook=False))
    first_change(ledger, start)

    ledger.record_change(
        start.workflow_id,
        start=None,
        entries=[entry(S.DELIVERED, 90)],
        status=S.DELIVERED,
        at=T0 + timedelta(minutes=90),
        closed=True,
    )

    row = shipment_row(ledger, start.workflow_id)
    assert (row.status, row.closed_at) == ("delivered", T0 + timedelta(minutes=90))
    assert (row.page_contact, row.page_live) == (None, None)
    assert len(ledger.timeline(start.workflow_id)) == 3


def test_the_change_claims_the_messages_it_sends_in_its_statement(ledger: Ledger) -> None:
    start = started(a_shop(ledger, webhook=False))
    sent = message(start.workflow_id)
    seen = watching(ledger)

    recorded = first_change(ledger, start, sent)

    assert len(seen.statements) == 1
    claim = recorded.claims[sent.key]
    assert (claim.won, claim.status, claim.opted_out_by) == (True, NotificationStatus.SENDING, None)
    row = ledger.notification(sent.key)
    assert row is not None
    assert (row.status, row.claimed_at, row.attempts) == (NotificationStatus.SENDING, T0, 1)


def test_a_message_claimed_before_is_left_to_claim_for_itself(ledger: Ledger) -> None:
    start = started(a_shop(ledger, webhook=False))
    sent = message(start.workflow_id)
    first_change(ledger, start, sent)

    again = first_change(ledger, start, sent)  # the activity, retried

    assert again.claims == {}
    later = ledger.claim_for(sent, token="retry", lease=timedelta(minutes=1), now=T0)
    assert (later.won, later.status) == (False, NotificationStatus.SENDING)


def test_the_claim_reads_the_recipients_opt_out_of_the_messages_class(ledger: Ledger) -> None:
    shop_id = a_shop(ledger, webhook=False)
    start = started(shop_id)
    sent = message(start.workflow_id)
    ledger.record_opt_out(shop_id, Channel.EMAIL, "hash", ["tx"], "reply_stop")

    recorded = first_change(ledger, start, sent)

    assert recorded.claims[sent.key].opted_out_by == "reply_stop"


def test_a_shop_with_a_webhook_url_keeps_its_transaction_and_hears_of_the_change(
    ledger: Ledger,
) -> None:
    shop_id = a_shop(ledger, webhook=True)
    start = started(shop_id)
    sent = message(start.workflow_id)
    seen = watching(ledger)

    recorded = first_change(ledger, start, sent)

    assert seen.commits == 1
    assert recorded.claims == {}, "its messages claim for themselves"
    told = [d.event_type for d in WebhookLog(ledger.engine).deliveries(shop_id)]
    assert told.count("shipment.status_changed") == 2
    assert len(ledger.timeline(start.workflow_id)) == 2


def test_once_a_shop_is_seen_with_a_webhook_url_its_changes_go_straight_to_a_transaction(
    ledger: Ledger,
) -> None:
    shop_id = a_shop(ledger, webhook=True)
    first_change(ledger, started(shop_id))
    seen = watching(ledger)

    first_change(ledger, started(shop_id))

    assert not any("quiet" in statement for statement in seen.statements)
    assert seen.commits == 1


def test_a_quiet_shops_settle_is_one_statement_that_keeps_the_provider_call(
    ledger: Ledger,
) -> None:
    start = started(a_shop(ledger, webhook=False))
    sent = message(start.workflow_id)
    first_change(ledger, start, sent)
    call = Attempt(1, "sendgrid", T0, T0 + timedelta(seconds=1), "sent")
    seen = watching(ledger)

    settled = ledger.settle_sent(sent.key, "token", "sendgrid", "msg-1", attempt=call)

    assert settled == (NotificationStatus.SENT, False)
    assert (len(seen.statements), seen.commits) == (1, 0)
    assert [a.outcome for a in ledger.attempts(sent.key)] == ["sent"]


def test_a_shop_with_a_webhook_url_hears_of_a_settled_message(ledger: Ledger) -> None:
    shop_id = a_shop(ledger, webhook=True)
    start = started(shop_id)
    sent = message(start.workflow_id)
    first_change(ledger, start)
    ledger.claim_for(sent, token="token", lease=timedelta(minutes=1), now=T0)
    call = Attempt(1, "sendgrid", T0, T0 + timedelta(seconds=1), "sent")

    ledger.settle_sent(sent.key, "token", "sendgrid", "msg-1", attempt=call)

    told = [d.event_type for d in WebhookLog(ledger.engine).deliveries(shop_id)]
    assert told.count("message.outcome") == 1
