"""The tracking page names the shop it is from: its name and logo in the header, its colour as
CSS variables, its help contact in a block of its own. Every value is escaped; a colour is
written only as a validated `#rrggbb`, a logo only from https, a link only over http(s); the
page's CSP allows exactly the shop's stylesheet and logo origin. Rendered without a server."""

from __future__ import annotations

import base64
import hashlib

import pytest

from api.tracking.render import brand_stylesheet, content_security_policy, render_page
from api.tracking.view import ShopBrand, shop_brand
from models.shop import Brand, ShopProfile, SupportContact
from tests.api.test_tracking_page import ACTION, Node, live_state, parse, start, view_of

ACME = ShopProfile(
    display_name="Acme Outdoor",
    brand=Brand(logo_url="https://cdn.acme.test/logo.png", accent_colour="#0a7d3b"),
    support=SupportContact(
        url="https://help.acme.test/", email="help@acme.example", phone="+441234567890"
    ),
)


def rendered(shop: ShopBrand | None, locale: str = "en") -> tuple[str, Node]:
    begun = start(locale=locale)
    html = render_page(view_of(begun, live_state(begun)), locale, ACTION, None, shop)
    return html, parse(html)


def digest(css: str) -> str:
    return base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()


def test_the_header_carries_the_shops_name_and_https_logo() -> None:
    _, dom = rendered(shop_brand("acme", ACME))
    assert dom.one(testid="shop-name").text() == "Acme Outdoor"
    assert dom.one(testid="shop-logo").attrs["src"] == "https://cdn.acme.test/logo.png"


def test_the_help_block_links_the_shops_support_url_email_and_phone() -> None:
    _, dom = rendered(shop_brand("acme", ACME))
    help_block = dom.one(testid="shop-help")
    assert "Acme Outdoor" in help_block.text()
    assert help_block.one(testid="support-url").attrs["href"] == "https://help.acme.test/"
    assert help_block.one(testid="support-email").attrs["href"] == "mailto:help@acme.example"
    assert help_block.one(testid="support-phone").attrs["href"] == "tel:+441234567890"


@pytest.mark.parametrize(
    ("locale", "heading"),
    [
        ("en", "Need help?"),
        ("ru", "Нужна помощь?"),
        ("pl", "Potrzebujesz pomocy?"),
        ("ro", "Ai nevoie de ajutor?"),
    ],
)
def test_the_help_block_speaks_the_shipments_language(locale: str, heading: str) -> None:
    _, dom = rendered(shop_brand("acme", ACME), locale)
    assert dom.one(testid="shop-help").one("h2").text() == heading


def test_the_shops_colour_is_a_css_variable_allowed_by_its_hash() -> None:
    shop = shop_brand("acme", ACME)
    _, dom = rendered(shop)
    css = brand_stylesheet(shop)
    assert css == ":root { --brand: #0a7d3b; --brand-text: #ffffff; }"
    assert [s.text() for s in dom.find_all("style")][1] == css
    policy = content_security_policy(shop)
    assert f"'sha256-{digest(css)}'" in policy
    assert "img-src 'self' data: https://cdn.acme.test;" in policy


def test_a_light_colour_gets_dark_text() -> None:
    light = ACME.model_copy(update={"brand": Brand(accent_colour="#f5d90a")})
    assert shop_brand("acme", light).accent_text == "#000000"


def test_markup_in_the_shops_name_is_shown_as_text() -> None:
    hostile = ShopProfile(display_name='<script>alert(1)</script>"><b>')
    html, dom = rendered(shop_brand("acme", hostile))
    assert "<script>alert" not in html
    assert dom.find_all("script") == []
    assert dom.one(testid="shop-name").text() == '<script>alert(1)</script>"><b>'


def test_a_logo_not_served_over_https_is_left_out_and_allowed_nowhere() -> None:
    plain = ACME.model_copy(update={"brand": Brand(logo_url="http://cdn.acme.test/logo.png")})
    shop = shop_brand("acme", plain)
    _, dom = rendered(shop)
    assert dom.find_all(testid="shop-logo") == []
    assert "img-src 'self' data:;" in content_security_policy(shop)


def test_a_logo_host_that_would_change_the_policy_is_left_out() -> None:
    sneaky = ACME.model_copy(
        update={"brand": Brand(logo_url="https://cdn.acme.test;script-src:*/x.png")}
    )
    shop = shop_brand("acme", sneaky)
    assert shop.logo_url is None
    assert "script-src" not in content_security_policy(shop)


def test_a_colour_that_is_not_hex_never_reaches_the_stylesheet() -> None:
    # Not constructible through validation: a profile stored before the rule, say.
    bad = ACME.model_copy(
        update={"brand": Brand.model_construct(accent_colour="red;}body{display:none")}
    )
    shop = shop_brand("acme", bad)
    assert shop.accent is None and brand_stylesheet(shop) == ""


def test_a_support_link_that_is_not_http_is_left_out() -> None:
    bad = ACME.model_copy(
        update={"support": SupportContact.model_construct(url="javascript:alert(1)")}
    )
    _, dom = rendered(shop_brand("acme", bad))
    assert dom.find_all(testid="support-url") == []


def test_a_shop_nobody_describes_is_named_by_its_id_without_a_help_block() -> None:
    _, dom = rendered(shop_brand("shop-7", None))
    assert dom.one(testid="shop-name").text() == "shop-7"
    assert dom.find_all(testid="shop-help") == []
