"""A local stand-in for SendGrid's v3 Mail Send API, for the real SDK.

Speaks the documented format: `POST /v3/mail/send` with a JSON body and `Authorization: Bearer`,
answered 202 with an empty body and an `X-Message-Id` header, or an error as
`{"errors": [{"message", "field", "help"}]}`. Point `SendGridEmailProvider(host=fake.url)` at it.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from base64 import urlsafe_b64encode
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from testing.http_fake import FakeHttpServer, Incoming, Reply, retry_after_header

__all__ = ["DEFAULT_API_KEY", "FakeSendGrid", "SendGridRequest"]

DEFAULT_API_KEY = "SG.fake-sendgrid-key.0123456789"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html"

# SendGrid's own wording for the errors the fake produces.
_UNAUTHORIZED = "The provided authorization grant is invalid, expired, or revoked"
_NO_PERSONALIZATIONS = (
    "The personalizations field is required and must have at least one personalization."
)
_NO_TO = (
    "The to array is required for all personalization objects, and must have at least one email "
    "object with a valid email address."
)
_BAD_ADDRESS = "Does not contain a valid address."
_NO_FROM = (
    "The from object must be provided for every email send. It is an object that requires the "
    "email parameter, but may also contain a name parameter."
)
_NO_SUBJECT = (
    "The subject is required. You can get around this requirement if you use a template with a "
    "subject defined or if every personalization has a subject defined."
)
_NO_CONTENT = (
    "Unless a valid template_id is provided, the content parameter is required. There must be at "
    "least one defined content block. We typically suggest both text/plain and text/html blocks "
    "are included, but only one block is required."
)
_STATUS_MESSAGES = {
    401: _UNAUTHORIZED,
    403: "access forbidden",
    413: "request entity too large",
    429: "too many requests",
    500: "internal server error",
    502: "bad gateway",
    503: "service unavailable",
}


@dataclass(frozen=True)
class _Failure:
    status: int
    field: str | None
    retry_after: float | None
    message: str | None


@dataclass(frozen=True)
class SendGridRequest:
    """One mail-send request the fake answered, and how (`status`, plus `message_id`)."""

    to: list[str]
    from_email: str | None
    from_name: str | None
    subject: str | None
    text: str | None
    html: str | None
    custom_args: dict[str, str]
    payload: dict[str, Any]
    status: int
    message_id: str | None = None
    received_at: float = 0.0
    """`time.monotonic()` when the request reached the fake (benchmarks time delivery by it)."""
    headers: dict[str, str] = field(default_factory=dict)
    """The request's HTTP headers, names lower-cased."""
    reply_to: str | None = None
    """The address replies go to (the mail's `reply_to.email`), when it names one."""
    client_port: int = 0
    """The connection it came on (see Incoming.client_port)."""


def _errors(
    status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> Reply:
    return Reply.json(
        status, {"errors": [{"message": message, "field": field, "help": _HELP}]}, headers
    )


def _message_id() -> str:
    """An id shaped like SendGrid's: 22 URL-safe base64 characters."""
    return urlsafe_b64encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")


def _parse(payload: dict[str, Any], status: int, message_id: str | None) -> SendGridRequest:
    personalizations = payload.get("personalizations") or []
    to = [
        str(address.get("email"))
        for p in personalizations
        if isinstance(p, dict)
        for address in p.get("to") or []
        if isinstance(address, dict)
    ]
    found = payload.get("from")
    sender: dict[str, Any] = found if isinstance(found, dict) else {}
    content = {
        c.get("type"): c.get("value") for c in payload.get("content") or [] if isinstance(c, dict)
    }
    custom_args = {str(k): str(v) for k, v in (payload.get("custom_args") or {}).items()}
    for p in personalizations:
        if isinstance(p, dict):
            custom_args.update({str(k): str(v) for k, v in (p.get("custom_args") or {}).items()})
    found_reply = payload.get("reply_to")
    reply_to = found_reply.get("email") if isinstance(found_reply, dict) else None
    return SendGridRequest(
        to=to,
        from_email=sender.get("email"),
        from_name=sender.get("name"),
        reply_to=str(reply_to) if reply_to else None,
        subject=payload.get("subject"),
        text=content.get("text/plain"),
        html=content.get("text/html"),
        custom_args=custom_args,
        payload=payload,
        status=status,
        message_id=message_id,
    )


def _invalid(payload: dict[str, Any]) -> tuple[str, str | None] | None:
    """The first (message, field) SendGrid would object to, if any."""
    personalizations = payload.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        return _NO_PERSONALIZATIONS, "personalizations"
    for i, p in enumerate(personalizations):
        recipients = p.get("to") if isinstance(p, dict) else None
        if not isinstance(recipients, list) or not recipients:
            return _NO_TO, f"personalizations.{i}.to"
        for j, address in enumerate(recipients):
            email = address.get("email") if isinstance(address, dict) else None
            if not isinstance(email, str) or not _EMAIL.match(email):
                return _BAD_ADDRESS, f"personalizations.{i}.to.{j}.email"
    sender = payload.get("from")
    if not isinstance(sender, dict) or not sender.get("email"):
        return _NO_FROM, "from.email"
    if not _EMAIL.match(str(sender["email"])):
        return _BAD_ADDRESS, "from.email"
    every_has_subject = all(isinstance(p, dict) and p.get("subject") for p in personalizations)
    if not payload.get("subject") and not every_has_subject:
        return _NO_SUBJECT, "subject"
    content = payload.get("content")
    if not isinstance(content, list) or not content:
        return _NO_CONTENT, "content"
    for i, block in enumerate(content):
        if not isinstance(block, dict) or not block.get("type") or not block.get("value"):
            return "The content value must be a string at least one character in length.", (
                f"content.{i}.value"
            )
    return None


class FakeSendGrid(FakeHttpServer[_Failure]):
    """Fake SendGrid for one API key.

    `record=False` keeps no `requests`: a benchmark sending hundreds of thousands of emails
    follows them through `subscribe` instead.
    """

    def __init__(self, api_key: str = DEFAULT_API_KEY, *, record: bool = True) -> None:
        super().__init__()
        self.api_key = api_key
        self.record = record
        self._requests: list[SendGridRequest] = []
        self._rejected: dict[str, tuple[int, str, str]] = {}
        self._listeners: list[Callable[[SendGridRequest], None]] = []
        self._arrival = threading.local()  # each request is answered on a thread of its own
        self._state = threading.Lock()

    # -- scripting -------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        code: str | None = None,
        times: int = 1,
        retry_after: float | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `times` sends with `status`.

        SendGrid errors carry no numeric code: `code` is the error's `field` (what the provider
        reports as the code), `message` defaults to SendGrid's wording for the status.
        `retry_after` adds a Retry-After header.
        """
        self._script(_Failure(status, code, retry_after, message), times)

    def reject_recipient(
        self,
        address: str,
        code: str = "personalizations.0.to.0.email",
        status: int = 400,
        message: str = _BAD_ADDRESS,
    ) -> None:
        """Refuse every send to `address` with `status` and an error on field `code`."""
        with self._state:
            self._rejected[address.lower()] = (status, code, message)

    def subscribe(self, listener: Callable[[SendGridRequest], None]) -> None:
        """Call `listener` with every mail-send request once answered, on the server's thread."""
        with self._state:
            self._listeners.append(listener)

    # -- inspection ------------------------------------------------------------------------

    @property
    def requests(self) -> list[SendGridRequest]:
        """Every authenticated mail-send request with a JSON body answered so far, in order."""
        with self._state:
            return list(self._requests)

    @property
    def sent(self) -> list[SendGridRequest]:
        """The requests that were accepted (202)."""
        return [r for r in self.requests if r.message_id is not None]

    # -- HTTP ------------------------------------------------------------------------------

    def handle(self, request: Incoming) -> Reply | None:
        self._arrival.at = time.monotonic()
        self._arrival.headers = {name.lower(): value for name, value in request.headers.items()}
        self._arrival.port = request.client_port
        if request.path.rstrip("/") != "/v3/mail/send":
            return _errors(404, "resource not found")
        if request.method != "POST":
            return _errors(405, "method not allowed")
        if not secrets.compare_digest(
            request.headers.get("authorization", ""), f"Bearer {self.api_key}"
        ):
            return self._answer(None, _errors(401, _UNAUTHORIZED))
        if not self._pause(self._take_hang()):
            return None
        try:
            payload = json.loads(request.body or b"null")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return self._answer(None, _errors(400, "Bad Request"))

        failure = self._take_failure()
        if failure is not None:
            text = failure.message or _STATUS_MESSAGES.get(failure.status, "Bad Request")
            headers = retry_after_header(failure.retry_after)
            return self._answer(payload, _errors(failure.status, text, failure.field, headers))
        problem = _invalid(payload)
        if problem is not None:
            return self._answer(payload, _errors(400, *problem))
        for address in _parse(payload, 0, None).to:
            with self._state:
                rejected = self._rejected.get(address.lower())
            if rejected is not None:
                status, field, text = rejected
                return self._answer(payload, _errors(status, text, field))
        message_id = _message_id()
        return self._answer(payload, Reply(202, b"", {"X-Message-Id": message_id}), message_id)

    def _answer(
        self, payload: dict[str, Any] | None, reply: Reply, message_id: str | None = None
    ) -> Reply:
        if payload is not None:
            record = replace(
                _parse(payload, reply.status, message_id),
                received_at=getattr(self._arrival, "at", 0.0),
                headers=getattr(self._arrival, "headers", {}),
                client_port=getattr(self._arrival, "port", 0),
            )
            with self._state:
                if self.record:
                    self._requests.append(record)
                listeners = list(self._listeners)
            for listener in listeners:
                listener(record)
        return reply
