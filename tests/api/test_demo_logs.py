"""The logs of a full demo run hold no customer's phone number or email.

`waypost dev` runs as it does in production (one process: a worker and the HTTP service, JSON
logs at DEBUG) on the session's dev server, with the Twilio and SendGrid fakes. Every demo
scenario runs through it, and a shop, a carrier and a customer use the HTTP service with personal
data in their requests. Then its whole output is read: masked recipients, never the real ones.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from infra.masking import mask_phone
from infra.serving import free_port
from models.status import ShipmentStatus
from starters.demo import run_demo, scenarios
from testing.factories import shipment
from testing.twilio_server import FakeTwilio
from tests.api.conftest import (
    CARRIER_SECRETS,
    PUBLIC_URL,
    SHOP_KEYS,
    carrier_post,
    shop_auth,
    twilio_post,
)
from tests.api.test_shops_api import order
from tests.worker_processes import WorkerProcess

API_PHONE, API_EMAIL = "+447700900456", "jo.bloggs@example.org"
COURIER_PHONE = "+48600999888"
LINK_TOKEN = re.compile(r"/t/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")
"""The customer of the shipment a shop starts over the HTTP service. Twilio refuses the number,
so its error (which quotes the number) is logged."""


@pytest.fixture
def dev_process(
    process_env: dict[str, str], fake_twilio: FakeTwilio, tmp_path: Path
) -> Iterator[tuple[WorkerProcess, str]]:
    """`waypost dev` (a worker and the HTTP service in one process) on the session's server."""
    port = free_port()
    env = process_env | {
        "WAYPOST_LOG_LEVEL": "DEBUG",
        "WAYPOST_LOG_FORMAT": "json",
        "WAYPOST_API_PORT": str(port),
        "WAYPOST_PUBLIC_URL": PUBLIC_URL,
        "WAYPOST_SECRET_KEY": "demo-logs-secret",
        "WAYPOST_SHOP_API_KEYS": json.dumps(SHOP_KEYS),
        "WAYPOST_CARRIER_SECRETS": json.dumps(CARRIER_SECRETS),
    }
    fake_twilio.reject_recipient(API_PHONE)
    # Plain payloads, like the session's client: this is about logs, not encryption.
    dev = WorkerProcess(env, tmp_path / "dev.log", "dev", "--no-encryption")
    dev.start()
    try:
        yield dev, f"http://127.0.0.1:{port}"
    finally:
        dev.stop()


async def use_the_http_service(base: str) -> None:
    """A shop starts a shipment, its carrier reports it out for delivery, the customer opens the
    tracking page and answers the courier's SMS: personal data in every kind of request."""
    start = shipment(
        tracking_number=f"LOGS{uuid.uuid4().hex[:10].upper()}",
        recipient=shipment().recipient.model_copy(update={"phone": API_PHONE, "email": API_EMAIL}),
    )
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        await until_ready(http)
        created = await http.post("/v1/shipments", json=order(start), headers=shop_auth())
        assert created.status_code == 201, created.text
        link = created.json()["tracking_link"].replace(PUBLIC_URL, base)
        event = {
            "tracking_number": start.tracking_number,
            "event_id": "logs-ofd",
            "status": ShipmentStatus.OUT_FOR_DELIVERY.value,
            "occurred_at": datetime.now(UTC).isoformat(),
            "courier": {"name": "Piotr", "phone": COURIER_PHONE},
        }
        posted = await http.post(
            "/v1/carriers/generic/events", **carrier_post("generic", {"events": [event]})
        )
        assert posted.status_code in (200, 202), posted.text
        assert (await http.get(link)).status_code == 200
        form = {"MessageSid": "SMlogs", "From": API_PHONE, "To": "+15005550006", "Body": "1"}
        replied = await http.post("/v1/twilio/inbound", **twilio_post("/v1/twilio/inbound", form))
        assert replied.status_code == 200, replied.text


async def until_ready(http: httpx.AsyncClient, seconds: float = 60) -> None:
    for _ in range(int(seconds / 0.2)):
        try:
            if (await http.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError("`waypost dev` never became ready")


async def test_a_full_demo_run_logs_masked_recipients_and_never_real_ones(
    client: Client, dev_process: tuple[WorkerProcess, str], task_queue: str
) -> None:
    dev, base = dev_process
    await use_the_http_service(base)
    results = await run_demo(client, task_queue, echo=lambda _line: None)
    assert all(r.ok for r in results), [r.surprises for r in results if not r.ok]

    assert dev.terminate() == 0
    output = dev.log.read_text(encoding="utf-8")

    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(r.get("event") == "message sent" for r in records)
    assert any(r.get("event") == "message refused by provider" for r in records)
    assert any(r.get("logger", "").startswith("uvicorn") for r in records)
    phones = {API_PHONE} | {s.recipient.phone for s in scenarios() if s.recipient.phone}
    emails = {API_EMAIL} | {s.recipient.email for s in scenarios() if s.recipient.email}
    leaked = [value for value in phones | emails | {COURIER_PHONE} if value in output]
    assert leaked == []
    assert mask_phone(API_PHONE) in output
    assert LINK_TOKEN.findall(output) == []  # a live tracking link opens the customer's page
