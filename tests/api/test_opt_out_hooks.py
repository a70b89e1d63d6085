"""SMS opt-out over the inbound webhook, signed as Twilio signs it, against the shared PostgreSQL
ledger: STOP (in any language) stops the shop that texted the number, START lifts it, another
shop's SMS to the same number still goes. Each test has its own number and shops."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import httpx
from temporalio.client import Client

from activities.providers.sendgrid_email import SendGridEmailProvider
from activities.sending import Sender
from infra.links import UnsubscribeLinks, load_secret, recipient_hash
from infra.settings import Settings
from ledger.claims import Ledger
from ledger.engine import make_engine
from ledger.shops import ShopRegistry
from models.kinds import Category
from models.notification import (
    Channel,
    MessageContext,
    NotificationKind,
    NotificationRequest,
    NotificationStatus,
    idempotency_key,
)
from models.shipment import Recipient, ShipmentStart
from models.shop import ShopProfile, SmsSender
from testing.factories import out_for_delivery, shipment
from testing.sendgrid_server import DEFAULT_API_KEY, FakeSendGrid
from testing.twilio_server import FakeTwilio
from tests.api.conftest import twilio_post
from tests.api.test_provider_hooks import INBOUND, ledger_of
from tests.db_fixtures import unique
from tests.polling import eventually
from workflows.client import report_event, start_shipment


def inbound(text: str, sender: str) -> dict[str, Any]:
    form = {"MessageSid": "SMinbound", "From": sender, "To": "+15005550006", "Body": text}
    return twilio_post(INBOUND, form)


def to(shop_id: str, phone: str) -> ShipmentStart:
    return shipment(
        shop_id=shop_id,
        recipient=Recipient(name="Sam", phone=phone, email="sam@example.com"),
    )


async def out_for_delivery_sms(
    client: Client, settings: Settings, start: ShipmentStart
) -> NotificationStatus:
    await start_shipment(client, start, settings.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(60))
    state = await eventually(
        client,
        start.workflow_id,
        lambda s: any(
            n.kind is NotificationKind.OUT_FOR_DELIVERY
            and n.channel is Channel.SMS
            and n.settled_at
            for n in s.notifications
        ),
    )
    return next(
        n.status
        for n in state.notifications
        if n.kind is NotificationKind.OUT_FOR_DELIVERY and n.channel is Channel.SMS
    )


async def test_stop_opts_out_at_that_shop_and_start_opts_back_in(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    phone = f"+4477009{uuid.uuid4().int % 100_000:05d}"
    shop_1, shop_2 = unique("shop"), unique("shop")
    assert await out_for_delivery_sms(client, api_settings, to(shop_1, phone)) is (
        NotificationStatus.SENT
    )

    stop = await http.post(INBOUND, **inbound("Стоп", phone))

    assert stop.status_code == 200 and "<Message>" not in stop.text  # Twilio's own reply stands
    ledger = ledger_of(api_settings)
    hashed = recipient_hash(load_secret(api_settings), phone)
    assert ledger.opt_out(shop_1, Channel.SMS, hashed, Category.TRANSACTIONAL.value) is not None
    texted = sum(r.to == phone for r in fake_twilio.requests)
    assert await out_for_delivery_sms(client, api_settings, to(shop_1, phone)) is (
        NotificationStatus.OPTED_OUT
    )
    assert sum(r.to == phone for r in fake_twilio.requests) == texted
    assert await out_for_delivery_sms(client, api_settings, to(shop_2, phone)) is (
        NotificationStatus.SENT
    )

    # shop-2 texted last: START goes to it; shop-1's opt-out stays until the number answers it
    await http.post(INBOUND, **inbound("STOP", phone))
    assert ledger.opt_out(shop_2, Channel.SMS, hashed, Category.TRANSACTIONAL.value) is not None
    start = await http.post(INBOUND, **inbound("START", phone))

    assert start.status_code == 200 and "<Message>" not in start.text
    assert ledger.opt_out(shop_2, Channel.SMS, hashed, Category.TRANSACTIONAL.value) is None
    assert ledger.opt_out(shop_1, Channel.SMS, hashed, Category.TRANSACTIONAL.value) is not None
    assert await out_for_delivery_sms(client, api_settings, to(shop_2, phone)) is (
        NotificationStatus.SENT
    )


# One-click unsubscribe (RFC 8058)


def marketing_sender(settings: Settings, ledger: Ledger, fake_sendgrid: FakeSendGrid) -> Sender:
    secret = load_secret(settings)
    return Sender(
        ledger,
        {
            Channel.EMAIL: SendGridEmailProvider(
                DEFAULT_API_KEY, "shop@example.com", host=fake_sendgrid.url, timeout=2
            )
        },
        hash_recipient=partial(recipient_hash, secret),
        unsubscribe=UnsubscribeLinks(secret, settings.public_base),
    )


def thank_you(ref: str, to: str) -> NotificationRequest:
    kind = NotificationKind.THANK_YOU
    return NotificationRequest(
        key=idempotency_key(ref, kind, 1, Channel.EMAIL),
        shipment_ref=ref,
        kind=kind,
        occurrence=1,
        channel=Channel.EMAIL,
        to=to,
        locale="en",
        context=MessageContext(
            recipient_name="Sam", order_id="ORD-1", carrier="acme", tracking_number="AC1"
        ),
        trigger="delivered",
        marketing_consent=True,
    )


async def test_the_one_click_unsubscribe_link_stops_that_shops_marketing_email(
    http: httpx.AsyncClient, api_settings: Settings, fake_sendgrid: FakeSendGrid
) -> None:
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    shop = unique("shop")
    ledger = ledger_of(api_settings)
    sender = marketing_sender(api_settings, ledger, fake_sendgrid)
    refs = []
    for _ in range(3):
        start = to(shop, f"+4477009{uuid.uuid4().int % 100_000:05d}")
        ledger.record_shipment(start.workflow_id, start)
        refs.append(start.workflow_id)

    assert sender.send(thank_you(refs[0], email), token="a").status is NotificationStatus.SENT
    [mail] = [m for m in fake_sendgrid.sent if email in m.to]
    headers = mail.payload["headers"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{api_settings.public_base}/u/") and email not in link
    path = link.removeprefix(api_settings.public_base or "")

    page = await http.get(path)
    assert page.status_code == 200 and 'method="post"' in page.text
    assert sender.send(thank_you(refs[1], email), token="b").status is NotificationStatus.SENT

    done = await http.post(path, data={"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200
    refused = sender.send(thank_you(refs[2], email), token="c")
    assert refused.status is NotificationStatus.OPTED_OUT
    assert len([m for m in fake_sendgrid.sent if email in m.to]) == 2
    hashed = recipient_hash(load_secret(api_settings), email)
    assert ledger.opt_out(shop, Channel.EMAIL, hashed, Category.TRANSACTIONAL.value) is None


async def test_a_forged_unsubscribe_link_records_nothing(http: httpx.AsyncClient) -> None:
    assert (await http.post("/u/bm90LWEtdG9rZW4.AAAAAAAAAAAAAAAA")).status_code == 404
    assert (await http.get("/u/garbage")).status_code == 404


# STOP to a shop's own number


def inbound_to(text: str, sender: str, number: str) -> dict[str, Any]:
    form = {"MessageSid": "SMinbound", "From": sender, "To": number, "Body": text}
    return twilio_post(INBOUND, form)


def with_own_number(settings: Settings, shop_id: str, number: str) -> None:
    profile = ShopProfile(display_name=shop_id, sms=SmsSender(from_number=number))
    engine = make_engine(settings.ledger_url)
    try:
        ShopRegistry(engine).create(shop_id, profile)
    finally:
        engine.dispose()


async def test_stop_to_a_shops_own_number_opts_out_of_that_shop_only(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    phone = f"+4477009{uuid.uuid4().int % 100_000:05d}"
    shop_a, shop_b = unique("shop"), unique("shop")
    number_a, number_b = "+15005550101", "+15005550102"
    with_own_number(api_settings, shop_a, number_a)
    with_own_number(api_settings, shop_b, number_b)
    for shop_id in (shop_a, shop_b):  # B texts last
        assert await out_for_delivery_sms(client, api_settings, to(shop_id, phone)) is (
            NotificationStatus.SENT
        )
    assert [r.from_ for r in fake_twilio.sent if r.to == phone] == [number_a, number_b]

    stop = await http.post(INBOUND, **inbound_to("STOP", phone, number_a))

    assert stop.status_code == 200 and "<Message>" not in stop.text
    ledger = ledger_of(api_settings)
    hashed = recipient_hash(load_secret(api_settings), phone)
    assert ledger.opt_out(shop_a, Channel.SMS, hashed, Category.TRANSACTIONAL.value) is not None
    assert ledger.opt_out(shop_b, Channel.SMS, hashed, Category.TRANSACTIONAL.value) is None
    assert await out_for_delivery_sms(client, api_settings, to(shop_a, phone)) is (
        NotificationStatus.OPTED_OUT
    )
    assert await out_for_delivery_sms(client, api_settings, to(shop_b, phone)) is (
        NotificationStatus.SENT
    )

    await http.post(INBOUND, **inbound_to("START", phone, number_a))
    assert ledger.opt_out(shop_a, Channel.SMS, hashed, Category.TRANSACTIONAL.value) is None


async def test_stop_to_the_shared_number_goes_to_the_last_shop_texting_from_it(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    """A shop with a number of its own texting later does not take a STOP sent to the shared
    number; a STOP to a number no shop sends from changes nothing."""
    phone = f"+4477009{uuid.uuid4().int % 100_000:05d}"
    shared_shop, own_shop = unique("shop"), unique("shop")
    with_own_number(api_settings, own_shop, "+15005550103")
    for shop_id in (shared_shop, own_shop):
        await out_for_delivery_sms(client, api_settings, to(shop_id, phone))
    ledger = ledger_of(api_settings)
    hashed = recipient_hash(load_secret(api_settings), phone)

    await http.post(INBOUND, **inbound_to("STOP", phone, "+15005550199"))
    assert ledger.opt_out(shared_shop, Channel.SMS, hashed, Category.TRANSACTIONAL.value) is None
    assert ledger.opt_out(own_shop, Channel.SMS, hashed, Category.TRANSACTIONAL.value) is None

    await http.post(INBOUND, **inbound_to("STOP", phone, api_settings.twilio_from_number or ""))
    assert ledger.opt_out(shared_shop, Channel.SMS, hashed, Category.TRANSACTIONAL.value)
    assert ledger.opt_out(own_shop, Channel.SMS, hashed, Category.TRANSACTIONAL.value) is None
