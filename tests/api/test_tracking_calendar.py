"""The add-to-calendar file over HTTP: under the page's own signed link, an iCalendar file of the
delivery window that parses back, a clear 404 when there is nothing to add, and one shop's link
never showing another shop's shipment."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
from icalendar import Calendar
from temporalio.client import Client

from infra.links import TrackingLinks
from infra.settings import Settings
from models.shipment import ShipmentStart
from models.status import ShipmentStatus
from testing.factories import event, out_for_delivery, shipment, window
from tests.polling import eventually, recorded
from workflows.client import report_event, start_shipment


async def opened(
    http: httpx.AsyncClient, client: Client, settings: Settings, start: ShipmentStart, path: str
) -> httpx.Response:
    """GET `path` under the shipment's link once the ledger has the shipment."""
    token = TrackingLinks.from_settings(settings).token(start.workflow_id, datetime.now(UTC))
    for _ in range(100):
        answer = await http.get(f"/t/{token}{path}")
        if 'data-error="not_found"' not in answer.text:
            return answer
        await asyncio.sleep(0.1)
    raise AssertionError("the ledger never recorded the shipment")


async def test_the_calendar_file_holds_the_delivery_window(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = shipment(carrier="dpd")
    await start_shipment(client, start, api_settings.task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(5))
    await eventually(client, start.workflow_id, lambda s: s.window is not None)
    await recorded(client, api_settings, start.workflow_id)  # the page reads the ledger's copy

    answer = await opened(http, client, api_settings, start, "/calendar.ics")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert answer.headers["cache-control"] == "no-store"
    [entry] = Calendar.from_ical(answer.content).walk("VEVENT")
    assert entry.decoded("dtstart") == window().start
    assert entry.decoded("dtend") == window().end
    assert start.order_id in str(entry["summary"])
    assert "DPD" in str(entry["description"])
    assert start.recipient.name not in answer.text and start.workflow_id not in answer.text


async def test_without_a_window_or_deadline_the_calendar_is_a_clear_404(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = shipment()
    await start_shipment(client, start, api_settings.task_queue)
    await report_event(client, start.workflow_id, event(ShipmentStatus.IN_TRANSIT, 1))
    await eventually(client, start.workflow_id, lambda s: s.status is ShipmentStatus.IN_TRANSIT)

    answer = await opened(http, client, api_settings, start, "/calendar.ics")

    assert answer.status_code == 404
    assert "no delivery window or pickup deadline" in answer.text


async def test_each_shops_link_gives_only_its_own_shipments_calendar(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    mine = shipment(shop_id="shop-1")
    theirs = shipment(shop_id="shop-2", shipment_id=mine.shipment_id)
    for start in (mine, theirs):
        await start_shipment(client, start, api_settings.task_queue)
    await report_event(client, theirs.workflow_id, out_for_delivery(5))
    await eventually(client, theirs.workflow_id, lambda s: s.window is not None)
    await recorded(client, api_settings, theirs.workflow_id)

    own = await opened(http, client, api_settings, mine, "/calendar.ics")
    other = await opened(http, client, api_settings, theirs, "/calendar.ics")

    assert own.status_code == 404, "shop-1's shipment has no window, whatever shop-2's has"
    assert other.status_code == 200
    assert theirs.order_id in other.text and mine.order_id not in other.text


async def test_a_forged_calendar_link_gets_the_friendly_page(http: httpx.AsyncClient) -> None:
    answer = await http.get("/t/c2hvcC0xOnMtMTp6enp6.AAAAAAAAAAAAAAAA/calendar.ics")

    assert answer.status_code == 404
    assert 'data-error="invalid"' in answer.text
