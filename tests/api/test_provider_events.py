"""Provider callbacks become canonical DeliveryReports, signed webhooks are checked the way the
providers sign them, and the customer's SMS reply is understood in every supported language."""

# Cyrillic text in replies and answers is intended.
# ruff: noqa: RUF001

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter
from twilio.request_validator import RequestValidator

from activities.providers.twilio_sms import PERMANENT_CODES
from api.provider_events import (
    ChooseSlot,
    CourierAnswer,
    Question,
    Reply,
    Unclear,
    interpret_reply,
    sendgrid_reports,
    twilio_form_fields,
    twilio_status_report,
    twiml,
    verify_sendgrid_signature,
)
from messages.replies import INBOUND_ANSWERS, inbound_answer
from messages.shape import InboundAnswerKey
from messages.sms import sms_segments
from models.notification import NotificationStatus as S
from testing.signing import sendgrid_key_pair, sendgrid_signature, twilio_signature

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SID = "SM" + "0123456789abcdef" * 2
PHONE_TO = "+447700900123"
PHONE_FROM = "+15005550006"
EMAIL = "sam.customer@example.com"
KEY = "ORD-1:shipped:1:email"
LOCALES = ("en", "ru", "pl", "ro")
ANSWER_KEYS: tuple[InboundAnswerKey, ...] = (
    "unclear_courier",
    "unclear_slot",
    "no_question",
    "refused",
    "closed",
)


# --- Twilio status callback -------------------------------------------------------------------


def twilio_form(status: str = "delivered", **fields: str) -> dict[str, str]:
    """A status callback as Twilio posts it (form fields), with the recipient's number in it."""
    form = {
        "MessageSid": SID,
        "SmsSid": SID,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "To": PHONE_TO,
        "From": PHONE_FROM,
        "ApiVersion": "2010-04-01",
    }
    form.update(fields)
    return form


@pytest.mark.parametrize(
    ("twilio_status", "status"),
    [
        ("accepted", None),
        ("scheduled", None),
        ("queued", None),
        ("sending", None),
        ("sent", None),
        ("partially_delivered", None),
        ("delivered", S.DELIVERED),
        ("read", S.DELIVERED),
        ("undelivered", S.UNDELIVERED),
        ("failed", S.FAILED),
        ("canceled", S.FAILED),
    ],
)
def test_twilio_status_maps_to_the_canonical_status(twilio_status: str, status: S | None) -> None:
    report = twilio_status_report(twilio_form(twilio_status), NOW)
    assert report.status == status
    assert report.event == twilio_status


def test_twilio_status_before_the_carrier_verdict_never_reports_sent_again() -> None:
    # The message is `sent` once Twilio accepts it: a late "sent" must not look like news.
    assert twilio_status_report(twilio_form("sent"), NOW).status is None


def test_unknown_twilio_status_is_recorded_without_a_status() -> None:
    report = twilio_status_report(twilio_form("teleported"), NOW)
    assert (report.event, report.status, report.permanent) == ("teleported", None, False)


def test_twilio_status_is_read_case_insensitively() -> None:
    assert twilio_status_report(twilio_form("Delivered"), NOW).status is S.DELIVERED


def test_twilio_report_identifies_the_message_and_the_callback() -> None:
    report = twilio_status_report(twilio_form("delivered"), NOW)
    assert report.provider == "twilio"
    assert report.provider_message_id == SID
    assert report.event_id == f"{SID}:delivered"
    assert report.key is None
    assert report.occurred_at == NOW


def test_the_same_message_gets_one_event_id_per_status() -> None:
    ids = {twilio_status_report(twilio_form(s), NOW).event_id for s in ("sent", "delivered")}
    assert len(ids) == 2


PERMANENT_TWILIO_CODES = ["21211", "21408", "21610", "21612", "21614", "21635", "30004", "30005"]
PERMANENT_TWILIO_CODES += ["30003", "30006"]
TRANSIENT_TWILIO_CODES = ["30001", "30002", "30007", "30008", "30017", "30450", "99999"]


@pytest.mark.parametrize("code", PERMANENT_TWILIO_CODES)
@pytest.mark.parametrize("twilio_status", ["undelivered", "failed"])
def test_twilio_failure_for_good_is_permanent(code: str, twilio_status: str) -> None:
    report = twilio_status_report(twilio_form(twilio_status, ErrorCode=code), NOW)
    assert report.permanent is True
    assert report.error_code == code


@pytest.mark.parametrize("code", TRANSIENT_TWILIO_CODES)
@pytest.mark.parametrize("twilio_status", ["undelivered", "failed"])
def test_twilio_failure_that_may_pass_next_time_is_not_permanent(
    code: str, twilio_status: str
) -> None:
    report = twilio_status_report(twilio_form(twilio_status, ErrorCode=code), NOW)
    assert report.permanent is False
    assert report.error_code == code


@pytest.mark.parametrize("code", sorted(PERMANENT_CODES))
def test_a_code_permanent_at_send_time_is_permanent_in_a_callback(code: int) -> None:
    report = twilio_status_report(twilio_form("failed", ErrorCode=str(code)), NOW)
    assert report.permanent is True


def test_an_error_code_on_a_non_failure_status_is_not_permanent() -> None:
    report = twilio_status_report(twilio_form("delivered", ErrorCode="30005"), NOW)
    assert (report.status, report.permanent) == (S.DELIVERED, False)


def test_twilio_failure_without_error_code_is_not_permanent() -> None:
    report = twilio_status_report(twilio_form("undelivered", ErrorCode=""), NOW)
    assert (report.permanent, report.error_code, report.detail) == (False, None, None)


def test_known_twilio_code_is_described_in_detail() -> None:
    report = twilio_status_report(twilio_form("undelivered", ErrorCode="30006"), NOW)
    assert report.detail == "landline or unreachable carrier"


def test_twilio_error_message_is_masked_in_detail() -> None:
    form = twilio_form(
        "failed", ErrorCode="21211", ErrorMessage=f"The 'To' number {PHONE_TO} is not valid."
    )
    report = twilio_status_report(form, NOW)
    assert report.detail == "The 'To' number +44*******123 is not valid."


def test_twilio_report_never_holds_the_numbers() -> None:
    form = twilio_form("failed", ErrorCode="21610", ErrorMessage=f"{PHONE_TO} sent STOP")
    dumped = twilio_status_report(form, NOW).model_dump_json()
    assert PHONE_TO not in dumped
    assert PHONE_FROM not in dumped


@pytest.mark.parametrize("field", ["MessageSid", "MessageStatus"])
@pytest.mark.parametrize("value", [None, "", "  "])
def test_twilio_callback_without_its_identity_is_refused(field: str, value: str | None) -> None:
    form = twilio_form("delivered")
    if value is None:
        del form[field]
    else:
        form[field] = value
    with pytest.raises(ValueError, match=field):
        twilio_status_report(form, NOW)


# --- Twilio form bodies -----------------------------------------------------------------------


def test_twilio_form_body_is_read_as_single_values() -> None:
    body = b"MessageSid=SM1&Body=Tak%2C+jestem&From=%2B48600100200&ErrorCode="
    assert twilio_form_fields(body) == {
        "MessageSid": "SM1",
        "Body": "Tak, jestem",
        "From": "+48600100200",
        "ErrorCode": "",
    }


def test_twilio_form_body_with_a_repeated_field_is_refused() -> None:
    with pytest.raises(ValueError, match="'Body' is repeated"):
        twilio_form_fields(b"Body=1&Body=2")


def test_twilio_form_body_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(ValueError, match="UTF-8"):
        twilio_form_fields(b"Body=%FF\xff")


def test_twilio_signature_helper_signs_as_the_sdk_validates() -> None:
    url = "https://waypost.example.com/webhooks/twilio/status?x=1"
    fields = twilio_form_fields(b"MessageSid=SM1&MessageStatus=delivered&To=%2B447700900123")
    signature = twilio_signature("token", url, fields)
    assert RequestValidator("token").validate(url, fields, signature)
    assert not RequestValidator("other").validate(url, fields, signature)


# --- SendGrid event webhook -------------------------------------------------------------------

SG_MESSAGE = "euo2iKxdSayPF4YE4--I7A"  # Mail Send's X-Message-Id
STAMP = 1795521600  # 2026-11-24T12:00:00Z


def sg_event(event: str = "delivered", **fields: Any) -> dict[str, Any]:
    """One event as SendGrid posts it, with our custom args echoed at the top level."""
    body: dict[str, Any] = {
        "email": EMAIL,
        "timestamp": STAMP,
        "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
        "event": event,
        "sg_event_id": f"evt-{event}",
        "sg_message_id": f"{SG_MESSAGE}.filterdrecv-5bd4d5d7d4-lw5vq-1-67BADEEA-6.0",
        "waypost_key": KEY,
        "shipment_ref": "ORD-1",
    }
    body.update(fields)
    return body


def read_one(event: dict[str, Any]) -> Any:
    reports, errors = sendgrid_reports(json.dumps([event]).encode())
    assert errors == []
    (report,) = reports
    return report


@pytest.mark.parametrize(
    ("event", "status", "permanent"),
    [
        ("processed", None, False),
        ("deferred", None, False),
        ("delivered", S.DELIVERED, False),
        ("open", None, False),
        ("click", None, False),
        ("bounce", S.FAILED, True),
        ("dropped", S.FAILED, True),
        ("spamreport", None, True),
        ("unsubscribe", None, True),
        ("group_unsubscribe", None, True),
        ("group_resubscribe", None, False),
        ("some_future_event", None, False),
    ],
)
def test_sendgrid_event_maps_to_status_and_permanence(
    event: str, status: S | None, permanent: bool
) -> None:
    report = read_one(sg_event(event))
    assert (report.event, report.status, report.permanent) == (event, status, permanent)


def test_hard_bounce_is_a_permanent_failure() -> None:
    report = read_one(sg_event("bounce", type="bounce", status="5.1.1"))
    assert (report.status, report.permanent, report.error_code) == (S.FAILED, True, "5.1.1")


def test_blocked_bounce_is_undelivered_but_not_permanent() -> None:
    report = read_one(sg_event("bounce", type="blocked", bounce_classification="Reputation"))
    assert (report.status, report.permanent) == (S.UNDELIVERED, False)


def test_blocked_bounce_classified_as_invalid_address_is_permanent() -> None:
    report = read_one(sg_event("bounce", type="blocked", bounce_classification="Invalid Address"))
    assert (report.status, report.permanent) == (S.UNDELIVERED, True)


@pytest.mark.parametrize(
    ("reason", "permanent"),
    [
        ("Bounced Address", True),
        ("Unsubscribed Address", True),
        ("Spam Reporting Address", True),
        ("Invalid", True),
        ("Unsubscribed Group", True),
        ("Invalid SMTPAPI header", False),
        ("Spam Content", False),
        ("Recipient List over Package Quota", False),
    ],
)
def test_drop_is_permanent_when_it_is_about_the_address(reason: str, permanent: bool) -> None:
    report = read_one(sg_event("dropped", reason=reason))
    assert (report.status, report.permanent) == (S.FAILED, permanent)


def test_sendgrid_message_id_loses_its_filter_suffix() -> None:
    assert read_one(sg_event()).provider_message_id == SG_MESSAGE


@pytest.mark.parametrize(
    ("sg_message_id", "expected"),
    [("plainid", "plainid"), ("", None), (None, None)],
)
def test_sendgrid_message_id_without_suffix_or_absent(
    sg_message_id: str | None, expected: str | None
) -> None:
    event = sg_event()
    if sg_message_id is None:
        del event["sg_message_id"]
    else:
        event["sg_message_id"] = sg_message_id
    assert read_one(event).provider_message_id == expected


def test_sendgrid_event_is_matched_by_our_custom_arg() -> None:
    assert read_one(sg_event()).key == KEY


def test_sendgrid_event_without_our_custom_arg_has_no_key() -> None:
    event = sg_event()
    del event["waypost_key"], event["shipment_ref"]
    assert read_one(event).key is None


def test_sendgrid_event_identity_and_time() -> None:
    report = read_one(sg_event("open"))
    assert report.provider == "sendgrid"
    assert report.event_id == "evt-open"
    assert report.occurred_at == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_bounce_reason_is_masked_and_the_email_never_reported() -> None:
    reason = f"550 5.1.1 <{EMAIL}>: Recipient address rejected: User unknown"
    report = read_one(sg_event("bounce", reason=reason))
    assert report.detail == "550 5.1.1 <s***@example.com>: Recipient address rejected: User unknown"
    assert EMAIL not in report.model_dump_json()


def test_deferral_detail_says_which_attempt_and_what_the_server_answered() -> None:
    report = read_one(sg_event("deferred", attempt="3", response="421 try again later"))
    assert report.detail == "attempt 3: 421 try again later"


def test_long_reason_is_cut_short() -> None:
    report = read_one(sg_event("bounce", reason="x" * 5000))
    assert report.detail is not None and len(report.detail) <= 300


def test_bad_events_are_reported_while_good_ones_are_read() -> None:
    no_id = sg_event("delivered")
    del no_id["sg_event_id"]
    no_event = sg_event("open")
    del no_event["event"]
    events: list[Any] = [
        sg_event("processed"),
        no_id,
        "not an event",
        sg_event("delivered", sg_event_id="evt-2"),
        sg_event("open", timestamp="yesterday"),
        no_event,
        sg_event("open", timestamp=10**20),
    ]
    reports, errors = sendgrid_reports(json.dumps(events).encode())
    assert [r.event_id for r in reports] == ["evt-processed", "evt-2"]
    assert errors == [
        "events[1]: missing sg_event_id",
        "events[2]: not an object",
        "events[4]: timestamp is not a unix time",
        "events[5]: missing event",
        "events[6]: timestamp is out of range",
    ]


def test_event_with_a_non_string_id_is_reported() -> None:
    event = sg_event(sg_event_id=["a"])
    assert sendgrid_reports(json.dumps([event]).encode()) == (
        [],
        ["events[0]: sg_event_id is not a string"],
    )


def test_odd_optional_field_is_ignored_not_fatal() -> None:
    report = read_one(sg_event("bounce", reason={"nested": True}, status=["5.1.1"]))
    assert (report.status, report.detail, report.error_code) == (S.FAILED, None, None)


def test_event_without_timestamp_is_reported() -> None:
    event = sg_event()
    del event["timestamp"]
    assert sendgrid_reports(json.dumps([event]).encode()) == ([], ["events[0]: missing timestamp"])


def test_empty_batch_reads_as_nothing() -> None:
    assert sendgrid_reports(b"[]") == ([], [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"event": "delivered"}', "not an array"),
        (b"null", "not an array"),
        (b"not json", "not JSON"),
        (b"\xff\xfe\xfa", "not JSON"),
        (b"", "not JSON"),
        (b"[" * 100_000, "nested too deeply|not JSON"),
    ],
)
def test_body_that_is_not_a_json_array_is_refused(body: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sendgrid_reports(body)


# --- SendGrid signature -----------------------------------------------------------------------

BODY = json.dumps([sg_event()]).encode()
SIGNED_AT = str(int(NOW.timestamp()))


@pytest.fixture(scope="module")
def keys() -> tuple[Any, str]:
    return sendgrid_key_pair()


def test_signature_made_as_sendgrid_makes_it_is_valid(keys: tuple[Any, str]) -> None:
    private_key, public_key = keys
    signature = sendgrid_signature(private_key, BODY, SIGNED_AT)
    assert verify_sendgrid_signature(public_key, BODY, signature, SIGNED_AT, NOW) is None


def test_signature_is_over_the_raw_bytes_with_non_ascii_text(keys: tuple[Any, str]) -> None:
    private_key, public_key = keys
    body = json.dumps([sg_event(reason="Ящик переполнен")], ensure_ascii=False).encode()
    signature = sendgrid_signature(private_key, body, SIGNED_AT)
    assert verify_sendgrid_signature(public_key, body, signature, SIGNED_AT, NOW) is None


def test_tampered_body_does_not_match(keys: tuple[Any, str]) -> None:
    private_key, public_key = keys
    signature = sendgrid_signature(private_key, BODY, SIGNED_AT)
    tampered = BODY.replace(b"delivered", b"bounce")
    assert (
        verify_sendgrid_signature(public_key, tampered, signature, SIGNED_AT, NOW)
        == "signature does not match"
    )


def test_the_timestamp_is_part_of_what_is_signed(keys: tuple[Any, str]) -> None:
    private_key, public_key = keys
    signature = sendgrid_signature(private_key, BODY, SIGNED_AT)
    other = str(int(SIGNED_AT) - 1)
    assert (
        verify_sendgrid_signature(public_key, BODY, signature, other, NOW)
        == "signature does not match"
    )


def test_signature_by_another_key_does_not_match(keys: tuple[Any, str]) -> None:
    _, public_key = keys
    other_private, _ = sendgrid_key_pair()
    signature = sendgrid_signature(other_private, BODY, SIGNED_AT)
    assert (
        verify_sendgrid_signature(public_key, BODY, signature, SIGNED_AT, NOW)
        == "signature does not match"
    )


@pytest.mark.parametrize(
    ("age", "reason"),
    [
        (timedelta(minutes=11), "timestamp too old"),
        (timedelta(minutes=9), None),
        (timedelta(minutes=-9), None),
        (timedelta(minutes=-11), "timestamp is in the future"),
    ],
)
def test_timestamp_must_be_recent(
    keys: tuple[Any, str], age: timedelta, reason: str | None
) -> None:
    private_key, public_key = keys
    signed_at = str(int((NOW - age).timestamp()))
    signature = sendgrid_signature(private_key, BODY, signed_at)
    assert verify_sendgrid_signature(public_key, BODY, signature, signed_at, NOW) == reason


def test_tolerance_can_be_narrowed(keys: tuple[Any, str]) -> None:
    private_key, public_key = keys
    signed_at = str(int((NOW - timedelta(minutes=2)).timestamp()))
    signature = sendgrid_signature(private_key, BODY, signed_at)
    reason = verify_sendgrid_signature(
        public_key, BODY, signature, signed_at, NOW, tolerance=timedelta(minutes=1)
    )
    assert reason == "timestamp too old"


@pytest.mark.parametrize("signature", [None, "", "   "])
def test_missing_signature_header(keys: tuple[Any, str], signature: str | None) -> None:
    _, public_key = keys
    assert (
        verify_sendgrid_signature(public_key, BODY, signature, SIGNED_AT, NOW)
        == "missing X-Twilio-Email-Event-Webhook-Signature header"
    )


@pytest.mark.parametrize("timestamp", [None, ""])
def test_missing_timestamp_header(keys: tuple[Any, str], timestamp: str | None) -> None:
    private_key, public_key = keys
    signature = sendgrid_signature(private_key, BODY, SIGNED_AT)
    assert (
        verify_sendgrid_signature(public_key, BODY, signature, timestamp, NOW)
        == "missing X-Twilio-Email-Event-Webhook-Timestamp header"
    )


@pytest.mark.parametrize("timestamp", ["yesterday", "1.5", "-1", "1_795_521_600", "9" * 30])
def test_malformed_timestamp(keys: tuple[Any, str], timestamp: str) -> None:
    private_key, public_key = keys
    signature = sendgrid_signature(private_key, BODY, timestamp)
    assert (
        verify_sendgrid_signature(public_key, BODY, signature, timestamp, NOW)
        == "malformed timestamp"
    )


@pytest.mark.parametrize(
    "signature",
    [
        "not base64 at all!",
        "abc",
        base64.b64encode(b"garbage that is no DER signature").decode(),
        base64.b64encode(b"\x30\x06\x02\x01\x01\x02\x01").decode(),
    ],
)
def test_garbage_signature_is_malformed(keys: tuple[Any, str], signature: str) -> None:
    _, public_key = keys
    assert (
        verify_sendgrid_signature(public_key, BODY, signature, SIGNED_AT, NOW)
        == "malformed signature"
    )


def rsa_public_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


@pytest.mark.parametrize("public_key", ["", "not a key", "QUJD", "rsa"])
def test_malformed_public_key_is_reported_not_raised(
    keys: tuple[Any, str], public_key: str
) -> None:
    private_key, _ = keys
    if public_key == "rsa":
        public_key = rsa_public_key()
    signature = sendgrid_signature(private_key, BODY, SIGNED_AT)
    assert (
        verify_sendgrid_signature(public_key, BODY, signature, SIGNED_AT, NOW)
        == "malformed public key"
    )


def test_public_key_pasted_with_pem_armour_still_works(keys: tuple[Any, str]) -> None:
    private_key, public_key = keys
    pem = f"-----BEGIN PUBLIC KEY-----\n{public_key}\n-----END PUBLIC KEY-----\n"
    signature = sendgrid_signature(private_key, BODY, SIGNED_AT)
    assert verify_sendgrid_signature(pem, BODY, signature, SIGNED_AT, NOW) is None


def test_body_that_is_not_utf8_cannot_be_sendgrids(keys: tuple[Any, str]) -> None:
    private_key, public_key = keys
    body = b"[\xff]"
    signature = sendgrid_signature(private_key, body, SIGNED_AT)
    assert (
        verify_sendgrid_signature(public_key, body, signature, SIGNED_AT, NOW)
        == "body is not UTF-8"
    )


def test_naive_now_is_taken_as_utc(keys: tuple[Any, str]) -> None:
    private_key, public_key = keys
    signature = sendgrid_signature(private_key, BODY, SIGNED_AT)
    naive = NOW.replace(tzinfo=None)
    assert verify_sendgrid_signature(public_key, BODY, signature, SIGNED_AT, naive) is None


@given(
    public_key=st.text(max_size=200),
    body=st.binary(max_size=200),
    signature=st.none() | st.text(max_size=200),
    timestamp=st.none() | st.text(max_size=20),
)
def test_verification_never_raises(
    public_key: str, body: bytes, signature: str | None, timestamp: str | None
) -> None:
    reason = verify_sendgrid_signature(public_key, body, signature, timestamp, NOW)
    assert isinstance(reason, str)


# --- Inbound SMS replies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        *("1", " 1 ", "1.", "#1", "Yes", "y", "OK", "ok!", "okay", "yes, I'm home", "Home"),
        *("Да", "да, дома", "дома", "Я дома", "ок", "1 да"),
        *("Tak", "tak!", "w domu", "Jestem w domu", "TAK, 1"),
        *("Da", "DA.", "acasă", "acasa", "Sunt acasă", "da, sunt acasa"),
    ],
)
def test_courier_reply_confirms(text: str) -> None:
    assert interpret_reply(text, "courier_one_hour", 0) == CourierAnswer(answer="confirm")


@pytest.mark.parametrize(
    "text",
    [
        *("2", "2.", "#2", "No", "n", "nope", "reschedule", "2 please", "not home", "I'm not home"),
        *("Нет", "нет, не дома", "не дома", "Перенести", "меня нет дома"),
        *("Nie", "nie ma mnie w domu", "przełóż", "PRZELOZ", "inny termin"),
        *("Nu", "nu sunt acasă", "nu sunt acasa", "reprogramare", "Reprogramează"),
    ],
)
def test_courier_reply_reschedules(text: str) -> None:
    assert interpret_reply(text, "courier_one_hour", 0) == CourierAnswer(answer="reschedule")


@pytest.mark.parametrize(
    "text",
    [
        *("", "   ", "?!", "maybe", "3", "12", "1 2", "yes 2", "да нет", "Hello, who is this?"),
        *("not sure", "I'm not ok", "Да, но не сейчас", "tak nie", "da, nu"),
    ],
)
def test_courier_reply_that_says_nothing_clear_is_unclear(text: str) -> None:
    assert isinstance(interpret_reply(text, "courier_one_hour", 0), Unclear)


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("2", 2),
        (" 2 ", 2),
        ("#2", 2),
        ("2.", 2),
        ("2)", 2),
        ("slot 2", 2),
        ("Slot #3", 3),
        ("№1", 1),
        ("nr 2", 2),
        ("интервал 3", 3),
        ("02", 2),
        ("２", 2),
    ],
)
def test_slot_reply_chooses_the_numbered_slot(text: str, slot: int) -> None:
    assert interpret_reply(text, "slot_choice", 3) == ChooseSlot(slot=slot)


@pytest.mark.parametrize(("text", "number"), [("4", "4"), ("0", "0"), ("slot 7", "7")])
def test_slot_not_offered_is_unclear_and_says_which_are_valid(text: str, number: str) -> None:
    reply = interpret_reply(text, "slot_choice", 3)
    assert isinstance(reply, Unclear)
    assert f"slot {number} was not offered" in reply.reason
    assert "1, 2 or 3" in reply.reason


@pytest.mark.parametrize(("offered", "valid"), [(1, "valid: 1"), (2, "1 or 2"), (5, "1 to 5")])
def test_unclear_slot_reason_names_the_valid_numbers(offered: int, valid: str) -> None:
    reply = interpret_reply("9", "slot_choice", offered)
    assert isinstance(reply, Unclear)
    assert valid in reply.reason


@pytest.mark.parametrize("text", ["", "yes", "ok", "1 or 2", "10:00", "the first one"])
def test_slot_reply_without_one_number_is_unclear(text: str) -> None:
    assert isinstance(interpret_reply(text, "slot_choice", 3), Unclear)


def test_slot_question_with_no_slots_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        interpret_reply("1", "slot_choice", 0)


def test_unclear_reason_never_quotes_the_reply() -> None:
    text = f"call me on {PHONE_TO} or {EMAIL}"
    cases: tuple[tuple[Question, int], ...] = (("courier_one_hour", 0), ("slot_choice", 3))
    for question, offered in cases:
        reply = interpret_reply(text, question, offered)
        assert isinstance(reply, Unclear)
        assert PHONE_TO not in reply.reason
        assert EMAIL not in reply.reason


@pytest.mark.parametrize(
    "reply", [ChooseSlot(slot=2), CourierAnswer(answer="reschedule"), Unclear(reason="x")]
)
def test_reply_round_trips_through_its_discriminator(reply: Reply) -> None:
    adapter: TypeAdapter[Reply] = TypeAdapter(Reply)
    assert adapter.validate_json(adapter.dump_json(reply)) == reply


# --- Inbound SMS answers ----------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_answer_is_short(locale: str, key: InboundAnswerKey) -> None:
    text = inbound_answer(locale, key, count="3")
    assert 0 < len(text) <= 120
    assert sms_segments(text)[1] <= 2
    assert "{" not in text


@pytest.mark.parametrize("locale", ["ru", "pl", "ro"])
@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_answer_is_translated(locale: str, key: InboundAnswerKey) -> None:
    assert inbound_answer(locale, key) != inbound_answer("en", key)


@pytest.mark.parametrize("key", ANSWER_KEYS)
def test_every_answer_exists_in_every_language(key: InboundAnswerKey) -> None:
    assert all((key, locale) in INBOUND_ANSWERS for locale in LOCALES)


def test_unclear_courier_answer_says_what_to_reply() -> None:
    assert inbound_answer("en", "unclear_courier").endswith(
        "Reply 1 if you are home, 2 to reschedule."
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_unclear_slot_answer_names_the_slots_when_told_how_many(locale: str) -> None:
    assert "1" in inbound_answer(locale, "unclear_slot", count="3")
    assert "3" in inbound_answer(locale, "unclear_slot", count="3")
    assert "3" not in inbound_answer(locale, "unclear_slot")


@pytest.mark.parametrize(("locale", "lang"), [("ru-RU", "ru"), ("pl_PL", "pl"), ("RO", "ro")])
def test_answer_follows_the_locale_language(locale: str, lang: str) -> None:
    assert inbound_answer(locale, "closed") == inbound_answer(lang, "closed")


@pytest.mark.parametrize("locale", ["de", "", "xx-YY"])
def test_answer_in_an_unknown_locale_is_english(locale: str) -> None:
    assert inbound_answer(locale, "no_question") == inbound_answer("en", "no_question")


def test_values_an_answer_does_not_use_never_reach_the_customer() -> None:
    answer = inbound_answer("en", "refused", reason="carrier API answered 500 for slot 2")
    assert answer == inbound_answer("en", "refused")


# --- TwiML ------------------------------------------------------------------------------------


def parse(xml: str) -> ET.Element:
    return ET.fromstring(xml.encode("utf-8"))


@pytest.mark.parametrize("message", [None, ""])
def test_twiml_without_a_message_is_an_empty_response(message: str | None) -> None:
    root = parse(twiml(message))
    assert root.tag == "Response"
    assert list(root) == []


@pytest.mark.parametrize(
    "message",
    ["Reply 1 if you are home, 2 to reschedule.", "Ответьте: 1 <дома> & 2", "Răspunde 1 – acasă"],
)
def test_twiml_carries_the_message_exactly(message: str) -> None:
    root = parse(twiml(message))
    (child,) = list(root)
    assert (root.tag, child.tag, child.text) == ("Response", "Message", message)
