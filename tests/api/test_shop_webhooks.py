"""Webhooks to the shop over the HTTP service: the shop's delivery log, one delivery, a replay
and its signing secret (each shop its own only), and the events the service records itself:
the customer's replies (a reschedule above all, a slot choice) and SMS STOP / START. Every
delivery is verified at the shop's endpoint with the Standard Webhooks library."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from standardwebhooks import Webhook
from temporalio.client import Client

from infra.links import TrackingLinks
from infra.settings import Settings
from ledger.engine import make_engine
from ledger.shops import ShopRegistry
from ledger.webhooks import WebhookLog
from models.shipment import Courier, Recipient, ShipmentStart, Window
from models.shop import ShopProfile
from models.state import ShipmentState
from models.status import ShipmentStatus
from models.webhooks import ShopEventType
from testing.factories import event, out_for_delivery, shipment
from testing.twilio_server import FakeTwilio
from testing.webhook_receiver import Delivered, ShopWebhookReceiver
from tests.api.conftest import PUBLIC_URL, sendgrid_post, twilio_post
from tests.api.test_provider_hooks import email_sent, sendgrid_event, status_form
from tests.db_fixtures import unique
from tests.polling import eventually
from workflows.client import report_event, start_shipment

INBOUND = "/v1/twilio/inbound"


@pytest.fixture
def api_settings(api_settings: Settings) -> Settings:
    """The service's settings, webhooks retried within fractions of a second."""
    return api_settings.model_copy(
        update={
            "webhook_retry_initial_seconds": 0.2,
            "webhook_retry_max_seconds": 0.4,
            "webhook_relay_seconds": 0.2,
            "webhook_timeout_seconds": 1.0,
            "webhook_give_up_hours": 0.01,
        }
    )


@pytest.fixture
def receiver() -> Iterator[ShopWebhookReceiver]:
    with ShopWebhookReceiver() as server:
        yield server


@pytest.fixture
def registry(api_settings: Settings) -> Iterator[ShopRegistry]:
    engine = make_engine(api_settings.ledger_url)
    try:
        yield ShopRegistry(engine)
    finally:
        engine.dispose()


def hooked_shop(registry: ShopRegistry, receiver: ShopWebhookReceiver) -> tuple[str, str]:
    """A registry shop whose endpoint is `receiver`: (its id, its API key)."""
    shop_id = unique("shop")
    registry.create(
        shop_id, ShopProfile(display_name="Acme", webhook_url=receiver.url_for(shop_id))
    )
    secret = registry.webhook_secret(shop_id)
    assert secret is not None
    receiver.secrets[shop_id] = secret
    return shop_id, registry.create_key(shop_id, "test").key


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def parcel(shop_id: str, number: str) -> ShipmentStart:
    recipient = Recipient(name="Sam", phone=number, email="sam@example.com")
    return shipment(shop_id=shop_id, shipment_id=unique("s"), recipient=recipient)


def phone() -> str:
    return f"+4477009{uuid.uuid4().int % 100_000:05d}"


async def arrived(
    receiver: ShopWebhookReceiver, shop_id: str, kind: ShopEventType, count: int = 1
) -> list[Delivered]:
    return await asyncio.to_thread(receiver.wait_for, shop_id, kind.value, count=count)


def inbound(text: str, sender: str) -> dict[str, Any]:
    form = {"MessageSid": "SMinbound", "From": sender, "To": "+15005550006", "Body": text}
    return twilio_post(INBOUND, form)


async def sent(client: Client, ref: str, kind: str) -> ShipmentState:
    """The shipment's state once its `kind` message has gone to the provider (it has an id)."""
    return await eventually(
        client,
        ref,
        lambda s: any(n.kind.value == kind and n.provider_message_id for n in s.notifications),
    )


async def out_with_confirmation(client: Client, settings: Settings, start: ShipmentStart) -> None:
    """Out for delivery with a window half an hour ahead: the courier's confirmation goes at
    once, and the customer may answer it."""
    await start_shipment(client, start, settings.task_queue)
    soon = datetime.now(UTC) + timedelta(minutes=30)
    await report_event(
        client,
        start.workflow_id,
        event(
            ShipmentStatus.OUT_FOR_DELIVERY,
            1,
            window=Window(start=soon, end=soon + timedelta(hours=2)),
            courier=Courier(name="Piotr"),
        ),
    )
    await sent(client, start.workflow_id, "courier_one_hour")


async def test_the_log_shows_the_shops_own_deliveries_only(
    http: httpx.AsyncClient, registry: ShopRegistry, receiver: ShopWebhookReceiver
) -> None:
    (one, one_key), (two, two_key) = (
        hooked_shop(registry, receiver),
        hooked_shop(registry, receiver),
    )
    log = WebhookLog(registry.engine)
    mine = log.emit(one, ShopEventType.CUSTOMER_REPLY, {"reply": {"answer": "confirm"}})
    theirs = log.emit(two, ShopEventType.CUSTOMER_REPLY, {"reply": {"answer": "reschedule"}})
    assert mine and theirs

    listed = await http.get("/v1/shop/webhooks", headers=auth(one_key))
    other = await http.get(f"/v1/shop/webhooks/{theirs}", headers=auth(one_key))
    replay = await http.post(f"/v1/shop/webhooks/{theirs}/replay", headers=auth(one_key))

    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()] == [mine]
    assert listed.json()[0]["payload"]["data"] == {"reply": {"answer": "confirm"}}
    assert other.status_code == 404 and replay.status_code == 404
    untouched = log.delivery(two, theirs)
    assert untouched is not None and untouched.generation == 0
    theirs_listed = await http.get("/v1/shop/webhooks", headers=auth(two_key))
    assert [d["id"] for d in theirs_listed.json()] == [theirs]
    assert (await http.get("/v1/shop/webhooks")).status_code == 401


async def test_one_delivery_shows_every_attempt_and_a_replay_sends_it_again(
    http: httpx.AsyncClient, registry: ShopRegistry, receiver: ShopWebhookReceiver
) -> None:
    shop_id, key = hooked_shop(registry, receiver)
    receiver.refuse_next(500)
    ident = WebhookLog(registry.engine).emit(
        shop_id, ShopEventType.CUSTOMER_REPLY, {"reply": {"answer": "reschedule"}}
    )
    [first] = await arrived(receiver, shop_id, ShopEventType.CUSTOMER_REPLY)

    replayed = await http.post(f"/v1/shop/webhooks/{ident}/replay", headers=auth(key))

    assert replayed.status_code == 202 and replayed.json()["replays"] == 1
    _, again = await arrived(receiver, shop_id, ShopEventType.CUSTOMER_REPLY, 2)
    assert again.webhook_id == first.webhook_id == ident
    for _ in range(100):
        shown = (await http.get(f"/v1/shop/webhooks/{ident}", headers=auth(key))).json()
        if shown["attempts"] == 3:
            break
        await asyncio.sleep(0.05)
    assert [(a["generation"], a["status_code"]) for a in shown["attempt_log"]] == [
        (0, 500),
        (0, 204),
        (1, 204),
    ]
    assert shown["status"] == "delivered"


async def test_the_signing_secret_is_answered_to_its_own_shop(
    http: httpx.AsyncClient, registry: ShopRegistry, receiver: ShopWebhookReceiver
) -> None:
    (one, one_key), (two, two_key) = (
        hooked_shop(registry, receiver),
        hooked_shop(registry, receiver),
    )

    answer = await http.get("/v1/shop/webhook-secret", headers=auth(one_key))

    assert answer.status_code == 200
    secret = answer.json()["secret"]
    assert secret == registry.webhook_secret(one)
    theirs = await http.get("/v1/shop/webhook-secret", headers=auth(two_key))
    assert theirs.json()["secret"] == registry.webhook_secret(two) != secret
    Webhook(secret)  # the library takes it as it is: whsec_ and base64


async def test_a_reschedule_request_by_sms_reaches_the_shop(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    registry: ShopRegistry,
    receiver: ShopWebhookReceiver,
) -> None:
    shop_id, _ = hooked_shop(registry, receiver)
    number = phone()
    start = parcel(shop_id, number)
    await out_with_confirmation(client, api_settings, start)

    answered = await http.post(INBOUND, **inbound("2", number))

    assert answered.status_code == 200
    [reply] = await arrived(receiver, shop_id, ShopEventType.CUSTOMER_REPLY)
    assert reply.data["reply"]["answer"] == "reschedule"
    assert reply.data["reply"]["via"] == "sms"
    assert reply.data["shipment"]["order_id"] == start.order_id
    assert number not in reply.raw.decode()


async def test_a_confirmation_on_the_tracking_page_reaches_the_shop(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    registry: ShopRegistry,
    receiver: ShopWebhookReceiver,
) -> None:
    shop_id, _ = hooked_shop(registry, receiver)
    start = parcel(shop_id, phone())
    await out_with_confirmation(client, api_settings, start)
    link = TrackingLinks.from_settings(api_settings).url(start.workflow_id, datetime.now(UTC))
    assert link is not None

    posted = await http.post(f"{link.removeprefix(PUBLIC_URL)}/reply", data={"answer": "confirm"})

    assert posted.status_code == 303
    [reply] = await arrived(receiver, shop_id, ShopEventType.CUSTOMER_REPLY)
    assert reply.data["reply"]["answer"] == "confirm"
    assert reply.data["reply"]["via"] == "tracking_page"


async def test_a_slot_chosen_by_sms_reaches_the_shop_with_its_window(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    registry: ShopRegistry,
    receiver: ShopWebhookReceiver,
) -> None:
    shop_id, _ = hooked_shop(registry, receiver)
    number = phone()
    start = parcel(shop_id, number)
    await start_shipment(client, start, api_settings.task_queue)
    day = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    slots = [
        Window(start=day + timedelta(hours=h), end=day + timedelta(hours=h + 2)) for h in (0, 3)
    ]
    await report_event(client, start.workflow_id, event(ShipmentStatus.IN_TRANSIT, 1, slots=slots))
    await sent(client, start.workflow_id, "slot_choice")

    await http.post(INBOUND, **inbound("2", number))

    [reply] = await arrived(receiver, shop_id, ShopEventType.CUSTOMER_REPLY)
    assert reply.data["reply"]["answer"] == "slot" and reply.data["reply"]["slot"] == 2
    assert reply.data["reply"]["window"]["start"] == slots[1].start.isoformat()


async def test_sms_stop_and_start_reach_the_shop(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    registry: ShopRegistry,
    receiver: ShopWebhookReceiver,
) -> None:
    shop_id, _ = hooked_shop(registry, receiver)
    number = phone()
    start = parcel(shop_id, number)
    await out_with_confirmation(client, api_settings, start)

    await http.post(INBOUND, **inbound("STOP", number))
    await http.post(INBOUND, **inbound("START", number))

    [stopped] = await arrived(receiver, shop_id, ShopEventType.RECIPIENT_OPTED_OUT)
    [started] = await arrived(receiver, shop_id, ShopEventType.RECIPIENT_OPTED_IN)
    assert stopped.data["channel"] == "sms" and stopped.data["source"] == "sms_keyword"
    assert stopped.data["shipment"]["order_id"] == start.order_id
    assert started.data["channel"] == "sms"
    assert number not in stopped.raw.decode() + started.raw.decode()


async def test_a_bounce_reported_by_sendgrid_reaches_the_shop_as_outcome_and_opt_out(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    registry: ShopRegistry,
    receiver: ShopWebhookReceiver,
    sendgrid_keys: tuple[ec.EllipticCurvePrivateKey, str],
) -> None:
    shop_id, _ = hooked_shop(registry, receiver)
    ref, key = await email_sent(client, api_settings, shop_id)

    bounce = sendgrid_event(key, "bounce", type="bounce", reason="550 no such user")
    await http.post("/v1/sendgrid/events", **sendgrid_post(sendgrid_keys[0], [bounce]))

    [stopped] = await arrived(receiver, shop_id, ShopEventType.RECIPIENT_OPTED_OUT)
    assert stopped.data["channel"] == "email"
    assert stopped.data["shipment"]["shipment_id"] == ref.rsplit(":", 1)[1]
    # the email sent, then failed; the news went again by SMS
    outcomes = await arrived(receiver, shop_id, ShopEventType.MESSAGE_OUTCOME, count=3)
    told = {(d.data["message"]["channel"], d.data["message"]["status"]) for d in outcomes}
    assert told == {("email", "sent"), ("email", "failed"), ("sms", "sent")}
    assert "sam@example.com" not in stopped.raw.decode()


async def test_a_delivered_sms_reaches_the_shop_as_its_outcome(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    registry: ShopRegistry,
    receiver: ShopWebhookReceiver,
    fake_twilio: FakeTwilio,
) -> None:
    shop_id, _ = hooked_shop(registry, receiver)
    start = parcel(shop_id, phone())
    await start_shipment(client, start, api_settings.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(30))
    state = await sent(client, start.workflow_id, "out_for_delivery")
    sid = next(n for n in state.notifications if n.kind.value == "out_for_delivery")
    assert sid.provider_message_id is not None

    await http.post(
        "/v1/twilio/status",
        **twilio_post("/v1/twilio/status", status_form(sid.provider_message_id, "delivered")),
    )

    outcomes = await arrived(receiver, shop_id, ShopEventType.MESSAGE_OUTCOME, count=3)
    delivered = [d for d in outcomes if d.data["message"]["status"] == "delivered"]
    assert [d.data["message"]["kind"] for d in delivered] == ["out_for_delivery"]
