"""Message providers, driven through the official Twilio and SendGrid SDKs against local fakes.

Every failure a provider can meet must end as exactly one of two errors, retryable or permanent,
and no error text may carry the recipient's phone number or email.
"""

from __future__ import annotations

import io
import pickle
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from activities.providers import (
    ConsoleProvider,
    OutgoingMessage,
    PermanentProviderError,
    ProviderError,
    RetryableProviderError,
    SendGridEmailProvider,
    TwilioSmsProvider,
    email_provider,
    providers_for,
    sms_provider,
)
from activities.providers.base import retry_after
from infra.masking import mask_address, mask_email, mask_phone, mask_text
from infra.settings import Settings
from models.notification import Channel
from testing.sendgrid_server import FakeSendGrid
from testing.twilio_server import FakeTwilio

# The fake servers' fixtures, until tests/conftest.py registers the plugin for the suite.

PHONE = "+447700900123"
EMAIL = "sam.taylor@example.com"
SENDER_NUMBER = "+15005550006"
SENDER_EMAIL = "parcels@shop.example"


def sms(to: str = PHONE, key: str = "ORD-1:shipped:1:sms") -> OutgoingMessage:
    return OutgoingMessage(
        key=key, channel=Channel.SMS, to=to, subject=None, body="Your parcel is on its way."
    )


def email(to: str = EMAIL, key: str = "ORD-1:shipped:1:email") -> OutgoingMessage:
    return OutgoingMessage(
        key=key,
        channel=Channel.EMAIL,
        to=to,
        subject="Your order has shipped",
        body="Your parcel is on its way.",
        custom_args={"waypost_key": key, "shipment_ref": "ORD-1"},
    )


def twilio(fake: FakeTwilio, timeout: float = 2.0, token: str | None = None) -> TwilioSmsProvider:
    return TwilioSmsProvider(
        fake.account_sid,
        token or fake.auth_token,
        from_number=SENDER_NUMBER,
        api_base=fake.url,
        timeout=timeout,
    )


def sendgrid(
    fake: FakeSendGrid, timeout: float = 2.0, key: str | None = None
) -> SendGridEmailProvider:
    return SendGridEmailProvider(key or fake.api_key, SENDER_EMAIL, host=fake.url, timeout=timeout)


def closed_port_url() -> str:
    """A local URL nothing listens on, for connection-refused failures."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def assert_log_safe(err: ProviderError, *addresses: str) -> None:
    for text in (str(err), err.message, err.code or "", repr(err)):
        for address in addresses:
            assert address not in text


# -- Twilio ------------------------------------------------------------------------------------


def test_sms_returns_the_message_sid_and_twilio_receives_to_from_and_body(
    fake_twilio: FakeTwilio,
) -> None:
    receipt = twilio(fake_twilio).send(sms())

    assert receipt.provider == "twilio"
    assert receipt.message_id.startswith("SM") and len(receipt.message_id) == 34
    assert receipt.status == "queued"
    [seen] = fake_twilio.requests
    assert (seen.to, seen.from_, seen.body) == (PHONE, SENDER_NUMBER, "Your parcel is on its way.")
    assert seen.sid == receipt.message_id


def test_sms_from_many_threads_reuse_one_connection_each(fake_twilio: FakeTwilio) -> None:
    threads = 16  # more than requests' default pool of 10
    provider = TwilioSmsProvider(
        fake_twilio.account_sid,
        fake_twilio.auth_token,
        from_number=SENDER_NUMBER,
        api_base=fake_twilio.url,
        connections=threads,
    )
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(3):
            list(pool.map(lambda i: provider.send(sms(to=f"+4477009{i:05d}")), range(threads)))

    connections = {r.client_port for r in fake_twilio.requests}
    assert len(fake_twilio.requests) == 3 * threads
    assert len(connections) <= threads


def test_sms_through_a_messaging_service_is_accepted_without_a_from_number(
    fake_twilio: FakeTwilio,
) -> None:
    provider = TwilioSmsProvider(
        fake_twilio.account_sid,
        fake_twilio.auth_token,
        messaging_service_sid="MG" + "0" * 32,
        api_base=fake_twilio.url,
    )

    receipt = provider.send(sms())

    assert receipt.status == "accepted"
    [seen] = fake_twilio.requests
    assert seen.messaging_service_sid == "MG" + "0" * 32 and seen.from_ is None


def test_sms_rate_limited_is_retryable_with_the_retry_after_hint(fake_twilio: FakeTwilio) -> None:
    fake_twilio.fail_next(429, retry_after=7)

    with pytest.raises(RetryableProviderError) as caught:
        twilio(fake_twilio).send(sms())

    assert caught.value.http_status == 429
    assert caught.value.code == "20429"
    assert caught.value.retry_after == 7.0


def test_sms_service_unavailable_is_retryable(fake_twilio: FakeTwilio) -> None:
    fake_twilio.fail_next(503)

    with pytest.raises(RetryableProviderError) as caught:
        twilio(fake_twilio).send(sms())

    assert caught.value.http_status == 503
    assert caught.value.retry_after is None


def test_sms_succeeds_once_a_passing_failure_is_over(fake_twilio: FakeTwilio) -> None:
    fake_twilio.fail_next(500, times=2)
    provider = twilio(fake_twilio)

    for _ in range(2):
        with pytest.raises(RetryableProviderError):
            provider.send(sms())
    receipt = provider.send(sms())

    assert [r.status for r in fake_twilio.requests] == [500, 500, 201]
    assert fake_twilio.sent[0].sid == receipt.message_id


def test_sms_to_an_invalid_number_is_permanent_with_code_21211(fake_twilio: FakeTwilio) -> None:
    fake_twilio.reject_recipient(PHONE, 21211)

    with pytest.raises(PermanentProviderError) as caught:
        twilio(fake_twilio).send(sms())

    assert (caught.value.code, caught.value.http_status) == ("21211", 400)


def test_sms_to_an_unsubscribed_recipient_is_permanent_with_code_21610(
    fake_twilio: FakeTwilio,
) -> None:
    fake_twilio.fail_next(400, code=21610)

    with pytest.raises(PermanentProviderError) as caught:
        twilio(fake_twilio).send(sms())

    assert caught.value.code == "21610"
    assert "unsubscribed" in caught.value.message


def test_sms_refused_with_an_unlisted_4xx_is_permanent(fake_twilio: FakeTwilio) -> None:
    fake_twilio.fail_next(403, code=20008, message="Resource not accessible with Test Account")

    with pytest.raises(PermanentProviderError) as caught:
        twilio(fake_twilio).send(sms())

    assert (caught.value.code, caught.value.http_status) == ("20008", 403)


def test_sms_to_a_server_slower_than_the_timeout_is_retryable(fake_twilio: FakeTwilio) -> None:
    fake_twilio.hang_next(3)
    started = time.monotonic()

    with pytest.raises(RetryableProviderError) as caught:
        twilio(fake_twilio, timeout=0.3).send(sms())

    assert time.monotonic() - started < 2
    assert caught.value.http_status is None
    assert caught.value.timed_out and caught.value.outcome_unknown  # Twilio may have it


def test_sms_when_twilio_is_unreachable_is_retryable_and_known_not_sent() -> None:
    provider = TwilioSmsProvider(
        "AC" + "0" * 32, "token", from_number=SENDER_NUMBER, api_base=closed_port_url()
    )

    with pytest.raises(RetryableProviderError) as refused:
        provider.send(sms())

    assert not refused.value.outcome_unknown
    assert not refused.value.timed_out


def test_sms_with_bad_credentials_is_permanent(fake_twilio: FakeTwilio) -> None:
    with pytest.raises(PermanentProviderError) as caught:
        twilio(fake_twilio, token="wrong-token").send(sms())

    assert (caught.value.code, caught.value.http_status) == ("20003", 401)
    assert fake_twilio.sent == []


@pytest.mark.parametrize("code", [21211, 21408, 21612, 21614])
def test_sms_errors_never_contain_the_phone_number(fake_twilio: FakeTwilio, code: int) -> None:
    # Twilio's own texts for these codes quote the number.
    fake_twilio.reject_recipient(PHONE, code)

    with pytest.raises(PermanentProviderError) as caught:
        twilio(fake_twilio).send(sms())

    assert caught.value.code == str(code)
    assert_log_safe(caught.value, PHONE, PHONE[1:])


def test_fake_twilio_lists_sent_messages_by_recipient_for_reconciliation(
    fake_twilio: FakeTwilio,
) -> None:
    provider = twilio(fake_twilio)
    first = provider.send(sms())
    provider.send(sms(to="+48600111222"))
    client = provider._client  # the SDK client, as reconciliation will use it

    listed = client.messages.list(to=PHONE, page_size=1)

    assert [m.sid for m in listed] == [first.message_id]
    assert listed[0].status == "queued"


# -- SendGrid ----------------------------------------------------------------------------------


def test_email_returns_the_x_message_id_and_sendgrid_receives_custom_args(
    fake_sendgrid: FakeSendGrid,
) -> None:
    receipt = sendgrid(fake_sendgrid).send(email())

    [seen] = fake_sendgrid.requests
    assert receipt.provider == "sendgrid"
    assert receipt.message_id == seen.message_id and receipt.message_id
    assert receipt.status == "accepted"
    assert seen.custom_args == {"waypost_key": "ORD-1:shipped:1:email", "shipment_ref": "ORD-1"}
    assert (seen.to, seen.from_email, seen.from_name) == ([EMAIL], SENDER_EMAIL, "Waypost")
    assert (seen.subject, seen.text) == ("Your order has shipped", "Your parcel is on its way.")


def test_email_goes_with_its_text_and_html_parts_as_sendgrid_documents(
    fake_sendgrid: FakeSendGrid,
) -> None:
    html = "<!DOCTYPE html><html><body><p>Your parcel is on its way.</p></body></html>"
    sendgrid(fake_sendgrid).send(email().model_copy(update={"html": html}))

    [seen] = fake_sendgrid.requests
    assert seen.headers["authorization"] == f"Bearer {fake_sendgrid.api_key}"
    assert seen.headers["content-type"].startswith("application/json")
    # SendGrid wants text/plain first, then text/html.
    assert [c["type"] for c in seen.payload["content"]] == ["text/plain", "text/html"]
    assert (seen.text, seen.html) == ("Your parcel is on its way.", html)


def test_email_rate_limited_is_retryable_with_the_retry_after_hint(
    fake_sendgrid: FakeSendGrid,
) -> None:
    fake_sendgrid.fail_next(429, retry_after=12)

    with pytest.raises(RetryableProviderError) as caught:
        sendgrid(fake_sendgrid).send(email())

    assert caught.value.http_status == 429
    assert caught.value.retry_after == 12.0


def test_email_service_unavailable_is_retryable(fake_sendgrid: FakeSendGrid) -> None:
    fake_sendgrid.fail_next(503)

    with pytest.raises(RetryableProviderError) as caught:
        sendgrid(fake_sendgrid).send(email())

    assert caught.value.http_status == 503


def test_email_bad_request_is_permanent_with_the_failing_field_as_code(
    fake_sendgrid: FakeSendGrid,
) -> None:
    fake_sendgrid.reject_recipient(EMAIL)

    with pytest.raises(PermanentProviderError) as caught:
        sendgrid(fake_sendgrid).send(email())

    assert caught.value.http_status == 400
    assert caught.value.code == "personalizations.0.to.0.email"
    assert caught.value.message == "Does not contain a valid address."


def test_email_without_a_subject_is_refused_by_sendgrid_validation(
    fake_sendgrid: FakeSendGrid,
) -> None:
    message = email().model_copy(update={"subject": None})

    with pytest.raises(PermanentProviderError) as caught:
        sendgrid(fake_sendgrid).send(message)

    assert caught.value.code == "subject"


def test_email_to_a_server_slower_than_the_timeout_is_retryable(
    fake_sendgrid: FakeSendGrid,
) -> None:
    fake_sendgrid.hang_next(3)
    started = time.monotonic()

    with pytest.raises(RetryableProviderError) as caught:
        sendgrid(fake_sendgrid, timeout=0.3).send(email())

    assert time.monotonic() - started < 2
    assert caught.value.timed_out and caught.value.outcome_unknown  # SendGrid may have it


def test_email_when_sendgrid_is_unreachable_is_retryable_and_known_not_sent() -> None:
    provider = SendGridEmailProvider("SG.key", SENDER_EMAIL, host=closed_port_url())

    with pytest.raises(RetryableProviderError) as refused:
        provider.send(email())

    assert not refused.value.outcome_unknown
    assert not refused.value.timed_out


def test_emails_from_many_threads_reuse_one_connection_each(fake_sendgrid: FakeSendGrid) -> None:
    threads = 4  # each sends one email per round
    provider = sendgrid(fake_sendgrid)
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(3):
            list(
                pool.map(lambda i: provider.send(email(to=f"sam.{i}@example.com")), range(threads))
            )

    connections = {r.client_port for r in fake_sendgrid.requests}
    assert len(fake_sendgrid.sent) == 3 * threads
    assert len(connections) <= threads


def test_email_with_a_bad_api_key_is_permanent(fake_sendgrid: FakeSendGrid) -> None:
    with pytest.raises(PermanentProviderError) as caught:
        sendgrid(fake_sendgrid, key="SG.wrong").send(email())

    assert caught.value.http_status == 401
    assert fake_sendgrid.sent == []


def test_email_errors_never_contain_the_email_address(fake_sendgrid: FakeSendGrid) -> None:
    fake_sendgrid.fail_next(400, code=f"to {EMAIL}", message=f"{EMAIL} is on a suppression list")

    with pytest.raises(PermanentProviderError) as caught:
        sendgrid(fake_sendgrid).send(email())

    assert_log_safe(caught.value, EMAIL)
    assert mask_email(EMAIL) in caught.value.message


# -- errors ------------------------------------------------------------------------------------


def test_provider_errors_survive_pickling_with_their_details() -> None:
    err = RetryableProviderError("twilio", "busy", code="20429", http_status=429, retry_after=3)

    copy = pickle.loads(pickle.dumps(err))

    assert isinstance(copy, RetryableProviderError)
    assert (copy.code, copy.http_status, copy.retry_after, str(copy)) == (
        "20429",
        429,
        3,
        str(err),
    )


def test_retry_after_given_as_an_http_date_becomes_seconds() -> None:
    now = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=30), usegmt=True)

    assert retry_after({"Retry-After": header}, now=now) == 30.0


# -- console -----------------------------------------------------------------------------------


def test_console_prints_the_message_with_the_recipient_masked() -> None:
    out = io.StringIO()

    receipt = ConsoleProvider(Channel.EMAIL, stream=out).send(email())

    printed = out.getvalue()
    assert EMAIL not in printed
    assert "s***@example.com" in printed
    assert "ORD-1:shipped:1:email" in printed
    assert "Your order has shipped" in printed and "Your parcel is on its way." in printed
    assert receipt.message_id.startswith("console-")


def test_console_masks_the_personal_data_a_body_quotes() -> None:
    out = io.StringIO()
    message = OutgoingMessage(
        key="shipment:shop-1:s-1:out_for_delivery:1:sms",
        channel=Channel.SMS,
        to=PHONE,
        body=(
            "Hi Sam Taylor, courier Piotr (07700 900999) brings order ORD-1 today. Pickup code "
            "4821. Questions: help@shop.example or +447700900777. "
            "Track: https://waypost.test/t/c2hvcC0xOnMtMTp6enp6.AAAAAAAAAAAAAAAA"
        ),
        personal=("Sam Taylor", "Piotr", "07700 900999", "4821"),
    )

    ConsoleProvider(Channel.SMS, stream=out).send(message)

    printed = out.getvalue()
    for secret in ("Sam Taylor", "Piotr", "900999", "4821", "help@shop", "+447700900777"):
        assert secret not in printed
    assert "c2hvcC0xOnMtMTp6enp6" not in printed and "https://waypost.test/t/***" in printed
    assert "Hi S***, courier P***" in printed and "order ORD-1 today" in printed


def test_console_gives_the_same_message_id_for_the_same_key() -> None:
    provider = ConsoleProvider(Channel.SMS, stream=io.StringIO())

    first, again = provider.send(sms()), provider.send(sms())

    assert first.message_id == again.message_id
    assert provider.send(sms(key="other")).message_id != first.message_id


# -- masking -----------------------------------------------------------------------------------


def test_mask_phone_keeps_the_country_prefix_and_last_three_digits() -> None:
    assert mask_phone(PHONE) == "+44*******123"


def test_mask_email_keeps_the_first_letter_and_the_domain() -> None:
    assert mask_email("sam@example.com") == "s***@example.com"


def test_mask_address_picks_the_mask_by_the_kind_of_address() -> None:
    assert (mask_address(PHONE), mask_address("sam@example.com")) == (
        "+44*******123",
        "s***@example.com",
    )


def test_mask_text_masks_every_number_and_email_and_is_idempotent() -> None:
    text = f"to {PHONE} and +48 600 111 222, cc {EMAIL}; order 12345"

    masked = mask_text(text)

    assert masked == "to +44*******123 and +48******222, cc s***@example.com; order 12345"
    assert mask_text(masked) == masked


# -- factory -----------------------------------------------------------------------------------

_PROVIDER_ENV = [
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "SENDGRID_API_KEY",
    *(
        f"WAYPOST_{name}"
        for name in (
            "TWILIO_ACCOUNT_SID",
            "TWILIO_AUTH_TOKEN",
            "TWILIO_FROM_NUMBER",
            "TWILIO_MESSAGING_SERVICE_SID",
            "TWILIO_API_BASE",
            "SENDGRID_API_KEY",
            "SENDGRID_FROM_EMAIL",
            "SENDGRID_HOST",
        )
    ),
]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No provider credentials from the surrounding environment."""
    for name in _PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch


def test_factory_falls_back_to_the_console_without_credentials(
    clean_env: pytest.MonkeyPatch,
) -> None:
    providers = providers_for(Settings())

    assert all(isinstance(p, ConsoleProvider) for p in providers.values())
    assert {channel: p.channel for channel, p in providers.items()} == {
        Channel.SMS: Channel.SMS,
        Channel.EMAIL: Channel.EMAIL,
    }


def test_factory_picks_twilio_and_sendgrid_when_credentials_are_set(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    clean_env.setenv("TWILIO_AUTH_TOKEN", "token")
    clean_env.setenv("WAYPOST_TWILIO_FROM_NUMBER", SENDER_NUMBER)
    clean_env.setenv("SENDGRID_API_KEY", "SG.key")
    clean_env.setenv("WAYPOST_SENDGRID_FROM_EMAIL", SENDER_EMAIL)

    providers = providers_for(Settings())

    assert isinstance(providers[Channel.SMS], TwilioSmsProvider)
    assert isinstance(providers[Channel.EMAIL], SendGridEmailProvider)


def test_factory_refuses_twilio_credentials_without_a_from_number(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    clean_env.setenv("TWILIO_AUTH_TOKEN", "token")

    with pytest.raises(ValueError, match="WAYPOST_TWILIO_FROM_NUMBER"):
        sms_provider(Settings())


def test_factory_refuses_a_sendgrid_key_without_a_from_email(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("SENDGRID_API_KEY", "SG.key")

    with pytest.raises(ValueError, match="WAYPOST_SENDGRID_FROM_EMAIL"):
        email_provider(Settings())
