"""Marketing consent given later, on the tracking page, over the real service (real Temporal, a
worker with the real activities, the ledger on SQLite and PostgreSQL, SendGrid's format at the
fake): the unticked opt-in reaches the workflow as an update, is recorded with its time and
source in the state and the ledger, and the thank-you then goes out with its one-click
unsubscribe headers; withdrawing on the page stops it, for that shop only; the workflow's
validator refuses what the page would not offer."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from temporalio.client import Client

from infra.links import TrackingLinks, load_secret, recipient_hash
from infra.settings import Settings
from ledger.engine import make_engine
from ledger.views import LedgerReader, ShipmentView
from models.consent import ConsentSource
from models.kinds import Category
from models.notification import Channel, NotificationKind, NotificationStatus
from models.policy import NotificationPolicy, ThankYou
from models.shipment import Recipient, ShipmentStart
from models.state import ShipmentState
from models.status import ShipmentStatus
from testing.factories import event, shipment
from testing.sendgrid_server import FakeSendGrid, SendGridRequest
from tests.api.conftest import PUBLIC_URL
from tests.api.test_tracking_page import Node, parse
from tests.db_fixtures import unique
from tests.polling import all_settled, eventually
from workflows.client import report_event, start_shipment

THANKS = NotificationPolicy(
    quiet_hours=None,
    thank_you=ThankYou(enabled=True, delay=timedelta(seconds=1), coupon_code="THANKS10"),
)


@pytest.fixture
def api_settings(api_settings: Settings, database_url: str) -> Settings:
    """The service and its worker on each backend in turn."""
    return api_settings.model_copy(update={"database_url": database_url})


@pytest.fixture
def reader(api_settings: Settings) -> LedgerReader:
    return LedgerReader(make_engine(api_settings.ledger_url))


def mailbox() -> str:
    return f"{uuid.uuid4().hex[:12]}@example.com"


def order(
    shop_id: str, email: str, *, consent: bool = False, policy: NotificationPolicy = THANKS
) -> ShipmentStart:
    recipient = Recipient(name="Sam", email=email, marketing_consent=consent)
    return shipment(shop_id=shop_id, recipient=recipient, policy=policy)


async def started(client: Client, settings: Settings, start: ShipmentStart) -> str:
    """Started, its dispatch email settled (so the ledger has the shipment): its page's path."""
    await start_shipment(client, start, settings.task_queue)
    await eventually(client, start.workflow_id, lambda s: bool(s.notifications) and all_settled(s))
    link = TrackingLinks.from_settings(settings).url(start.workflow_id, datetime.now(UTC))
    assert link is not None
    return link.removeprefix(PUBLIC_URL)


async def page(http: httpx.AsyncClient, path: str) -> Node:
    shown = await http.get(path)
    assert shown.status_code == 200
    return parse(shown.text)


def notice_of(answer: httpx.Response) -> str:
    assert answer.status_code == 303
    return answer.headers["location"].split("notice=")[-1]


async def delivered(client: Client, ref: str) -> ShipmentState:
    """Delivered, and the thank-you settled (sent, or refused at the sender)."""
    await report_event(client, ref, event(ShipmentStatus.DELIVERED, 60))
    return await eventually(
        client,
        ref,
        lambda s: (
            any(n.kind is NotificationKind.THANK_YOU for n in s.notifications) and all_settled(s)
        ),
    )


def thank_you_status(state: ShipmentState) -> NotificationStatus:
    [thanks] = [n for n in state.notifications if n.kind is NotificationKind.THANK_YOU]
    return thanks.status


def thank_you_mail(fake: FakeSendGrid, email: str) -> list[SendGridRequest]:
    return [m for m in fake.sent if email in m.to and ":thank_you:" in m.custom_args["waypost_key"]]


async def recorded(reader: LedgerReader, ref: str) -> ShipmentView:
    row = reader.shipment(ref)
    assert row is not None
    return row


async def test_the_page_offers_an_unticked_opt_in_while_a_thank_you_is_ahead(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    path = await started(client, api_settings, order(unique("shop"), mailbox()))

    dom = await page(http, path)

    block = dom.one(testid="consent")
    assert block.attrs["data-state"] == "offer"
    box = block.one(testid="consent-checkbox")
    assert box.attrs["type"] == "checkbox" and "checked" not in box.attrs
    assert block.one(testid="consent-form").attrs["action"] == f"{path}/consent"


async def test_consent_given_on_the_page_reaches_the_workflow_and_the_ledger_and_the_thank_you_goes(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    reader: LedgerReader,
    fake_sendgrid: FakeSendGrid,
) -> None:
    email = mailbox()
    start = order(unique("shop"), email)
    path = await started(client, api_settings, start)

    answer = await http.post(f"{path}/consent", data={"consent": "yes"})

    assert notice_of(answer) == "consent_given"
    state = await eventually(client, start.workflow_id, lambda s: bool(s.marketing_consent))
    consent = state.marketing_consent
    assert consent is not None and consent.source is ConsentSource.TRACKING_PAGE
    row = await recorded(reader, start.workflow_id)
    for _ in range(200):
        if row.marketing_consent_at is not None:
            break
        await asyncio.sleep(0.05)
        row = await recorded(reader, start.workflow_id)
    assert row.marketing_consent_source == "tracking_page"
    assert row.marketing_consent_at == consent.given_at
    dom = await page(http, f"{path}?notice=consent_given")
    assert dom.one(testid="consent").attrs["data-state"] == "given"
    assert dom.one(testid="consent-withdraw-form").attrs["action"] == f"{path}/consent/withdraw"
    assert dom.one(testid="notice").attrs["data-kind"] == "success"

    thanked = await delivered(client, start.workflow_id)

    assert thank_you_status(thanked) is NotificationStatus.SENT
    [mail] = thank_you_mail(fake_sendgrid, email)
    assert mail.payload["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_without_consent_the_thank_you_is_not_sent(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_sendgrid: FakeSendGrid
) -> None:
    email = mailbox()
    start = order(unique("shop"), email)
    await started(client, api_settings, start)

    thanked = await delivered(client, start.workflow_id)

    assert thank_you_status(thanked) is NotificationStatus.OPTED_OUT
    assert thank_you_mail(fake_sendgrid, email) == []


async def test_withdrawing_on_the_page_stops_the_thank_you_of_that_shop_only(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    reader: LedgerReader,
    fake_sendgrid: FakeSendGrid,
) -> None:
    email = mailbox()
    shop_a, shop_b = unique("shop-a"), unique("shop-b")
    mine = order(shop_a, email)
    other = order(shop_b, email, consent=True)
    path = await started(client, api_settings, mine)
    await started(client, api_settings, other)
    assert notice_of(await http.post(f"{path}/consent", data={"consent": "yes"})) == (
        "consent_given"
    )

    answer = await http.post(f"{path}/consent/withdraw")

    assert notice_of(answer) == "consent_withdrawn"
    hashed = recipient_hash(load_secret(api_settings), email)
    marketing = Category.MARKETING.value
    assert reader.opt_out(shop_a, Channel.EMAIL, hashed, marketing) is not None
    assert reader.opt_out(shop_a, Channel.EMAIL, hashed, Category.TRANSACTIONAL.value) is None
    assert reader.opt_out(shop_b, Channel.EMAIL, hashed, marketing) is None
    dom = await page(http, path)
    assert dom.one(testid="consent").attrs["data-state"] == "withdrawn"
    assert dom.find_all(testid="consent-form") == []

    mine_thanked = await delivered(client, mine.workflow_id)
    other_thanked = await delivered(client, other.workflow_id)

    assert thank_you_status(mine_thanked) is NotificationStatus.OPTED_OUT
    assert thank_you_status(other_thanked) is NotificationStatus.SENT
    [mail] = thank_you_mail(fake_sendgrid, email)
    assert mail.custom_args["shipment_ref"] == other.workflow_id


async def test_consent_at_the_start_is_recorded_and_offers_withdrawal(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, reader: LedgerReader
) -> None:
    start = order(unique("shop"), mailbox(), consent=True)
    path = await started(client, api_settings, start)

    dom = await page(http, path)

    row = await recorded(reader, start.workflow_id)
    assert row.marketing_consent_source == "start" and row.marketing_consent_at is not None
    assert dom.one(testid="consent").attrs["data-state"] == "given"
    assert dom.find_all(testid="consent-withdraw") != []
    refused = await http.post(f"{path}/consent", data={"consent": "yes"})
    assert notice_of(refused) == "refused"


async def test_no_opt_in_and_a_refusal_when_no_marketing_is_ahead(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = order(unique("shop"), mailbox(), policy=NotificationPolicy(quiet_hours=None))
    path = await started(client, api_settings, start)

    dom = await page(http, path)
    answer = await http.post(f"{path}/consent", data={"consent": "yes"})

    assert dom.find_all(testid="consent") == []
    assert notice_of(answer) == "refused"
    state = await eventually(client, start.workflow_id, lambda s: True)
    assert state.marketing_consent is None


async def test_an_unticked_opt_in_is_refused_with_the_page(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = order(unique("shop"), mailbox())
    path = await started(client, api_settings, start)

    answer = await http.post(f"{path}/consent", data={})

    assert answer.status_code == 400
    assert parse(answer.text).one(testid="notice").attrs["data-kind"] == "error"
    state = await eventually(client, start.workflow_id, lambda s: True)
    assert state.marketing_consent is None


async def test_consent_to_a_closed_shipment_says_it_is_closed(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = order(unique("shop"), mailbox(), policy=NotificationPolicy(quiet_hours=None))
    path = await started(client, api_settings, start)
    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERED, 60))
    await client.get_workflow_handle(start.workflow_id).result()

    given = await http.post(f"{path}/consent", data={"consent": "yes"})
    withdrawn = await http.post(f"{path}/consent/withdraw")

    assert notice_of(given) == "closed"
    assert notice_of(withdrawn) == "closed"
