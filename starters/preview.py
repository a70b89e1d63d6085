"""`waypost messages preview`: every kind's email in every language, as the customer gets it.

A sample shipment and shop (`SAMPLE_SHOP`, `sample_context`) rendered with the real templates,
written as `<kind>.<locale>.html` (the branded part) and `<kind>.<locale>.txt` (the subject and
the plain-text part, then the SMS): to look at in a browser, or to diff after a change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Final

import typer

from messages.render import render
from models.kinds import RECOMMENDING_KINDS
from models.locale import LOCALES
from models.notification import Channel, MessageContext, NotificationKind
from models.recommendations import Recommendation
from models.shop import Brand, ShopProfile, SupportContact

messages_app = typer.Typer(help="Waypost's messages.", no_args_is_help=True)

SAMPLE_SHOP: Final = ShopProfile(
    display_name="Acme Outdoor",
    brand=Brand(logo_url="https://acme-outdoor.example/logo.png", accent_colour="#c2410c"),
    support=SupportContact(
        url="https://acme-outdoor.example/help", email="help@acme-outdoor.example"
    ),
    postal_address="Acme Outdoor Ltd, 12 Trail Road, Springfield 04101",
)
"""A shop with every part of its profile filled, so the previews show each."""

_NOON: Final = datetime(2026, 11, 24, 12, tzinfo=UTC)


def sample_context() -> MessageContext:
    """A shipment whose every field is known, so every clause of every message is shown."""
    return MessageContext(
        recipient_name="Sam Taylor",
        order_id="AC-10234",
        carrier="DPD",
        tracking_number="15501234567890",
        tracking_url="https://track.example.com/t/sample-token",
        time_zone="Europe/Warsaw",
        courier_name="Piotr",
        courier_phone="+48600100200",
        window_start=_NOON,
        window_end=_NOON + timedelta(hours=2),
        estimated_delivery=_NOON,
        location="Warsaw sorting centre",
        pickup_name="InPost Locker WAW12A",
        pickup_address="ul. Marszałkowska 10, Warsaw",
        pickup_code="482913",
        pickup_deadline=_NOON + timedelta(days=3),
        lead_minutes=60,
        new_estimate=_NOON + timedelta(days=2),
        coupon_code="THANKS-10",
        review_url="https://acme-outdoor.example/review/AC-10234",
        slots=[
            (_NOON + timedelta(days=1), _NOON + timedelta(days=1, hours=2)),
            (_NOON + timedelta(days=2, hours=2), _NOON + timedelta(days=2, hours=4)),
        ],
        choose_by=_NOON + timedelta(hours=8),
        shop_name=SAMPLE_SHOP.display_name,
    )


SAMPLE_RECOMMENDATIONS: Final = [
    Recommendation(
        title="Trail tent, 2 person",
        url="https://acme-outdoor.example/p/trail-tent",
        image_url="https://acme-outdoor.example/img/trail-tent.png",
        price="€149.00",
    ),
    Recommendation(title="Camp stove", url="https://acme-outdoor.example/p/camp-stove"),
]
"""What a shop may pass with a shipment; the dispatch and thank-you previews show them, as a
recipient who agreed to the shop's offers gets them."""


def write_previews(out: Path, shop: ShopProfile = SAMPLE_SHOP) -> list[Path]:
    """Write every kind in every language as .html and .txt into `out`; the files written."""
    out.mkdir(parents=True, exist_ok=True)
    ctx, written = sample_context(), []
    for kind in NotificationKind:
        for locale in LOCALES:
            offers = {"recommendations": SAMPLE_RECOMMENDATIONS}
            mail_ctx = ctx.model_copy(update=offers) if kind in RECOMMENDING_KINDS else ctx
            mail = render(kind, Channel.EMAIL, locale, mail_ctx, shop)
            sms = render(kind, Channel.SMS, locale, ctx, shop)
            assert mail.html is not None, "an email rendered with its shop has an HTML part"
            html, text = out / f"{kind.value}.{locale}.html", out / f"{kind.value}.{locale}.txt"
            html.write_text(mail.html, encoding="utf-8")
            text.write_text(
                f"Subject: {mail.subject}\n\n{mail.body}\n\n"
                f"--- SMS ({sms.encoding}, {sms.segments} segments) ---\n{sms.body}\n",
                encoding="utf-8",
            )
            written += [html, text]
    return written


@messages_app.command("preview")
def preview(
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the files (created if missing).")
    ] = Path("message-previews"),
) -> None:
    """Write every kind's email (HTML and text) and SMS in every language, for a sample shop."""
    written = write_previews(out)
    typer.echo(f"wrote {len(written)} files to {out}")
