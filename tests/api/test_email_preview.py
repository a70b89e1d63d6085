"""`waypost messages preview` writes every kind's email in every language; the HTML parts are
parsed (logo, tracking button, footer) and some are opened in headless Chromium, screenshots
under test-output/emails/."""

from __future__ import annotations

import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.async_api import Browser, Route, ViewportSize
from typer.testing import CliRunner

from models.locale import LOCALES
from models.notification import NotificationKind
from starters.cli import app
from starters.preview import SAMPLE_SHOP, sample_context
from tests.api.browser import OUTPUT, PHONE, browser

__all__ = ["browser"]

TRACKING_URL = sample_context().tracking_url


class Parsed(HTMLParser):
    """What a mail client would show: images, links, the footer's text, inline styles."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.links: list[dict[str, str | None]] = []
        self.style_blocks = 0
        self.footer: list[str] = []
        self._in_footer = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "img":
            self.images.append(found)
        if tag == "a":
            self.links.append(found)
        if tag == "style":
            self.style_blocks += 1
        if tag == "td" and "foot" in (found.get("class") or "").split():
            self._in_footer = 1
        elif self._in_footer and tag == "td":
            self._in_footer += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._in_footer:
            self._in_footer -= 1

    def handle_data(self, data: str) -> None:
        if self._in_footer and data.strip():
            self.footer.append(data.strip())


@pytest.fixture(scope="module")
def previews(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("previews")
    result = CliRunner().invoke(app, ["messages", "preview", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_preview_writes_every_kind_in_every_language_as_html_and_text(previews: Path) -> None:
    expected = {
        f"{kind.value}.{locale}.{ext}"
        for kind in NotificationKind
        for locale in LOCALES
        for ext in ("html", "txt")
    }
    assert {path.name for path in previews.iterdir()} == expected


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_email_is_branded_with_a_logo_a_tracking_button_and_the_footer(
    previews: Path, kind: NotificationKind, locale: str
) -> None:
    html = (previews / f"{kind.value}.{locale}.html").read_text(encoding="utf-8")
    parsed = Parsed()
    parsed.feed(html)
    assert f'<html lang="{locale}">' in html
    [logo] = [image for image in parsed.images if image.get("class") == "logo"]
    assert (logo["src"], logo["alt"]) == (SAMPLE_SHOP.brand.logo_url, SAMPLE_SHOP.display_name)
    buttons = [link for link in parsed.links if "button" in (link.get("class") or "").split()]
    [button] = buttons
    assert button["href"] == TRACKING_URL
    assert "background: #c2410c" in (button["style"] or ""), "the shop's accent, inlined"
    assert parsed.style_blocks == 0, "css-inline moved every rule into style attributes"
    said = [link for link in parsed.links if link.get("href") == TRACKING_URL]
    assert len(said) <= 2, "the button, and at most one sentence needing the link"
    footer = " ".join(parsed.footer)
    assert SAMPLE_SHOP.postal_address is not None and SAMPLE_SHOP.postal_address in footer
    assert "mailto:help@acme-outdoor.example" in {link["href"] for link in parsed.links}
    text = (previews / f"{kind.value}.{locale}.txt").read_text(encoding="utf-8")
    assert SAMPLE_SHOP.postal_address in text and "<" not in text.split("--- SMS")[0]


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid PNG: the sample shop's logo, served to the browser instead of the network."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


DESKTOP = ViewportSize(width=800, height=900)


@pytest.mark.parametrize(
    ("name", "viewport"),
    [
        ("out_for_delivery.en", DESKTOP),
        ("courier_one_hour.ru", PHONE),
        ("available_for_pickup.pl", PHONE),
        ("slot_choice.ro", DESKTOP),
        ("thank_you.en", PHONE),
    ],
)
async def test_emails_open_in_chromium_with_logo_button_and_footer(
    browser: Browser, previews: Path, name: str, viewport: ViewportSize
) -> None:
    page = await browser.new_page(viewport=viewport)
    logo = _png(160, 48, (0xC2, 0x41, 0x0C))

    async def serve_logo(route: Route) -> None:
        await route.fulfill(status=200, content_type="image/png", body=logo)

    await page.route("https://acme-outdoor.example/**", serve_logo)
    try:
        await page.goto((previews / f"{name}.html").resolve().as_uri())
        loaded = await page.eval_on_selector("img", "img => img.complete && img.naturalWidth")
        assert loaded == 160
        button = page.locator("a.button")
        assert await button.get_attribute("href") == TRACKING_URL
        assert await button.is_visible()
        colour = await button.evaluate("a => getComputedStyle(a).backgroundColor")
        assert colour == "rgb(194, 65, 12)"
        assert (SAMPLE_SHOP.postal_address or "-") in await page.inner_text("td.foot")
        (OUTPUT / "emails").mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(OUTPUT / "emails" / f"{name}.png"), full_page=True)
    finally:
        await page.close()
