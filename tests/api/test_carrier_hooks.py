"""Carrier webhooks over HTTP, signed as each carrier signs them: the carriers' own payloads
reach the right workflow, every event gets its own answer, and nothing bad gets in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

from infra.settings import Settings
from models.shipment import ShipmentStart
from models.status import ShipmentStatus
from testing.factories import event, shipment
from tests.api.conftest import carrier_post, signed_body
from tests.db_fixtures import unique
from workflows.client import report_event, shipment_state, start_shipment

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str, tracking_number: str, *, replacing: str) -> Any:
    """A documented payload from tests/api/payloads, about our tracking number."""
    text = (PAYLOADS / name).read_text().replace(replacing, tracking_number)
    return json.loads(text)


async def tracked(client: Client, settings: Settings) -> ShipmentStart:
    start = shipment(tracking_number=unique("TRK"))
    await start_shipment(client, start, settings.task_queue)
    return start


def generic_event(tracking_number: str, event_id: str, status: str, at: str) -> dict[str, Any]:
    return {
        "tracking_number": tracking_number,
        "event_id": event_id,
        "status": status,
        "occurred_at": at,
    }


async def test_an_easypost_tracker_update_moves_the_shipment_along(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    body = payload(
        "easypost_tracker_updated.json", start.tracking_number, replacing="9400110898825022579493"
    )

    response = await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", body))

    assert response.status_code == 200
    outcomes = [r["outcome"] for r in response.json()["results"]]
    assert outcomes[0] == "ignored"  # pre_transit: the workflow starts as shipped anyway
    assert outcomes[-1] == "applied"
    state = await shipment_state(client, start.workflow_id)
    assert state.status is ShipmentStatus.DELIVERED


async def test_a_resent_easypost_tracker_is_answered_as_duplicates(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    body = payload(
        "easypost_tracker_updated.json", start.tracking_number, replacing="9400110898825022579493"
    )
    await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", body))

    again = await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", body))

    outcomes = {r["outcome"] for r in again.json()["results"]}
    assert again.status_code == 200 and outcomes == {"ignored", "duplicate"}


async def test_a_shippo_track_update_maps_substatuses_onto_canonical_statuses(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    body = payload(
        "shippo_track_updated.json", start.tracking_number, replacing="9205590164917312751089"
    )

    response = await http.post("/v1/carriers/shippo/events", **carrier_post("shippo", body))

    assert response.status_code == 200
    state = await shipment_state(client, start.workflow_id)
    applied = [e.event.status.value for e in state.timeline]
    assert applied[-3:] == ["out_for_delivery", "delivery_failed", "available_for_pickup"]


async def test_a_batch_with_a_bad_event_still_delivers_the_good_ones(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    number = start.tracking_number
    body = {
        "events": [
            generic_event(number, "g-1", "in_transit", "2026-11-20T08:00:00Z"),
            generic_event(number, "g-2", "lost_in_space", "2026-11-20T09:00:00Z"),
            generic_event(number, "g-3", "out_for_delivery", "2026-11-20T10:00:00Z"),
        ]
    }

    response = await http.post("/v1/carriers/generic/events", **carrier_post("generic", body))

    assert response.status_code == 207
    results = response.json()["results"]
    assert [(r["index"], r["code"]) for r in results] == [(0, 202), (1, 422), (2, 202)]
    assert "status" in results[1]["reason"]
    state = await shipment_state(client, start.workflow_id)
    assert state.status is ShipmentStatus.OUT_FOR_DELIVERY


async def test_events_of_a_batch_apply_in_the_order_they_happened(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    number = start.tracking_number
    body = {
        "events": [
            generic_event(number, "late", "out_for_delivery", "2026-11-20T10:00:00Z"),
            generic_event(number, "early", "in_transit", "2026-11-20T08:00:00Z"),
        ]
    }

    response = await http.post("/v1/carriers/generic/events", **carrier_post("generic", body))

    assert [r["outcome"] for r in response.json()["results"]] == ["applied", "applied"]


async def test_an_event_for_an_unknown_shipment_is_answered_200_with_its_outcome(
    http: httpx.AsyncClient,
) -> None:
    """Understood, not applicable: a non-2xx would get the webhook disabled (issue 15)."""
    body = {"events": [generic_event(unique("TRK"), "x-1", "in_transit", "2026-11-20T08:00:00Z")]}

    response = await http.post("/v1/carriers/generic/events", **carrier_post("generic", body))

    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["outcome"] == "unknown_shipment"


async def test_an_impossible_event_is_refused_with_the_reason_and_answered_200(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERED, 10))
    body = {
        "events": [
            generic_event(
                start.tracking_number, "after", "out_for_delivery", "2099-01-01T08:00:00Z"
            )
        ]
    }

    response = await http.post("/v1/carriers/generic/events", **carrier_post("generic", body))

    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["outcome"] == "refused" and "delivered" in result["reason"]


async def test_a_wrong_signature_is_a_403_and_delivers_nothing(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    body = {
        "events": [
            generic_event(start.tracking_number, "s-1", "in_transit", "2026-11-20T08:00:00Z")
        ]
    }
    signed = carrier_post("generic", body)
    signed["content"] = signed["content"].replace(b"in_transit", b"delivered")

    response = await http.post("/v1/carriers/generic/events", **signed)

    assert response.status_code == 403
    state = await shipment_state(client, start.workflow_id)
    assert state.timeline == []


async def test_a_tracker_resent_after_the_shipment_closed_is_answered_as_duplicates(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    body = payload(
        "easypost_tracker_updated.json", start.tracking_number, replacing="9400110898825022579493"
    )
    await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", body))
    await client.get_workflow_handle(start.workflow_id).result()

    again = await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", body))

    outcomes = {r["outcome"] for r in again.json()["results"]}
    assert again.status_code == 200 and outcomes == {"ignored", "duplicate"}


async def test_a_payload_that_is_not_json_is_a_422(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/carriers/generic/events", **signed_body("generic", b"<xml>nope</xml>")
    )

    assert response.status_code == 422


async def test_an_unknown_carrier_is_a_404_naming_the_known_ones(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/carriers/dhl/events", content=b"{}")

    assert response.status_code == 404
    assert "easypost" in response.json()["detail"]


async def test_an_easypost_event_of_another_kind_is_acknowledged_with_nothing_to_do(
    http: httpx.AsyncClient,
) -> None:
    body = {"object": "Event", "description": "batch.updated", "result": {"id": "batch_1"}}

    response = await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", body))

    assert (response.status_code, response.json()["results"]) == (200, [])
