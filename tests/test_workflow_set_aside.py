"""End to end, on a real dev server and worker over SQLite and PostgreSQL: an event carrying what
the ledger cannot store (sent by a client that bypassed validation) no longer blocks its
shipment. The part is set aside, later events are recorded and later messages sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from infra.settings import Settings
from ledger.repository import Ledger
from models.notification import NotificationKind, NotificationStatus
from models.shipment import CarrierEvent, ShipmentStatus
from tests.factories import event, out_for_delivery, shipment
from workflows.client import report_event, start_shipment

S = ShipmentStatus
pytestmark = pytest.mark.usefixtures("worker")


@pytest.fixture
def worker_settings(database_url: str, task_queue: str) -> Iterator[Settings]:
    """The worker of tests/temporal_fixtures.py, on the ledger under test (both backends)."""
    yield Settings(
        database_url=database_url,
        task_queue=task_queue,
        max_concurrent_activities=4,
        workflow_sandbox=True,
    )


def unchecked(status: ShipmentStatus, minutes: int, **fields: Any) -> CarrierEvent:
    """What the edge would refuse: built without validation, sent as it is."""
    return CarrierEvent.model_construct(**{**dict(event(status, minutes)), **fields})


async def test_an_unstorable_event_is_set_aside_and_later_messages_are_still_sent(
    client: Client, worker: Worker, ledger: Ledger
) -> None:
    start = shipment()
    ref = start.workflow_id
    started = await start_shipment(client, start, worker.task_queue)
    hostile = unchecked(S.IN_TRANSIT, 60, event_id="scan\x00-1", description="depot\x00 B")

    await report_event(client, ref, hostile)
    await report_event(client, ref, out_for_delivery(600))
    await report_event(client, ref, event(S.DELIVERED, 700))
    final = await started.handle.result()

    assert [(n.kind, n.status) for n in final.notifications] == [
        (NotificationKind.SHIPPED, NotificationStatus.SENT),
        (NotificationKind.OUT_FOR_DELIVERY, NotificationStatus.SENT),
        (NotificationKind.DELIVERED, NotificationStatus.SENT),
    ]
    assert [e.event_id for e in ledger.timeline(ref)] == [
        out_for_delivery(600).event_id,
        event(S.DELIVERED, 700).event_id,
    ]
    recorded = ledger.shipment(ref)
    assert recorded is not None and recorded.status is S.DELIVERED
    assert [(a.part, a.key) for a in ledger.set_aside_for(ref)] == [("event", "scan\\x00-1")]


async def test_a_carriers_description_with_nul_reaches_the_ledger_cleaned(
    client: Client, worker: Worker, ledger: Ledger
) -> None:
    start = shipment()
    ref = start.workflow_id
    started = await start_shipment(client, start, worker.task_queue)

    await report_event(client, ref, unchecked(S.IN_TRANSIT, 60, description="depot\x00 B"))
    await report_event(client, ref, event(S.DELIVERED, 700))
    await started.handle.result()

    assert [e.description for e in ledger.timeline(ref)] == ["depot B", None]
    assert ledger.set_aside_for(ref) == []
