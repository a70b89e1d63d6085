"""ShipmentWorkflow on a real Temporal dev server, with the real ledger activity."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.worker import Worker

from infra import search_attributes as sa
from models.notification import NotificationKind, NotificationStatus
from models.state import EventOutcome, ShipmentResume, ShipmentState, WorkflowLimits
from models.status import ShipmentStatus
from testing.factories import T0, event, out_for_delivery, shipment, window
from tests.polling import all_settled, eventually
from workflows.client import (
    EventRefused,
    ShipmentClosed,
    report_event,
    shipment_state,
    start_shipment,
)
from workflows.shipment import ShipmentWorkflow

S = ShipmentStatus
pytestmark = pytest.mark.usefixtures("worker")


async def settled(client: Client, ref: str) -> ShipmentState:
    return await eventually(client, ref, all_settled)


async def test_start_sends_the_dispatch_notice(client: Client, worker: Worker) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)

    state = await settled(client, start.workflow_id)

    assert state.status is S.SHIPPED
    [notice] = state.notifications
    assert (notice.kind, notice.channel, notice.status) == (
        NotificationKind.SHIPPED,
        "email",
        NotificationStatus.SENT,
    )
    assert notice.provider == "console"


async def test_starting_the_same_shipment_twice_returns_the_existing_workflow(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    first = await start_shipment(client, start, worker.task_queue)
    second = await start_shipment(client, start, worker.task_queue)

    assert first.created and not second.created
    assert (await second.handle.describe()).run_id == first.handle.result_run_id


async def test_plain_path_ends_delivered_and_completes(client: Client, worker: Worker) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    for e in (event(S.IN_TRANSIT, 60), out_for_delivery(600), event(S.DELIVERED, 700)):
        await report_event(client, start.workflow_id, e)

    final = await started.handle.result()

    assert final.status is S.DELIVERED
    assert [n.kind for n in final.notifications] == [
        NotificationKind.SHIPPED,
        NotificationKind.OUT_FOR_DELIVERY,
        NotificationKind.DELIVERED,
    ]
    assert all(n.status is NotificationStatus.SENT for n in final.notifications)


async def test_returned_is_final_and_says_so(client: Client, worker: Worker) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, event(S.RETURNED, 60))

    final = await started.handle.result()

    assert final.status is S.RETURNED
    assert final.notifications[-1].kind is NotificationKind.RETURNED


async def test_in_transit_scans_send_nothing(client: Client, worker: Worker) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    for minutes in (60, 120, 180):
        await report_event(client, start.workflow_id, event(S.IN_TRANSIT, minutes))

    state = await settled(client, start.workflow_id)

    assert [n.kind for n in state.notifications] == [NotificationKind.SHIPPED]
    assert len(state.timeline) == 3


async def test_impossible_transition_is_refused_with_a_reason(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, event(S.AVAILABLE_FOR_PICKUP, 60))

    with pytest.raises(
        EventRefused, match="cannot go from available_for_pickup to out_for_delivery"
    ):
        await report_event(client, start.workflow_id, out_for_delivery(120))

    state = await shipment_state(client, start.workflow_id)
    assert state.status is S.AVAILABLE_FOR_PICKUP
    assert [e.event.status for e in state.timeline] == [S.AVAILABLE_FOR_PICKUP]


async def test_duplicate_event_id_is_ignored(client: Client, worker: Worker) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    first = await report_event(client, start.workflow_id, out_for_delivery(60, event_id="x1"))
    again = await report_event(client, start.workflow_id, out_for_delivery(60, event_id="x1"))

    state = await settled(client, start.workflow_id)

    assert (first.outcome, again.outcome) == (EventOutcome.APPLIED, EventOutcome.DUPLICATE)
    assert len(state.timeline) == 1
    assert sum(n.kind is NotificationKind.OUT_FOR_DELIVERY for n in state.notifications) == 1


async def test_out_of_order_event_is_kept_but_moves_nothing(client: Client, worker: Worker) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(600))
    late = await report_event(client, start.workflow_id, event(S.IN_TRANSIT, 60))

    state = await settled(client, start.workflow_id)

    assert late.outcome is EventOutcome.OUT_OF_ORDER
    assert state.status is S.OUT_FOR_DELIVERY
    assert [e.outcome for e in state.timeline] == [EventOutcome.APPLIED, EventOutcome.OUT_OF_ORDER]
    assert len(state.notifications) == 2


async def test_signalled_impossible_event_is_recorded_as_refused(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, event(S.AVAILABLE_FOR_PICKUP, 60))
    await started.handle.signal("carrier_event", out_for_delivery(120))

    state = await settled(client, start.workflow_id)

    assert state.status is S.AVAILABLE_FOR_PICKUP
    assert state.timeline[-1].outcome is EventOutcome.REFUSED
    assert "cannot go from" in (state.timeline[-1].reason or "")


async def test_query_shows_events_window_messages_and_what_comes_next(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, event(S.IN_TRANSIT, 60, city="York"))
    await report_event(client, start.workflow_id, out_for_delivery(600))

    state = await settled(client, start.workflow_id)

    assert [e.event.location.city for e in state.timeline if e.event.location] == ["York", "Leeds"]
    assert state.window == window()
    assert state.courier is not None and state.courier.name == "Piotr"
    assert [n.status for n in state.notifications] == [NotificationStatus.SENT] * 2
    assert (state.sms_sent, state.sms_segments) == (1, 1) and state.sms_cost > 0
    one_hour, delay_watch, carrier = state.waiting_for
    assert one_hour.what.startswith("timer: courier_one_hour")
    assert one_hour.until == window().start - timedelta(hours=1)
    assert delay_watch.what.startswith("timer: delay_notice")
    assert delay_watch.until == window().end + timedelta(hours=2)
    assert (carrier.what, carrier.until) == ("next carrier event", window().end)


async def test_search_attributes_follow_the_shipment(client: Client, worker: Worker) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(60))
    await settled(client, start.workflow_id)

    attrs = (await started.handle.describe()).typed_search_attributes

    assert attrs.get(sa.SHIPMENT_STATUS) == "out_for_delivery"
    assert attrs.get(sa.ORDER_ID) == start.order_id
    assert attrs.get(sa.CARRIER) == "acme"
    assert attrs.get(sa.TRACKING_NUMBER) == start.tracking_number
    assert attrs.get(sa.SHOP_ID) == "shop-1"
    assert attrs.get(sa.ESTIMATED_DELIVERY) == window().end


async def test_shipment_is_found_by_order_id(client: Client, worker: Worker) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)

    for _ in range(50):  # the visibility store is eventually consistent
        found = [w.id async for w in client.list_workflows(f"OrderId = '{start.order_id}'")]
        if found:
            break
        await asyncio.sleep(0.1)

    assert found == [start.workflow_id]


async def test_ui_shows_a_summary_and_current_details(client: Client, worker: Worker) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(60))
    await settled(client, start.workflow_id)

    description = await started.handle.describe()
    summary = await description.static_summary()
    metadata = await started.handle.query(
        "__temporal_workflow_metadata", result_type=WorkflowMetadata
    )

    assert summary is not None and start.order_id in summary
    assert "**Out for delivery**" in metadata.current_details
    assert "Waiting for: timer: courier_one_hour" in metadata.current_details


async def test_event_for_a_closed_shipment_says_it_is_closed(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, event(S.DELIVERED, 60))
    await started.handle.result()

    with pytest.raises(ShipmentClosed):
        await report_event(client, start.workflow_id, event(S.RETURNED, 120))


async def test_continue_as_new_keeps_the_whole_state(client: Client, worker: Worker) -> None:
    start = shipment()
    resume = ShipmentResume(
        state=ShipmentState(shipment=start, status_since=T0),
        limits=WorkflowLimits(history_events=20),
    )
    handle = await client.start_workflow(
        ShipmentWorkflow.run, resume, id=start.workflow_id, task_queue=worker.task_queue
    )
    first_run = handle.result_run_id
    for minutes in range(10, 130, 10):
        await report_event(client, start.workflow_id, event(S.IN_TRANSIT, minutes))
    await report_event(client, start.workflow_id, event(S.DELIVERED, 200))

    final = await handle.result()
    latest = await client.get_workflow_handle(start.workflow_id).describe()

    assert latest.run_id != first_run
    assert latest.status is WorkflowExecutionStatus.COMPLETED
    assert final.runs > 1
    assert len(final.timeline) == 13
    assert [n.kind for n in final.notifications] == [NotificationKind.DELIVERED]


async def test_a_start_by_type_name_with_plain_json_works(client: Client, worker: Worker) -> None:
    """As `temporal workflow start --type ShipmentWorkflow --input '{...}'` would start it."""
    start = shipment()
    handle = await client.start_workflow(
        "ShipmentWorkflow",
        start.model_dump(mode="json"),
        id=start.workflow_id,
        task_queue=worker.task_queue,
    )
    await report_event(client, start.workflow_id, event(S.DELIVERED, 60))

    final = await handle.result(rpc_timeout=None)

    assert final["status"] == "delivered"
