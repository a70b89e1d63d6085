"""Trackers created for the shop, end to end: a real Temporal dev server, the real worker and
activities, and local servers speaking EasyPost's and Shippo's formats at the network edge.

A shipment whose carrier is configured gets its tracker made once (retries and all), a carrier
that refuses for good is shown to support without holding back a single message, polling moves
a shipment through the tracker's scans and stops at the end, and a shipment for an unconfigured
carrier costs not one extra activity, timer or marker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from infra.settings import Settings
from infra.trackers import tracker_plan
from models.notification import NotificationKind, NotificationStatus
from models.state import ShipmentResume, ShipmentState, WorkflowLimits
from models.status import ShipmentStatus
from models.tracking import TrackerMode
from testing.factories import T0, event, shipment
from testing.tracker_servers import EASYPOST_KEY, SHIPPO_TOKEN, FakeEasyPost, FakeShippo, Scan
from tests.polling import eventually
from workers.worker import running_worker
from workflows.client import report_event, start_shipment
from workflows.shipment import CARRIER_TRACKERS, ShipmentWorkflow

S = ShipmentStatus
NOW = datetime.now(UTC).replace(microsecond=0)


def easypost_settings(base: Settings, fake: FakeEasyPost, **extra: Any) -> Settings:
    return base.model_copy(
        update={
            "easypost_api_key": SecretStr(EASYPOST_KEY),
            "easypost_api_base": fake.url,
            "carrier_api_timeout_seconds": 1,
            **extra,
        }
    )


@pytest.fixture
async def easypost_worker(
    client: Client, worker_settings: Settings, easypost: FakeEasyPost
) -> AsyncIterator[tuple[Worker, Settings]]:
    settings = easypost_settings(worker_settings, easypost)
    async with running_worker(client, settings) as worker:
        yield worker, settings


async def start(
    client: Client, worker: Worker, settings: Settings, **overrides: Any
) -> tuple[str, WorkflowHandle[Any, ShipmentState]]:
    """A shipment started as the HTTP API starts one: with the settings' tracker plan."""
    order = shipment(**overrides)
    begun = order.model_copy(update={"tracker": tracker_plan(settings, order.shop_id)})
    started = await start_shipment(client, begun, worker.task_queue)
    return begun.workflow_id, started.handle


@asynccontextmanager
async def polled(
    client: Client, settings: Settings, tracking_number: str
) -> AsyncIterator[tuple[str, WorkflowHandle[Any, ShipmentState]]]:
    """A shipment with this tracking number, shipped at NOW, on a worker running `settings`."""
    async with running_worker(client, settings) as worker:
        yield await start(client, worker, settings, tracking_number=tracking_number, shipped_at=NOW)


def has_tracker(state: ShipmentState) -> bool:
    return state.tracker is not None and state.tracker.tracker_id is not None


def tracker_failed(state: ShipmentState) -> bool:
    return state.tracker is not None and state.tracker.error is not None


def poll_armed(state: ShipmentState) -> bool:
    """The tracker's first scan applied and its next poll's timer armed (in the same workflow
    task), so a fast-forward from here moves past known timers only."""
    tracker = state.tracker
    return state.status is S.IN_TRANSIT and tracker is not None and tracker.next_poll_at is not None


async def activity_names(handle: WorkflowHandle[Any, ShipmentState]) -> list[str]:
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        async for e in handle.fetch_history_events()
        if e.HasField("activity_task_scheduled_event_attributes")
    ]


async def test_a_configured_carrier_gets_its_tracker_when_the_shipment_starts(
    client: Client, easypost_worker: tuple[Worker, Settings], easypost: FakeEasyPost
) -> None:
    worker, settings = easypost_worker
    ref, _ = await start(client, worker, settings, carrier="USPS", tracking_number="EZ1000000001")

    state = await eventually(client, ref, has_tracker)

    (parcel,) = easypost.parcels.values()
    assert state.tracker is not None and state.tracker.tracker_id == parcel.tracker_id
    assert (parcel.carrier, parcel.tracking_number) == ("USPS", "EZ1000000001")
    assert state.tracker.mode is TrackerMode.WEBHOOK


async def test_webhook_mode_never_polls(
    client: Client, easypost_worker: tuple[Worker, Settings], easypost: FakeEasyPost
) -> None:
    worker, settings = easypost_worker
    ref, handle = await start(client, worker, settings)
    await eventually(client, ref, has_tracker)
    await report_event(client, ref, event(S.DELIVERED, 60))

    await handle.result()

    assert easypost.calls("GET") == []
    assert (await activity_names(handle)).count("create_tracker") == 1


async def test_a_create_retried_after_a_timeout_makes_one_tracker(
    client: Client, easypost_worker: tuple[Worker, Settings], easypost: FakeEasyPost
) -> None:
    worker, settings = easypost_worker
    easypost.hang_next(2)  # longer than the client waits: the first attempt fails, yet creates
    ref, _ = await start(client, worker, settings)

    state = await eventually(client, ref, has_tracker, seconds=30)

    assert len(easypost.calls("POST")) == 2
    assert easypost.created == 1
    (parcel,) = easypost.parcels.values()
    assert state.tracker is not None and state.tracker.tracker_id == parcel.tracker_id


async def test_a_carrier_answering_5xx_then_200_is_retried(
    client: Client, easypost_worker: tuple[Worker, Settings], easypost: FakeEasyPost
) -> None:
    worker, settings = easypost_worker
    easypost.fail_next(503)
    ref, _ = await start(client, worker, settings)

    await eventually(client, ref, has_tracker, seconds=30)

    assert [r.path for r in easypost.calls("POST")] == ["/v2/trackers", "/v2/trackers"]


async def test_a_tracker_refused_for_good_is_shown_and_messages_still_go(
    client: Client, easypost_worker: tuple[Worker, Settings], easypost: FakeEasyPost
) -> None:
    worker, settings = easypost_worker
    easypost.invalid.add("EZ4000000004")
    ref, _ = await start(client, worker, settings, tracking_number="EZ4000000004")

    state = await eventually(client, ref, tracker_failed)
    await report_event(client, ref, event(S.OUT_FOR_DELIVERY, 60))
    later = await eventually(
        client,
        ref,
        lambda s: any(
            n.kind is NotificationKind.OUT_FOR_DELIVERY and n.status is NotificationStatus.SENT
            for n in s.notifications
        ),
    )

    assert state.tracker is not None and "422" in (state.tracker.error or "")
    assert len(easypost.calls("POST")) == 1  # a refusal is not retried
    assert later.status is S.OUT_FOR_DELIVERY
    assert any(
        n.kind is NotificationKind.SHIPPED and n.status is NotificationStatus.SENT
        for n in later.notifications
    )
    assert "not created" in (later.tracker.summary() if later.tracker else "")


async def test_an_unconfigured_carrier_costs_no_extra_activity_timer_or_marker(
    client: Client, worker: Worker, worker_settings: Settings
) -> None:
    ref, handle = await start(client, worker, worker_settings)
    await report_event(client, ref, event(S.DELIVERED, 60))
    state = await handle.result()

    events = [e async for e in handle.fetch_history_events()]
    assert state.tracker is None
    assert set(await activity_names(handle)) == {"publish_update"}
    assert not any(e.HasField("timer_started_event_attributes") for e in events)
    assert not any(CARRIER_TRACKERS.encode() in e.SerializeToString() for e in events)


async def test_shippo_registers_the_number_with_the_shipment_as_metadata(
    client: Client, worker_settings: Settings, shippo: FakeShippo
) -> None:
    settings = worker_settings.model_copy(
        update={"shippo_api_token": SecretStr(SHIPPO_TOKEN), "shippo_api_base": shippo.url}
    )
    async with running_worker(client, settings) as worker:
        ref, _ = await start(client, worker, settings, carrier="USPS")
        state = await eventually(client, ref, has_tracker)

    (parcel,) = shippo.parcels.values()
    assert (parcel.carrier, parcel.metadata) == ("usps", ref)
    assert state.tracker is not None
    assert state.tracker.tracker_id == f"usps/{parcel.tracking_number}"


async def test_a_run_continued_as_new_keeps_its_tracker_and_makes_no_second(
    client: Client, easypost_worker: tuple[Worker, Settings], easypost: FakeEasyPost
) -> None:
    worker, settings = easypost_worker
    order = shipment()
    begun = order.model_copy(update={"tracker": tracker_plan(settings, order.shop_id)})
    resume = ShipmentResume(
        state=ShipmentState(shipment=begun, status_since=T0),
        limits=WorkflowLimits(history_events=20),
    )
    handle = await client.start_workflow(
        ShipmentWorkflow.run, resume, id=begun.workflow_id, task_queue=worker.task_queue
    )
    await eventually(client, begun.workflow_id, has_tracker)
    for minutes in range(10, 130, 10):
        await report_event(client, begun.workflow_id, event(S.IN_TRANSIT, minutes))
    await report_event(client, begun.workflow_id, event(S.DELIVERED, 200))

    final = await handle.result()

    (parcel,) = easypost.parcels.values()
    assert final.runs > 1
    assert final.tracker is not None and final.tracker.tracker_id == parcel.tracker_id
    assert len(easypost.calls("POST")) == 1


# --- Polling, over days of simulated time -----------------------------------------------------


async def test_polling_moves_the_shipment_through_the_trackers_scans_and_stops_at_delivered(
    time_skipping_env: WorkflowEnvironment, worker_settings: Settings, easypost: FakeEasyPost
) -> None:
    client = time_skipping_env.client
    settings = easypost_settings(
        worker_settings, easypost, easypost_tracker_mode=TrackerMode.POLLING
    )
    easypost.plan(
        "EZ2000000002",
        [
            Scan("in_transit", message="Departed", at=NOW),
            Scan("out_for_delivery", message="Out for delivery", at=NOW + timedelta(hours=3)),
            Scan("delivered", message="Delivered", at=NOW + timedelta(hours=4)),
        ],
    )
    async with polled(client, settings, "EZ2000000002") as (ref, handle):
        # Created: the tracker's first scan applies at once; in transit polls every 3 hours.
        first = await eventually(client, ref, lambda s: s.status is S.IN_TRANSIT)
        await time_skipping_env.fast_forward(handle, timedelta(hours=3, minutes=1))
        second = await eventually(client, ref, lambda s: s.status is S.OUT_FOR_DELIVERY)
        # Out for delivery polls every 15 minutes.
        await time_skipping_env.fast_forward(handle, timedelta(minutes=16))
        last = await eventually(client, ref, lambda s: s.status is S.DELIVERED)
        final = await handle.result()  # closed: no timer is left to poll again
        polls_after = len(easypost.calls("GET"))

    assert first.tracker is not None and first.tracker.polls == 0
    assert second.tracker is not None and second.tracker.polls == 1
    assert final.tracker is not None and final.tracker.next_poll_at is None
    assert final.tracker.polls == 2
    assert polls_after == 2
    assert (await activity_names(handle)).count("poll_tracker") == 2
    assert [e.event.status for e in last.timeline] == [
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERED,
    ]


async def test_a_poll_repeating_known_scans_changes_nothing(
    time_skipping_env: WorkflowEnvironment, worker_settings: Settings, easypost: FakeEasyPost
) -> None:
    client = time_skipping_env.client
    settings = easypost_settings(
        worker_settings, easypost, easypost_tracker_mode=TrackerMode.POLLING
    )
    easypost.plan("EZ3000000003", [Scan("in_transit", at=NOW)])
    async with polled(client, settings, "EZ3000000003") as (ref, handle):
        await eventually(client, ref, poll_armed)
        await time_skipping_env.fast_forward(handle, timedelta(hours=6, minutes=5))
        state = await eventually(
            client, ref, lambda s: s.tracker is not None and s.tracker.polls >= 2
        )
        publishes = (await activity_names(handle)).count("publish_update")

    assert state.tracker is not None and state.tracker.polls == 2
    assert len(state.timeline) == 1
    assert publishes == 2  # the start, and the one scan: repeats publish nothing


async def test_shippo_polling_reads_the_track_history(
    time_skipping_env: WorkflowEnvironment, worker_settings: Settings, shippo: FakeShippo
) -> None:
    client = time_skipping_env.client
    settings = worker_settings.model_copy(
        update={
            "shippo_api_token": SecretStr(SHIPPO_TOKEN),
            "shippo_api_base": shippo.url,
            "shippo_tracker_mode": TrackerMode.POLLING,
        }
    )
    shippo.plan(
        "SHIPPO_TRANSIT",
        [
            Scan("TRANSIT", "package_departed", at=NOW),
            Scan("DELIVERED", "delivered", at=NOW + timedelta(hours=2)),
        ],
    )
    async with polled(client, settings, "SHIPPO_TRANSIT") as (ref, handle):
        await eventually(client, ref, lambda s: s.status is S.IN_TRANSIT)
        await time_skipping_env.fast_forward(handle, timedelta(hours=3, minutes=1))
        final = await handle.result()

    assert final.status is S.DELIVERED
    assert [r.path for r in shippo.calls("GET")] == ["/tracks/acme/SHIPPO_TRANSIT"]


async def test_a_failed_poll_is_shown_and_tried_again_at_the_next_interval(
    time_skipping_env: WorkflowEnvironment, worker_settings: Settings, easypost: FakeEasyPost
) -> None:
    client = time_skipping_env.client
    settings = easypost_settings(
        worker_settings, easypost, easypost_tracker_mode=TrackerMode.POLLING
    )
    easypost.plan(
        "EZ5000000005",
        [Scan("in_transit", at=NOW), Scan("delivered", at=NOW + timedelta(hours=5))],
    )
    async with polled(client, settings, "EZ5000000005") as (ref, handle):
        await eventually(client, ref, lambda s: s.status is S.IN_TRANSIT)
        easypost.fail_next(404)  # answered for good: not retried within this poll
        await time_skipping_env.fast_forward(handle, timedelta(hours=3, minutes=1))
        failed = await eventually(
            client, ref, lambda s: s.tracker is not None and s.tracker.polls == 1
        )
        await time_skipping_env.fast_forward(handle, timedelta(hours=3, minutes=1))
        final = await handle.result()

    assert failed.tracker is not None and "404" in (failed.tracker.last_poll_error or "")
    assert failed.status is S.IN_TRANSIT
    assert final.status is S.DELIVERED
    assert final.tracker is not None and final.tracker.last_poll_error is None
