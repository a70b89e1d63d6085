"""Liveness and readiness: /readyz tells an orchestrator whether Temporal and the ledger answer,
and requests that need a missing dependency get a 503 with Retry-After, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.client import Client

from api.app import create_app
from infra.connection import connect
from infra.settings import Settings
from testing.factories import shipment
from tests.api.conftest import PUBLIC_URL, shop_auth

UNREACHABLE_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=1"


async def serve(settings: Settings, client: Client) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, client=client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
            yield http


@pytest.fixture
async def without_database(
    api_settings: Settings, client: Client
) -> AsyncIterator[httpx.AsyncClient]:
    settings = api_settings.model_copy(update={"database_url": UNREACHABLE_POSTGRES})
    async for http in serve(settings, client):
        yield http


@pytest.fixture
async def without_temporal(api_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    nowhere = await connect(api_settings, target="127.0.0.1:1", lazy=True)
    async for http in serve(api_settings, nowhere):
        yield http


async def test_healthz_answers_while_the_process_runs(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_is_ready_when_temporal_and_the_ledger_answer(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "temporal": "ok", "database": "ok"}


async def test_readyz_names_an_unreachable_database(
    without_database: httpx.AsyncClient,
) -> None:
    response = await without_database.get("/readyz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert response.json()["temporal"] == "ok"


async def test_readyz_names_an_unreachable_temporal(without_temporal: httpx.AsyncClient) -> None:
    response = await without_temporal.get("/readyz")

    assert response.status_code == 503
    assert response.json()["temporal"] == "unreachable"


async def test_a_shop_request_while_temporal_is_down_is_a_503_with_retry_after(
    without_temporal: httpx.AsyncClient,
) -> None:
    body = shipment().model_dump(mode="json", exclude={"shop_id", "tracker"})

    response = await without_temporal.post("/v1/shipments", json=body, headers=shop_auth())

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
