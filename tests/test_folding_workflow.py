"""Out for delivery 40 minutes before the window, on a real workflow with Twilio's local
server: one SMS, the courier's confirmation, saying the real time left; not two a second apart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from infra.settings import Settings
from models.notification import NotificationKind, NotificationStatus
from models.shipment import CarrierEvent, Courier, Window
from models.status import ShipmentStatus
from testing.factories import shipment
from testing.twilio_server import FakeTwilio
from tests.db_fixtures import unique
from tests.polling import eventually
from workers.worker import running_worker
from workflows.client import report_event, start_shipment
from workflows.schedule import timers

K = NotificationKind


@pytest.fixture
async def provider_worker(client: Client, provider_settings: Settings) -> AsyncIterator[Worker]:
    async with running_worker(client, provider_settings) as worker:
        yield worker


async def test_out_for_delivery_inside_the_lead_time_sends_one_sms_with_the_real_time_left(
    client: Client, provider_worker: Worker, fake_twilio: FakeTwilio
) -> None:
    # A shop of its own: another test may have opted the factory's number out at shop-1 in this
    # session's ledger (Twilio's 21610).
    start = shipment(shop_id=unique("shop"))
    await start_shipment(client, start, provider_worker.task_queue)
    now = datetime.now(UTC)
    soon = now + timedelta(minutes=40)
    await report_event(
        client,
        start.workflow_id,
        CarrierEvent(
            event_id="ofd-1",
            status=ShipmentStatus.OUT_FOR_DELIVERY,
            occurred_at=now,
            window=Window(start=soon, end=soon + timedelta(hours=2)),
            courier=Courier(name="Piotr"),
        ),
    )

    state = await eventually(
        client,
        start.workflow_id,
        lambda s: any(
            n.kind is K.COURIER_ONE_HOUR and n.status is NotificationStatus.SENT
            for n in s.notifications
        ),
    )

    [sms] = fake_twilio.sent
    assert "about 40 min" in (sms.body or "") and "Reply 1 if home" in (sms.body or "")
    [news] = [n for n in state.notifications if n.kind is K.OUT_FOR_DELIVERY]
    assert news.status is NotificationStatus.SUPERSEDED
    assert not [t for t in timers(state) if t.kind is K.COURIER_ONE_HOUR]
