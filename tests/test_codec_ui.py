"""In headless Chromium: a support agent opens an encrypted shipment in the Temporal UI of a dev
server started as `waypost dev` starts it, and reads the customer's phone number, which the UI
got from the codec server (the server itself holds ciphertext only)."""

from __future__ import annotations

import base64
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ViewportSize, expect
from temporalio.client import Client

from codec.server import running_codec_server
from infra.connection import connect
from infra.serving import free_port
from infra.settings import Settings
from starters.devserver import DevServer
from testing.factories import shipment
from tests.api.browser import OUTPUT, browser
from workflows.client import start_shipment

__all__ = ["browser"]

PHONE = "+447700900123"


@pytest.fixture
async def encrypted_stack() -> AsyncIterator[tuple[Client, str]]:
    """Codec server (no token: loopback, the UI's origin only) and a dev server whose UI uses
    it; yields a client with the keys and the UI's URL."""
    ui_port = free_port()
    settings = Settings(
        payload_keys={"k1": base64.b64encode(b"\x05" * 32).decode()},
        ui_port=ui_port,
        codec_server_port=free_port(),
    )
    with tempfile.TemporaryDirectory(prefix="waypost-codec-ui-") as scratch:
        async with running_codec_server(settings) as codec_url:
            server = DevServer(
                port=free_port(),
                ui_port=ui_port,
                db_file=Path(scratch) / "temporal.db",
                ui_codec_endpoint=codec_url,
            )
            async with server:
                assert server.ui_url is not None
                yield await connect(settings, target=server.address), server.ui_url


async def test_support_reads_an_encrypted_shipment_in_the_temporal_ui(
    browser: Browser, encrypted_stack: tuple[Client, str]
) -> None:
    client, ui = encrypted_stack
    start = shipment()
    await start_shipment(client, start, "nobody-listens")
    raw = await client.get_workflow_handle(start.workflow_id).fetch_history()
    assert PHONE.encode() not in raw.events[0].SerializeToString()

    page = await browser.new_page(viewport=ViewportSize(width=1400, height=1000))
    try:
        await page.goto(f"{ui}/namespaces/default/workflows/{start.workflow_id}")

        await expect(page.get_by_text(PHONE).first).to_be_visible(timeout=30_000)
        OUTPUT.mkdir(exist_ok=True)
        await page.screenshot(path=OUTPUT / "temporal-ui-decoded-by-codec-server.png")
    finally:
        await page.close()
