"""In headless Chromium, over the real service: each shop's tracking page carries that shop's
brand and help contact (one shop from the registry, one from `WAYPOST_SHOP_PROFILES`), and
never the other shop's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, expect
from temporalio.client import Client

from infra.links import TrackingLinks
from infra.settings import Settings
from ledger.engine import make_engine
from ledger.shops import ShopRegistry
from models.shop import Brand, ShopProfile, SupportContact
from testing.factories import shipment
from tests.api.browser import OUTPUT, PHONE, browser
from tests.db_fixtures import unique
from tests.polling import all_settled, eventually
from workflows.client import start_shipment

__all__ = ["browser"]

REGISTRY_SHOP = unique("brand-a")
SETTINGS_SHOP = unique("brand-b")
ALPINE = ShopProfile(
    display_name="Alpine Gear",
    brand=Brand(accent_colour="#7a1f5c"),
    support=SupportContact(url="https://help.alpine.example/", email="care@alpine.example"),
)
BAKERY = ShopProfile(
    display_name="Baltic Bakery",
    brand=Brand(accent_colour="#f2c14e"),
    support=SupportContact(phone="+48221234567"),
)


@pytest.fixture
def api_settings(api_settings: Settings) -> Settings:
    """The bootstrap profiles of the environment, beside the registry."""
    return api_settings.model_copy(update={"shop_profiles": {SETTINGS_SHOP: BAKERY}})


async def opened_page(browser: Browser, site: Settings, client: Client, shop_id: str) -> str:
    start = shipment(shop_id=shop_id)
    await start_shipment(client, start, site.task_queue)
    await eventually(client, start.workflow_id, lambda s: bool(s.notifications) and all_settled(s))
    link = TrackingLinks.from_settings(site).url(start.workflow_id, datetime.now(UTC))
    assert link is not None
    return link


async def test_each_shops_page_carries_its_own_brand_and_help_and_no_other_shops(
    browser: Browser, site: Settings, client: Client, api_worker: object
) -> None:
    engine = make_engine(site.ledger_url)
    try:
        ShopRegistry(engine).create(REGISTRY_SHOP, ALPINE)
    finally:
        engine.dispose()
    alpine = await opened_page(browser, site, client, REGISTRY_SHOP)
    bakery = await opened_page(browser, site, client, SETTINGS_SHOP)
    page = await browser.new_page(viewport=PHONE, is_mobile=True, device_scale_factor=2)
    try:
        await page.goto(alpine)
        await expect(page.get_by_test_id("shop-name")).to_have_text("Alpine Gear")
        help_block = page.get_by_test_id("shop-help")
        await expect(help_block).to_contain_text("Alpine Gear")
        await expect(page.get_by_test_id("support-email")).to_have_attribute(
            "href", "mailto:care@alpine.example"
        )
        band = page.get_by_test_id("shop-header")
        colour = await band.evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour == "rgb(122, 31, 92)"
        await expect(page.locator("body")).not_to_contain_text("Baltic Bakery")
        await expect(page.get_by_test_id("support-phone")).to_have_count(0)
        OUTPUT.mkdir(exist_ok=True)
        await page.screenshot(path=OUTPUT / "tracking-page-brand.png", full_page=True)

        await page.goto(bakery)
        await expect(page.get_by_test_id("shop-name")).to_have_text("Baltic Bakery")
        await expect(page.get_by_test_id("support-phone")).to_have_text("+48221234567")
        colour = await band.evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour == "rgb(242, 193, 78)"
        text_colour = await band.evaluate("e => getComputedStyle(e).color")
        assert text_colour == "rgb(0, 0, 0)", "dark text on a light brand colour"
        await expect(page.locator("body")).not_to_contain_text("Alpine Gear")
        await expect(page.get_by_test_id("support-email")).to_have_count(0)
    finally:
        await page.close()
