"""The `record_call` update on a real Temporal dev server, with the real ledger activity: the call
is kept in the state, recorded in the ledger once, refused with a reason when it contradicts an
earlier one, and a closed shipment says it is closed (its callers then use the ledger)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from infra.settings import Settings
from ledger.engine import make_engine
from ledger.views import CallView, LedgerReader
from models.call import Call
from models.state import ShipmentResume, ShipmentState, WorkflowLimits
from models.status import ShipmentStatus
from testing.factories import T0, event, shipment
from tests.polling import all_settled, eventually
from workflows.client import (
    EventRefused,
    ShipmentClosed,
    record_call,
    report_event,
    start_shipment,
)
from workflows.shipment import ShipmentWorkflow

pytestmark = pytest.mark.usefixtures("worker")
WHEN = datetime.now(UTC) - timedelta(minutes=2)


def a_call(**overrides: Any) -> Call:
    fields: dict[str, Any] = {
        "call_id": "crm-7",
        "occurred_at": WHEN,
        "centre": "carrier",
        "operator": "agent-17",
        "outcome": "no_answer",
        "note": "Rang at the door, then the phone",
    }
    return Call.model_validate(fields | overrides)


@pytest.fixture
def reader(worker_settings: Settings) -> Iterator[LedgerReader]:
    engine = make_engine(worker_settings.ledger_url)
    yield LedgerReader(engine)
    engine.dispose()


async def ledger_calls(reader: LedgerReader, ref: str, count: int) -> list[CallView]:
    """The ledger's calls once the publish activity has recorded `count` of them."""
    for _ in range(100):
        found = reader.calls_for(ref)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"the ledger has {len(reader.calls_for(ref))} call(s), not {count}")


async def test_a_call_is_kept_in_the_state_and_recorded_in_the_ledger(
    client: Client, worker: Worker, reader: LedgerReader
) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    call = a_call()

    receipt = await record_call(client, start.workflow_id, call)

    assert (receipt.outcome, receipt.status) == ("recorded", ShipmentStatus.SHIPPED)
    state: ShipmentState = await eventually(client, start.workflow_id, all_settled)
    assert [c.call() for c in state.calls] == [call]
    [stored] = await ledger_calls(reader, start.workflow_id, 1)
    assert (stored.call_id, stored.outcome, stored.operator, stored.note) == (
        "crm-7",
        call.outcome,
        "agent-17",
        "Rang at the door, then the phone",
    )


async def test_the_same_call_twice_is_recorded_once(
    client: Client, worker: Worker, reader: LedgerReader
) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    first = await record_call(client, start.workflow_id, a_call())

    again = await record_call(client, start.workflow_id, a_call())

    assert again.outcome == "duplicate"
    assert again.recorded_at == first.recorded_at
    await eventually(client, start.workflow_id, all_settled)
    assert len(await ledger_calls(reader, start.workflow_id, 1)) == 1


async def test_the_same_call_id_with_other_details_is_refused_with_the_fields(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    await record_call(client, start.workflow_id, a_call())

    with pytest.raises(EventRefused, match="different outcome"):
        await record_call(client, start.workflow_id, a_call(outcome="answered"))


async def test_a_call_in_the_future_is_refused_by_the_validator(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    ahead = a_call(occurred_at=datetime.now(UTC) + timedelta(hours=1))

    with pytest.raises(EventRefused, match="future"):
        await record_call(client, start.workflow_id, ahead)


async def test_a_closed_shipment_takes_no_call_through_its_workflow(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERED, 60))
    await started.handle.result()

    with pytest.raises(ShipmentClosed):
        await record_call(client, start.workflow_id, a_call())


async def test_calls_of_a_delivered_shipment_are_in_its_final_state(
    client: Client, worker: Worker, reader: LedgerReader
) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    await record_call(client, start.workflow_id, a_call(call_id="before"))
    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERED, 60))

    final = await started.handle.result()

    assert [c.call_id for c in final.calls] == ["before"]
    assert [c.call_id for c in await ledger_calls(reader, start.workflow_id, 1)] == ["before"]


async def test_calls_survive_continue_as_new_and_repeat_as_duplicates(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    resume = ShipmentResume(
        state=ShipmentState(shipment=start, status_since=T0),
        limits=WorkflowLimits(history_events=20),
    )
    handle = await client.start_workflow(
        ShipmentWorkflow.run, resume, id=start.workflow_id, task_queue=worker.task_queue
    )
    for n in range(8):
        await record_call(client, start.workflow_id, a_call(call_id=f"c-{n}"))

    again = await record_call(client, start.workflow_id, a_call(call_id="c-0"))
    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERED, 60))
    final = await handle.result()

    assert final.runs > 1
    assert again.outcome == "duplicate"
    assert [c.call_id for c in final.calls] == [f"c-{n}" for n in range(8)]
