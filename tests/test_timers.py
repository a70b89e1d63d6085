"""Timers across days of simulated time (the offline time-skipping environment): the courier's
one-hour confirmation, pickup reminders and the storage deadline, quiet hours, delay notices."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from infra.settings import Settings
from models.notification import NotificationKind, NotificationRecord, NotificationStatus
from models.policy import NotificationPolicy, PickupReminders, QuietHours
from models.shipment import (
    CarrierEvent,
    Courier,
    DeliveryKind,
    DeliveryOption,
    PickupPoint,
    Window,
)
from models.state import ShipmentState
from models.status import ShipmentStatus
from testing.factories import shipment
from tests.polling import eventually
from workers.worker import running_worker
from workflows.client import (
    EventRefused,
    choose_slot,
    courier_reply,
    report_event,
    shipment_state,
    start_shipment,
)

K, S = NotificationKind, ShipmentStatus
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
async def ts_worker(
    time_skipping_env: WorkflowEnvironment, worker_settings: Settings
) -> AsyncIterator[Worker]:
    async with running_worker(time_skipping_env.client, worker_settings) as worker:
        yield worker


@pytest.fixture
def ts_client(time_skipping_env: WorkflowEnvironment) -> Client:
    return time_skipping_env.client


def scan(status: ShipmentStatus, hours: float, event_id: str, **extra: Any) -> CarrierEvent:
    return CarrierEvent(
        event_id=event_id, status=status, occurred_at=NOW + timedelta(hours=hours), **extra
    )


def window(start_hours: float, length_hours: float = 2) -> Window:
    start = NOW + timedelta(hours=start_hours)
    return Window(start=start, end=start + timedelta(hours=length_hours))


def sent(state: ShipmentState, kind: NotificationKind) -> list[NotificationRecord]:
    return [
        n for n in state.notifications if n.kind is kind and n.status is NotificationStatus.SENT
    ]


async def started(
    client: Client, worker: Worker, **overrides: Any
) -> tuple[str, WorkflowHandle[Any, ShipmentState]]:
    start = shipment(shipped_at=NOW, **overrides)
    result = await start_shipment(client, start, worker.task_queue)
    return start.workflow_id, result.handle


async def test_courier_confirmation_fires_the_lead_time_before_the_window(
    time_skipping_env: WorkflowEnvironment, ts_client: Client, ts_worker: Worker
) -> None:
    ref, handle = await started(ts_client, ts_worker)
    await report_event(
        ts_client,
        ref,
        scan(S.OUT_FOR_DELIVERY, 0, "o1", window=window(5), courier=Courier(name="Piotr")),
    )

    await time_skipping_env.fast_forward(handle, timedelta(hours=4, minutes=10))

    state = await eventually(ts_client, ref, lambda s: bool(sent(s, K.COURIER_ONE_HOUR)))
    assert len(sent(state, K.COURIER_ONE_HOUR)) == 1


async def test_a_new_window_rearms_the_confirmation(
    time_skipping_env: WorkflowEnvironment, ts_client: Client, ts_worker: Worker
) -> None:
    ref, handle = await started(ts_client, ts_worker)
    await report_event(ts_client, ref, scan(S.OUT_FOR_DELIVERY, 0, "o1", window=window(5)))
    await report_event(ts_client, ref, scan(S.OUT_FOR_DELIVERY, 0.1, "o2", window=window(9)))

    await time_skipping_env.fast_forward(handle, timedelta(hours=6))
    early = await shipment_state(ts_client, ref)
    await time_skipping_env.fast_forward(handle, timedelta(hours=2, minutes=30))
    state = await eventually(ts_client, ref, lambda s: bool(sent(s, K.COURIER_ONE_HOUR)))

    assert not sent(early, K.COURIER_ONE_HOUR)
    assert len(sent(state, K.COURIER_ONE_HOUR)) == 1


async def test_delivery_cancels_the_confirmation(
    time_skipping_env: WorkflowEnvironment, ts_client: Client, ts_worker: Worker
) -> None:
    ref, handle = await started(ts_client, ts_worker)
    await report_event(ts_client, ref, scan(S.OUT_FOR_DELIVERY, 0, "o1", window=window(5)))
    await report_event(ts_client, ref, scan(S.DELIVERED, 1, "d1"))

    final = await handle.result()

    assert final.status is S.DELIVERED
    assert not [n for n in final.notifications if n.kind is K.COURIER_ONE_HOUR]


async def test_pickup_reminders_then_the_deadline_returns_the_parcel(
    time_skipping_env: WorkflowEnvironment, ts_client: Client, ts_worker: Worker
) -> None:
    point = PickupPoint(
        name="Locker 12",
        address="1 High St",
        pickup_code="4821",
        storage_deadline=NOW + timedelta(days=5),
    )
    ref, handle = await started(
        ts_client,
        ts_worker,
        delivery=DeliveryOption(kind=DeliveryKind.PICKUP_POINT),
        policy=NotificationPolicy(
            quiet_hours=None,
            shop_email="orders@shop.example.com",
            pickup=PickupReminders(
                after_arrival=(timedelta(days=2),), final_warning_before=timedelta(days=1)
            ),
        ),
    )
    await report_event(ts_client, ref, scan(S.AVAILABLE_FOR_PICKUP, 0, "a1", pickup_point=point))

    await time_skipping_env.fast_forward(handle, timedelta(days=6))
    final = await handle.result()

    assert final.status is S.RETURNED
    assert [n.kind for n in final.notifications if n.status is NotificationStatus.SENT] == [
        K.SHIPPED,
        K.AVAILABLE_FOR_PICKUP,
        K.AVAILABLE_FOR_PICKUP,
        K.PICKUP_REMINDER,
        K.PICKUP_FINAL_WARNING,
        K.PICKUP_FINAL_WARNING,
        K.RETURNED,
        K.SHOP_RETURN_NOTICE,
    ]
    assert final.timeline[-1].event.event_id.startswith("waypost:storage-deadline")


async def test_picking_up_cancels_every_pending_reminder(
    time_skipping_env: WorkflowEnvironment, ts_client: Client, ts_worker: Worker
) -> None:
    ref, handle = await started(
        ts_client, ts_worker, delivery=DeliveryOption(kind=DeliveryKind.PICKUP_POINT)
    )
    await report_event(ts_client, ref, scan(S.AVAILABLE_FOR_PICKUP, 0, "a1"))
    await report_event(ts_client, ref, scan(S.DELIVERED, 3, "d1"))

    final = await handle.result()

    assert not [
        n for n in final.notifications if n.kind in (K.PICKUP_REMINDER, K.PICKUP_FINAL_WARNING)
    ]


def quiet_now(hours_left: float) -> QuietHours:
    """Quiet hours (UTC) that started an hour ago and end `hours_left` from now."""
    return QuietHours(
        start=(NOW - timedelta(hours=1)).time(), end=(NOW + timedelta(hours=hours_left)).time()
    )


async def test_a_non_urgent_message_waits_for_quiet_hours_to_end(
    time_skipping_env: WorkflowEnvironment, ts_client: Client, ts_worker: Worker
) -> None:
    ref, handle = await started(
        ts_client, ts_worker, policy=NotificationPolicy(quiet_hours=quiet_now(2))
    )
    waiting = await shipment_state(ts_client, ref)

    await time_skipping_env.fast_forward(handle, timedelta(hours=2, minutes=5))
    state = await eventually(ts_client, ref, lambda s: bool(sent(s, K.SHIPPED)))

    assert waiting.notifications[0].status is NotificationStatus.PLANNED
    assert any(w.what.startswith("deferred: shipped") for w in waiting.waiting_for)
    assert len(sent(state, K.SHIPPED)) == 1


async def test_a_deferred_message_made_stale_is_superseded_never_sent(
    time_skipping_env: WorkflowEnvironment, ts_client: Client, ts_worker: Worker
) -> None:
    ref, handle = await started(
        ts_client, ts_worker, policy=NotificationPolicy(quiet_hours=quiet_now(2))
    )
    await report_event(ts_client, ref, scan(S.OUT_FOR_DELIVERY, 0, "o1", window=window(6)))

    await time_skipping_env.fast_forward(handle, timedelta(hours=2, minutes=5))
    state = await eventually(
        ts_client, ref, lambda s: s.notifications[0].status is NotificationStatus.SUPERSEDED
    )

    assert sent(state, K.OUT_FOR_DELIVERY) and not sent(state, K.SHIPPED)


async def test_one_delay_notice_per_episode(
    time_skipping_env: WorkflowEnvironment, ts_client: Client, ts_worker: Worker
) -> None:
    ref, handle = await started(ts_client, ts_worker)
    await report_event(
        ts_client, ref, scan(S.IN_TRANSIT, 0, "t1", estimated_delivery=NOW + timedelta(hours=1))
    )

    await time_skipping_env.fast_forward(handle, timedelta(hours=4))
    first = await eventually(ts_client, ref, lambda s: bool(sent(s, K.DELAY_NOTICE)))
    await time_skipping_env.fast_forward(handle, timedelta(days=4))
    later = await shipment_state(ts_client, ref)

    assert len(sent(first, K.DELAY_NOTICE)) == len(sent(later, K.DELAY_NOTICE)) == 1
    assert later.delay_noticed


def slots() -> list[Window]:
    return [window(24), window(27), window(48)]


async def test_arrival_in_the_city_offers_slots_and_the_choice_is_confirmed(
    ts_client: Client, ts_worker: Worker
) -> None:
    ref, _ = await started(
        ts_client, ts_worker, delivery=DeliveryOption(kind=DeliveryKind.COURIER_MULTI_DAY)
    )
    await report_event(ts_client, ref, scan(S.IN_TRANSIT, 0, "city", slots=slots()))

    chosen = await choose_slot(ts_client, ref, 2)
    state = await eventually(ts_client, ref, lambda s: bool(sent(s, K.SLOT_CONFIRMED)))

    assert chosen == slots()[1] and state.window == slots()[1]
    assert len(sent(state, K.SLOT_CHOICE)) == 2  # SMS and email
    assert state.offered_slots == []


async def test_a_slot_that_was_not_offered_is_refused(ts_client: Client, ts_worker: Worker) -> None:
    ref, _ = await started(ts_client, ts_worker)
    await report_event(ts_client, ref, scan(S.IN_TRANSIT, 0, "city", slots=slots()))

    with pytest.raises(EventRefused, match="slot 5 was not offered"):
        await choose_slot(ts_client, ref, 5)


async def test_without_a_choice_the_default_slot_is_confirmed(
    time_skipping_env: WorkflowEnvironment, ts_client: Client, ts_worker: Worker
) -> None:
    ref, handle = await started(ts_client, ts_worker)
    await report_event(ts_client, ref, scan(S.IN_TRANSIT, 0, "city", slots=slots()))
    offered = await shipment_state(ts_client, ref)
    assert offered.choose_by is not None  # in the recipient's daytime: when depends on the hour

    offered_at = offered.timeline[-1].received_at  # the workflow's clock
    await time_skipping_env.fast_forward(
        handle, offered.choose_by - offered_at + timedelta(minutes=5)
    )
    state = await eventually(ts_client, ref, lambda s: bool(sent(s, K.SLOT_CONFIRMED)))

    assert state.window == slots()[0]


async def test_a_reply_before_the_courier_confirmation_is_refused(
    ts_client: Client, ts_worker: Worker
) -> None:
    ref, _ = await started(ts_client, ts_worker)
    await report_event(ts_client, ref, scan(S.OUT_FOR_DELIVERY, 0, "o1", window=window(5)))

    with pytest.raises(EventRefused, match="has not been sent yet"):
        await courier_reply(ts_client, ref, "confirm")


async def test_reschedule_after_the_confirmation_offers_the_slots_again(
    time_skipping_env: WorkflowEnvironment, ts_client: Client, ts_worker: Worker
) -> None:
    ref, handle = await started(ts_client, ts_worker)
    await report_event(ts_client, ref, scan(S.IN_TRANSIT, 0, "city", slots=slots()))
    await choose_slot(ts_client, ref, 1)
    await report_event(ts_client, ref, scan(S.OUT_FOR_DELIVERY, 1, "o1", window=slots()[0]))
    await time_skipping_env.fast_forward(handle, timedelta(hours=23, minutes=5))
    await eventually(ts_client, ref, lambda s: bool(sent(s, K.COURIER_ONE_HOUR)))

    answer = await courier_reply(ts_client, ref, "reschedule")
    state = await eventually(ts_client, ref, lambda s: len(sent(s, K.SLOT_CHOICE)) == 4)

    assert answer.text == "reschedule: 3 slot(s) offered again"
    assert [r.what for r in state.replies] == ["reschedule"]
    assert state.offered_slots == slots()
