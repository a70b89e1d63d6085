"""SMS opt-out over the inbound webhook, signed as Twilio signs it, against the shared PostgreSQL
ledger: STOP (in any language) stops the shop that texted the number, START lifts it, another
shop's SMS to the same number still goes. Each test has its own number and shops."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from temporalio.client import Client

from infra.links import load_secret, recipient_hash
from infra.settings import Settings
from models.kinds import Category
from models.notification import Channel, NotificationKind, NotificationStatus
from models.shipment import Recipient, ShipmentStart
from testing.factories import out_for_delivery, shipment
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
