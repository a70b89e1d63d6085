"""Webhooks to the shop, end to end: real shipments on the Temporal dev server, the real ledger
(SQLite and PostgreSQL), Twilio's and SendGrid's local servers, and the shop's endpoint on
127.0.0.1 verifying every delivery with the Standard Webhooks library's own `Webhook.verify`.

Retry intervals are cut to fractions of a second by settings (production: 10 s doubling to an
hour, for a day)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from infra.settings import Settings
from ledger.engine import make_engine
from ledger.shops import ShopRegistry
from ledger.webhooks import WebhookDeliveryView, WebhookLog
from models.policy import NotificationPolicy, PickupReminders
from models.shipment import DeliveryKind, DeliveryOption, PickupPoint, Recipient, ShipmentStart
from models.shop import ShopProfile
from models.status import ShipmentStatus
from models.webhooks import DeliveryStatus, ShopEventType
from testing.factories import event, out_for_delivery, shipment
from testing.sendgrid_server import DEFAULT_API_KEY, FakeSendGrid
from testing.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilio
from testing.webhook_receiver import Delivered, ShopWebhookReceiver, free_port
from tests.db_fixtures import unique
from workers.worker import running_worker
from workflows.client import report_event, start_shipment

EMAIL = "sam@example.com"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    try:
        yield made
    finally:
        made.dispose()


@pytest.fixture
def hook_settings(
    database_url: str, task_queue: str, fake_twilio: FakeTwilio, fake_sendgrid: FakeSendGrid
) -> Settings:
    return Settings(
        database_url=database_url,
        task_queue=task_queue,
        max_concurrent_activities=4,
        workflow_sandbox=True,
        twilio_account_sid=DEFAULT_ACCOUNT_SID,
        twilio_auth_token=SecretStr(DEFAULT_AUTH_TOKEN),
        twilio_from_number="+15005550006",
        twilio_api_base=fake_twilio.url,
        sendgrid_api_key=SecretStr(DEFAULT_API_KEY),
        sendgrid_from_email="shop@example.com",
        sendgrid_host=fake_sendgrid.url,
        webhook_retry_initial_seconds=0.2,
        webhook_retry_max_seconds=0.4,
        webhook_relay_seconds=0.2,
        webhook_timeout_seconds=1,
        webhook_give_up_hours=0.01,  # 36 s: what a test leaves behind stops soon
    )


@pytest.fixture
async def hook_worker(client: Client, hook_settings: Settings) -> AsyncIterator[Worker]:
    async with running_worker(client, hook_settings) as worker:
        yield worker


@pytest.fixture
def receiver() -> Iterator[ShopWebhookReceiver]:
    with ShopWebhookReceiver() as server:
        yield server


def phone() -> str:
    return f"+4477009{uuid.uuid4().int % 100_000:05d}"


def hooked_shop(engine: Engine, receiver: ShopWebhookReceiver) -> str:
    """A shop in the registry whose webhooks go to `receiver`, which knows its secret."""
    shop_id = unique("shop")
    registry = ShopRegistry(engine)
    registry.create(
        shop_id, ShopProfile(display_name="Acme", webhook_url=receiver.url_for(shop_id))
    )
    secret = registry.webhook_secret(shop_id)
    assert secret is not None and secret.startswith("whsec_")
    receiver.secrets[shop_id] = secret
    return shop_id


def parcel(shop_id: str, number: str | None = None, **extra: object) -> ShipmentStart:
    recipient = Recipient(
        name="Sam Taylor", phone=number or phone(), email=EMAIL, time_zone="Europe/London"
    )
    return shipment(shop_id=shop_id, shipment_id=unique("s"), recipient=recipient, **extra)


async def hooked_parcel(
    client: Client, worker: Worker, engine: Engine, receiver: ShopWebhookReceiver
) -> tuple[str, ShipmentStart]:
    """A new hooked shop (`hooked_shop`) and its shipment (`parcel`), started."""
    shop_id = hooked_shop(engine, receiver)
    start = parcel(shop_id)
    await start_shipment(client, start, worker.task_queue)
    return shop_id, start


async def arrived(
    receiver: ShopWebhookReceiver, shop_id: str, kind: ShopEventType, count: int = 1
) -> list[Delivered]:
    return await asyncio.to_thread(receiver.wait_for, shop_id, kind.value, count=count)


async def logged(
    engine: Engine, shop_id: str, delivery_id: str, done: object, seconds: float = 15
) -> WebhookDeliveryView:
    """The delivery as the log shows it, once `done(view)` holds."""
    log = WebhookLog(engine)
    deadline = time.monotonic() + seconds
    while True:
        view = await asyncio.to_thread(log.delivery, shop_id, delivery_id)
        if view is not None and done(view):  # type: ignore[operator]
            return view
        if time.monotonic() > deadline:
            raise AssertionError(f"{delivery_id} never got there: {view}")
        await asyncio.sleep(0.05)


def outcome(delivered: list[Delivered], kind: str, channel: str, status: str) -> Delivered:
    return next(
        d
        for d in delivered
        if d.data["message"]["kind"] == kind
        and d.data["message"]["channel"] == channel
        and d.data["message"]["status"] == status
    )


async def test_a_status_change_reaches_the_shop_signed_with_the_carriers_description(
    client: Client, hook_worker: Worker, engine: Engine, receiver: ShopWebhookReceiver
) -> None:
    shop_id, start = await hooked_parcel(client, hook_worker, engine, receiver)

    await report_event(
        client,
        start.workflow_id,
        event(ShipmentStatus.EXCEPTION, 5, description="Damaged in transit: held at depot"),
    )

    [change] = await arrived(receiver, shop_id, ShopEventType.SHIPMENT_STATUS_CHANGED)
    assert change.data["status"] == "exception"
    assert change.data["description"] == "Damaged in transit: held at depot"
    assert change.data["shipment"]["order_id"] == start.order_id
    assert change.data["shipment"]["shipment_id"] == start.shipment_id
    view = await logged(
        engine, shop_id, change.webhook_id, lambda v: v.status is DeliveryStatus.DELIVERED
    )
    assert view.attempts == 1 and view.last_status_code == 204
    assert receiver.refused == []


async def test_each_messages_outcome_reaches_the_shop(
    client: Client, hook_worker: Worker, engine: Engine, receiver: ShopWebhookReceiver
) -> None:
    shop_id, start = await hooked_parcel(client, hook_worker, engine, receiver)

    await report_event(client, start.workflow_id, out_for_delivery(30))

    delivered = await arrived(receiver, shop_id, ShopEventType.MESSAGE_OUTCOME, count=2)
    assert outcome(delivered, "shipped", "email", "sent").data["shipment"]["order_id"] == (
        start.order_id
    )
    assert outcome(delivered, "out_for_delivery", "sms", "sent")


async def test_a_message_the_workflow_settled_itself_reaches_the_shop(
    client: Client, hook_worker: Worker, engine: Engine, receiver: ShopWebhookReceiver
) -> None:
    shop_id = hooked_shop(engine, receiver)
    policy = NotificationPolicy.model_validate({"quiet_hours": None, "owners": {"shipped": "shop"}})
    start = parcel(shop_id, policy=policy)

    await start_shipment(client, start, hook_worker.task_queue)

    [told] = await arrived(receiver, shop_id, ShopEventType.MESSAGE_OUTCOME)
    assert told.data["message"]["kind"] == "shipped"
    assert told.data["message"]["status"] == "delegated"


async def test_an_opt_out_reaches_the_shop_as_an_outcome_and_an_opt_out_without_the_number(
    client: Client,
    hook_worker: Worker,
    engine: Engine,
    receiver: ShopWebhookReceiver,
    fake_twilio: FakeTwilio,
) -> None:
    shop_id = hooked_shop(engine, receiver)
    number = phone()
    fake_twilio.reject_recipient(number, code=21610)
    start = parcel(shop_id, number)
    await start_shipment(client, start, hook_worker.task_queue)

    await report_event(client, start.workflow_id, out_for_delivery(30))

    [opted] = await arrived(receiver, shop_id, ShopEventType.RECIPIENT_OPTED_OUT)
    assert opted.data["channel"] == "sms" and opted.data["source"] == "twilio_21610"
    assert opted.data["shipment"]["order_id"] == start.order_id
    outcomes = await arrived(receiver, shop_id, ShopEventType.MESSAGE_OUTCOME, count=3)
    assert outcome(outcomes, "out_for_delivery", "sms", "opted_out")
    # the news went by email instead (the fallback), and that is told too
    assert outcome(outcomes, "out_for_delivery", "email", "sent")
    every = json.dumps([d.body for d in receiver.of(shop_id)])
    assert number not in every and EMAIL not in every
    logged_payloads = json.dumps([v.body for v in WebhookLog(engine).deliveries(shop_id)])
    assert number not in logged_payloads and EMAIL not in logged_payloads


async def test_the_return_of_an_uncollected_parcel_reaches_the_shop(
    client: Client, hook_worker: Worker, engine: Engine, receiver: ShopWebhookReceiver
) -> None:
    shop_id = hooked_shop(engine, receiver)
    start = parcel(
        shop_id,
        delivery=DeliveryOption(kind=DeliveryKind.PICKUP_POINT),
        policy=NotificationPolicy(
            quiet_hours=None,
            pickup=PickupReminders(after_arrival=(), final_warning_before=timedelta(seconds=1)),
        ),
    )
    await start_shipment(client, start, hook_worker.task_queue)
    deadline = datetime.now(UTC) + timedelta(seconds=2)

    await report_event(
        client,
        start.workflow_id,
        event(
            ShipmentStatus.AVAILABLE_FOR_PICKUP,
            5,
            pickup_point=PickupPoint(
                name="Paczkomat WAW-12", address="ul. Prosta 1", storage_deadline=deadline
            ),
        ),
    )

    [back] = await arrived(receiver, shop_id, ShopEventType.SHIPMENT_RETURN_UNCOLLECTED)
    assert back.data["status"] == "returned"
    assert back.data["shipment"]["tracking_number"] == start.tracking_number
    statuses = [
        d.data["status"]
        for d in await arrived(receiver, shop_id, ShopEventType.SHIPMENT_STATUS_CHANGED, 2)
    ]
    assert statuses == ["available_for_pickup", "returned"]


async def test_a_shop_down_then_up_gets_the_event_after_retries_and_the_sms_went_at_once(
    client: Client, hook_worker: Worker, engine: Engine, fake_twilio: FakeTwilio
) -> None:
    down = ShopWebhookReceiver(port=free_port())  # its port is known, nothing listens yet
    shop_id = hooked_shop(engine, down)
    start = parcel(shop_id)
    await start_shipment(client, start, hook_worker.task_queue)
    began = time.monotonic()

    await report_event(client, start.workflow_id, out_for_delivery(30))

    for _ in range(100):
        if any(r.to == start.recipient.phone for r in fake_twilio.requests):
            break
        await asyncio.sleep(0.05)
    assert any(r.to == start.recipient.phone for r in fake_twilio.requests)
    assert time.monotonic() - began < 5  # the customer's SMS did not wait for the shop
    [pending] = WebhookLog(engine).deliveries(
        shop_id, event_type=ShopEventType.SHIPMENT_STATUS_CHANGED.value
    )
    failing = await logged(engine, shop_id, pending.id, lambda v: v.attempts >= 2)
    assert failing.status is DeliveryStatus.PENDING and failing.last_status_code is None
    assert all(a.outcome == "failed" and a.error for a in failing.attempt_log)

    with down:
        [change] = await arrived(down, shop_id, ShopEventType.SHIPMENT_STATUS_CHANGED)
        done = await logged(
            engine, shop_id, pending.id, lambda v: v.status is DeliveryStatus.DELIVERED
        )

    assert change.webhook_id == pending.id
    assert done.attempts >= 3 and done.attempt_log[-1].status_code == 204
    assert [a.attempt for a in done.attempt_log] == list(range(1, done.attempts + 1))


async def test_a_refusing_endpoint_is_retried_and_each_answer_logged(
    client: Client, hook_worker: Worker, engine: Engine, receiver: ShopWebhookReceiver
) -> None:
    receiver.refuse_next(503, times=2, event_type=ShopEventType.SHIPMENT_STATUS_CHANGED.value)
    shop_id, start = await hooked_parcel(client, hook_worker, engine, receiver)

    await report_event(client, start.workflow_id, event(ShipmentStatus.IN_TRANSIT, 5))

    [change] = await arrived(receiver, shop_id, ShopEventType.SHIPMENT_STATUS_CHANGED)
    view = await logged(
        engine, shop_id, change.webhook_id, lambda v: v.status is DeliveryStatus.DELIVERED
    )
    assert [a.status_code for a in view.attempt_log] == [503, 503, 204]
    assert [a.outcome for a in view.attempt_log] == ["failed", "failed", "delivered"]


async def test_a_slow_endpoint_costs_an_attempt_and_is_retried(
    client: Client, hook_worker: Worker, engine: Engine, receiver: ShopWebhookReceiver
) -> None:
    receiver.hang_next(2.0)  # past the 1 s a POST may take here; the SMS and email go meanwhile
    shop_id, _ = await hooked_parcel(client, hook_worker, engine, receiver)

    [first, *_] = await arrived(receiver, shop_id, ShopEventType.MESSAGE_OUTCOME)
    view = await logged(
        engine, shop_id, first.webhook_id, lambda v: v.status is DeliveryStatus.DELIVERED
    )

    assert view.attempt_log[0].outcome == "failed" and view.attempt_log[0].status_code is None
    assert "Timeout" in (view.attempt_log[0].error or "")
    assert view.attempt_log[-1].status_code == 204


async def test_a_replay_delivers_the_same_event_again_as_a_new_attempt(
    client: Client, hook_worker: Worker, engine: Engine, receiver: ShopWebhookReceiver
) -> None:
    shop_id, start = await hooked_parcel(client, hook_worker, engine, receiver)
    await report_event(client, start.workflow_id, event(ShipmentStatus.IN_TRANSIT, 5))
    [first] = await arrived(receiver, shop_id, ShopEventType.SHIPMENT_STATUS_CHANGED)
    await logged(engine, shop_id, first.webhook_id, lambda v: v.status is DeliveryStatus.DELIVERED)

    replayed = WebhookLog(engine).replay(shop_id, first.webhook_id)

    assert replayed is not None and replayed.status is DeliveryStatus.PENDING
    _, again = await arrived(receiver, shop_id, ShopEventType.SHIPMENT_STATUS_CHANGED, 2)
    assert again.webhook_id == first.webhook_id  # the same message: a receiver dedupes by it
    assert again.raw == first.raw
    view = await logged(
        engine, shop_id, first.webhook_id, lambda v: v.status is DeliveryStatus.DELIVERED
    )
    assert view.attempts == 2 and view.generation == 1
    assert [(a.generation, a.attempt) for a in view.attempt_log] == [(0, 1), (1, 1)]


async def test_two_shops_get_only_their_own_events(
    client: Client, hook_worker: Worker, engine: Engine, receiver: ShopWebhookReceiver
) -> None:
    one, two = hooked_shop(engine, receiver), hooked_shop(engine, receiver)
    quiet = unique("shop")
    ShopRegistry(engine).create(quiet, ShopProfile(display_name="No hooks"))
    starts = {shop: parcel(shop) for shop in (one, two, quiet)}
    for start in starts.values():
        await start_shipment(client, start, hook_worker.task_queue)
        await report_event(client, start.workflow_id, event(ShipmentStatus.IN_TRANSIT, 5))

    for shop in (one, two):
        [change] = await arrived(receiver, shop, ShopEventType.SHIPMENT_STATUS_CHANGED)
        assert change.data["shipment"]["shipment_id"] == starts[shop].shipment_id
        assert {d.data["shipment"]["shop_id"] for d in receiver.of(shop)} == {shop}
    assert receiver.refused == []
    assert WebhookLog(engine).deliveries(quiet) == []
    [of_one] = WebhookLog(engine).deliveries(
        one, event_type=ShopEventType.SHIPMENT_STATUS_CHANGED.value
    )
    assert WebhookLog(engine).delivery(two, of_one.id) is None
    assert WebhookLog(engine).replay(two, of_one.id) is None
