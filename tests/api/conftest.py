"""The HTTP service under test: the real app (its lifespan run), over an HTTP client, on the
session's Temporal dev server, a worker with the real activities, the real PostgreSQL ledger,
and local servers speaking Twilio's and SendGrid's formats."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.worker import Worker

from api.app import create_app
from api.serve import running_api
from carriers import ADAPTERS
from infra.serving import free_port
from infra.settings import Settings
from testing.sendgrid_server import DEFAULT_API_KEY, FakeSendGrid
from testing.signing import sendgrid_key_pair, sendgrid_signature, twilio_signature
from testing.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilio
from workers.worker import running_worker

PUBLIC_URL = "https://waypost.test"
SHOP_KEYS = {"shop-1": "key-of-shop-1-0123456789", "shop-2": "key-of-shop-2-9876543210"}
CARRIER_SECRETS = {name: f"{name}-webhook-secret" for name in ADAPTERS}


@pytest.fixture(scope="session")
def sendgrid_keys() -> tuple[ec.EllipticCurvePrivateKey, str]:
    return sendgrid_key_pair()


@pytest.fixture
def api_settings(
    postgres_database_url: str,
    task_queue: str,
    tmp_path: Path,
    fake_twilio: FakeTwilio,
    fake_sendgrid: FakeSendGrid,
    sendgrid_keys: tuple[ec.EllipticCurvePrivateKey, str],
) -> Settings:
    """Everything real but the providers' far ends: PostgreSQL, Twilio and SendGrid formats."""
    return Settings(
        home=tmp_path,
        database_url=postgres_database_url,
        task_queue=task_queue,
        max_concurrent_activities=4,
        workflow_sandbox=True,
        public_url=PUBLIC_URL,
        secret_key=SecretStr("test-site-secret"),
        shop_api_keys={shop: SecretStr(key) for shop, key in SHOP_KEYS.items()},
        carrier_secrets={name: SecretStr(secret) for name, secret in CARRIER_SECRETS.items()},
        twilio_account_sid=DEFAULT_ACCOUNT_SID,
        twilio_auth_token=SecretStr(DEFAULT_AUTH_TOKEN),
        twilio_from_number="+15005550006",
        twilio_api_base=fake_twilio.url,
        sendgrid_api_key=SecretStr(DEFAULT_API_KEY),
        sendgrid_from_email="shop@example.com",
        sendgrid_host=fake_sendgrid.url,
        sendgrid_webhook_public_key=sendgrid_keys[1],
    )


@pytest.fixture
async def api_worker(client: Client, api_settings: Settings) -> AsyncIterator[Worker]:
    async with running_worker(client, api_settings) as worker:
        yield worker


@pytest.fixture
async def app(client: Client, api_settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with its lifespan run (services built, ledger migrated), as a server would."""
    application = create_app(api_settings, client=client)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: FastAPI, api_worker: Worker) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, with a worker running the shipments it starts."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http_client:
        yield http_client


@pytest.fixture
async def site(
    client: Client, api_settings: Settings, api_worker: Worker
) -> AsyncIterator[Settings]:
    """The HTTP service on a real port (uvicorn, as `waypost api` serves it), with a worker."""
    port = free_port()
    settings = api_settings.model_copy(
        update={"api_port": port, "public_url": f"http://127.0.0.1:{port}"}
    )
    async with running_api(settings, client):
        yield settings


def shop_auth(shop_id: str = "shop-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {SHOP_KEYS[shop_id]}"}


def carrier_post(carrier: str, payload: Any) -> dict[str, Any]:
    """The body and headers a carrier sends: `http.post(path, **carrier_post(...))`."""
    return signed_body(carrier, json.dumps(payload).encode())


def signed_body(carrier: str, body: bytes) -> dict[str, Any]:
    headers = ADAPTERS[carrier].sign(body, CARRIER_SECRETS[carrier], datetime.now(UTC))
    return {"content": body, "headers": headers | {"content-type": "application/json"}}


def twilio_post(path: str, form: dict[str, str]) -> dict[str, Any]:
    """A form Twilio posts to `path`, signed over the public URL as Twilio computes it."""
    signature = twilio_signature(DEFAULT_AUTH_TOKEN, f"{PUBLIC_URL}{path}", form)
    return {"data": form, "headers": {"X-Twilio-Signature": signature}}


def sendgrid_post(private_key: ec.EllipticCurvePrivateKey, events: list[Any]) -> dict[str, Any]:
    body = json.dumps(events).encode()
    timestamp = str(int(datetime.now(UTC).timestamp()))
    return {
        "content": body,
        "headers": {
            "content-type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": sendgrid_signature(
                private_key, body, timestamp
            ),
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        },
    }
