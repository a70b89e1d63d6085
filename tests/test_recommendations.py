"""Product recommendations in the rendered email, without I/O: a block in the HTML part (escaped,
each product linked) and in the text part, in the recipient's language; never in an SMS, never
when the context carries none; and only the dispatch and thank-you requests carry them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from messages.render import render
from models.kinds import RECOMMENDING_KINDS
from models.notification import Channel, MessageContext, NotificationKind
from models.policy import NotificationPolicy, ThankYou
from models.recommendations import Recommendation
from models.shop import ShopProfile
from models.state import ShipmentState
from models.status import ShipmentStatus
from testing.factories import T0, event, shipment
from workflows.reactions import on_carrier_event, on_start, on_timer
from workflows.schedule import timers

K = NotificationKind
HOSTILE = Recommendation(
    title='<img src=x onerror=alert(1)> "Tent"', url="https://shop.example/t?a=1&b=2", price="€9"
)
SHOP = ShopProfile(display_name="Acme Outdoor")


def context(*items: Recommendation) -> MessageContext:
    return MessageContext(
        recipient_name="Sam",
        order_id="ORD-1",
        carrier="acme",
        tracking_number="AC1",
        shop_name="Acme Outdoor",
        recommendations=list(items),
    )


def test_only_the_dispatch_and_thank_you_recommend() -> None:
    assert {K.SHIPPED, K.THANK_YOU} == RECOMMENDING_KINDS


def test_the_html_block_escapes_the_shops_text_and_links_each_product() -> None:
    html = render(K.SHIPPED, Channel.EMAIL, "en", context(HOSTILE), SHOP).html
    assert html is not None
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="https://shop.example/t?a=1&amp;b=2"' in html
    assert "You might also like" in html


@pytest.mark.parametrize(
    ("locale", "heading"),
    [
        ("en", "You might also like"),
        ("ru", "Вам может понравиться"),
        ("pl", "Może Ci się spodobać"),
    ],
)
def test_the_text_part_lists_the_products_in_the_recipients_language(
    locale: str, heading: str
) -> None:
    body = render(K.THANK_YOU, Channel.EMAIL, locale, context(HOSTILE), SHOP).body
    assert heading in body
    assert f'- <img src=x onerror=alert(1)> "Tent" (€9): {HOSTILE.url}' in body


def test_no_block_without_recommendations_or_in_an_sms() -> None:
    plain = render(K.SHIPPED, Channel.EMAIL, "en", context(), SHOP)
    assert "You might also like" not in plain.body and "recommendations" not in str(plain.html)
    sms = render(K.SHIPPED, Channel.SMS, "en", context(HOSTILE), SHOP)
    assert HOSTILE.url not in sms.body


def test_more_than_three_products_are_refused() -> None:
    item = {"title": "Tent", "url": "https://shop.example/t"}
    with pytest.raises(ValidationError, match="recommendations"):
        shipment(recommendations=[item] * 4)


def test_the_dispatch_and_thank_you_emails_carry_the_shipments_products_no_other_message() -> None:
    policy = NotificationPolicy(quiet_hours=None, thank_you=ThankYou(enabled=True))
    start = shipment(recommendations=[HOSTILE], policy=policy)
    state = ShipmentState(shipment=start, status_since=T0)
    shipped = [r for c in on_start(state, T0).changes for r in c.requests]
    out = on_carrier_event(state, event(ShipmentStatus.DELIVERED, 60), T0 + timedelta(hours=1))
    delivered = [r for c in out.changes for r in c.requests]
    [timer] = [t for t in timers(state) if t.kind is K.THANK_YOU]
    thanks = [r for c in on_timer(state, timer, timer.due_at).changes for r in c.requests]

    carrying = {
        (r.kind, r.channel) for r in shipped + delivered + thanks if r.context.recommendations
    }
    assert carrying == {(K.SHIPPED, Channel.EMAIL), (K.THANK_YOU, Channel.EMAIL)}
