"""Shipments started over the shop API carry the settings' tracker plan, so the worker makes
each shop's tracker with the right account: the deployment's, or the shop's own."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr
from temporalio.client import Client

from infra.settings import Settings
from models.state import ShipmentState
from models.tracking import TrackerService
from testing.factories import shipment
from testing.tracker_servers import EASYPOST_KEY, SHIPPO_TOKEN, FakeEasyPost, FakeShippo
from tests.api.test_shops_api import create
from tests.polling import eventually


@pytest.fixture
def api_settings(api_settings: Settings, easypost: FakeEasyPost, shippo: FakeShippo) -> Settings:
    """The deployment tracks with EasyPost; shop-2 has its own Shippo account."""
    return api_settings.model_copy(
        update={
            "easypost_api_key": SecretStr(EASYPOST_KEY),
            "easypost_api_base": easypost.url,
            "shippo_api_base": shippo.url,
            "shop_tracker_keys": {"shop-2": {TrackerService.SHIPPO: SecretStr(SHIPPO_TOKEN)}},
        }
    )


def has_tracker(state: ShipmentState) -> bool:
    return state.tracker is not None and state.tracker.tracker_id is not None


async def test_a_shipment_started_over_http_gets_its_tracker(
    http: httpx.AsyncClient, client: Client, easypost: FakeEasyPost
) -> None:
    start = shipment(carrier="USPS", tracking_number="EZ1000000001")

    response = await create(http, start)
    state = await eventually(client, start.workflow_id, has_tracker)

    assert response.status_code == 201
    assert state.shipment.tracker is not None
    assert state.shipment.tracker.service is TrackerService.EASYPOST
    assert [p.tracking_number for p in easypost.parcels.values()] == ["EZ1000000001"]


async def test_each_shop_is_tracked_with_its_own_account_only(
    http: httpx.AsyncClient, client: Client, easypost: FakeEasyPost, shippo: FakeShippo
) -> None:
    first = shipment(shop_id="shop-1", tracking_number="EZ1000000001")
    second = shipment(shop_id="shop-2", tracking_number="SHIPPO_TRANSIT")

    await create(http, first, "shop-1")
    await create(http, second, "shop-2")
    await eventually(client, first.workflow_id, has_tracker)
    await eventually(client, second.workflow_id, has_tracker)

    assert [p.tracking_number for p in easypost.parcels.values()] == ["EZ1000000001"]
    assert [p.tracking_number for p in shippo.parcels.values()] == ["SHIPPO_TRANSIT"]
    assert all(r.headers["authorization"] == f"ShippoToken {SHIPPO_TOKEN}" for r in shippo.requests)


async def test_the_same_start_again_is_no_conflict(
    http: httpx.AsyncClient, client: Client, easypost: FakeEasyPost
) -> None:
    start = shipment()
    await create(http, start)
    await eventually(client, start.workflow_id, has_tracker)

    again = await create(http, start)

    assert again.status_code == 200
    assert easypost.created == 1
