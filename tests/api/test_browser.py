"""In headless Chromium: a customer opens a tracking link on a phone and chooses a slot; a
support agent finds a shipment by its order id in the Temporal UI of the local stack."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect
from temporalio.client import Client

from api.tracking.render import render_page
from infra.connection import connect
from infra.links import TrackingLinks
from infra.serving import free_port
from infra.settings import Settings
from models.shipment import DeliveryKind, DeliveryOption, PickupPoint, Window
from models.status import ExceptionReason, ShipmentStatus
from starters.devserver import DevServer
from testing.factories import event, out_for_delivery, shipment
from tests.api.browser import OUTPUT, PHONE, browser
from tests.api.test_tracking_page import NOW, live_state, scan, view_of
from tests.api.test_tracking_page import start as page_start
from tests.polling import eventually, recorded
from workflows.client import report_event, start_shipment

__all__ = ["browser"]


async def test_a_customer_chooses_a_slot_on_the_tracking_page_on_a_phone(
    browser: Browser, site: Settings, client: Client, api_worker: object
) -> None:
    start = shipment(recipient=shipment().recipient.model_copy(update={"locale": "en"}))
    await start_shipment(client, start, site.task_queue)
    first = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    offered = [
        Window(start=first + timedelta(days=d), end=first + timedelta(days=d, hours=2))
        for d in (1, 2, 3)
    ]
    await report_event(
        client, start.workflow_id, event(ShipmentStatus.IN_TRANSIT, 1, slots=offered)
    )
    await recorded(client, site, start.workflow_id)  # the page reads the ledger's copy
    link = TrackingLinks.from_settings(site).url(start.workflow_id, datetime.now(UTC))
    assert link is not None
    page = await browser.new_page(viewport=PHONE, is_mobile=True, device_scale_factor=2)
    try:
        await page.goto(link)
        await expect(page.get_by_test_id("status")).to_contain_text("In transit")
        await expect(page.get_by_test_id("slot-option")).to_have_count(3)

        await page.get_by_test_id("slot-option").nth(1).click()
        await page.get_by_test_id("slot-submit").click()

        await expect(page.get_by_test_id("notice")).to_be_visible()
        await expect(page.get_by_test_id("slot-form")).to_have_count(0)
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert overflow is False, "the page must not scroll sideways on a phone"
        OUTPUT.mkdir(exist_ok=True)
        await page.screenshot(path=OUTPUT / "tracking-page-phone.png", full_page=True)
    finally:
        await page.close()
    state = await eventually(client, start.workflow_id, lambda s: s.window is not None)
    assert state.window == offered[1]


@pytest.fixture
async def local_stack_ui() -> AsyncIterator[tuple[Client, str]]:
    """A dev server with its web UI, as `waypost dev` starts it (search attributes included)."""
    with tempfile.TemporaryDirectory(prefix="waypost-ui-") as scratch:
        server = DevServer(
            port=free_port(), ui_port=free_port(), db_file=Path(scratch) / "temporal.db"
        )
        async with server:
            ui = server.ui_url
            assert ui is not None
            yield await connect(Settings(), target=server.address), ui


async def test_support_finds_a_shipment_by_order_id_in_the_temporal_ui(
    browser: Browser, local_stack_ui: tuple[Client, str]
) -> None:
    client, ui = local_stack_ui
    start = shipment()
    await start_shipment(client, start, "nobody-listens")
    page = await browser.new_page(viewport=ViewportSize(width=1400, height=900))
    try:
        query = f'OrderId="{start.order_id}"'
        await page.goto(f"{ui}/namespaces/default/workflows?query={query}")

        await expect(page.get_by_text(start.workflow_id).first).to_be_visible(timeout=30_000)
        OUTPUT.mkdir(exist_ok=True)
        await page.screenshot(path=OUTPUT / "temporal-ui-order-search.png")
    finally:
        await page.close()


AXE_SCRIPT = (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
"""axe-core, as the dev dependency axe-playwright-python ships it (installed with the tests)."""

DESKTOP = ViewportSize(width=1280, height=900)


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now. It is evaluated
    through the DevTools protocol, which the page's CSP (no scripts at all) does not govern."""
    await page.evaluate(AXE_SCRIPT)
    results: dict[str, Any] = await page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
    )
    violations: list[dict[str, Any]] = results["violations"]
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


@pytest.mark.parametrize(
    ("size", "name"), [(PHONE, "tracking-page-axe-phone"), (DESKTOP, "tracking-page-desktop")]
)
async def test_the_tracking_page_passes_axe_on_a_phone_and_a_desktop(
    browser: Browser,
    site: Settings,
    client: Client,
    api_worker: object,
    size: ViewportSize,
    name: str,
) -> None:
    start = shipment(
        carrier="dhl_express",
        recipient=shipment().recipient.model_copy(update={"locale": "en"}),
    )
    await start_shipment(client, start, site.task_queue)
    await report_event(client, start.workflow_id, event(ShipmentStatus.IN_TRANSIT, 1))
    await report_event(client, start.workflow_id, out_for_delivery(5))
    await eventually(client, start.workflow_id, lambda s: s.window is not None)
    await recorded(client, site, start.workflow_id)
    link = TrackingLinks.from_settings(site).url(start.workflow_id, datetime.now(UTC))
    assert link is not None
    page = await browser.new_page(viewport=size, device_scale_factor=1)
    try:
        await page.goto(link)
        await expect(page.get_by_test_id("stepper")).to_be_visible()
        await expect(page.locator("[data-testid=step][aria-current=step]")).to_have_attribute(
            "data-status", "out_for_delivery"
        )
        await expect(page.get_by_test_id("carrier-link")).to_have_text("DHL")
        await expect(page.get_by_test_id("calendar-link")).to_be_visible()
        await expect(page.get_by_test_id("notifications")).to_be_hidden()
        assert await axe_violations(page) == []
        OUTPUT.mkdir(exist_ok=True)
        await page.screenshot(path=OUTPUT / f"{name}.png", full_page=True)

        await page.get_by_test_id("messages-summary").click()
        await expect(page.get_by_test_id("notifications")).to_be_visible()
        assert await axe_violations(page) == [], "the unfolded messages pass too"
        side = await page.get_by_test_id("route").bounding_box()
        status = await page.get_by_test_id("status").bounding_box()
        assert side is not None and status is not None
        if size is DESKTOP:
            assert side["x"] > status["x"] + 300, "the journey is in the right-hand column"
        else:
            assert side["y"] > status["y"], "on a phone the journey follows the status"
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert overflow is False, "the page must not scroll sideways"
        await page.screenshot(path=OUTPUT / f"{name}-messages-open.png", full_page=True)
    finally:
        await page.close()


def _detour_pages() -> dict[str, str]:
    """Pages in states the live test does not reach: a parcel held up (five steps, one a
    problem) in Polish, and one waiting at a pickup point (map link, deadline) in Russian."""
    held = page_start("pl")
    events = [
        scan("e1", ShipmentStatus.SHIPPED, NOW - timedelta(days=2)),
        scan("e2", ShipmentStatus.IN_TRANSIT, NOW - timedelta(days=1)),
        scan("e3", ShipmentStatus.EXCEPTION, NOW - timedelta(hours=3)),
    ]
    held_live = live_state(held, ShipmentStatus.EXCEPTION, exception=ExceptionReason.HELD)
    waiting = page_start("ru", delivery=DeliveryOption(kind=DeliveryKind.PICKUP_POINT))
    point = PickupPoint(
        name="Paczkomat WAW123",
        address="ul. Prosta 1, Warszawa",
        pickup_code="4711",
        storage_deadline=NOW + timedelta(days=5),
    )
    waiting_live = live_state(waiting, ShipmentStatus.AVAILABLE_FOR_PICKUP, pickup_point=point)
    return {
        "held-pl": render_page(view_of(held, held_live, events=events), "pl", "/t/x"),
        "pickup-ru": render_page(view_of(waiting, waiting_live), "ru", "/t/x"),
    }


@pytest.mark.parametrize("state", ["held-pl", "pickup-ru"])
async def test_a_detour_and_a_pickup_point_pass_axe_on_a_phone(
    browser: Browser, state: str
) -> None:
    page = await browser.new_page(viewport=PHONE, device_scale_factor=1)
    try:
        await page.set_content(_detour_pages()[state])
        await expect(page.get_by_test_id("stepper")).to_be_visible()
        assert await axe_violations(page) == []
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert overflow is False, "the page must not scroll sideways"
        OUTPUT.mkdir(exist_ok=True)
        await page.screenshot(path=OUTPUT / f"tracking-page-{state}-phone.png", full_page=True)
    finally:
        await page.close()


async def test_the_axe_check_finds_a_serious_violation_when_there_is_one(browser: Browser) -> None:
    """The check can fail: a button without a name is a critical violation to axe-core."""
    page = await browser.new_page(viewport=PHONE)
    try:
        await page.set_content('<html lang="en"><title>x</title><main><button></button></main>')
        found = await axe_violations(page)
        assert [v["id"] for v in found] == ["button-name"]
    finally:
        await page.close()
