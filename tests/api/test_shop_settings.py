"""Shops of the registry over HTTP: their keys, their own settings (`/v1/shop`), their default
policy; and two shops kept apart on every shop endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ledger.shops import ShopRegistry
from models.policy import NotificationPolicy
from models.shop import ShopProfile
from testing.factories import shipment
from tests.api.conftest import shop_auth
from tests.db_fixtures import unique


@dataclass(frozen=True)
class RegisteredShop:
    shop_id: str
    key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def registry(app: FastAPI) -> ShopRegistry:
    found: ShopRegistry = app.state.services.shops
    return found


def register(app: FastAPI, **profile: Any) -> RegisteredShop:
    shop_id = unique("shop")
    shops = registry(app)
    shops.create(shop_id, ShopProfile(display_name=f"Shop {shop_id}", **profile))
    return RegisteredShop(shop_id, shops.create_key(shop_id, "production").key)


@pytest.fixture
def shop_a(app: FastAPI) -> RegisteredShop:
    return register(app, postal_address="1 Hill Road, Leeds")


@pytest.fixture
def shop_b(app: FastAPI) -> RegisteredShop:
    return register(app)


def order(shipment_id: str, **fields: Any) -> dict[str, Any]:
    body = shipment(shipment_id=shipment_id).model_dump(
        mode="json", exclude={"shop_id", "policy", "tracker"}
    )
    assert isinstance(body, dict)
    return body | fields


# Keys


async def test_a_registry_key_reads_its_shops_settings(
    http: httpx.AsyncClient, shop_a: RegisteredShop
) -> None:
    response = await http.get("/v1/shop", headers=shop_a.auth)

    assert response.status_code == 200
    body = response.json()
    assert body["shop_id"] == shop_a.shop_id
    assert body["profile"]["postal_address"] == "1 Hill Road, Leeds"
    assert "whsec_" not in response.text


async def test_a_revoked_key_is_refused(
    app: FastAPI, http: httpx.AsyncClient, shop_a: RegisteredShop
) -> None:
    registry(app).revoke_key(shop_a.shop_id, "production")

    read = await http.get("/v1/shop", headers=shop_a.auth)
    start = await http.post("/v1/shipments", json=order(unique("s")), headers=shop_a.auth)

    assert (read.status_code, start.status_code) == (401, 401)
    assert start.json() == {"detail": "unknown API key"}


async def test_a_keys_last_use_is_recorded(
    app: FastAPI, http: httpx.AsyncClient, shop_a: RegisteredShop
) -> None:
    await http.get("/v1/shop", headers=shop_a.auth)

    [key] = registry(app).reader.api_keys(shop_a.shop_id)
    assert key.last_used_at is not None


async def test_a_bootstrap_key_still_works_and_has_no_settings(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/shop", headers=shop_auth("shop-1"))

    assert response.status_code == 404
    assert "waypost shop create" in response.json()["detail"]


# Settings


async def test_a_shop_patches_its_profile(http: httpx.AsyncClient, shop_a: RegisteredShop) -> None:
    patch = {"brand": {"accent_colour": "#112233"}, "postal_address": None}

    patched = await http.patch("/v1/shop", json=patch, headers=shop_a.auth)
    read = await http.get("/v1/shop", headers=shop_a.auth)

    assert patched.status_code == 200
    profile = read.json()["profile"]
    assert profile["brand"]["accent_colour"] == "#112233"
    assert profile["postal_address"] is None
    assert profile["display_name"] == f"Shop {shop_a.shop_id}"


async def test_an_invalid_patch_is_a_422_naming_the_field(
    http: httpx.AsyncClient, shop_a: RegisteredShop
) -> None:
    response = await http.patch(
        "/v1/shop", json={"brand": {"accent_colour": "red"}}, headers=shop_a.auth
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "brand", "accent_colour"]
    assert "red" not in response.text


# Two shops


async def test_a_shops_key_never_reads_or_changes_another_shops_settings(
    http: httpx.AsyncClient, shop_a: RegisteredShop, shop_b: RegisteredShop
) -> None:
    await http.patch("/v1/shop", json={"display_name": "Taken over"}, headers=shop_b.auth)

    seen_by_b = (await http.get("/v1/shop", headers=shop_b.auth)).json()
    seen_by_a = (await http.get("/v1/shop", headers=shop_a.auth)).json()

    assert seen_by_b["shop_id"] == shop_b.shop_id
    assert seen_by_a["profile"]["display_name"] == f"Shop {shop_a.shop_id}"
    assert "1 Hill Road" not in str(seen_by_b)


async def test_a_shops_key_never_reaches_another_shops_shipments(
    http: httpx.AsyncClient, shop_a: RegisteredShop, shop_b: RegisteredShop
) -> None:
    shipment_id = unique("s")
    created = await http.post("/v1/shipments", json=order(shipment_id), headers=shop_a.auth)

    read = await http.get(f"/v1/shipments/{shipment_id}", headers=shop_b.auth)
    cancel = await http.post(f"/v1/shipments/{shipment_id}/cancel", headers=shop_b.auth)
    still = await http.get(f"/v1/shipments/{shipment_id}", headers=shop_a.auth)

    assert created.json()["workflow_id"] == f"shipment:{shop_a.shop_id}:{shipment_id}"
    assert (read.status_code, cancel.status_code) == (404, 404)
    assert still.json()["state"]["status"] == "shipped"


# The default policy


async def test_a_shipment_without_a_policy_takes_the_shops_default(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    shop = register(app, policy=NotificationPolicy(sms_cap=4, shop_email="ops@acme.example"))
    shipment_id = unique("s")

    await http.post("/v1/shipments", json=order(shipment_id), headers=shop.auth)
    read = await http.get(f"/v1/shipments/{shipment_id}", headers=shop.auth)

    policy = read.json()["state"]["shipment"]["policy"]
    assert (policy["sms_cap"], policy["shop_email"]) == (4, "ops@acme.example")


async def test_the_requests_policy_fields_win_over_the_default(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    shop = register(app, policy=NotificationPolicy(sms_cap=4, shop_email="ops@acme.example"))
    shipment_id = unique("s")
    body = order(shipment_id, policy={"sms_cap": 6})

    await http.post("/v1/shipments", json=body, headers=shop.auth)
    again = await http.post("/v1/shipments", json=body, headers=shop.auth)
    read = await http.get(f"/v1/shipments/{shipment_id}", headers=shop.auth)

    policy = read.json()["state"]["shipment"]["policy"]
    assert (policy["sms_cap"], policy["shop_email"]) == (6, "ops@acme.example")
    assert again.status_code == 200
