"""Consent and opt-out at the sender, on SQLite and PostgreSQL, through the Twilio SDK against the
local Twilio server: Twilio's 21610 records the number's opt-out for that shop, later SMS to it
never reach Twilio, START lifts it, other shops are not affected, and marketing needs consent."""

from __future__ import annotations

import uuid

import pytest

from activities.sending import Sender
from infra.links import recipient_hash
from ledger.claims import Ledger
from ledger.views import NotificationView
from messages.replies import opt_keyword
from models.consent import (
    OptOutSource,
    categories_stopped,
    falls_back,
    needs_consent,
    opt_out_source,
)
from models.kinds import Category
from models.notification import (
    Channel,
    DeliveryReport,
    MessageContext,
    NotificationKind,
    NotificationRequest,
    NotificationStatus,
    idempotency_key,
)
from models.shipment import shop_of_ref
from testing.factories import T0, shipment
from testing.sendgrid_server import FakeSendGrid
from testing.twilio_server import FakeTwilio
from tests.db_fixtures import unique

EMAIL = "sam@example.com"


@pytest.fixture
def phone() -> str:
    """A number of this test's own: the PostgreSQL ledger is shared by the session."""
    return f"+4477009{uuid.uuid4().int % 100_000:05d}"


def recorded(ledger: Ledger, shop_id: str) -> str:
    start = shipment(shop_id=shop_id, shipment_id=unique("s"))
    ledger.record_shipment(start.workflow_id, start)
    return start.workflow_id


def request(
    ref: str,
    to: str,
    *,
    kind: NotificationKind = NotificationKind.OUT_FOR_DELIVERY,
    channel: Channel = Channel.SMS,
    consent: bool = False,
) -> NotificationRequest:
    return NotificationRequest(
        key=idempotency_key(ref, kind, 1, channel),
        shipment_ref=ref,
        kind=kind,
        occurrence=1,
        channel=channel,
        to=to,
        locale="en",
        context=MessageContext(
            recipient_name="Sam", order_id="ORD-1", carrier="acme", tracking_number="AC1"
        ),
        trigger="e1",
        marketing_consent=consent,
    )


def to_number(fake: FakeTwilio, number: str) -> int:
    return sum(r.to == number for r in fake.requests)


def test_twilio_21610_opts_the_number_out_at_that_shop_only(
    sender: Sender, ledger: Ledger, fake_twilio: FakeTwilio, phone: str, recipient_secret: bytes
) -> None:
    shop_1, shop_2 = unique("shop"), unique("shop")
    fake_twilio.reject_recipient(phone, code=21610)

    refused = sender.send(request(recorded(ledger, shop_1), phone), token="a")

    assert refused.status is NotificationStatus.OPTED_OUT and refused.permanent
    assert phone not in (refused.error or "")
    row = ledger.notification(refused.key)
    assert row is not None and row.status is NotificationStatus.OPTED_OUT
    hashed = recipient_hash(recipient_secret, phone)
    for category in Category:
        found = ledger.opt_out(shop_1, Channel.SMS, hashed, category.value)
        assert found is not None and found.source == OptOutSource.TWILIO_21610
    assert to_number(fake_twilio, phone) == 1

    later = sender.send(request(recorded(ledger, shop_1), phone), token="b")
    assert later.status is NotificationStatus.OPTED_OUT
    assert to_number(fake_twilio, phone) == 1  # never reached Twilio

    fake_twilio.accept_recipient(phone)
    elsewhere = sender.send(request(recorded(ledger, shop_2), phone), token="c")
    assert elsewhere.status is NotificationStatus.SENT
    assert ledger.opt_out(shop_2, Channel.SMS, hashed, Category.TRANSACTIONAL.value) is None


def test_the_last_sms_to_a_number_is_found_among_some_shops_or_besides_others(
    sender: Sender, ledger: Ledger, phone: str, recipient_secret: bytes
) -> None:
    """The ledger's half of routing a STOP (`api.sms_routing`): the last SMS to the number from
    the shops it may be meant for."""
    first, second, third = unique("shop"), unique("shop"), unique("shop")
    for token, shop_id in enumerate((first, second, third)):
        sender.send(request(recorded(ledger, shop_id), phone), token=str(token))
    hashed = recipient_hash(recipient_secret, phone)

    def shop_of(found: NotificationView | None) -> str | None:
        return shop_of_ref(found.shipment_ref) if found is not None else None

    assert shop_of(ledger.last_sms_to(hashed)) == third
    assert shop_of(ledger.last_sms_to(hashed, among={first, second})) == second
    assert shop_of(ledger.last_sms_to(hashed, besides={third})) == second
    assert shop_of(ledger.last_sms_to(hashed, among={first}, besides={first})) is None


def test_start_lifts_the_opt_out(
    sender: Sender, ledger: Ledger, fake_twilio: FakeTwilio, phone: str, recipient_secret: bytes
) -> None:
    shop = unique("shop")
    hashed = recipient_hash(recipient_secret, phone)
    categories = categories_stopped(OptOutSource.SMS_KEYWORD, Category.TRANSACTIONAL)
    assert ledger.record_opt_out(shop, Channel.SMS, hashed, categories, "sms_keyword") == 2
    assert ledger.record_opt_out(shop, Channel.SMS, hashed, categories, "sms_keyword") == 0
    assert sender.send(request(recorded(ledger, shop), phone), token="a").status is (
        NotificationStatus.OPTED_OUT
    )

    assert ledger.remove_opt_outs(shop, Channel.SMS, hashed) == 2

    assert sender.send(request(recorded(ledger, shop), phone), token="b").status is (
        NotificationStatus.SENT
    )
    assert to_number(fake_twilio, phone) == 1


def test_a_marketing_unsubscribe_leaves_the_parcels_news(
    sender: Sender, ledger: Ledger, fake_sendgrid: FakeSendGrid, recipient_secret: bytes
) -> None:
    shop = unique("shop")
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    hashed = recipient_hash(recipient_secret, email)
    stopped = categories_stopped(OptOutSource.UNSUBSCRIBE_LINK, Category.MARKETING)
    ledger.record_opt_out(shop, Channel.EMAIL, hashed, stopped, "unsubscribe_link")

    thanks = request(
        recorded(ledger, shop), email, kind=NotificationKind.THANK_YOU, channel=Channel.EMAIL
    )
    news = request(
        recorded(ledger, shop), email, kind=NotificationKind.SHIPPED, channel=Channel.EMAIL
    )

    assert sender.send(thanks.model_copy(update={"marketing_consent": True}), token="a").status is (
        NotificationStatus.OPTED_OUT
    )
    assert sender.send(news, token="b").status is NotificationStatus.SENT
    assert len(fake_sendgrid.sent) == 1


def test_marketing_goes_only_with_consent(
    sender: Sender, ledger: Ledger, fake_twilio: FakeTwilio, phone: str
) -> None:
    shop = unique("shop")
    kind = NotificationKind.THANK_YOU
    without = sender.send(request(recorded(ledger, shop), phone, kind=kind), token="a")
    with_consent = sender.send(
        request(recorded(ledger, shop), phone, kind=kind, consent=True), token="b"
    )

    assert without.status is NotificationStatus.OPTED_OUT
    assert "consent" in (without.error or "")
    assert with_consent.status is NotificationStatus.SENT
    assert to_number(fake_twilio, phone) == 1


# The pure decisions


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("STOP", "stop"),
        (" stop. ", "stop"),
        ("StopAll", "stop"),
        ("unsubscribe", "stop"),
        ("QUIT", "stop"),
        ("Стоп", "stop"),
        ("отписаться", "stop"),
        ("Wypisz", "stop"),
        ("dezabonare", "stop"),
        ("START", "start"),
        ("unstop", "start"),
        ("HELP", "help"),
        ("stop by at 5", None),
        ("2", None),
        ("no", None),
    ],
)
def test_opt_out_keywords_count_only_as_the_whole_reply(text: str, keyword: str | None) -> None:
    assert opt_keyword(text) == keyword


def test_what_each_opt_out_stops() -> None:
    everything = frozenset(Category)
    assert categories_stopped(OptOutSource.SMS_KEYWORD, Category.MARKETING) == everything
    assert categories_stopped(OptOutSource.SENDGRID_BOUNCE, Category.MARKETING) == everything
    assert categories_stopped(OptOutSource.SENDGRID_SPAMREPORT, Category.MARKETING) == {
        Category.MARKETING
    }
    assert categories_stopped(OptOutSource.SENDGRID_UNSUBSCRIBE, Category.TRANSACTIONAL) == {
        Category.TRANSACTIONAL
    }
    assert needs_consent(Category.MARKETING, False)
    assert not needs_consent(Category.MARKETING, True)
    assert not needs_consent(Category.TRANSACTIONAL, False)


def test_parcel_news_falls_back_after_an_opt_out_and_marketing_never_does() -> None:
    opted = NotificationStatus.OPTED_OUT
    assert falls_back(NotificationKind.OUT_FOR_DELIVERY, opted, True)
    assert not falls_back(NotificationKind.THANK_YOU, opted, True)
    assert falls_back(NotificationKind.DELIVERED, NotificationStatus.FAILED, True)
    assert not falls_back(NotificationKind.DELIVERED, NotificationStatus.FAILED, False)
    assert not falls_back(NotificationKind.DELIVERED, NotificationStatus.SENT, True)


@pytest.mark.parametrize(
    ("provider", "event", "code", "permanent", "source"),
    [
        ("twilio", "failed", "21610", True, OptOutSource.TWILIO_21610),
        ("twilio", "failed", "21211", True, None),
        ("sendgrid", "unsubscribe", None, True, OptOutSource.SENDGRID_UNSUBSCRIBE),
        ("sendgrid", "spamreport", None, True, OptOutSource.SENDGRID_SPAMREPORT),
        ("sendgrid", "bounce", None, True, OptOutSource.SENDGRID_BOUNCE),
        ("sendgrid", "bounce", None, False, None),
        ("sendgrid", "delivered", None, False, None),
    ],
)
def test_which_provider_reports_are_opt_outs(
    provider: str, event: str, code: str | None, permanent: bool, source: OptOutSource | None
) -> None:
    report = DeliveryReport(
        provider=provider,
        event=event,
        event_id="e1",
        error_code=code,
        permanent=permanent,
        occurred_at=T0,
    )
    assert opt_out_source(report) == source
