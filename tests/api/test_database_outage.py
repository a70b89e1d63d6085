"""PostgreSQL unreachable for a while: the workflow keeps accepting events, its activities retry
until the ledger is back and nothing is lost or sent twice; meanwhile the HTTP service answers
503 with Retry-After, never 500."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from temporalio.client import Client

from api.app import create_app
from infra.links import TrackingLinks
from infra.settings import Settings
from models.notification import Channel, NotificationKind, NotificationStatus
from models.state import ShipmentState
from testing.factories import out_for_delivery, shipment
from testing.tcp_proxy import TcpProxy
from testing.twilio_server import FakeTwilio
from tests.api.conftest import PUBLIC_URL, sendgrid_post
from tests.polling import eventually
from workers.worker import running_worker
from workflows.client import report_event, start_shipment

OUTAGE_SECONDS = 6


@pytest.fixture
def proxy(postgres_database_url: str) -> Iterator[TcpProxy]:
    url = make_url(postgres_database_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as running:
        yield running


@pytest.fixture
def behind_proxy(api_settings: Settings, postgres_database_url: str, proxy: TcpProxy) -> Settings:
    url = make_url(postgres_database_url).set(port=proxy.port)
    return api_settings.model_copy(
        update={"database_url": url.render_as_string(hide_password=False)}
    )


@pytest.fixture
async def service(client: Client, behind_proxy: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(behind_proxy, client=client)
    async with (
        running_worker(client, behind_proxy),
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as http,
    ):
        yield http


def sms_settled(kind: NotificationKind) -> Callable[[ShipmentState], bool]:
    return lambda s: any(
        n.kind is kind and n.channel is Channel.SMS and n.settled_at for n in s.notifications
    )


async def test_a_ledger_outage_delays_messages_but_loses_and_doubles_none(
    service: httpx.AsyncClient,
    client: Client,
    behind_proxy: Settings,
    proxy: TcpProxy,
    fake_twilio: FakeTwilio,
) -> None:
    start = shipment()
    await start_shipment(client, start, behind_proxy.task_queue)
    await eventually(
        client, start.workflow_id, lambda s: all(n.settled_at for n in s.notifications)
    )
    page = TrackingLinks.from_settings(behind_proxy).token(start.workflow_id, datetime.now(UTC))

    proxy.cut()
    receipt = await report_event(client, start.workflow_id, out_for_delivery(60))
    during = await service.get(f"/t/{page}")
    ready = await service.get("/readyz")
    await asyncio.sleep(OUTAGE_SECONDS)
    assert fake_twilio.sent == []
    proxy.restore()

    assert receipt.outcome.value == "applied"
    assert (during.status_code, during.headers.get("retry-after")) == (503, "5")
    assert (ready.status_code, ready.json()["database"]) == (503, "unreachable")
    state = await eventually(
        client, start.workflow_id, sms_settled(NotificationKind.OUT_FOR_DELIVERY), seconds=60
    )
    [sms] = [n for n in state.notifications if n.channel is Channel.SMS]
    assert sms.status is NotificationStatus.SENT
    assert len(fake_twilio.sent) == 1
    assert (await service.get(f"/t/{page}")).status_code == 200


async def test_a_sendgrid_batch_during_an_outage_is_a_503_saying_how_much_was_recorded(
    service: httpx.AsyncClient,
    proxy: TcpProxy,
    sendgrid_keys: tuple[ec.EllipticCurvePrivateKey, str],
) -> None:
    events = [
        {
            "email": "sam@example.com",
            "timestamp": int(datetime.now(UTC).timestamp()),
            "event": "delivered",
            "sg_event_id": f"ev-{n}",
            "sg_message_id": f"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.{n}",
            "waypost_key": f"shipment:shop-1:s-outage:shipped:1:email-{n}",
        }
        for n in range(2)
    ]

    proxy.cut()
    response = await service.post("/v1/sendgrid/events", **sendgrid_post(sendgrid_keys[0], events))
    proxy.restore()

    assert (response.status_code, response.headers.get("retry-after")) == (503, "5")
    assert "0 of 2 events recorded" in response.json()["detail"]
