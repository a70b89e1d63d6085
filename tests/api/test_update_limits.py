"""Temporal's limit on the updates one workflow run takes (2,000; 3 on this module's dev server)
is answered 503 with Retry-After, never 500, and a batch cut short says what was applied.

The shipment at its limit is a workflow that never continues as new, so the limit holds still
while the service is asked; Waypost's own workflow continues as new when the server suggests
it (tests/api/test_carrier_flood.py), and the carrier's retry then goes through.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from temporalio import workflow
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from infra import search_attributes as sa
from infra.converter import pydantic_converter
from infra.settings import Settings
from models.shipment import CarrierEvent, shipment_workflow_id
from models.state import EventOutcome, EventReceipt
from models.status import ShipmentStatus
from starters.devserver import temporal_binary
from testing.factories import event, shipment
from tests.api.conftest import carrier_post, shop_auth
from workflows.client import report_event, start_shipment

UPDATE_LIMIT = 3


@pytest.fixture(scope="module")
async def limited_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_converter,
        dev_server_existing_path=temporal_binary(),
        search_attributes=sa.ALL,
        dev_server_extra_args=[
            "--dynamic-config-value",
            f"history.maxTotalUpdates={UPDATE_LIMIT}",
        ],
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
async def client(limited_env: WorkflowEnvironment) -> Client:
    """This module's app and worker talk to the dev server with the small limit."""
    return limited_env.client


@workflow.defn(name="ShipmentWorkflow")
class SaturatedShipment:
    """Takes every event and never continues as new: its run reaches the update limit."""

    def __init__(self) -> None:
        self._done = False

    @workflow.run
    async def run(self, start: Any) -> None:
        await workflow.wait_condition(lambda: self._done)

    @workflow.update(name="report_event")
    def report_event(self, event: CarrierEvent) -> EventReceipt:
        return EventReceipt(
            event_id=event.event_id, outcome=EventOutcome.APPLIED, status=ShipmentStatus.SHIPPED
        )


@pytest.fixture
async def saturated(client: Client) -> AsyncIterator[str]:
    """A shipment of shop-1 whose run has taken all the updates it may."""
    queue = f"saturated-{uuid.uuid4().hex[:8]}"
    ref = shipment_workflow_id("shop-1", f"full-{uuid.uuid4().hex[:8]}")
    async with Worker(
        client,
        task_queue=queue,
        workflows=[SaturatedShipment],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        handle = await client.start_workflow("ShipmentWorkflow", None, id=ref, task_queue=queue)
        for n in range(UPDATE_LIMIT):
            await report_event(client, ref, event(ShipmentStatus.IN_TRANSIT, n, event_id=f"u{n}"))
        yield ref
        await handle.terminate()


def generic(ref: str, event_id: str, status: str, minute: int) -> dict[str, Any]:
    _, shop_id, shipment_id = ref.split(":")
    return {
        "tracking_number": "TRK-LIMIT",
        "shop_id": shop_id,
        "shipment_id": shipment_id,
        "event_id": event_id,
        "status": status,
        "occurred_at": f"2026-11-20T08:{minute:02d}:00+00:00",
    }


async def test_a_shop_request_to_a_shipment_at_its_update_limit_is_a_503_with_retry_after(
    http: httpx.AsyncClient, saturated: str
) -> None:
    shipment_id = saturated.split(":")[2]

    response = await http.post(f"/v1/shipments/{shipment_id}/cancel", headers=shop_auth())

    assert (response.status_code, response.headers.get("retry-after")) == (503, "5")
    assert "next run" in response.json()["detail"]


async def test_a_batch_cut_short_by_the_limit_says_which_events_were_applied(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, saturated: str
) -> None:
    live = shipment()
    await start_shipment(client, live, api_settings.task_queue)
    events = [
        generic(live.workflow_id, "live-1", "in_transit", 1),
        generic(saturated, "full-1", "in_transit", 2),
        generic(saturated, "full-2", "in_transit", 3),
        generic(live.workflow_id, "live-2", "in_transit", 4),
    ]

    response = await http.post(
        "/v1/carriers/generic/events", **carrier_post("generic", {"events": events})
    )

    assert (response.status_code, response.headers.get("retry-after")) == (503, "5")
    answer = response.json()
    assert [r["outcome"] for r in answer["results"]] == [
        "applied",
        "unavailable",
        "unavailable",
        "applied",
    ]
    assert answer["accepted"] == 2
    assert "send this event again" in answer["results"][1]["reason"]
    assert "earlier event of this shipment" in answer["results"][2]["reason"]
