"""Email through SendGrid's v3 Mail Send API: the body built by the official SDK's `Mail`
helper, posted over kept-alive connections.

SendGrid answers 202 when it queued the email; the `X-Message-Id` header is the id its event
webhook reports later (as the prefix of `sg_message_id`). `custom_args` travel with the email and
come back in every event, which is how events find their ledger row.

The SDK's own transport (python-http-client) builds a urllib opener and opens a new connection,
a TLS handshake against the real API, for every email; `transport.http_pool` keeps one open per
sending thread. What it posts is the SDK's `Mail.get()`, with the SDK's headers.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import urllib3
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import CustomArg, From, Header, Mail, ReplyTo, To

from activities.providers.base import (
    NoLookup,
    OutgoingMessage,
    PermanentProviderError,
    ProviderError,
    Receipt,
    RetryableProviderError,
    retry_after,
    safe_text,
)
from activities.providers.transport import http_pool, network_error
from models.notification import Channel

__all__ = ["SendGridEmailProvider"]

PROVIDER = "sendgrid"


class SendGridEmailProvider:
    """Sends emails (a plain-text part, and the branded HTML one) from the deployment's sender,
    or the shop's own address, name and reply-to where its profile sets them
    (`OutgoingMessage.email_sender`); the address must be one the SendGrid account verified."""

    name = PROVIDER
    channel = Channel.EMAIL

    def __init__(
        self,
        api_key: str,
        from_email: str,
        from_name: str = "Waypost",
        host: str = "https://api.sendgrid.com",
        timeout: float = 10.0,
        connections: int = 10,
    ) -> None:
        self.from_email = from_email
        self.from_name = from_name
        sdk = SendGridAPIClient(api_key, host=host.rstrip("/"))
        self._url = f"{sdk.host}/v3/mail/send"
        self._headers = {**sdk.client.request_headers, "Content-Type": "application/json"}
        self._pool = http_pool(self._url, connections=connections, timeout=timeout)

    def send(self, message: OutgoingMessage) -> Receipt:
        if message.channel is not Channel.EMAIL:
            raise PermanentProviderError(PROVIDER, f"cannot send a {message.channel} message")
        own = message.email_sender
        mail = Mail(
            from_email=From(
                (own and own.from_email) or self.from_email,
                (own and own.from_name) or self.from_name,
            ),
            to_emails=To(message.to),
            subject=message.subject or "",
            plain_text_content=message.body,
            html_content=message.html,
        )
        if own is not None and own.reply_to:
            mail.reply_to = ReplyTo(own.reply_to)
        for key, value in message.custom_args.items():
            mail.add_custom_arg(CustomArg(key, value))
        for name, value in message.headers.items():
            mail.add_header(Header(name, value))
        try:
            response = self._pool.request(
                "POST", self._url, body=json.dumps(mail.get()).encode(), headers=self._headers
            )
        except urllib3.exceptions.HTTPError as err:
            # Timeouts, refused or reset connections, truncated responses.
            raise network_error(PROVIDER, err) from None
        status = response.status
        if status >= 300:
            raise _classify(response, message.to)
        message_id = response.headers.get("X-Message-Id") or ""
        # Any 2xx means SendGrid took the email: resending would duplicate it, so a missing id
        # is recorded as empty (events still find the ledger row through custom_args).
        return Receipt(
            provider=PROVIDER,
            message_id=str(message_id),
            status="accepted" if status == 202 else f"http {status}",
        )

    def find_sent(self, message: OutgoingMessage, since: datetime) -> Receipt | None:
        """SendGrid can only be asked through its Email Activity API, a paid add-on this
        integration does not assume: the caller records that it could not tell."""
        raise NoLookup("SendGrid offers no lookup without the Email Activity add-on")


def _first_error(body: Any) -> tuple[str | None, str | None]:
    """(field, message) of the first error in SendGrid's `{"errors": [...]}` body."""
    try:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
        errors = json.loads(text).get("errors") or []
        first = errors[0]
    except (ValueError, AttributeError, IndexError, TypeError):
        return None, None
    if not isinstance(first, dict):
        return None, None
    field, msg = first.get("field"), first.get("message")
    return (str(field) if field else None), (str(msg) if msg else None)


def _classify(response: urllib3.BaseHTTPResponse, to: str) -> ProviderError:
    status = response.status
    field, msg = _first_error(response.data)
    named = field or msg
    code = safe_text(named, to) if named else None
    text = safe_text(msg or (response.reason or f"HTTP {status}"), to)
    if status == 429 or status >= 500:
        return RetryableProviderError(
            PROVIDER,
            text,
            code=code,
            http_status=status,
            retry_after=retry_after(response.headers),
        )
    return PermanentProviderError(PROVIDER, text, code=code, http_status=status)
