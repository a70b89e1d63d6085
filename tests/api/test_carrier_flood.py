"""A flood of scans to one shipment through the carrier webhook: the workflow continues as new
to keep its history bounded, and not one event is lost across it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from temporalio.client import Client

from infra.settings import Settings
from testing.factories import shipment
from tests.api.conftest import carrier_post
from tests.db_fixtures import unique
from workflows.client import shipment_state, start_shipment

SCANS = 1200
BATCH = 300


async def test_a_flood_of_scans_to_one_shipment_loses_none_across_continue_as_new(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = shipment(tracking_number=unique("FLOOD"))
    await start_shipment(client, start, api_settings.task_queue)
    first = datetime(2026, 11, 20, tzinfo=UTC)
    scans = [
        {
            "tracking_number": start.tracking_number,
            "event_id": f"scan-{n}",
            "status": "in_transit",
            "occurred_at": (first + timedelta(seconds=n)).isoformat(),
        }
        for n in range(SCANS)
    ]

    for offset in range(0, SCANS, BATCH):
        batch = {"events": scans[offset : offset + BATCH]}
        response = await http.post("/v1/carriers/generic/events", **carrier_post("generic", batch))
        assert response.status_code == 200, response.text

    state = await shipment_state(client, start.workflow_id)
    assert [e.event.event_id for e in state.timeline] == [s["event_id"] for s in scans]
    assert state.runs > 1, "the history was never cut by continue-as-new"
    described = await client.get_workflow_handle(start.workflow_id).describe()
    assert described.history_length < 5000 + 200
