"""A shop's product recommendations, through the shop API to the emails at the SendGrid fake
(real Temporal, the real worker and PostgreSQL ledger): refused with a 422 naming the field when
out of bounds; shown as a block in the dispatch and thank-you emails (HTML parsed, text part)
only to a recipient who consented to that shop's marketing and has not unsubscribed from it,
and then with RFC 8058's one-click unsubscribe headers; each shop's links in its own emails."""

from __future__ import annotations

import uuid
from datetime import timedelta
from functools import partial
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from infra.links import load_secret, recipient_hash
from infra.settings import Settings
from ledger.claims import LedgerWriter
from ledger.engine import make_engine
from ledger.views import LedgerReader
from models.consent import OptOutSource
from models.kinds import Category
from models.notification import Channel, NotificationKind, NotificationStatus
from models.policy import NotificationPolicy, ThankYou
from models.recommendations import Recommendation
from models.shipment import Recipient, ShipmentStart
from models.status import ShipmentStatus
from testing.factories import event, shipment
from testing.sendgrid_server import FakeSendGrid, SendGridRequest
from tests.api.conftest import shop_auth
from tests.api.test_tracking_page import Node, parse
from tests.polling import all_settled, eventually
from workflows.client import report_event

TENT = Recommendation(
    title="Trail tent <2 person>",
    url="https://shop-1.example/tent?ref=wp&x=1",
    image_url="https://cdn.shop-1.example/tent.jpg",
    price="€149.00",
)
STOVE = Recommendation(title="Camp stove", url="https://shop-1.example/stove")
BREAD = Recommendation(title="Sourdough loaf", url="https://shop-2.example/loaf", price="12 zł")
THANKS = NotificationPolicy(
    quiet_hours=None, thank_you=ThankYou(enabled=True, delay=timedelta(seconds=1))
)


def mailbox() -> str:
    return f"{uuid.uuid4().hex[:12]}@example.com"


def order(
    email: str, recommendations: list[Recommendation], *, consent: bool, shop_id: str = "shop-1"
) -> ShipmentStart:
    return shipment(
        shop_id=shop_id,
        recipient=Recipient(name="Sam", email=email, marketing_consent=consent),
        policy=THANKS,
        recommendations=recommendations,
    )


def body(start: ShipmentStart) -> dict[str, Any]:
    return start.model_dump(mode="json", exclude={"shop_id", "tracker"})


async def create(http: httpx.AsyncClient, start: ShipmentStart) -> None:
    created = await http.post("/v1/shipments", json=body(start), headers=shop_auth(start.shop_id))
    assert created.status_code == 201, created.text


def mail_of(fake: FakeSendGrid, start: ShipmentStart, kind: NotificationKind) -> SendGridRequest:
    [mail] = [
        m
        for m in fake.sent
        if m.custom_args["shipment_ref"] == start.workflow_id
        and f":{kind.value}:" in m.custom_args["waypost_key"]
    ]
    return mail


def block(mail: SendGridRequest) -> Node | None:
    assert mail.html is not None
    found = [
        node
        for node in parse(mail.html).walk()
        if node.attrs.get("data-block") == "recommendations"
    ]
    return found[0] if found else None


def links(node: Node) -> list[str]:
    return [str(a.attrs["href"]) for a in node.find_all("a")]


async def shipped_mail(
    http: httpx.AsyncClient, client: Client, fake: FakeSendGrid, start: ShipmentStart
) -> SendGridRequest:
    await create(http, start)
    await eventually(client, start.workflow_id, lambda s: bool(s.notifications) and all_settled(s))
    return mail_of(fake, start, NotificationKind.SHIPPED)


# --- Bounds: a 422 naming the field ------------------------------------------------------------


OK = {"title": "Tent", "url": "https://a.example"}
AT = ["body", "recommendations", 0]


@pytest.mark.parametrize(
    ("recommendations", "field"),
    [
        ([OK] * 4, ["body", "recommendations"]),
        ([OK | {"url": "http://shop-1.example/tent"}], [*AT, "url"]),
        ([OK | {"image_url": "ftp://cdn.example/x.png"}], [*AT, "image_url"]),
        ([OK | {"title": "x" * 201}], [*AT, "title"]),
        ([OK | {"price": "1\n2"}], [*AT, "price"]),
        ([{"title": "Tent"}], [*AT, "url"]),
        ([OK | {"colour": "red"}], [*AT, "colour"]),
    ],
)
async def test_recommendations_out_of_bounds_are_refused_naming_the_field(
    http: httpx.AsyncClient, recommendations: list[Any], field: list[Any]
) -> None:
    payload = body(order(mailbox(), [], consent=True)) | {"recommendations": recommendations}

    refused = await http.post("/v1/shipments", json=payload, headers=shop_auth())

    assert refused.status_code == 422
    assert field in [problem["loc"] for problem in refused.json()["detail"]]


# --- The block, only under the marketing rules ---------------------------------------------------


async def test_with_consent_the_dispatch_email_shows_the_block_and_can_be_unsubscribed(
    http: httpx.AsyncClient, client: Client, fake_sendgrid: FakeSendGrid
) -> None:
    email = mailbox()

    mail = await shipped_mail(
        http, client, fake_sendgrid, order(email, [TENT, STOVE], consent=True)
    )

    shown = block(mail)
    assert shown is not None
    assert links(shown) == [TENT.url, TENT.url, STOVE.url]
    assert "Trail tent <2 person>" in shown.text() and "€149.00" in shown.text()
    assert [img.attrs["src"] for img in shown.find_all("img")] == [TENT.image_url]
    assert mail.text is not None
    assert f"- Trail tent <2 person> (€149.00): {TENT.url}" in mail.text
    assert f"- Camp stove: {STOVE.url}" in mail.text
    headers = mail.payload["headers"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<https://waypost.test/u/")


async def test_without_consent_no_block_and_no_unsubscribe_headers(
    http: httpx.AsyncClient, client: Client, fake_sendgrid: FakeSendGrid
) -> None:
    mail = await shipped_mail(http, client, fake_sendgrid, order(mailbox(), [TENT], consent=False))

    assert block(mail) is None
    assert (
        mail.text is not None
        and TENT.url not in mail.text
        and "You might also like" not in mail.text
    )
    assert "headers" not in mail.payload or "List-Unsubscribe" not in mail.payload["headers"]


async def test_after_unsubscribing_from_the_shops_marketing_no_block_for_that_shop_only(
    http: httpx.AsyncClient,
    client: Client,
    fake_sendgrid: FakeSendGrid,
    api_settings: Settings,
) -> None:
    email = mailbox()
    hashed = partial(recipient_hash, load_secret(api_settings))(email)
    engine = make_engine(api_settings.ledger_url)
    try:
        LedgerWriter(engine).record_opt_out(
            "shop-1",
            Channel.EMAIL,
            hashed,
            [Category.MARKETING.value],
            OptOutSource.UNSUBSCRIBE_LINK.value,
        )
        assert (
            LedgerReader(engine).opt_out("shop-2", Channel.EMAIL, hashed, Category.MARKETING.value)
            is None
        )
    finally:
        engine.dispose()

    unsubscribed = await shipped_mail(
        http, client, fake_sendgrid, order(email, [TENT], consent=True)
    )
    other_shop = await shipped_mail(
        http, client, fake_sendgrid, order(email, [BREAD], consent=True, shop_id="shop-2")
    )

    assert block(unsubscribed) is None
    assert unsubscribed.text is not None and TENT.url not in unsubscribed.text
    assert "List-Unsubscribe" not in unsubscribed.payload.get("headers", {})
    shown = block(other_shop)
    assert shown is not None and links(shown) == [BREAD.url]
    assert "shop-1.example" not in str(other_shop.html) + str(other_shop.text)


async def test_the_thank_you_carries_the_block_with_consent(
    http: httpx.AsyncClient, client: Client, fake_sendgrid: FakeSendGrid
) -> None:
    email = mailbox()
    start = order(email, [STOVE], consent=True)
    await shipped_mail(http, client, fake_sendgrid, start)

    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERED, 60))
    state = await eventually(
        client,
        start.workflow_id,
        lambda s: (
            any(n.kind is NotificationKind.THANK_YOU for n in s.notifications) and all_settled(s)
        ),
    )

    [thanks] = [n for n in state.notifications if n.kind is NotificationKind.THANK_YOU]
    assert thanks.status is NotificationStatus.SENT
    mail = mail_of(fake_sendgrid, start, NotificationKind.THANK_YOU)
    shown = block(mail)
    assert shown is not None and links(shown) == [STOVE.url]
    assert mail.text is not None and f"- Camp stove: {STOVE.url}" in mail.text
    assert mail.payload["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
