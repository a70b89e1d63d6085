"""The HTML part of an email: the shop's logo, name and colour, the parcel's progress, the
message's paragraphs, a button to the tracking page and a footer with the shop's address and
support contact.

The words are the plain-text part's (rendered once, by `messages.render`), so both parts say the
same; the layout is one Jinja2 template (`messages/email/message.html`) whose CSS `css-inline`
moves into `style` attributes, because many mail clients drop a `<style>` block. Pure, like the
text: a retried activity sends the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final, Literal

import css_inline
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from messages.catalogue import CATALOGUES
from models.locale import Locale
from models.notification import MessageContext, NotificationKind
from models.notification import NotificationKind as K
from models.shop import ShopProfile

StepState = Literal["done", "current", "todo"]

COURIER_STEPS: Final = ("status.shipped", "status.in_transit", "status.out_for_delivery")
PICKUP_STEPS: Final = ("status.shipped", "status.in_transit", "status.available_for_pickup")
LAST_STEP: Final = "status.delivered"

PROGRESS: Final[Mapping[NotificationKind, int]] = {
    K.SHIPPED: 0,
    K.DELAY_NOTICE: 1,
    K.SLOT_CHOICE: 1,
    K.SLOT_CONFIRMED: 1,
    K.OUT_FOR_DELIVERY: 2,
    K.COURIER_ONE_HOUR: 2,
    K.DELIVERY_FAILED: 2,
    K.AVAILABLE_FOR_PICKUP: 2,
    K.PICKUP_REMINDER: 2,
    K.PICKUP_FINAL_WARNING: 2,
    K.DELIVERED: 3,
    K.THANK_YOU: 3,
}
"""Which step of shipped → in transit → out for delivery (or ready for pickup) → delivered a
kind announces; a return (to the customer or the shop) has no progress to show."""

_PICKUP_KINDS: Final = frozenset(
    {K.AVAILABLE_FOR_PICKUP, K.PICKUP_REMINDER, K.PICKUP_FINAL_WARNING}
)
_DOOR_KINDS: Final = frozenset(
    {K.OUT_FOR_DELIVERY, K.COURIER_ONE_HOUR, K.DELIVERY_FAILED, K.SLOT_CHOICE, K.SLOT_CONFIRMED}
)

_ENV: Final = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "email"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # the template ships with the code: no stat of its file per email
)
_INLINER: Final = css_inline.CSSInliner(keep_style_tags=False)


def progress(
    kind: NotificationKind, ctx: MessageContext, locale: Locale
) -> list[tuple[str, StepState]]:
    """The stepper's steps, labelled as the tracking page labels statuses; empty for none."""
    current = PROGRESS.get(kind)
    if current is None:
        return []
    known_pickup = bool(ctx.pickup_name or ctx.pickup_address)
    pickup = kind in _PICKUP_KINDS or (kind not in _DOOR_KINDS and known_pickup)
    keys = (*(PICKUP_STEPS if pickup else COURIER_STEPS), LAST_STEP)
    page = CATALOGUES[locale].page
    return [
        (page[key], "done" if i < current else "current" if i == current else "todo")
        for i, key in enumerate(keys)
    ]


def paragraph_html(text: str, tracking_url: str | None) -> Markup:
    """One paragraph, escaped, its line breaks kept and the tracking link made a link."""
    html = escape(text)
    if tracking_url:
        url = escape(tracking_url)
        html = Markup(html.replace(url, Markup('<a href="{0}">{0}</a>').format(tracking_url)))
    return Markup(html.replace("\n", Markup("<br>")))


def support_links(shop: ShopProfile) -> list[tuple[str, str]]:
    """The support contact as (href, label): the help page, the email, the phone."""
    contact = shop.support
    links = [(contact.url, contact.url)] if contact.url else []
    links += [(f"mailto:{contact.email}", contact.email)] if contact.email else []
    links += [(f"tel:{contact.phone}", contact.phone)] if contact.phone else []
    return links


def email_html(
    kind: NotificationKind,
    locale: Locale,
    ctx: MessageContext,
    subject: str,
    paragraphs: Sequence[str],
    shop: ShopProfile,
) -> str:
    """The branded HTML of one email, its CSS inlined."""
    text = CATALOGUES[locale].email
    why = text["email.why"].format(shop_name=shop.display_name)
    html = _ENV.get_template("message.html").render(
        lang=locale,
        subject=subject,
        accent=shop.brand.accent_colour,
        logo_url=shop.brand.logo_url,
        shop_name=shop.display_name,
        steps=progress(kind, ctx, locale),
        paragraphs=[paragraph_html(p, ctx.tracking_url) for p in paragraphs],
        tracking_url=ctx.tracking_url,
        postal_address=shop.postal_address,
        support=support_links(shop),
        text=text,
        why=why,
        recommendations=ctx.recommendations,
        recommendations_why=_recommendations_why(ctx, locale),
    )
    return str(_INLINER.inline(html))


def text_footer(shop: ShopProfile, locale: Locale) -> str:
    """The plain-text part's footer: what the HTML footer says, one line each."""
    text = CATALOGUES[locale].email
    lines = ["--", shop.display_name]
    lines += [shop.postal_address] if shop.postal_address else []
    support = [label for _, label in support_links(shop)]
    lines += [f"{text['email.support']} {', '.join(support)}"] if support else []
    lines.append(text["email.why"].format(shop_name=shop.display_name))
    return "\n".join(lines)


def _recommendations_why(ctx: MessageContext, locale: Locale) -> str:
    text = CATALOGUES[locale].email
    if not ctx.shop_name:
        return ""
    return text["email.recommendations_why"].format(shop_name=ctx.shop_name)


def recommendations_text(ctx: MessageContext, locale: Locale) -> str:
    """The plain-text part's recommendations block: a heading, one product a line (its price
    when given, then its link), and why the customer gets it."""
    text = CATALOGUES[locale].email
    lines = [text["email.recommendations"]]
    for item in ctx.recommendations:
        price = f" ({item.price})" if item.price else ""
        lines.append(f"- {item.title}{price}: {item.url}")
    why = _recommendations_why(ctx, locale)
    return "\n".join([*lines, why] if why else lines)
