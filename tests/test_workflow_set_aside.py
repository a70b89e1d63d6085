"""End to end, on a real dev server and worker over SQLite and PostgreSQL: an event the ledger's
database refuses for good no longer blocks its shipment. The models accept the event (the edge
refuses or cleans what no database stores); the test's database refuses it, as a schema that
drifted from the models or a DBA's constraint would. The part is set aside, later events are
recorded and later messages sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from infra.settings import Settings
from ledger.claims import Ledger
from models.notification import NotificationKind, NotificationStatus
from models.status import ShipmentStatus
from testing.factories import event, out_for_delivery, shipment
from tests.db_fixtures import REFUSED_DESCRIPTION, refusing_description
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


async def test_an_unstorable_event_is_set_aside_and_later_messages_are_still_sent(
    client: Client, worker: Worker, ledger: Ledger, database_url: str
) -> None:
    start = shipment()
    ref = start.workflow_id
    started = await start_shipment(client, start, worker.task_queue)
    refused = event(S.IN_TRANSIT, 60, description=REFUSED_DESCRIPTION)

    with refusing_description(database_url):
        await report_event(client, ref, refused)
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
    assert [(a.part, a.key) for a in ledger.set_aside_for(ref)] == [("event", refused.event_id)]
