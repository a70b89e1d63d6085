"""What a shipment's UI costs the Temporal server: each search attribute upsert is a billable
action, so the workflow upserts at most once per workflow task, only what changed, and folds
the changes that arrive while a recording is in flight into one (real dev server)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from typing import Any

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from activities.publish import ShipmentActivities
from benchmarks.actions import EXEMPT_ATTRIBUTES
from benchmarks.throughput import waypost_lifecycle
from infra import search_attributes as sa
from infra.settings import Settings
from models.notification import SendResult
from models.state import LedgerUpdate
from models.status import ShipmentStatus
from testing.factories import event, out_for_delivery, shipment, window
from workers.worker import build_activities, running_worker
from workflows.client import report_event, start_shipment
from workflows.shipment import PATCH_SET

S = ShipmentStatus
E = EventType


class HeldActivities(ShipmentActivities):
    """The real ledger activity, held until `release` is set: a recording in flight."""

    def __init__(self, inner: ShipmentActivities, release: threading.Event) -> None:
        super().__init__(inner.ledger, inner.sender)
        self.release = release

    @activity.defn(name="publish_update")
    def publish_update(self, update: LedgerUpdate) -> list[SendResult]:
        self.release.wait(30)
        return super().publish_update(update)


async def history(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    return [e async for e in handle.fetch_history_events()]


async def all_applied(
    handle: WorkflowHandle[Any, Any], *, signals: int, timeout: float = 30
) -> list[HistoryEvent]:
    """The history once `signals` signals arrived and a workflow task completed after the last
    (the commands it gave, a timer say, may follow it)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        events = await history(handle)
        types = [e.event_type for e in events]
        arrived = [i for i, t in enumerate(types) if t == E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED]
        completed = [i for i, t in enumerate(types) if t == E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]
        if len(arrived) == signals and completed and completed[-1] > arrived[-1]:
            return events
        assert asyncio.get_running_loop().time() < deadline, "the signals were never applied"
        await asyncio.sleep(0.05)


def upserts_per_task(events: list[HistoryEvent]) -> Counter[int]:
    """Our upserts (not the SDK's TemporalChangeVersion beside a patch marker), by the workflow
    task that made them."""
    per_task: Counter[int] = Counter()
    for e in events:
        if e.event_type != E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            continue
        attrs = e.upsert_workflow_search_attributes_event_attributes
        if set(attrs.search_attributes.indexed_fields) - EXEMPT_ATTRIBUTES:
            per_task[attrs.workflow_task_completed_event_id] += 1
    return per_task


async def test_signals_in_quick_succession_upsert_at_most_once_per_workflow_task(
    client: Client, worker: Worker
) -> None:
    # The benchmark's lifecycle: four carrier events as signals, in quick succession.
    workflow_id = await waypost_lifecycle(client, shipment(), worker.task_queue)

    events = await history(client.get_workflow_handle(workflow_id))
    per_task = upserts_per_task(events)
    tasks = sum(e.event_type == E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED for e in events)

    assert per_task, "the status changed, so the UI was updated"
    assert max(per_task.values()) == 1
    assert sum(per_task.values()) <= tasks
    assert sum(per_task.values()) < 3, "three status changes, folded while recordings ran"


async def test_a_new_run_records_one_patch_marker_for_all_its_patches(
    client: Client, worker: Worker
) -> None:
    # Each marker brings the SDK's TemporalChangeVersion upsert: two history events a patch.
    workflow_id = await waypost_lifecycle(client, shipment(), worker.task_queue)

    events = await history(client.get_workflow_handle(workflow_id))
    markers = [e for e in events if e.HasField("marker_recorded_event_attributes")]
    upserts = [e for e in events if e.event_type == E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES]
    change_versions = len(upserts) - sum(upserts_per_task(events).values())

    assert len(markers) == 1
    assert PATCH_SET.encode() in markers[0].SerializeToString()
    assert change_versions == 1


async def test_changes_during_a_recording_are_shown_once_when_it_ends(
    client: Client, worker_settings: Settings
) -> None:
    release = threading.Event()
    held = HeldActivities(build_activities(worker_settings), release)
    queue = f"held-{uuid.uuid4().hex[:8]}"
    async with running_worker(client, worker_settings, task_queue=queue, activities=held):
        start = shipment()
        started = await start_shipment(client, start, queue)
        for e in (
            event(S.IN_TRANSIT, 60),
            event(S.IN_TRANSIT, 120, city="York"),
            out_for_delivery(600),
            event(S.DELIVERED, 700),
        ):
            await started.handle.signal("carrier_event", e)
        during = await all_applied(started.handle, signals=4)  # the recording still held
        release.set()
        await started.handle.result()
        after = await history(started.handle)

    assert not upserts_per_task(during), "nothing shown while the recording is in flight"
    per_task = upserts_per_task(after)
    assert sum(per_task.values()) == 1, "the four events' changes shown together"
    attrs = (await started.handle.describe()).typed_search_attributes
    assert attrs.get(sa.SHIPMENT_STATUS) == "delivered"


async def test_updates_one_at_a_time_upsert_at_most_once_per_workflow_task(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    for e in (event(S.IN_TRANSIT, 60), out_for_delivery(600), event(S.DELIVERED, 700)):
        await report_event(client, start.workflow_id, e)
    await started.handle.result()

    per_task = upserts_per_task(await history(started.handle))

    assert max(per_task.values()) == 1


async def test_the_closed_workflow_shows_its_final_status(client: Client, worker: Worker) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    for e in (out_for_delivery(600), event(S.DELIVERED, 700)):
        await started.handle.signal("carrier_event", e)
    await started.handle.result()

    attrs = (await started.handle.describe()).typed_search_attributes

    assert attrs.get(sa.SHIPMENT_STATUS) == "delivered"
    assert attrs.get(sa.ESTIMATED_DELIVERY) == window().end
