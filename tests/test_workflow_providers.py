"""The workflow with Twilio and SendGrid (local servers speaking their REST formats): provider
outages are retried by Temporal and still send once; a provider that stays down is given up on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from infra.settings import Settings
from models.notification import Channel, NotificationKind, NotificationRecord, NotificationStatus
from models.shipment import ShipmentStart
from models.state import ShipmentState
from models.status import ShipmentStatus
from testing.factories import event, out_for_delivery, shipment
from testing.sendgrid_server import FakeSendGrid
from testing.twilio_server import FakeTwilio
from tests.db_fixtures import unique
from tests.polling import eventually
from workers.worker import running_worker
from workflows.client import report_event, start_shipment


@pytest.fixture
async def provider_worker(client: Client, provider_settings: Settings) -> AsyncIterator[Worker]:
    async with running_worker(client, provider_settings) as worker:
        yield worker


async def until_settled(client: Client, ref: str, kind: NotificationKind) -> ShipmentState:
    return await eventually(
        client, ref, lambda s: any(n.kind is kind and n.settled_at for n in s.notifications)
    )


async def test_messages_go_out_through_twilio_and_sendgrid(
    client: Client,
    provider_worker: Worker,
    fake_twilio: FakeTwilio,
    fake_sendgrid: FakeSendGrid,
) -> None:
    start = shipment()
    await start_shipment(client, start, provider_worker.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(60))

    state = await until_settled(client, start.workflow_id, NotificationKind.OUT_FOR_DELIVERY)

    [mail], [sms] = fake_sendgrid.sent, fake_twilio.sent
    assert sms.to == start.recipient.phone and "Piotr" in (sms.body or "")
    assert mail.custom_args["waypost_key"].endswith(":shipped:1:email")
    assert {n.provider for n in state.notifications} == {"twilio", "sendgrid"}


async def test_a_provider_outage_is_retried_and_the_message_sent_once(
    client: Client, provider_worker: Worker, fake_twilio: FakeTwilio
) -> None:
    start = shipment()
    await start_shipment(client, start, provider_worker.task_queue)
    fake_twilio.fail_next(503, times=2)
    await report_event(client, start.workflow_id, out_for_delivery(60))

    state = await until_settled(client, start.workflow_id, NotificationKind.OUT_FOR_DELIVERY)

    [sms] = [n for n in state.notifications if n.kind is NotificationKind.OUT_FOR_DELIVERY]
    assert sms.status is NotificationStatus.SENT
    assert len(fake_twilio.sent) == 1 and len(fake_twilio.requests) == 3


async def test_a_permanently_invalid_number_fails_without_retries(
    client: Client, provider_worker: Worker, fake_twilio: FakeTwilio
) -> None:
    start = shipment()
    assert start.recipient.phone is not None
    fake_twilio.reject_recipient(start.recipient.phone, code=21211)
    await start_shipment(client, start, provider_worker.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(60))

    state = await until_settled(client, start.workflow_id, NotificationKind.OUT_FOR_DELIVERY)

    [sms] = [
        n
        for n in state.notifications
        if n.kind is NotificationKind.OUT_FOR_DELIVERY and n.channel == "sms"
    ]
    assert sms.status is NotificationStatus.FAILED
    assert len(fake_twilio.requests) == 1


async def test_a_provider_down_for_minutes_is_given_up_on(
    time_skipping_env: WorkflowEnvironment,
    provider_settings: Settings,
    fake_twilio: FakeTwilio,
) -> None:
    """Time-skipping: eight attempts with backoff span minutes; the clock jumps over them."""
    client = time_skipping_env.client
    start = shipment()
    fake_twilio.fail_next(503, times=1000)
    async with running_worker(client, provider_settings) as worker:
        started = await start_shipment(client, start, worker.task_queue)
        await report_event(client, start.workflow_id, out_for_delivery(60))
        await time_skipping_env.fast_forward(started.handle, timedelta(minutes=10))
        state = await until_settled(client, start.workflow_id, NotificationKind.OUT_FOR_DELIVERY)

    [sms] = [n for n in state.notifications if n.kind is NotificationKind.OUT_FOR_DELIVERY]
    assert sms.status is NotificationStatus.FAILED
    assert (sms.error or "").startswith("gave up")
    assert len(fake_twilio.requests) == 8


async def test_a_refused_number_falls_back_to_email(
    client: Client,
    provider_worker: Worker,
    fake_twilio: FakeTwilio,
    fake_sendgrid: FakeSendGrid,
) -> None:
    start = shipment(shop_id=unique("shop"))  # the opt-out it records stays in its shop
    assert start.recipient.phone is not None
    fake_twilio.reject_recipient(start.recipient.phone, code=21610)
    await start_shipment(client, start, provider_worker.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(60))

    def out_for_delivery_notes(state: ShipmentState) -> list[NotificationRecord]:
        return [n for n in state.notifications if n.kind is NotificationKind.OUT_FOR_DELIVERY]

    state = await eventually(
        client,
        start.workflow_id,
        lambda s: len(notes := out_for_delivery_notes(s)) == 2 and all(n.settled_at for n in notes),
    )
    ofd = out_for_delivery_notes(state)

    assert [(n.channel, n.status) for n in ofd] == [
        ("sms", NotificationStatus.OPTED_OUT),
        ("email", NotificationStatus.SENT),
    ]
    assert any(m.custom_args["waypost_key"] == ofd[1].key for m in fake_sendgrid.sent)


async def test_a_number_that_replied_stop_is_never_texted_again_by_that_shop(
    client: Client,
    provider_worker: Worker,
    fake_twilio: FakeTwilio,
    fake_sendgrid: FakeSendGrid,
) -> None:
    shop = unique("shop")  # the opt-out it records stays in its shop
    first, second = shipment(shop_id=shop), shipment(shop_id=shop)
    other_shop = shipment(shop_id=unique("shop"))
    assert first.recipient.phone is not None
    fake_twilio.reject_recipient(first.recipient.phone, code=21610)
    for start in (first, second, other_shop):
        await start_shipment(client, start, provider_worker.task_queue)

    async def sms_of(start: ShipmentStart) -> NotificationRecord:
        await report_event(client, start.workflow_id, out_for_delivery(60))
        state = await eventually(
            client,
            start.workflow_id,
            lambda s: (
                any(
                    n.kind is NotificationKind.OUT_FOR_DELIVERY and n.channel == "email"
                    for n in s.notifications
                )
                or any(
                    n.kind is NotificationKind.OUT_FOR_DELIVERY
                    and n.status is NotificationStatus.SENT
                    for n in s.notifications
                )
            ),
        )
        return next(
            n
            for n in state.notifications
            if n.kind is NotificationKind.OUT_FOR_DELIVERY and n.channel == "sms"
        )

    assert (await sms_of(first)).status is NotificationStatus.OPTED_OUT
    asked = len(fake_twilio.requests)
    refused = await sms_of(second)
    assert refused.status is NotificationStatus.OPTED_OUT
    assert "opted out" in (refused.error or "")
    assert len(fake_twilio.requests) == asked  # never reached Twilio

    fake_twilio.accept_recipient(first.recipient.phone)
    assert (await sms_of(other_shop)).status is NotificationStatus.SENT


async def test_the_first_sms_of_a_shipment_ends_with_the_opt_out_hint_and_the_next_does_not(
    client: Client, provider_worker: Worker, fake_twilio: FakeTwilio
) -> None:
    # A shop of its own: the tests above opt the factory's number out at shop-1 (21610), and
    # the session's ledger keeps opt-outs.
    start = shipment(shop_id=unique("shop"))
    await start_shipment(client, start, provider_worker.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(60))
    await until_settled(client, start.workflow_id, NotificationKind.OUT_FOR_DELIVERY)
    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERY_FAILED, 120))

    state = await until_settled(client, start.workflow_id, NotificationKind.DELIVERY_FAILED)

    first, second = (sms.body or "" for sms in fake_twilio.sent)
    assert first.endswith(" Reply STOP to opt out.")
    assert "STOP" not in second
    assert [n.opt_out_hint for n in state.notifications if n.channel is Channel.SMS] == [
        True,
        False,
    ]
