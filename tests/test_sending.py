"""Exactly-once sending on SQLite and PostgreSQL, through the official SDKs against local
Twilio and SendGrid servers: races, retries and classified provider errors."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from activities.providers.base import OutgoingMessage, RetryableProviderError
from activities.sending import Sender, SendInProgress
from activities.shops import SettingsShops
from ledger.claims import Ledger
from messages.render import render
from models.notification import (
    Channel,
    MessageContext,
    NotificationKind,
    NotificationRequest,
    NotificationStatus,
    SendResult,
    idempotency_key,
)
from models.shipment import shop_of_ref
from models.shop import Brand, EmailSender, ShopProfile, SmsSender, SupportContact
from testing.factories import shipment
from testing.sendgrid_server import FakeSendGrid
from testing.twilio_server import FakeTwilio
from tests.db_fixtures import unique
from tests.fakes.fixtures import DEPLOYMENT_EMAIL, DEPLOYMENT_NUMBER, fake_providers

PHONE = "+447700900123"
EMAIL = "sam@example.com"


def request(ref: str, channel: Channel = Channel.SMS) -> NotificationRequest:
    kind = NotificationKind.OUT_FOR_DELIVERY
    return NotificationRequest(
        key=idempotency_key(ref, kind, 1, channel),
        shipment_ref=ref,
        kind=kind,
        occurrence=1,
        channel=channel,
        to=PHONE if channel is Channel.SMS else EMAIL,
        locale="en",
        context=MessageContext(
            recipient_name="Sam",
            order_id="ORD-1",
            carrier="acme",
            tracking_number="AC1",
            courier_name="Piotr",
        ),
        trigger="e1",
    )


def test_concurrent_sends_of_one_key_reach_the_provider_once(
    sender: Sender, shipment_ref: str, fake_twilio: FakeTwilio
) -> None:
    message, start = request(shipment_ref), threading.Barrier(12)

    def attempt(n: int) -> SendResult | str:
        start.wait()
        try:
            return sender.send(message, token=f"t{n}")
        except SendInProgress:
            return "in progress"

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(attempt, range(12)))

    assert len(fake_twilio.sent) == 1
    sent = [o for o in outcomes if isinstance(o, SendResult) and o.provider == "twilio"]
    assert len(sent) == 1 and sent[0].status is NotificationStatus.SENT


def test_a_second_send_after_success_does_not_call_the_provider(
    sender: Sender, shipment_ref: str, fake_twilio: FakeTwilio, ledger: Ledger
) -> None:
    first = sender.send(request(shipment_ref), token="a")
    again = sender.send(request(shipment_ref), token="b")

    assert len(fake_twilio.sent) == 1
    assert again.status is NotificationStatus.SENT
    assert again.provider_message_id == first.provider_message_id
    row = ledger.notification(first.key)
    assert row is not None and row.provider_message_id == fake_twilio.sent[0].sid


def test_a_retry_after_a_provider_outage_sends_once_and_records_both_attempts(
    sender: Sender, shipment_ref: str, fake_twilio: FakeTwilio, ledger: Ledger
) -> None:
    fake_twilio.fail_next(503)

    with pytest.raises(RetryableProviderError):
        sender.send(request(shipment_ref), token="a", attempt=1)
    result = sender.send(request(shipment_ref), token="b", attempt=2)

    assert result.status is NotificationStatus.SENT
    assert len(fake_twilio.sent) == 1
    attempts = ledger.attempts(result.key)
    assert [a.outcome for a in attempts] == ["retryable_error", "sent"]


def test_rate_limit_is_retryable_and_carries_retry_after(
    sender: Sender, shipment_ref: str, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.fail_next(429, retry_after=7)

    with pytest.raises(RetryableProviderError) as err:
        sender.send(request(shipment_ref), token="a")

    assert err.value.retry_after == 7


def test_an_invalid_number_fails_permanently_and_is_never_retried(
    sender: Sender, shipment_ref: str, fake_twilio: FakeTwilio, ledger: Ledger
) -> None:
    fake_twilio.reject_recipient(PHONE, code=21211)

    first = sender.send(request(shipment_ref), token="a")
    again = sender.send(request(shipment_ref), token="b")

    assert first.status is again.status is NotificationStatus.FAILED
    assert first.error is not None and PHONE not in first.error
    assert len(fake_twilio.requests) == 1
    row = ledger.notification(first.key)
    assert row is not None and row.status is NotificationStatus.FAILED


def test_an_unsubscribed_number_is_refused_for_good(
    sender: Sender, shipment_ref: str, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.reject_recipient(PHONE, code=21610)

    result = sender.send(request(shipment_ref), token="a")

    assert result.status is NotificationStatus.OPTED_OUT and result.permanent


def test_giving_up_on_a_provider_that_keeps_failing_records_a_failure(
    sender: Sender, shipment_ref: str, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.fail_next(500)

    result = sender.send(request(shipment_ref), token="a", give_up=True)

    assert result.status is NotificationStatus.FAILED
    assert (result.error or "").startswith("gave up")


def test_email_goes_through_sendgrid_with_the_key_as_custom_argument(
    sender: Sender, shipment_ref: str, fake_sendgrid: FakeSendGrid, ledger: Ledger
) -> None:
    result = sender.send(request(shipment_ref, Channel.EMAIL), token="a")

    [mail] = fake_sendgrid.sent
    assert mail.custom_args["waypost_key"] == result.key
    assert mail.subject
    row = ledger.notification(result.key)
    assert row is not None and row.provider_message_id == mail.message_id


def test_a_bad_sendgrid_request_fails_permanently(
    sender: Sender, shipment_ref: str, fake_sendgrid: FakeSendGrid
) -> None:
    fake_sendgrid.fail_next(400)

    result = sender.send(request(shipment_ref, Channel.EMAIL), token="a")

    assert result.status is NotificationStatus.FAILED


def test_sms_records_its_segments_and_cost(
    sender: Sender, shipment_ref: str, ledger: Ledger
) -> None:
    result = sender.send(request(shipment_ref), token="a")

    row = ledger.notification(result.key)
    assert row is not None and row.segments == 1 and row.cost is not None and row.cost > 0


# An attempt that died mid-send: reconcile with the provider, never guess


def died_while_sending(ledger: Ledger, message: NotificationRequest) -> None:
    """What a worker killed after claiming leaves behind: a `sending` claim whose lease ran out."""
    ledger.claim(
        message.key,
        shipment_ref=message.shipment_ref,
        kind=message.kind,
        occurrence=message.occurrence,
        channel=message.channel,
        recipient_masked="masked",
        token="dead",
        lease=timedelta(seconds=60),
        now=datetime.now(UTC) - timedelta(minutes=5),
    )


def reached_the_provider(sender: Sender, message: NotificationRequest) -> str:
    """The dead attempt's request, which the provider accepted before the process died."""
    rendered = render(message.kind, message.channel, message.locale, message.context)
    receipt = sender.providers[message.channel].send(
        OutgoingMessage(
            key=message.key,
            channel=message.channel,
            to=message.to,
            subject=rendered.subject,
            body=rendered.body,
        )
    )
    return receipt.message_id


def test_an_sms_a_dead_attempt_got_to_twilio_is_found_and_not_sent_again(
    sender: Sender, ledger: Ledger, shipment_ref: str, fake_twilio: FakeTwilio
) -> None:
    message = request(shipment_ref)
    died_while_sending(ledger, message)
    sid = reached_the_provider(sender, message)

    result = sender.send(message, token="next", attempt=2)

    assert (result.status, result.provider_message_id) == (NotificationStatus.SENT, sid)
    assert len(fake_twilio.sent) == 1
    [reconciled] = [a for a in ledger.attempts(message.key) if a.outcome == "reconciled"]
    assert reconciled.error_message is not None and "not sent again" in reconciled.error_message


def test_an_sms_a_dead_attempt_never_sent_is_sent_once_after_asking_twilio(
    sender: Sender, ledger: Ledger, shipment_ref: str, fake_twilio: FakeTwilio
) -> None:
    message = request(shipment_ref)
    died_while_sending(ledger, message)

    result = sender.send(message, token="next", attempt=2)

    assert result.status is NotificationStatus.SENT and len(fake_twilio.sent) == 1
    outcomes = [(a.outcome, a.error_message or "") for a in ledger.attempts(message.key)]
    assert outcomes[0][0] == "reconciled" and "no message at the provider" in outcomes[0][1]
    assert outcomes[1][0] == "sent"


def test_an_email_whose_fate_is_unknown_is_sent_again_and_the_decision_recorded(
    sender: Sender, ledger: Ledger, shipment_ref: str, fake_sendgrid: FakeSendGrid
) -> None:
    message = request(shipment_ref, Channel.EMAIL)
    died_while_sending(ledger, message)

    sender.send(message, token="next", attempt=2)

    [reconciled] = [a for a in ledger.attempts(message.key) if a.outcome == "reconciled"]
    assert reconciled.error_message is not None and "sending again" in reconciled.error_message
    assert len(fake_sendgrid.sent) == 1


def test_an_sms_that_timed_out_but_reached_twilio_is_not_sent_again(
    sender: Sender, shipment_ref: str, fake_twilio: FakeTwilio
) -> None:
    message = request(shipment_ref)
    fake_twilio.hang_next(3)  # past the client's 2 s timeout; Twilio still takes it
    with pytest.raises(RetryableProviderError) as timed_out:
        sender.send(message, token="first")
    assert timed_out.value.outcome_unknown
    deadline = time.monotonic() + 5
    while not fake_twilio.sent and time.monotonic() < deadline:
        time.sleep(0.05)

    result = sender.send(message, token="second", attempt=2)

    assert result.status is NotificationStatus.SENT
    assert len(fake_twilio.sent) == 1


def test_a_message_whose_claim_cannot_be_recorded_is_not_sent_and_fails_with_the_reason(
    sender: Sender, shipment_ref: str, fake_twilio: FakeTwilio
) -> None:
    message = request(shipment_ref).model_copy(update={"key": f"{shipment_ref}:{'x' * 500}"})

    result = sender.send(message, token="t")

    assert fake_twilio.sent == []
    assert result.status is NotificationStatus.FAILED and not result.permanent
    assert result.error is not None and "cannot record its claim" in result.error


def test_every_message_names_its_shop_and_an_email_carries_the_branded_html(
    ledger: Ledger, shipment_ref: str, fake_twilio: FakeTwilio, fake_sendgrid: FakeSendGrid
) -> None:
    shop_id = shop_of_ref(shipment_ref)
    assert shop_id is not None
    profile = ShopProfile(
        display_name="Acme Outdoor",
        brand=Brand(logo_url="https://acme.example/logo.png", accent_colour="#cc5500"),
        postal_address="1 Trail Road, Springfield",
        support=SupportContact(email="help@acme.example"),
    )
    named = Sender(
        ledger, fake_providers(fake_twilio, fake_sendgrid), shops=SettingsShops({shop_id: profile})
    )
    named.send(request(shipment_ref), token="a")
    named.send(request(shipment_ref, Channel.EMAIL), token="b")

    [sms] = fake_twilio.sent
    assert (sms.body or "").startswith("Acme Outdoor: Order ORD-1 is out for delivery.")
    [mail] = fake_sendgrid.sent
    assert mail.text is not None and mail.html is not None
    assert "1 Trail Road, Springfield" in mail.text and "help@acme.example" in mail.text
    assert 'src="https://acme.example/logo.png"' in mail.html and "Acme Outdoor" in mail.html


def test_a_shop_without_a_profile_is_named_by_its_id() -> None:
    assert SettingsShops({}).profile("acme") == ShopProfile(display_name="acme")
    assert shop_of_ref("shipment:acme:s-1") == "acme" and shop_of_ref("nonsense") is None


# --- Each shop's own sender ---------------------------------------------------------------------


def recorded(ledger: Ledger, shop_id: str) -> str:
    start = shipment(shop_id=shop_id, shipment_id=unique("s"))
    ledger.record_shipment(start.workflow_id, start)
    return start.workflow_id


def test_each_shop_texts_from_its_own_number_or_service_and_the_rest_from_the_deployment(
    ledger: Ledger, fake_twilio: FakeTwilio, fake_sendgrid: FakeSendGrid
) -> None:
    numbered, serviced, plain = unique("shop"), unique("shop"), unique("shop")
    service = "MG" + "0123456789abcdef" * 2
    shops = SettingsShops(
        {
            numbered: ShopProfile(display_name="Acme", sms=SmsSender(from_number="+15005550100")),
            serviced: ShopProfile(
                display_name="Bolt", sms=SmsSender(messaging_service_sid=service)
            ),
        }
    )
    sending = Sender(ledger, fake_providers(fake_twilio, fake_sendgrid), shops=shops)

    for token, shop_id in enumerate((numbered, serviced, plain)):
        sending.send(request(recorded(ledger, shop_id)), token=str(token))

    acme, bolt, other = fake_twilio.sent
    assert (acme.from_, acme.messaging_service_sid) == ("+15005550100", None)
    assert (bolt.from_, bolt.messaging_service_sid) == (None, service)
    assert (other.from_, other.messaging_service_sid) == (DEPLOYMENT_NUMBER, None)


def test_each_shop_emails_from_its_own_address_name_and_reply_to_and_the_rest_as_the_deployment(
    ledger: Ledger, fake_twilio: FakeTwilio, fake_sendgrid: FakeSendGrid
) -> None:
    acme_id, bolt_id, plain = unique("shop"), unique("shop"), unique("shop")
    shops = SettingsShops(
        {
            acme_id: ShopProfile(
                display_name="Acme",
                email=EmailSender(
                    from_email="news@acme.example",
                    from_name="Acme Outdoor",
                    reply_to="help@acme.example",
                ),
            ),
            bolt_id: ShopProfile(display_name="Bolt", email=EmailSender(from_name="Bolt Bikes")),
        }
    )
    sending = Sender(ledger, fake_providers(fake_twilio, fake_sendgrid), shops=shops)

    for token, shop_id in enumerate((acme_id, bolt_id, plain)):
        sending.send(request(recorded(ledger, shop_id), Channel.EMAIL), token=str(token))

    acme, bolt, other = fake_sendgrid.sent
    assert (acme.from_email, acme.from_name, acme.reply_to) == (
        "news@acme.example",
        "Acme Outdoor",
        "help@acme.example",
    )
    assert (bolt.from_email, bolt.from_name, bolt.reply_to) == (
        DEPLOYMENT_EMAIL,
        "Bolt Bikes",
        None,
    )
    assert (other.from_email, other.from_name, other.reply_to) == (
        DEPLOYMENT_EMAIL,
        "Waypost",
        None,
    )
