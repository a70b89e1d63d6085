"""The tracking page over HTTP: opened from the link in a message, friendly when the link is bad,
answering the slot and courier forms through the workflow, and still there after it closed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from temporalio.client import Client

from infra.links import TrackingLinks
from infra.settings import Settings
from models.shipment import Window
from models.status import ShipmentStatus
from testing.factories import event, shipment
from testing.sendgrid_server import FakeSendGrid
from tests.api.conftest import PUBLIC_URL
from tests.polling import eventually, recorded
from workflows.client import report_event, start_shipment

LINK = re.compile(re.escape(PUBLIC_URL) + r"(/t/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")


def slots(count: int) -> list[Window]:
    first = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    return [
        Window(start=first + timedelta(days=d), end=first + timedelta(days=d, hours=2))
        for d in range(1, count + 1)
    ]


async def started(
    client: Client, settings: Settings, fake_sendgrid: FakeSendGrid
) -> tuple[str, str]:
    """A shipment whose first email went out; returns (workflow id, the link's path in it)."""
    start = shipment()
    await start_shipment(client, start, settings.task_queue)
    await eventually(client, start.workflow_id, lambda s: bool(fake_sendgrid.sent))
    [mail] = fake_sendgrid.sent
    found = LINK.search(mail.text or "")
    assert found is not None, "the email carries the tracking link"
    return start.workflow_id, found.group(1)


async def test_the_link_in_a_message_opens_the_shipments_page(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_sendgrid: FakeSendGrid
) -> None:
    _, path = await started(client, api_settings, fake_sendgrid)

    page = await http.get(path)

    assert page.status_code == 200
    assert 'data-testid="status"' in page.text
    assert 'data-testid="notification"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_a_forged_link_gets_a_friendly_page(http: httpx.AsyncClient) -> None:
    page = await http.get("/t/c2hvcC0xOnMtMTp6enp6.AAAAAAAAAAAAAAAA")

    assert page.status_code == 404
    assert 'data-error="invalid"' in page.text
    assert "Traceback" not in page.text


async def test_an_expired_link_gets_a_friendly_page_in_the_browsers_language(
    http: httpx.AsyncClient, api_settings: Settings
) -> None:
    links = TrackingLinks.from_settings(api_settings)
    old = links.token("shipment:shop-1:gone", datetime.now(UTC) - timedelta(days=365))

    page = await http.get(f"/t/{old}", headers={"Accept-Language": "pl-PL,pl;q=0.9"})

    assert page.status_code == 410
    assert 'data-error="expired"' in page.text and 'lang="pl"' in page.text


async def test_a_slot_chosen_on_the_page_is_confirmed_by_the_workflow(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_sendgrid: FakeSendGrid
) -> None:
    ref, path = await started(client, api_settings, fake_sendgrid)
    offered = slots(3)
    await report_event(client, ref, event(ShipmentStatus.IN_TRANSIT, 1, slots=offered))
    await recorded(client, api_settings, ref)  # the page reads the ledger's copy
    assert 'data-testid="slot-form"' in (await http.get(path)).text

    answer = await http.post(f"{path}/slot", data={"slot": "3"})

    assert answer.status_code == 303
    assert answer.headers["location"] == f"{path}?notice=slot_chosen"
    state = await eventually(client, ref, lambda s: s.window is not None)
    assert state.window == offered[2]
    page = await http.get(answer.headers["location"])
    assert 'data-testid="notice"' in page.text and 'data-testid="slot-form"' not in page.text


async def test_a_slot_that_is_no_longer_offered_is_refused_with_a_notice(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_sendgrid: FakeSendGrid
) -> None:
    ref, path = await started(client, api_settings, fake_sendgrid)

    answer = await http.post(f"{path}/slot", data={"slot": "1"})

    assert answer.headers["location"] == f"{path}?notice=refused"
    state = await eventually(client, ref, lambda s: True)
    assert state.window is None


async def test_a_closed_shipment_is_shown_from_the_ledger_without_forms(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_sendgrid: FakeSendGrid
) -> None:
    ref, path = await started(client, api_settings, fake_sendgrid)
    await report_event(client, ref, event(ShipmentStatus.DELIVERED, 5))
    await client.get_workflow_handle(ref).result()

    page = await http.get(path)

    assert page.status_code == 200
    assert 'data-status="delivered"' in page.text
    assert "<form" not in page.text
