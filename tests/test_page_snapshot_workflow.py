"""The workflow sends the tracking page's part of its state (`LedgerUpdate.page`) to the ledger
activity only when it changed since the last one it sent, and the start's recipient with the
first (its `ShipmentRecord`, without the policy): activity inputs stay small, and no command
changes (histories replay as they were)."""

from __future__ import annotations

import json
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import Worker

from models.shipment import ShipmentRecord
from models.state import LedgerUpdate
from models.status import ShipmentStatus
from testing.factories import event, shipment
from tests.polling import all_settled, eventually
from workflows.client import report_event, start_shipment


async def published(client: Client, ref: str) -> list[LedgerUpdate]:
    """The ledger activity's inputs, in the order the workflow scheduled them."""
    history = await client.get_workflow_handle(ref).fetch_history()
    updates: list[LedgerUpdate] = []
    for e in history.events:
        if e.event_type != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            continue
        scheduled = e.activity_task_scheduled_event_attributes
        if scheduled.activity_type.name == "publish_update":
            [update] = await client.data_converter.decode(scheduled.input.payloads, [LedgerUpdate])
            updates.append(update)
    return updates


async def published_json(client: Client, ref: str) -> list[dict[str, Any]]:
    """The same inputs as they travel: the JSON in the history, before any model reads it."""
    history = await client.get_workflow_handle(ref).fetch_history()
    return [
        json.loads(e.activity_task_scheduled_event_attributes.input.payloads[0].data)
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == "publish_update"
    ]


async def test_the_page_part_travels_with_an_update_only_when_it_changed(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    await eventually(client, start.workflow_id, all_settled)
    await report_event(client, start.workflow_id, event(ShipmentStatus.IN_TRANSIT, 30))
    await eventually(client, start.workflow_id, all_settled)
    scan = event(ShipmentStatus.IN_TRANSIT, 20, city="York")  # reported late: changes no page field
    await report_event(client, start.workflow_id, scan)
    await eventually(client, start.workflow_id, lambda s: len(s.timeline) == 2 and all_settled(s))

    first, moved, *_, same = await published(client, start.workflow_id)

    assert first.shipment is not None and first.page is not None
    assert moved.page is not None and moved.page.status is ShipmentStatus.IN_TRANSIT
    assert [e.event.event_id for e in same.timeline] == [scan.event_id]
    assert same.page is None


async def test_the_first_update_names_the_shipment_without_its_policy(
    client: Client, worker: Worker
) -> None:
    """The ledger keeps the shipment's identifiers and recipient; the policy stays in the
    workflow, and the activity neither receives nor validates it."""
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    await eventually(client, start.workflow_id, all_settled)

    [first] = await published(client, start.workflow_id)
    [sent] = await published_json(client, start.workflow_id)

    assert first.shipment == ShipmentRecord.of(start)
    assert "policy" not in sent["shipment"] and "recommendations" not in sent["shipment"]
