"""The slot deadline on a real workflow (time-skipping environment), for recipients west and
east of UTC: it falls in their daytime, "what happens next" names it, and the first slot is
booked exactly then, not at the end of some later quiet hours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from infra.settings import Settings
from models.notification import NotificationKind, NotificationStatus
from models.policy import NotificationPolicy, QuietHours
from models.shipment import CarrierEvent, DeliveryKind, DeliveryOption, Recipient, Window
from models.state import TimerWait
from models.status import ShipmentStatus
from testing.factories import shipment
from tests.polling import eventually
from workers.worker import running_worker
from workflows.client import report_event, shipment_state, start_shipment

K = NotificationKind


@pytest.fixture
async def ts_worker(
    time_skipping_env: WorkflowEnvironment, worker_settings: Settings
) -> AsyncIterator[Worker]:
    async with running_worker(time_skipping_env.client, worker_settings) as worker:
        yield worker


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
async def test_the_first_slot_is_booked_at_the_daytime_deadline_the_customer_was_told(
    time_skipping_env: WorkflowEnvironment, ts_worker: Worker, zone: str
) -> None:
    client: Client = time_skipping_env.client
    recipient = Recipient(
        name="Sam Taylor", phone="+447700900123", email="sam@example.com", time_zone=zone
    )
    start = shipment(
        recipient=recipient,
        delivery=DeliveryOption(kind=DeliveryKind.COURIER_MULTI_DAY),
        policy=NotificationPolicy(quiet_hours=QuietHours()),
    )
    started = await start_shipment(client, start, ts_worker.task_queue)
    now = (await shipment_state(client, start.workflow_id)).status_since
    first = now + timedelta(days=3)
    slots = [
        Window(start=first + timedelta(hours=h), end=first + timedelta(hours=h + 2)) for h in (0, 4)
    ]
    await report_event(
        client,
        start.workflow_id,
        CarrierEvent(
            event_id="city", status=ShipmentStatus.IN_TRANSIT, occurred_at=now, slots=slots
        ),
    )
    offered = await shipment_state(client, start.workflow_id)
    deadline = offered.choose_by
    assert deadline is not None
    assert not QuietHours().contains(deadline, zone), deadline.astimezone(ZoneInfo(zone))
    [wait] = [
        w for w in offered.waiting_for if isinstance(w, TimerWait) and w.message is K.SLOT_CONFIRMED
    ]
    assert wait.until == deadline
    offered_at = offered.timeline[-1].received_at

    await time_skipping_env.fast_forward(
        started.handle, deadline - offered_at - timedelta(minutes=2)
    )
    before = await shipment_state(client, start.workflow_id)
    await time_skipping_env.fast_forward(started.handle, timedelta(minutes=4))
    after = await eventually(
        client,
        start.workflow_id,
        lambda s: any(
            n.kind is K.SLOT_CONFIRMED and n.status is NotificationStatus.SENT
            for n in s.notifications
        ),
    )

    assert before.window is None and before.offered_slots == slots
    assert after.window == slots[0]
