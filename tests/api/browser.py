"""Headless Chromium for browser tests: Debian's system browser driven by Playwright (nothing is
downloaded). Without the browser the tests are skipped, except under CI=true, where they fail."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ViewportSize, async_playwright

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""The background-networking flags keep Chromium from calling Google on a closed network."""

OUTPUT = Path("test-output")
"""Screenshots land here (git-ignored), for a human to look at after a run."""

PHONE = ViewportSize(width=390, height=844)


def chromium_path() -> str | None:
    return os.environ.get("WAYPOST_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    path = chromium_path()
    if path is None:
        reason = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI never skips a missing service")
        pytest.skip(reason)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            await launched.close()
