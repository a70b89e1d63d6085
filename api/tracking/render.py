"""HTML for the tracking page and its error pages: Jinja2, autoescaped, one request per page.

The stylesheet is small and inlined, so a customer on a poor connection gets the whole page in
one response and the page needs no static route; `content_security_policy()` gives the header
that allows exactly that stylesheet and nothing else (no scripts, no external assets). Every
visible word comes from `messages.page`, so a template cannot leave a string untranslated.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict

from api.tracking.translator import Translator
from api.tracking.view import ConsentBlock, ShopBrand, TrackingView
from messages.formats import zone
from messages.locales import negotiate
from messages.page import STRINGS, format_moment, format_window, text
from messages.shape import fields
from models.shipment import Window

__all__ = [
    "ErrorKind",
    "Notice",
    "NoticeKey",
    "brand_stylesheet",
    "content_security_policy",
    "make_notice",
    "notice_text",
    "render_error",
    "render_page",
    "stylesheet",
]

_HERE = Path(__file__).parent

ErrorKind = Literal["invalid", "expired", "not_found", "unavailable"]
NoticeKey = Literal[
    "slot_chosen",
    "confirmed",
    "rescheduled",
    "refused",
    "closed",
    "consent_given",
    "consent_withdrawn",
]

_ERROR_NOTICES: frozenset[NoticeKey] = frozenset({"refused", "closed"})

_ENV = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,
)
"""Loaded once: templates compile on first use and are cached for the process (never checked
for changes on disk: they ship with the code, and a deploy restarts the process)."""


class Notice(BaseModel):
    """A message shown once above the page after a form post: text already localized."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["success", "error"]
    text: str


def notice_text(
    key: NoticeKey, locale: str, *, time_zone: str | None = None, **values: object
) -> str:
    """The localized text of a notice. A `Window` or datetime value is formatted in
    `time_zone` (the view's); `slot_chosen` without a `window`, or `refused` without a
    `reason`, says so in general terms."""
    shown_in = zone(time_zone)
    shown: dict[str, object] = {}
    for name, value in values.items():
        if isinstance(value, Window):
            shown[name] = format_window(value, locale, shown_in)
        elif isinstance(value, datetime):
            shown[name] = format_moment(value, locale, shown_in)
        else:
            shown[name] = value
    template = STRINGS[negotiate(locale)][f"notice.{key}"]
    if not all(shown.get(name) for name in fields(template)):
        # A window or reason the caller could not give: the general words, never a KeyError.
        return text(f"notice.{key}_generic", locale)
    return text(f"notice.{key}", locale, **shown)


def make_notice(
    key: NoticeKey, locale: str, *, time_zone: str | None = None, **values: object
) -> Notice:
    """A notice of the right kind for `key`: a refusal or a closed shipment is an error."""
    kind: Literal["success", "error"] = "error" if key in _ERROR_NOTICES else "success"
    return Notice(kind=kind, text=notice_text(key, locale, time_zone=time_zone, **values))


@cache
def stylesheet() -> str:
    """The page's CSS, read once (it ships inside the package)."""
    return (_HERE / "static" / "style.css").read_text(encoding="utf-8")


def brand_stylesheet(shop: ShopBrand | None) -> str:
    """The shop's colour as CSS variables (a second, tiny stylesheet, allowed by its own hash):
    `--brand` and the text that reads on it. Only a validated `#rrggbb` is ever written here."""
    if shop is None or shop.accent is None:
        return ""
    return f":root {{ --brand: {shop.accent}; --brand-text: {shop.accent_text}; }}"


def _hash(css: str) -> str:
    return base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()


def content_security_policy(shop: ShopBrand | None = None) -> str:
    """The header value for the page and the error pages: the inlined stylesheets by their
    hashes (the page's, and the shop's colours), images from this site and the shop's logo
    origin, forms posting back to this site, and nothing else (no scripts, frames or other
    remote assets)."""
    styles = " ".join(
        f"'sha256-{_hash(css)}'" for css in (stylesheet(), brand_stylesheet(shop)) if css
    )
    images = "'self' data:" + (f" {shop.logo_origin}" if shop and shop.logo_origin else "")
    return (
        f"default-src 'none'; style-src {styles}; img-src {images}; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


def render_page(
    view: TrackingView,
    locale: str,
    action_base: str,
    notice: Notice | None = None,
    shop: ShopBrand | None = None,
    consent: ConsentBlock | None = None,
) -> str:
    """The tracking page. Forms post to `{action_base}/slot` and `{action_base}/reply`; they are
    present only when the live state says the workflow would accept the answer. `shop` brands
    its header and help block (send `content_security_policy(shop)` with it); `consent` is the
    offers block (its forms post to `{action_base}/consent` and `.../consent/withdraw`)."""
    lang = negotiate(locale)
    return _ENV.get_template("page.html").render(
        view=view,
        locale=lang,
        t=Translator(lang, zone(view.time_zone)),
        action_base=action_base.rstrip("/"),
        notice=notice,
        css=Markup(stylesheet()),
        shop=shop,
        brand_css=Markup(brand_stylesheet(shop)),
        consent=consent,
    )


def render_error(kind: ErrorKind, locale: str) -> str:
    """A friendly page for a link that cannot be shown: what happened and what to do next."""
    lang = negotiate(locale)
    return _ENV.get_template("error.html").render(
        kind=kind,
        locale=lang,
        t=Translator(lang, zone(None)),
        css=Markup(stylesheet()),
    )
