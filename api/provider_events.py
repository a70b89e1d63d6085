"""Provider callbacks read into DeliveryReports: Twilio's message status callback, SendGrid's
signed event webhook, and the customer's inbound SMS. Pure functions; the routers do the I/O.

Nothing here raises on what a provider or a customer may send, except where the brief of the
function says so (a callback missing the fields that identify it, a body that is not the
documented shape): the routers turn those into 4xx answers. No phone number or email ever
reaches a report: free text from providers goes through `mask_text`.
"""

# A reason quotes a Russian reply: Cyrillic letters are not look-alike typos.

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from pydantic import BaseModel, ConfigDict, Field
from sendgrid.helpers.eventwebhook import EventWebhook
from twilio.twiml.messaging_response import MessagingResponse

from infra.masking import mask_text
from messages import replies
from models.notification import DeliveryReport, NotificationStatus
from models.twilio_errors import TWILIO_ERROR_CODES

__all__ = [
    "SENDGRID_EVENTS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "TWILIO_ERRORS",
    "TWILIO_STATUSES",
    "ChooseSlot",
    "CourierAnswer",
    "Question",
    "Reply",
    "Unclear",
    "interpret_reply",
    "sendgrid_reports",
    "twilio_form_fields",
    "twilio_status_report",
    "twiml",
    "verify_sendgrid_signature",
]

S = NotificationStatus

DETAIL_MAX = 300
"""Provider text kept in `detail`: enough for an SMTP reply, never a whole bounce message."""


def _detail(*parts: str | None) -> str | None:
    text = ": ".join(p.strip() for p in parts if p and p.strip())
    if not text:
        return None
    text = mask_text(text)
    return text if len(text) <= DETAIL_MAX else text[: DETAIL_MAX - 1] + "…"


# --- Twilio status callback -------------------------------------------------------------------

# Twilio's MessageStatus values (https://www.twilio.com/docs/messaging/api/message-resource,
# "Message Status values") -> the canonical status they report.
#
# The sending activity already marks a message `sent` when Twilio accepts it, so the statuses
# before the carrier's verdict (accepted, scheduled, queued, sending, sent) report nothing new:
# None, recorded only. That also means a late `sent` callback can never look like a step back.
# `read` (WhatsApp/RCS read receipts) proves delivery, so it counts as delivered when the
# `delivered` callback was lost. `canceled` is a scheduled message that will never leave: failed,
# but not permanent (nothing is wrong with the number). Unknown statuses are recorded only.
TWILIO_STATUSES: Mapping[str, NotificationStatus | None] = {
    "accepted": None,
    "scheduled": None,
    "queued": None,
    "sending": None,
    "sent": None,
    "partially_delivered": None,
    "delivered": S.DELIVERED,
    "read": S.DELIVERED,
    "undelivered": S.UNDELIVERED,
    "failed": S.FAILED,
    "canceled": S.FAILED,
}

# Twilio error codes seen on `undelivered`/`failed` callbacks: (description, permanent), from
# the classified table in models.twilio_errors. Permanent (the handset cannot be reached, or the
# number refuses) means sending SMS to this number again would fail the same way: the news goes
# by the other channel and the number is treated as failing for the rest of the shipment. The
# 21xxx codes are permanent exactly as the send-time table (activities.providers.twilio_sms.
# PERMANENT_CODES) says, so a refusal means the same whenever it is learned.
TWILIO_ERRORS: Mapping[str, tuple[str, bool]] = {
    code: (error.description, error.permanent) for code, error in TWILIO_ERROR_CODES.items()
}

_FAILURES = frozenset({S.UNDELIVERED, S.FAILED})


def _required(form: Mapping[str, str], field: str) -> str:
    value = (form.get(field) or "").strip()
    if not value:
        raise ValueError(f"missing {field}")
    return value


def twilio_status_report(form: Mapping[str, str], now: datetime) -> DeliveryReport:
    """Twilio's message status callback (form fields) as a DeliveryReport.

    The callback carries no time of its own, so `now` (aware) is when it happened. `To` and
    `From` are never read. Raises ValueError naming MessageSid or MessageStatus when missing:
    without them the callback cannot be matched or deduplicated.
    """
    sid = _required(form, "MessageSid")
    event = _required(form, "MessageStatus").lower()
    status = TWILIO_STATUSES.get(event)
    code = (form.get("ErrorCode") or "").strip() or None
    known, permanent = TWILIO_ERRORS.get(code, (None, False)) if code else (None, False)
    return DeliveryReport(
        provider="twilio",
        event=event,
        event_id=f"{sid}:{event}",
        provider_message_id=sid,
        status=status,
        permanent=permanent and status in _FAILURES,
        error_code=code,
        detail=_detail(form.get("ErrorMessage") or known),
        occurred_at=now,
    )


def twilio_form_fields(body: bytes) -> dict[str, str]:
    """A Twilio webhook body (application/x-www-form-urlencoded) as single-valued fields.

    Twilio's request validator signs the fields as a dict; Twilio never repeats a field in its
    messaging webhooks, so a repeated one is refused rather than silently dropped.
    """
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=500, errors="strict")
    except UnicodeDecodeError:
        raise ValueError("form body is not UTF-8") from None
    except ValueError as err:
        raise ValueError(f"malformed form body: {err}") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise ValueError(f"form field {name!r} is repeated")
        fields[name] = value
    return fields


# --- SendGrid event webhook -------------------------------------------------------------------

# SendGrid's event types (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/
# event) -> (canonical status, permanent). None: recorded, changes no status.
#
# processed/deferred: SendGrid has the email / is still retrying it (for up to 72 h): no news.
# open/click: the email was delivered, but a `delivered` event always comes for that.
# bounce (type "bounce", or no type): the receiving server refused the address for good, and
#   SendGrid now suppresses it: failed, permanent. A bounce of type "blocked" is in _BLOCKED.
# dropped: SendGrid did not send, almost always because the address is on a suppression list
#   (bounced, unsubscribed, spam-reported, invalid): failed, permanent; the reasons that are
#   about our account or content are in _DROPS_NOT_PERMANENT.
# spamreport/unsubscribe/group_unsubscribe: the email was delivered (its status stays), but the
#   customer asked not to get our email: permanent, so no further email is tried and other news
#   goes by SMS. A report with status None never re-sends this message by another channel: the
#   customer has read it.
# group_resubscribe: the customer opted back in: recorded only.
SENDGRID_EVENTS: Mapping[str, tuple[NotificationStatus | None, bool]] = {
    "processed": (None, False),
    "deferred": (None, False),
    "delivered": (S.DELIVERED, False),
    "open": (None, False),
    "click": (None, False),
    "bounce": (S.FAILED, True),
    "dropped": (S.FAILED, True),
    "spamreport": (None, True),
    "unsubscribe": (None, True),
    "group_unsubscribe": (None, True),
    "group_resubscribe": (None, False),
}

# A bounce of type "blocked" is the receiving server refusing this message for now (reputation,
# content, volume): SendGrid neither retries it nor suppresses the address. Undelivered, and
# permanent only when SendGrid classifies the block as an invalid address.
_INVALID_ADDRESS = "Invalid Address"

# Drop reasons about our account, request or content, not the recipient's address
# (https://docs.sendgrid.com/glossary/drops).
_DROPS_NOT_PERMANENT = frozenset(
    {"Invalid SMTPAPI header", "Spam Content", "Recipient List over Package Quota"}
)


class _BadEvent(ValueError):
    """One event that cannot be read; the others still are."""


def _text_field(event: Mapping[str, Any], field: str) -> str | None:
    """An optional field as text; an odd value (object, list, bool) counts as absent."""
    value = event.get(field)
    if isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
        return None
    return str(value)


def _required_field(event: Mapping[str, Any], field: str) -> str:
    value = event.get(field)
    if value is None or value == "":
        raise _BadEvent(f"missing {field}")
    if not isinstance(value, str):
        raise _BadEvent(f"{field} is not a string")
    return value


def _sendgrid_message_id(value: str | None) -> str | None:
    """Mail Send's X-Message-Id: `sg_message_id` up to its first dot ("<id>.filterdrecv-...")."""
    return (value or "").split(".", 1)[0] or None


def _sendgrid_report(event: Mapping[str, Any]) -> DeliveryReport:
    event_id = _required_field(event, "sg_event_id")
    kind = _required_field(event, "event")
    stamp = event.get("timestamp")
    if stamp is None:
        raise _BadEvent("missing timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, int | float):
        raise _BadEvent("timestamp is not a unix time")
    try:
        occurred_at = datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, OSError, ValueError):
        raise _BadEvent("timestamp is out of range") from None

    status, permanent = SENDGRID_EVENTS.get(kind, (None, False))
    reason = _text_field(event, "reason")
    if kind == "bounce" and _text_field(event, "type") == "blocked":
        status = S.UNDELIVERED
        permanent = _text_field(event, "bounce_classification") == _INVALID_ADDRESS
    elif kind == "dropped" and reason in _DROPS_NOT_PERMANENT:
        permanent = False

    message_id = _text_field(event, "sg_message_id")
    key = event.get("waypost_key")
    if kind == "deferred":
        attempt = _text_field(event, "attempt")
        detail = _detail(f"attempt {attempt}" if attempt else None, _text_field(event, "response"))
    else:
        detail = _detail(reason)
    return DeliveryReport(
        provider="sendgrid",
        event=kind,
        event_id=event_id,
        provider_message_id=_sendgrid_message_id(message_id),
        key=key if isinstance(key, str) and key else None,
        status=status,
        permanent=permanent,
        error_code=_text_field(event, "status"),
        detail=detail,
        occurred_at=occurred_at,
    )


def sendgrid_reports(body: bytes) -> tuple[list[DeliveryReport], list[str]]:
    """SendGrid's event webhook body (a JSON array of events) as DeliveryReports.

    One unreadable event must not lose the rest of the batch (SendGrid would retry it all), so
    each is read alone: (reports, errors), errors like "events[3]: missing sg_event_id".
    A body that is not a JSON array raises ValueError. The `email` field is never read; the
    notification's key comes from our custom arg `waypost_key`.
    """
    try:
        events = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"event webhook body is not JSON: {err}") from None
    except RecursionError:
        raise ValueError("event webhook body is nested too deeply") from None
    if not isinstance(events, list):
        raise ValueError(f"event webhook body is a JSON {type(events).__name__}, not an array")
    reports: list[DeliveryReport] = []
    errors: list[str] = []
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            errors.append(f"events[{index}]: not an object")
            continue
        try:
            reports.append(_sendgrid_report(event))
        except _BadEvent as err:
            errors.append(f"events[{index}]: {err}")
    return reports, errors


SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"

_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


def _bare_key(public_key: str) -> str:
    """The base64 body of the key, also when pasted with PEM armour (the SDK adds its own)."""
    lines = [line.strip() for line in public_key.strip().splitlines()]
    return "".join(line for line in lines if line and not line.startswith("-----"))


def missing_sendgrid_headers(signature: str | None, timestamp: str | None) -> str | None:
    """Which of SendGrid's signature headers is missing, if one is: checked before the body is
    read, so an unsigned request costs nothing."""
    if not signature or not signature.strip():
        return f"missing {SIGNATURE_HEADER} header"
    if not timestamp or not timestamp.strip():
        return f"missing {TIMESTAMP_HEADER} header"
    return None


def verify_sendgrid_signature(
    public_key: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now: datetime,
    tolerance: timedelta = timedelta(minutes=10),
) -> str | None:
    """None when SendGrid signed this body at `timestamp`, else why not. Never raises.

    `public_key` is the base64 DER key SendGrid shows in the signed webhook's settings. The
    signature is the official SDK's check (ECDSA P-256 over timestamp + body); the timestamp
    must be within `tolerance` of `now`, so a captured request cannot be replayed later.
    """
    if (missing := missing_sendgrid_headers(signature, timestamp)) is not None:
        return missing
    assert signature is not None and timestamp is not None
    try:
        verifier = EventWebhook(_bare_key(public_key))
    except (ValueError, TypeError):
        return "malformed public key"
    if not isinstance(verifier.public_key, ec.EllipticCurvePublicKey):
        return "malformed public key"
    if not _UNIX_SECONDS.fullmatch(timestamp):
        return "malformed timestamp"
    signed_at = datetime.fromtimestamp(int(timestamp), UTC)
    if now.tzinfo is None:  # a naive clock is taken as UTC rather than raising
        now = now.replace(tzinfo=UTC)
    if now - signed_at > tolerance:
        return "timestamp too old"
    if signed_at - now > tolerance:
        return "timestamp is in the future"
    try:
        decode_dss_signature(base64.b64decode(signature, validate=True))
    except (binascii.Error, ValueError):
        return "malformed signature"
    try:
        payload = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    try:
        valid = bool(verifier.verify_signature(payload, signature, timestamp))
    except (ValueError, TypeError):
        return "malformed signature"
    return None if valid else "signature does not match"


# --- Inbound SMS: the customer's reply --------------------------------------------------------

Question = Literal["courier_one_hour", "slot_choice"]


class ChooseSlot(BaseModel):
    """slot_choice: the customer picked this slot (1-based, as numbered in the SMS)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["choose_slot"] = "choose_slot"
    slot: int = Field(ge=1)


class CourierAnswer(BaseModel):
    """courier_one_hour: home (confirm) or not (reschedule)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["courier_answer"] = "courier_answer"
    answer: Literal["confirm", "reschedule"]


class Unclear(BaseModel):
    """Nothing to act on; `reason` is for logs and never quotes the customer's text."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["unclear"] = "unclear"
    reason: str


Reply = Annotated[ChooseSlot | CourierAnswer | Unclear, Field(discriminator="kind")]


def _courier_answer(text: str) -> CourierAnswer | Unclear:
    if text in replies.CONFIRM_PHRASES:
        return CourierAnswer(answer="confirm")
    if text in replies.RESCHEDULE_PHRASES:
        return CourierAnswer(answer="reschedule")
    tokens = set(text.split())
    confirm = bool(tokens & replies.CONFIRM_WORDS)
    reschedule = bool(tokens & replies.RESCHEDULE_WORDS)
    if confirm and reschedule:
        return Unclear(reason="the reply says both 1 (home) and 2 (reschedule)")
    if confirm and tokens & replies.NEGATIONS:
        return Unclear(reason="the reply negates its yes ('not sure', 'не ...')")
    if confirm:
        return CourierAnswer(answer="confirm")
    if reschedule:
        return CourierAnswer(answer="reschedule")
    return Unclear(reason="no 1/2 or yes/no answer in the reply")


def _choices(last: int) -> str:
    if last == 1:
        return "1"
    if last <= 3:
        return ", ".join(str(n) for n in range(1, last)) + f" or {last}"
    return f"1 to {last}"


def _slot_answer(text: str, slots_offered: int) -> ChooseSlot | Unclear:
    numbers = {int(digits) for digits in re.findall(r"[0-9]+", text)}
    if not numbers:
        return Unclear(reason=f"no slot number in the reply; valid: {_choices(slots_offered)}")
    if len(numbers) > 1:
        return Unclear(
            reason=f"more than one number in the reply; valid: {_choices(slots_offered)}"
        )
    (slot,) = numbers
    if not 1 <= slot <= slots_offered:
        return Unclear(reason=f"slot {slot} was not offered; valid: {_choices(slots_offered)}")
    return ChooseSlot(slot=slot)


def interpret_reply(text: str, question: Question, slots_offered: int) -> Reply:
    """What the customer's SMS answers to the open question.

    courier_one_hour: 1/yes-words confirm, 2/no/reschedule-words reschedule (en, ru, pl, ro).
    slot_choice: the one number in the reply ("2", "#2", "2.", "slot 2"), if offered.
    Anything else is Unclear, whose reason names the valid answers. Raises ValueError only for
    a slot_choice with no slots: that is the caller's mistake, not the customer's.
    """
    normalized = replies.normalize(text)
    if question == "slot_choice":
        if slots_offered < 1:
            raise ValueError("a slot_choice question needs at least one slot offered")
        if not normalized:
            return Unclear(reason=f"empty reply; valid: {_choices(slots_offered)}")
        return _slot_answer(normalized, slots_offered)
    if not normalized:
        return Unclear(reason="empty reply; valid: 1 (home) or 2 (reschedule)")
    return _courier_answer(normalized)


def twiml(message: str | None) -> str:
    """The TwiML answering an inbound SMS: `message` as the reply, or an empty <Response/>.

    Empty when the reply was acted on: the workflow's own confirmation SMS follows, and the
    customer must not get two messages for one answer.
    """
    response = MessagingResponse()
    if message:
        response.message(message)
    return str(response)
