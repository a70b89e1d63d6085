"""Two shops that share tracking numbers: a carrier event never reaches another shop's shipment.

shop-2 registers shop-1's tracking number (by mistake, or to read shop-1's customer's events:
the courier's name and phone, the window, a pickup code). On the shared webhook the event is
refused as ambiguous; on a shop's own webhook it reaches that shop's shipment only.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from temporalio.client import Client

from api.app import create_app
from carriers import ADAPTERS
from infra.settings import Settings
from models.shipment import ShipmentStart
from models.status import ShipmentStatus
from testing.factories import shipment
from tests.api.conftest import PUBLIC_URL, carrier_post, signed_body
from tests.db_fixtures import unique
from tests.polling import all_settled, eventually
from workflows.client import shipment_state, start_shipment

PAYLOADS = Path(__file__).parent / "payloads"
EASYPOST_NUMBER = "9400110898825022579493"


def easypost_tracker(tracking_number: str) -> Any:
    """EasyPost's documented tracker.updated payload (it ends delivered), about our number."""
    text = (PAYLOADS / "easypost_tracker_updated.json").read_text()
    return json.loads(text.replace(EASYPOST_NUMBER, tracking_number))


async def both_shops_track(client: Client, settings: Settings, number: str) -> list[ShipmentStart]:
    """shop-1's genuine shipment, then shop-2's with the same tracking number."""
    starts = [shipment(shop_id=shop, tracking_number=number) for shop in ("shop-1", "shop-2")]
    for start in starts:
        await recorded(client, settings, start)
    return starts


async def recorded(client: Client, settings: Settings, start: ShipmentStart) -> None:
    """Started, and in the ledger (its dispatch notice settled after the shipment's row)."""
    await start_shipment(client, start, settings.task_queue)
    await eventually(client, start.workflow_id, all_settled)


async def status_of(client: Client, start: ShipmentStart) -> ShipmentStatus:
    return (await shipment_state(client, start.workflow_id)).status


async def test_an_event_for_a_number_two_shops_track_is_refused_on_the_shared_webhook(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    genuine, copy = await both_shops_track(client, api_settings, unique("EZ"))

    response = await http.post(
        "/v1/carriers/easypost/events",
        **carrier_post("easypost", easypost_tracker(genuine.tracking_number)),
    )

    delivered = [r for r in response.json()["results"] if r["outcome"] != "ignored"]
    # 200: one shared number must not get the shared webhook disabled for every shop (issue 15).
    assert response.status_code == 200 and {r["outcome"] for r in delivered} == {"ambiguous"}
    assert "/v1/carriers/easypost/shops/{shop_id}/events" in delivered[0]["reason"]
    assert [await status_of(client, s) for s in (genuine, copy)] == [ShipmentStatus.SHIPPED] * 2


async def test_a_shops_own_webhook_reaches_that_shops_shipment_only(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    genuine, copy = await both_shops_track(client, api_settings, unique("EZ"))

    response = await http.post(
        "/v1/carriers/easypost/shops/shop-1/events",
        **carrier_post("easypost", easypost_tracker(genuine.tracking_number)),
    )

    assert response.status_code == 200
    shipments = {r["shipment"] for r in response.json()["results"] if r["shipment"]}
    assert shipments == {genuine.workflow_id}
    assert await status_of(client, genuine) is ShipmentStatus.DELIVERED
    assert await status_of(client, copy) is ShipmentStatus.SHIPPED


async def test_a_shop_webhook_answers_unknown_for_a_number_only_another_shop_tracks(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    other = shipment(shop_id="shop-1", tracking_number=unique("EZ"))
    await recorded(client, api_settings, other)

    response = await http.post(
        "/v1/carriers/easypost/shops/shop-2/events",
        **carrier_post("easypost", easypost_tracker(other.tracking_number)),
    )

    outcomes = {r["outcome"] for r in response.json()["results"]} - {"ignored"}
    assert response.status_code == 200 and outcomes == {"unknown_shipment"}
    assert await status_of(client, other) is ShipmentStatus.SHIPPED


async def test_an_event_naming_another_shops_shipment_is_not_delivered_on_a_shop_webhook(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    victim = shipment(shop_id="shop-1", tracking_number=unique("TRK"))
    await start_shipment(client, victim, api_settings.task_queue)
    event = {
        "tracking_number": victim.tracking_number,
        "shop_id": "shop-1",
        "shipment_id": victim.shipment_id,
        "event_id": "scan-1",
        "status": "in_transit",
        "occurred_at": "2026-11-20T08:15:00+00:00",
    }

    response = await http.post(
        "/v1/carriers/generic/shops/shop-2/events",
        **carrier_post("generic", {"events": [event]}),
    )

    assert response.status_code == 200
    assert response.json()["results"][0]["outcome"] == "unknown_shipment"
    assert await status_of(client, victim) is ShipmentStatus.SHIPPED


async def test_shipments_not_yet_in_the_ledger_are_told_apart_by_shop_too(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    """Visibility is asked while the ledger knows none: no worker runs these shipments."""
    number = unique("EZ")
    idle = api_settings.model_copy(update={"task_queue": unique("no-worker")})
    for shop in ("shop-1", "shop-2"):
        await start_shipment(
            client, shipment(shop_id=shop, tracking_number=number), idle.task_queue
        )
    await visible(client, f'TrackingNumber = "{number}"', count=2)

    response = await http.post(
        "/v1/carriers/easypost/events", **carrier_post("easypost", easypost_tracker(number))
    )

    outcomes = {r["outcome"] for r in response.json()["results"]} - {"ignored"}
    assert outcomes == {"ambiguous"}


async def visible(client: Client, query: str, *, count: int) -> None:
    """Until Temporal's visibility (eventually consistent) lists `count` workflows."""
    for _ in range(200):
        if len([w async for w in client.list_workflows(query)]) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"visibility never listed {count} workflows for {query}")


@pytest.fixture
async def own_secret_http(client: Client, api_settings: Settings, api_worker: object) -> Any:
    """The service with a secret of shop-1's own for its EasyPost webhook."""
    settings = api_settings.model_copy(
        update={"shop_carrier_secrets": {"shop-1": {"easypost": SecretStr("shop-1-own-secret")}}}
    )
    app: FastAPI = create_app(settings, client=client)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as http,
    ):
        yield http


def signed_with(secret: str, payload: Any) -> dict[str, Any]:
    body = json.dumps(payload).encode()
    headers = ADAPTERS["easypost"].sign(body, secret, datetime.now(UTC))
    return {"content": body, "headers": headers | {"content-type": "application/json"}}


async def test_a_shop_webhook_with_its_own_secret_refuses_the_carriers_shared_secret(
    own_secret_http: httpx.AsyncClient,
) -> None:
    body = json.dumps(easypost_tracker(unique("EZ"))).encode()

    response = await own_secret_http.post(
        "/v1/carriers/easypost/shops/shop-1/events", **signed_body("easypost", body)
    )

    assert response.status_code == 403


async def test_a_shop_webhook_with_its_own_secret_takes_events_signed_with_it(
    own_secret_http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = shipment(shop_id="shop-1", tracking_number=unique("EZ"))
    await recorded(client, api_settings, start)

    response = await own_secret_http.post(
        "/v1/carriers/easypost/shops/shop-1/events",
        **signed_with("shop-1-own-secret", easypost_tracker(start.tracking_number)),
    )

    assert response.status_code == 200
    assert await status_of(client, start) is ShipmentStatus.DELIVERED
