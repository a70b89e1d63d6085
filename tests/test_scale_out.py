"""Workers scale out: two `waypost worker` processes on one task queue share the shipments, and
one of them stopped with SIGTERM in the middle (what `docker compose stop` or a scale-down
sends) finishes what it holds and exits 0; every shipment completes with each message sent
exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from models.shipment import ShipmentStart
from models.status import ShipmentStatus
from starters.healthcheck import task_queue_pollers
from testing.factories import event, out_for_delivery, shipment
from testing.sendgrid_server import FakeSendGrid
from testing.twilio_server import FakeTwilio
from tests.worker_processes import WorkerProcess
from workflows.client import report_event, start_shipment

SHIPMENTS = 12
HELD_AT_TWILIO = 2.0
"""Seconds the fake Twilio holds each out-for-delivery SMS: the SIGTERM arrives while they are
in flight, and a graceful shutdown lets them finish (the worker allows 10 s)."""


@pytest.fixture
def two_workers(
    process_env: dict[str, str], tmp_path: Path
) -> Iterator[tuple[WorkerProcess, WorkerProcess]]:
    workers = (
        WorkerProcess(process_env, tmp_path / "a.log"),
        WorkerProcess(process_env, tmp_path / "b.log"),
    )
    for worker in workers:
        worker.start()
    try:
        yield workers
    finally:
        for worker in workers:
            worker.stop()


def shipments() -> list[ShipmentStart]:
    """Each with its own phone and email, so the fakes tell one customer's messages apart."""
    return [
        shipment(
            recipient=shipment().recipient.model_copy(
                update={"phone": f"+44770091{i:04d}", "email": f"customer{i}@example.com"}
            )
        )
        for i in range(SHIPMENTS)
    ]


async def both_polling(client: Client, task_queue: str, workers: tuple[WorkerProcess, ...]) -> None:
    """Until Temporal sees every worker polling (each starts its own Python: a few seconds)."""
    wanted = {f"{w.pid}@" for w in workers}
    for _ in range(600):
        seen = {
            p.identity.partition("@")[0] + "@" for p in await task_queue_pollers(client, task_queue)
        }
        if wanted <= seen:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"workers {wanted} never all polled {task_queue}")


@dataclass(frozen=True)
class TaskEvent:
    kind: EventType.ValueType
    identity: str
    at: datetime


TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: "workflow_task_started_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: "activity_task_started_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity_task_completed_event_attributes",
}


async def task_events(client: Client, workflow_ids: list[str]) -> list[TaskEvent]:
    """Who started which workflow and activity tasks, and who completed activities, and when
    (from the histories)."""
    found: list[TaskEvent] = []
    for workflow_id in workflow_ids:
        handle = client.get_workflow_handle(workflow_id)
        async for history_event in handle.fetch_history_events():
            attributes = TASK_EVENTS.get(history_event.event_type)
            identity = getattr(history_event, attributes).identity if attributes else ""
            if identity:  # the server records some workflow task starts without one
                at = history_event.event_time.ToDatetime(tzinfo=UTC)
                found.append(TaskEvent(history_event.event_type, identity, at))
    return found


async def test_two_workers_share_the_work_and_one_stopped_gracefully_loses_nothing(
    client: Client,
    two_workers: tuple[WorkerProcess, WorkerProcess],
    fake_twilio: FakeTwilio,
    fake_sendgrid: FakeSendGrid,
    task_queue: str,
) -> None:
    stopping, staying = two_workers
    await both_polling(client, task_queue, two_workers)
    starts = shipments()
    await asyncio.gather(*(start_shipment(client, s, task_queue) for s in starts))

    fake_twilio.hang_next(HELD_AT_TWILIO, times=SHIPMENTS)
    await asyncio.gather(
        *(report_event(client, s.workflow_id, out_for_delivery(60)) for s in starts)
    )
    await asyncio.sleep(HELD_AT_TWILIO / 2)
    sigterm_at = datetime.now(UTC)
    exit_code = await asyncio.to_thread(stopping.terminate)
    delivered = event(ShipmentStatus.DELIVERED, 120)
    await asyncio.gather(*(report_event(client, s.workflow_id, delivered) for s in starts))
    async with asyncio.timeout(120):
        await asyncio.gather(*(client.get_workflow_handle(s.workflow_id).result() for s in starts))

    assert exit_code == 0
    events = await task_events(client, [s.workflow_id for s in starts])
    assert {e.identity.partition("@")[0] for e in events} == {str(stopping.pid), str(staying.pid)}
    drained = [
        e
        for e in events
        if e.kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
        and e.identity.startswith(f"{stopping.pid}@")
        and e.at > sigterm_at
    ]
    assert drained, "the stopped worker finished no activity after its SIGTERM"
    sms = Counter(m["to"] for m in fake_twilio.messages)
    assert sms == {s.recipient.phone: 2 for s in starts}  # out for delivery, delivered
    emails = Counter(to for r in fake_sendgrid.sent for to in r.to)
    assert emails == {s.recipient.email: 1 for s in starts}  # shipped
