"""The shop API over HTTP: authenticated per shop, idempotent create, conflicts, read, cancel."""

from __future__ import annotations

from typing import Any

import httpx
from temporalio.client import Client

from models.shipment import ShipmentStart
from models.status import ShipmentStatus
from testing.factories import event, shipment
from tests.api.conftest import PUBLIC_URL, shop_auth
from workflows.client import report_event


def order(start: ShipmentStart) -> dict[str, Any]:
    """The body a shop posts: its shipment without the shop id (the key says which shop)."""
    body = start.model_dump(mode="json", exclude={"shop_id", "tracker"})
    assert isinstance(body, dict)
    return body


async def create(http: httpx.AsyncClient, start: ShipmentStart, shop: str = "shop-1") -> Any:
    return await http.post("/v1/shipments", json=order(start), headers=shop_auth(shop))


async def test_a_shop_starts_a_shipment_and_gets_its_tracking_link(http: httpx.AsyncClient) -> None:
    start = shipment()

    response = await create(http, start)

    assert response.status_code == 201
    body = response.json()
    assert body["workflow_id"] == start.workflow_id
    assert body["created"] is True
    assert body["status"] == "shipped"
    assert body["tracking_link"].startswith(f"{PUBLIC_URL}/t/")


async def test_the_same_request_again_returns_the_existing_shipment(
    http: httpx.AsyncClient,
) -> None:
    start = shipment()
    await create(http, start)

    again = await create(http, start)

    assert again.status_code == 200
    assert again.json()["created"] is False


async def test_a_conflicting_body_is_a_409_naming_the_fields_not_the_values(
    http: httpx.AsyncClient,
) -> None:
    start = shipment()
    await create(http, start)
    changed = start.model_copy(
        update={
            "order_id": "ORD-OTHER",
            "recipient": start.recipient.model_copy(update={"phone": "+447700900999"}),
        }
    )

    response = await create(http, changed)

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail["differences"] == ["order_id", "recipient.phone"]
    assert "+447700900999" not in response.text


async def test_a_request_without_a_key_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/shipments", json=order(shipment()))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_an_unknown_key_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/shipments", json=order(shipment()), headers={"Authorization": "Bearer nope"}
    )

    assert response.status_code == 401
    assert response.json()["detail"] == "unknown API key"


async def test_a_shipment_is_started_for_the_keys_shop_whatever_the_body_says(
    http: httpx.AsyncClient,
) -> None:
    start = shipment(shop_id="shop-2")

    response = await create(http, start, shop="shop-1")

    assert response.json()["workflow_id"] == f"shipment:shop-1:{start.shipment_id}"


async def test_a_shop_reads_its_shipments_state(http: httpx.AsyncClient) -> None:
    start = shipment()
    await create(http, start)

    response = await http.get(f"/v1/shipments/{start.shipment_id}", headers=shop_auth())

    assert response.status_code == 200
    body = response.json()
    assert body["state"]["status"] == "shipped"
    assert body["state"]["shipment"]["order_id"] == start.order_id


async def test_a_key_never_sees_another_shops_shipment(http: httpx.AsyncClient) -> None:
    start = shipment()
    await create(http, start, shop="shop-1")

    response = await http.get(f"/v1/shipments/{start.shipment_id}", headers=shop_auth("shop-2"))

    assert response.status_code == 404


async def test_an_invalid_body_is_a_422_naming_the_field(http: httpx.AsyncClient) -> None:
    body = order(shipment())
    body["recipient"]["phone"] = "12"

    response = await http.post("/v1/shipments", json=body, headers=shop_auth())

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "recipient", "phone"]


async def test_a_shipment_is_cancelled_before_the_carrier_has_it(
    http: httpx.AsyncClient,
) -> None:
    start = shipment()
    await create(http, start)

    response = await http.post(f"/v1/shipments/{start.shipment_id}/cancel", headers=shop_auth())

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


async def test_cancelling_after_the_carrier_has_it_is_a_409_saying_why(
    http: httpx.AsyncClient, client: Client
) -> None:
    start = shipment()
    await create(http, start)
    await report_event(client, start.workflow_id, event(ShipmentStatus.IN_TRANSIT, 10))

    response = await http.post(f"/v1/shipments/{start.shipment_id}/cancel", headers=shop_auth())

    assert response.status_code == 409
    assert "in_transit" in response.json()["detail"]


async def test_an_unknown_shipment_is_a_404(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/shipments/never-started", headers=shop_auth())

    assert response.status_code == 404
