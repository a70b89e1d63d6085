"""How carrier webhooks are answered so that carriers keep them on (issue 15): Shippo's token in
the URL, test-mode events kept away from live shipments, 2xx for every event that was understood
but does not apply, scans re-sent after an id change staying duplicates, and an exception
reaching the customer. Real app, worker, Temporal and PostgreSQL; the carriers' documented
payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from temporalio.client import Client

from infra.settings import Settings
from models.kinds import EXCEPTION_KIND
from models.shipment import CarrierEvent, ShipmentStart
from models.status import ExceptionReason, ShipmentStatus
from testing.factories import shipment
from tests.api.conftest import carrier_post
from tests.db_fixtures import unique
from tests.polling import all_settled, eventually
from workflows.client import report_event, shipment_state, start_shipment

PAYLOADS = Path(__file__).parent / "payloads"
SHIPPO_NUMBER = "9205590164917312751089"
EASYPOST_NUMBER = "9400110898825022579493"
SHARED_TOKEN = "shippo-shared-url-token-0123456789"
SHOP_TOKEN = "shippo-shop-1-url-token-9876543210"


@pytest.fixture
def api_settings(api_settings: Settings) -> Settings:
    """Shippo by URL token (shared, and shop-1's own), HMAC kept for the others; real providers
    configured, so the deployment takes production-mode events only by default."""
    return api_settings.model_copy(
        update={
            "carrier_url_tokens": {"shippo": SecretStr(SHARED_TOKEN)},
            "shop_carrier_url_tokens": {"shop-1": {"shippo": SecretStr(SHOP_TOKEN)}},
        }
    )


def documented(name: str, number: str, replacing: str) -> Any:
    return json.loads((PAYLOADS / name).read_text().replace(replacing, number))


def plain(document: Any) -> dict[str, Any]:
    """As Shippo posts by default: JSON, no signature header."""
    return {
        "content": json.dumps(document).encode(),
        "headers": {"content-type": "application/json"},
    }


async def tracked(client: Client, settings: Settings, **fields: Any) -> ShipmentStart:
    start = shipment(tracking_number=unique("TRK"), **fields)
    await start_shipment(client, start, settings.task_queue)
    await eventually(client, start.workflow_id, all_settled)
    return start


# Shippo: a token in the URL


async def test_an_ordinary_shippo_webhook_with_the_right_token_is_accepted(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    body = documented("shippo_track_updated.json", start.tracking_number, SHIPPO_NUMBER)

    response = await http.post(f"/v1/carriers/shippo/events?token={SHARED_TOKEN}", **plain(body))

    assert response.status_code == 200
    state = await shipment_state(client, start.workflow_id)
    assert state.status is ShipmentStatus.AVAILABLE_FOR_PICKUP


@pytest.mark.parametrize("query", ["?token=not-the-token", "?token=", ""])
async def test_a_wrong_or_missing_token_is_a_403_and_moves_nothing(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, query: str
) -> None:
    start = await tracked(client, api_settings)
    body = documented("shippo_track_updated.json", start.tracking_number, SHIPPO_NUMBER)

    response = await http.post(f"/v1/carriers/shippo/events{query}", **plain(body))

    assert response.status_code == 403
    assert SHARED_TOKEN not in response.text
    assert (await shipment_state(client, start.workflow_id)).timeline == []


async def test_a_shops_token_opens_its_own_webhook_and_no_other_shops(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    mine = await tracked(client, api_settings, shop_id="shop-1")
    theirs = await tracked(client, api_settings, shop_id="shop-2")
    body = documented("shippo_track_updated.json", mine.tracking_number, SHIPPO_NUMBER)
    other = documented("shippo_track_updated.json", theirs.tracking_number, SHIPPO_NUMBER)

    own = await http.post(
        f"/v1/carriers/shippo/shops/shop-1/events?token={SHOP_TOKEN}", **plain(body)
    )
    wrong = await http.post(
        f"/v1/carriers/shippo/shops/shop-2/events?token={SHOP_TOKEN}", **plain(other)
    )

    assert (own.status_code, wrong.status_code) == (200, 403)
    assert (await shipment_state(client, mine.workflow_id)).timeline != []
    assert (await shipment_state(client, theirs.workflow_id)).timeline == []


async def test_a_shippo_webhook_signed_with_hmac_is_still_accepted(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    body = documented("shippo_track_updated.json", start.tracking_number, SHIPPO_NUMBER)

    response = await http.post("/v1/carriers/shippo/events", **carrier_post("shippo", body))

    assert response.status_code == 200


# Test mode


async def test_a_test_mode_event_never_moves_a_live_shipment(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    body = documented("easypost_tracker_updated.json", start.tracking_number, EASYPOST_NUMBER)
    body["mode"] = body["result"]["mode"] = "test"

    response = await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", body))

    assert response.status_code == 200
    assert {r["outcome"] for r in response.json()["results"]} == {"ignored_test_mode"}
    state = await shipment_state(client, start.workflow_id)
    assert (state.status, state.timeline) == (ShipmentStatus.SHIPPED, [])


# 2xx for what was understood but does not apply


async def test_an_event_out_of_order_is_answered_200(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    later = CarrierEvent(
        event_id="later",
        status=ShipmentStatus.IN_TRANSIT,
        occurred_at=datetime(2026, 11, 21, tzinfo=UTC),
    )
    await report_event(client, start.workflow_id, later)
    body = documented("easypost_tracker_updated.json", start.tracking_number, EASYPOST_NUMBER)

    response = await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", body))

    outcomes = {r["outcome"] for r in response.json()["results"]}
    assert response.status_code == 200 and outcomes == {"ignored", "out_of_order"}


async def test_a_scan_received_under_its_old_id_is_a_duplicate_after_the_change(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    """A deploy changed how ids are derived; the carrier re-sends the whole tracker."""
    start = await tracked(client, api_settings)
    body = documented("easypost_tracker_updated.json", start.tracking_number, EASYPOST_NUMBER)
    tracker = body["result"]["id"]
    old = CarrierEvent(
        event_id=f"easypost:{tracker}:2026-11-19T15:58:00Z:delivered",
        status=ShipmentStatus.DELIVERED,
        occurred_at=datetime(2026, 11, 19, 15, 58, tzinfo=UTC),
    )
    await report_event(client, start.workflow_id, old)
    sent = len((await eventually(client, start.workflow_id, all_settled)).notifications)

    response = await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", body))

    outcomes = [r["outcome"] for r in response.json()["results"]]
    assert response.status_code == 200 and outcomes[-1] == "duplicate"
    state = await eventually(client, start.workflow_id, all_settled)
    assert len(state.notifications) == sent


# Exceptions end to end


async def test_a_lost_parcel_reaches_the_customer_with_its_own_message(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await tracked(client, api_settings)
    body = documented("easypost_tracker_updated.json", start.tracking_number, EASYPOST_NUMBER)
    details = body["result"]["tracking_details"]
    lost = {**details[2], "status": "failure", "status_detail": "lost", "message": "Lost in sort"}
    body["result"]["tracking_details"] = [details[1], lost]

    response = await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", body))

    assert response.status_code == 200
    state = await eventually(client, start.workflow_id, all_settled)
    assert state.exception is ExceptionReason.LOST
    found = state.exception_event()
    assert found is not None and (found.detail, found.description) == (
        "failure/lost",
        "Lost in sort",
    )
    kinds = {n.kind for n in state.notifications}
    assert EXCEPTION_KIND[ExceptionReason.LOST] in kinds


async def test_a_closed_shipment_knows_a_scan_by_its_old_id_too(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    """After the deploy, the carrier re-sends a delivered tracker whose shipment has closed."""
    start = await tracked(client, api_settings)
    body = documented("easypost_tracker_updated.json", start.tracking_number, EASYPOST_NUMBER)
    old = CarrierEvent(
        event_id=f"easypost:{body['result']['id']}:2026-11-19T15:58:00Z:delivered",
        status=ShipmentStatus.DELIVERED,
        occurred_at=datetime(2026, 11, 19, 15, 58, tzinfo=UTC),
    )
    await report_event(client, start.workflow_id, old)
    await client.get_workflow_handle(start.workflow_id).result()

    response = await http.post("/v1/carriers/easypost/events", **carrier_post("easypost", body))

    results = response.json()["results"]
    assert response.status_code == 200
    assert results[-1]["outcome"] == "duplicate"
    assert {r["outcome"] for r in results[1:-1]} == {"refused"}  # older scans: the shipment closed
