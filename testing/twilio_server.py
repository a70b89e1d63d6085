"""A local stand-in for Twilio's Programmable Messaging REST API (2010-04-01), for the real SDK.

Speaks the documented formats: form-encoded `POST .../Messages.json` answered 201 with the
Message resource, list pages with `messages` and page fields, and errors as
`{"code", "message", "more_info", "status"}`. Point `TwilioSmsProvider(api_base=fake.url)` at it.
"""

from __future__ import annotations

import math
import re
import secrets
import threading
import time
from base64 import b64decode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from testing.http_fake import FakeHttpServer, Incoming, Reply, retry_after_header

__all__ = ["DEFAULT_ACCOUNT_SID", "DEFAULT_AUTH_TOKEN", "FakeTwilio", "TwilioRequest"]

DEFAULT_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
DEFAULT_AUTH_TOKEN = "fake-twilio-auth-token"

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_SEND = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
_FETCH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$")

# Twilio's own wording (https://www.twilio.com/docs/errors/<code>); several echo the number.
_MESSAGES: dict[int, str] = {
    20003: "Authenticate",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "The 'To' number {to} is not a valid phone number.",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the "
    "'To' number: {to}.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21612: "The 'To' phone number: {to}, is not currently reachable using the 'From' phone "
    "number: {from_} via SMS.",
    21614: "'To' number {to} is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}
_DEFAULT_CODES = {401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}

_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")


def segments(body: str) -> int:
    """How many SMS segments Twilio bills for `body` (GSM-7 when possible, else UCS-2)."""
    if all(ch in _GSM7 or ch in _GSM7_EXTENDED for ch in body):
        units, single, multi = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in body), 160, 153
    else:
        units, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / multi)


@dataclass(frozen=True)
class _Failure:
    status: int
    code: int
    retry_after: float | None
    message: str | None


@dataclass(frozen=True)
class TwilioRequest:
    """One send request the fake answered, and how (`status`, plus `sid` or `error_code`)."""

    account_sid: str
    to: str | None
    from_: str | None
    messaging_service_sid: str | None
    body: str | None
    status_callback: str | None
    params: dict[str, str]
    status: int
    sid: str | None = None
    error_code: int | None = None
    received_at: float = 0.0
    """`time.monotonic()` when the request reached the fake (benchmarks time delivery by it)."""
    client_port: int = 0
    """The connection it came on (see Incoming.client_port)."""


def _twilio_date(when: datetime) -> str:
    return format_datetime(when)  # RFC 2822, as Twilio's date_* fields are


def _error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        headers,
    )


class FakeTwilio(FakeHttpServer[_Failure]):
    """Fake Twilio for one account. Accepted messages are kept for listing and fetching.

    `record=False` keeps nothing (no `requests`, no listing or fetching): a benchmark sending
    hundreds of thousands of messages follows them through `subscribe` instead.
    """

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        record: bool = True,
    ) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.record = record
        self._requests: list[TwilioRequest] = []
        self._messages: dict[str, dict[str, Any]] = {}
        self._rejected: dict[str, tuple[int, int]] = {}
        self._listeners: list[Callable[[TwilioRequest], None]] = []
        self._state = threading.Lock()

    # -- scripting -------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        code: int | None = None,
        times: int = 1,
        retry_after: float | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `times` sends with `status` and Twilio error `code`.

        `code` defaults to Twilio's code for the status (429 -> 20429, 503 -> 20503...); the
        message defaults to Twilio's wording for the code. `retry_after` adds a Retry-After header.
        """
        chosen = code if code is not None else _DEFAULT_CODES.get(status, status)
        self._script(_Failure(status, chosen, retry_after, message), times)

    def reject_recipient(self, address: str, code: int = 21211, status: int = 400) -> None:
        """Refuse every send to `address` with Twilio error `code` (21211, 21610, 21614...)."""
        with self._state:
            self._rejected[address] = (status, code)

    def accept_recipient(self, address: str) -> None:
        """Send to `address` again (the customer texted START to Twilio)."""
        with self._state:
            self._rejected.pop(address, None)

    def set_status(
        self,
        sid: str,
        status: str,
        error_code: int | None = None,
        error_message: str | None = None,
    ) -> None:
        """Move an accepted message on (`sent`, `delivered`, `undelivered`, `failed`), as
        Twilio does after the carrier reports, for reconciliation tests."""
        with self._state:
            resource = self._messages[sid]
            now = datetime.now(UTC)
            resource.update(
                status=status,
                error_code=error_code,
                error_message=error_message,
                date_updated=_twilio_date(now),
            )
            if status in {"sent", "delivered", "undelivered"} and not resource["date_sent"]:
                resource["date_sent"] = _twilio_date(now)

    def subscribe(self, listener: Callable[[TwilioRequest], None]) -> None:
        """Call `listener` with every send request once answered, on the server's thread."""
        with self._state:
            self._listeners.append(listener)

    # -- inspection ------------------------------------------------------------------------

    @property
    def requests(self) -> list[TwilioRequest]:
        """Every authenticated send request answered so far, in order (a copy)."""
        with self._state:
            return list(self._requests)

    @property
    def sent(self) -> list[TwilioRequest]:
        """The send requests that were accepted (201)."""
        return [r for r in self.requests if r.sid is not None]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Accepted Message resources, oldest first (copies), as Twilio would return them."""
        with self._state:
            return [dict(m) for m in self._messages.values()]

    # -- HTTP ------------------------------------------------------------------------------

    def handle(self, request: Incoming) -> Reply | None:
        send = _SEND.match(request.path)
        fetch = _FETCH.match(request.path)
        match = send or fetch
        if match is None:
            return _error(404, 20404, _MESSAGES[20404].format(path=request.path))
        if not self._authorized(request) or match["account"] != self.account_sid:
            return _error(
                401, 20003, _MESSAGES[20003], {"WWW-Authenticate": 'Basic realm="Twilio"'}
            )
        if send and request.method == "POST":
            return self._send(request)
        if send and request.method == "GET":
            return self._list(request)
        if fetch and request.method == "GET":
            return self._fetch(fetch["sid"])
        return _error(405, 20004, "Method not allowed")

    def _authorized(self, request: Incoming) -> bool:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = b64decode(encoded).decode("utf-8").partition(":")
        except ValueError:
            return False
        return secrets.compare_digest(f"{user}:{password}", f"{self.account_sid}:{self.auth_token}")

    def _send(self, request: Incoming) -> Reply | None:
        received_at = time.monotonic()
        if not self._pause(self._take_hang()):
            return None
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8"), True).items()}
        to, from_ = form.get("To"), form.get("From")
        service, body = form.get("MessagingServiceSid"), form.get("Body")

        def answer(reply: Reply, sid: str | None = None, code: int | None = None) -> Reply:
            record = TwilioRequest(
                account_sid=self.account_sid,
                to=to,
                from_=from_,
                messaging_service_sid=service,
                body=body,
                status_callback=form.get("StatusCallback"),
                params=form,
                status=reply.status,
                sid=sid,
                error_code=code,
                received_at=received_at,
                client_port=request.client_port,
            )
            with self._state:
                if self.record:
                    self._requests.append(record)
                listeners = list(self._listeners)
            for listener in listeners:
                listener(record)
            return reply

        def refuse(status: int, code: int, message: str | None = None, **headers: str) -> Reply:
            text = message or _MESSAGES.get(code, "Bad Request").format(
                to=to or "", from_=from_ or service or ""
            )
            return answer(_error(status, code, text, headers or None), code=code)

        failure = self._take_failure()
        if failure is not None:
            headers = retry_after_header(failure.retry_after)
            return refuse(failure.status, failure.code, failure.message, **headers)
        if not to:
            return refuse(400, 21604)
        if not body and "MediaUrl" not in form:
            return refuse(400, 21602)
        if not (from_ or service):
            return refuse(400, 21603)
        if not _E164.match(to):
            return refuse(400, 21211)
        with self._state:
            rejected = self._rejected.get(to)
        if rejected is not None:
            return refuse(*rejected)
        if len(body or "") > 1600:
            return refuse(400, 21617)

        sid = "SM" + secrets.token_hex(16)
        now = _twilio_date(datetime.now(UTC))
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"
        resource: dict[str, Any] = {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": body or "",
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": str(segments(body or "")),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            # A Messaging Service first "accepts" a message, then picks a sender and queues it.
            "status": "accepted" if service and not from_ else "queued",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": to,
            "uri": uri,
        }
        with self._state:
            if self.record:
                self._messages[sid] = resource
        return answer(Reply.json(201, resource), sid=sid)

    def _list(self, request: Incoming) -> Reply:
        to, from_ = request.param("To"), request.param("From")
        page_size = max(1, min(int(request.param("PageSize") or 50), 1000))
        page = max(0, int(request.param("Page") or 0))
        with self._state:
            found = [
                dict(m)
                for m in reversed(self._messages.values())  # newest first, as Twilio lists
                if (to is None or m["to"] == to) and (from_ is None or m["from"] == from_)
            ]
        start = page * page_size
        chunk = found[start : start + page_size]
        base = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        filters = {k: v for k, v in (("To", to), ("From", from_)) if v is not None}

        def page_uri(number: int) -> str:
            return f"{base}?{urlencode({**filters, 'PageSize': page_size, 'Page': number})}"

        has_next = start + page_size < len(found)
        return Reply.json(
            200,
            {
                "end": start + max(len(chunk) - 1, 0),
                "first_page_uri": page_uri(0),
                "messages": chunk,
                "next_page_uri": page_uri(page + 1) if has_next else None,
                "page": page,
                "page_size": page_size,
                "previous_page_uri": page_uri(page - 1) if page > 0 else None,
                "start": start,
                "uri": page_uri(page),
            },
        )

    def _fetch(self, sid: str) -> Reply:
        with self._state:
            resource = self._messages.get(sid)
        if resource is None:
            path = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"
            return _error(404, 20404, _MESSAGES[20404].format(path=path))
        return Reply.json(200, dict(resource))
