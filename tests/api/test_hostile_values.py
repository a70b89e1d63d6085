"""Hostile values over HTTP: each is a quick 422 naming the field, or (carrier prose) stored
cleaned; never a 500, never a workflow whose first task fails forever."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from infra.settings import Settings
from ledger.claims import Ledger
from ledger.engine import make_engine
from ledger.views import EventView
from testing.factories import shipment
from tests.api.conftest import carrier_post, shop_auth
from tests.db_fixtures import unique
from workflows.client import shipment_state, start_shipment

PAYLOADS = Path(__file__).parent / "payloads"
QUICK_SECONDS = 5.0
"""Refused before any workflow exists: far from the 30 s a stuck workflow's query takes."""


def order(**overrides: Any) -> dict[str, Any]:
    body = shipment().model_dump(mode="json", exclude={"shop_id", "tracker"})
    body.update(overrides)
    return body


def policy(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = order()["policy"]
    for path, value in overrides.items():
        part, field = path.split("__")
        body[part] = body[part] | {field: value}
    return body


async def ledger_timeline(
    settings: Settings, ref: str, *, length: int, seconds: float = 15
) -> list[EventView]:
    """The shipment's timeline in the ledger once it has `length` entries (the workflow
    publishes after the update answers)."""
    engine = make_engine(settings.ledger_url)
    try:
        ledger = Ledger(engine)
        for _ in range(int(seconds / 0.05)):
            if len(found := ledger.timeline(ref)) >= length:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"{ref} has {len(found)} entries in the ledger, not {length}")
    finally:
        engine.dispose()


async def refused_quickly(http: httpx.AsyncClient, body: Any) -> set[str]:
    began = time.monotonic()
    response = await http.post(
        "/v1/shipments",
        content=json.dumps(body).encode(),
        headers=shop_auth() | {"content-type": "application/json"},
    )
    assert time.monotonic() - began < QUICK_SECONDS
    assert response.status_code == 422, response.text
    return {".".join(str(p) for p in e["loc"][1:]) for e in response.json()["detail"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (order(order_id="ORD-\x001"), "order_id"),
        (order(shipment_id="a/b"), "shipment_id"),
        (order(shipped_at="9999-12-31T00:00:00Z"), "shipped_at"),
        (order(policy=policy(delay__no_progress="P999999999D")), "policy.delay.no_progress"),
        (order(policy=policy(delay__no_progress="P1000000000D")), "policy.delay.no_progress"),
        (
            order(policy=policy(pickup__after_arrival=[f"PT{m}M" for m in range(1, 5001)])),
            "policy.pickup.after_arrival",
        ),
    ],
    ids=[
        "nul-order-id",
        "slash-shipment-id",
        "year-9999",
        "longest-duration",
        "billion-days",
        "5000-reminders",
    ],
)
async def test_a_hostile_shipment_is_a_quick_422_naming_the_field(
    http: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    assert await refused_quickly(http, body) == {field}


async def test_a_lone_surrogate_is_a_422_not_a_500(http: httpx.AsyncClient) -> None:
    body = json.dumps(order(order_id="ORD-1")).replace("ORD-1", "ORD-\\ud800")
    began = time.monotonic()
    response = await http.post(
        "/v1/shipments",
        content=body.encode(),
        headers=shop_auth() | {"content-type": "application/json"},
    )
    assert time.monotonic() - began < QUICK_SECONDS
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "order_id"]


async def test_a_shipment_id_outside_the_alphabet_cannot_be_asked_for(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/v1/shipments/a~b%00c", headers=shop_auth())
    assert response.status_code == 422


async def test_a_generic_batch_refuses_the_hostile_events_alone(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = shipment(tracking_number=unique("TRK"))
    await start_shipment(client, start, api_settings.task_queue)
    base = {"tracking_number": start.tracking_number, "status": "in_transit"}
    batch = {
        "events": [
            base
            | {"event_id": "nul", "occurred_at": "2026-11-20T08:00:00Z", "description": "a\x00b"},
            base | {"event_id": "far", "occurred_at": "9999-12-31T00:00:00Z"},
            base | {"event_id": "fine", "occurred_at": "2026-11-20T09:00:00Z"},
        ]
    }

    response = await http.post("/v1/carriers/generic/events", **carrier_post("generic", batch))

    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["code"] for r in results] == [422, 422, 202]
    assert results[0]["reason"].startswith("events[0].description: must not contain control")
    assert results[1]["reason"].startswith("events[1].occurred_at: Input should be less than")


async def test_an_easypost_message_with_nul_is_stored_cleaned(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = shipment(tracking_number=unique("TRK"))
    await start_shipment(client, start, api_settings.task_queue)
    document = json.loads(
        (PAYLOADS / "easypost_tracker_updated.json")
        .read_text()
        .replace("9400110898825022579493", start.tracking_number)
    )
    detail = document["result"]["tracking_details"][1]
    detail["message"] = "Arrived\x00 at\x1b the hub"
    document["result"]["tracking_details"] = [detail]

    response = await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", document))

    assert response.status_code == 200, response.text
    state = await shipment_state(client, start.workflow_id)
    assert state.timeline[-1].event.description == "Arrived at the hub"
    recorded = await ledger_timeline(api_settings, start.workflow_id, length=1)
    assert [e.description for e in recorded] == ["Arrived at the hub"]  # PostgreSQL's, no NUL
