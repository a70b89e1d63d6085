"""In headless Chromium, over the real service: the customer ticks the tracking page's opt-in,
the workflow records the consent, the page shows it; then they withdraw it, and the page says
no offers will come. An unticked opt-in cannot be sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import Browser, expect
from temporalio.client import Client

from infra.links import TrackingLinks
from infra.settings import Settings
from models.consent import ConsentSource
from models.policy import NotificationPolicy, ThankYou
from models.shipment import Recipient
from testing.factories import shipment
from tests.api.browser import OUTPUT, PHONE, browser
from tests.db_fixtures import unique
from tests.polling import all_settled, eventually
from workflows.client import start_shipment

__all__ = ["browser"]


async def test_a_customer_opts_in_on_the_page_then_withdraws(
    browser: Browser, site: Settings, client: Client, api_worker: object
) -> None:
    start = shipment(
        shop_id=unique("shop"),
        recipient=Recipient(name="Sam", email=f"{unique('sam')}@example.com"),
        policy=NotificationPolicy(
            quiet_hours=None, thank_you=ThankYou(enabled=True, delay=timedelta(hours=1))
        ),
    )
    await start_shipment(client, start, site.task_queue)
    await eventually(client, start.workflow_id, lambda s: bool(s.notifications) and all_settled(s))
    link = TrackingLinks.from_settings(site).url(start.workflow_id, datetime.now(UTC))
    assert link is not None
    page = await browser.new_page(viewport=PHONE, is_mobile=True, device_scale_factor=2)
    try:
        await page.goto(link)
        box = page.get_by_test_id("consent-checkbox")
        await expect(box).not_to_be_checked()
        await page.get_by_test_id("consent-submit").click()
        await expect(page.get_by_test_id("notice")).to_have_count(0)  # the browser held it back

        await box.check()
        await page.get_by_test_id("consent-submit").click()

        await expect(page.get_by_test_id("notice")).to_contain_text("You agreed to offers")
        await expect(page.get_by_test_id("consent-given")).to_be_visible()
        state = await eventually(client, start.workflow_id, lambda s: bool(s.marketing_consent))
        assert state.marketing_consent is not None
        assert state.marketing_consent.source is ConsentSource.TRACKING_PAGE
        OUTPUT.mkdir(exist_ok=True)
        await page.screenshot(path=OUTPUT / "tracking-page-consent.png", full_page=True)

        await page.get_by_test_id("consent-withdraw").click()

        await expect(page.get_by_test_id("notice")).to_contain_text("no more offers")
        await expect(page.get_by_test_id("consent-withdrawn")).to_be_visible()
        await expect(page.get_by_test_id("consent-form")).to_have_count(0)
    finally:
        await page.close()
