"""What a shipment's UI costs the Temporal server: each search attribute upsert is a billable
action, so the workflow upserts at most once per workflow task, only what changed, and folds
the changes that arrive while a recording is in flight into one (real dev server)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from benchmarks.actions import EXEMPT_ATTRIBUTES
from infra import search_attributes as sa
from models.status import ShipmentStatus
from testing.factories import event, out_for_delivery, shipment, window
from workflows.client import report_event, start_shipment

S = ShipmentStatus
E = EventType
pytestmark = pytest.mark.usefixtures("worker")


async def history(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    return [e async for e in handle.fetch_history_events()]


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
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    for e in (
        event(S.IN_TRANSIT, 60),
        event(S.IN_TRANSIT, 120, city="York"),
        out_for_delivery(600),
        event(S.DELIVERED, 700),
    ):
        await started.handle.signal("carrier_event", e)
    await started.handle.result()

    events = await history(started.handle)
    per_task = upserts_per_task(events)
    tasks = sum(e.event_type == E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED for e in events)

    assert per_task, "the status changed, so the UI was updated"
    assert max(per_task.values()) == 1
    assert sum(per_task.values()) <= tasks
    assert sum(per_task.values()) < 3, "three status changes, folded while recordings ran"


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
