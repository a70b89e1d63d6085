"""SMS through Twilio's Programmable Messaging API, with the official SDK.

`api_base` points the SDK at another host (a local fake in tests) by rewriting URLs in its HTTP
client, so everything above the HTTP client, from request building to error parsing, is the real
SDK; the client itself posts over kept-alive urllib3 connections (`transport.http_pool`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import urllib3
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from activities.providers.base import (
    OutgoingMessage,
    PermanentProviderError,
    ProviderError,
    Receipt,
    RetryableProviderError,
    retry_after,
    safe_text,
)
from activities.providers.transport import http_pool, network_error
from infra.links import without_link_tokens
from models.notification import Channel

__all__ = ["PERMANENT_CODES", "TwilioSmsProvider"]

PROVIDER = "twilio"
LOOKUP_LIMIT = 50
"""Messages to one recipient looked at when reconciling; a customer gets a handful per parcel."""
_http_log = logging.getLogger("twilio.http_client")
"""The SDK's own HTTP logger, as its requests-based client logs to."""
CLOCK_SKEW = timedelta(minutes=2)
"""Twilio's clock against ours: a message created a little "before" the claim still counts."""

# Refusals about the recipient that no retry can fix (https://www.twilio.com/docs/errors/<code>).
PERMANENT_CODES: Mapping[int, str] = {
    21211: "invalid 'To' phone number",
    21408: "sending to this region is not enabled",
    21610: "recipient unsubscribed (replied STOP)",
    21612: "'To' number not reachable from the sender",
    21614: "'To' number is not a mobile number",
}


class _TwilioHttpClient(HttpClient):  # type: ignore[misc]  # the SDK is untyped
    """The SDK's HTTP client interface over `transport.http_pool`: one kept-alive connection per
    sending thread, without requests' per-call preparation (a tenth of the worker's time per SMS
    in `make bench`); plus host rewriting to `api_base`, and the last response per thread.

    The SDK's exceptions drop the response headers, so the headers of the last response made by
    each thread are kept here to read Retry-After from.
    """

    def __init__(self, api_base: str | None, timeout: float, connections: int) -> None:
        super().__init__(_http_log, is_async=False, timeout=timeout)
        self._api_base = urlsplit(api_base.rstrip("/")) if api_base else None
        self._last = threading.local()
        self._pool = http_pool(
            api_base or "https://api.twilio.com", connections=connections, timeout=timeout
        )

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """What the SDK asks for, encoded as requests would (form fields, lists repeated)."""
        self._last.headers = {}
        sent = dict(headers or {})
        if auth is not None:
            sent["Authorization"] = urllib3.make_headers(basic_auth=":".join(auth))["authorization"]
        body = None
        if data is not None:
            if sent.get("Content-Type", "").endswith("json"):
                body = json.dumps(data).encode()
            else:
                body = urlencode(data, doseq=True).encode()
        target = self._rewrite(url)
        if params:
            target += "?" + urlencode(params, doseq=True)
        answer = self._pool.request(
            method.upper(),
            target,
            body=body,
            headers=sent,
            timeout=timeout or self.timeout,
            redirect=allow_redirects,
        )
        self._last.headers = dict(answer.headers)
        return Response(answer.status, answer.data.decode("utf-8"), self._last.headers)

    def _rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        if self._api_base is None or not parts.netloc.endswith("twilio.com"):
            return url
        base = self._api_base
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))

    def last_headers(self) -> dict[str, str]:
        headers: dict[str, str] = getattr(self._last, "headers", {})
        return headers


class TwilioSmsProvider:
    """Sends SMS from `from_number` or through a Messaging Service (which then picks the sender);
    a message from a shop with a sender of its own (`OutgoingMessage.sms_sender`) goes from that
    instead, so the customer's replies (STOP above all) come back to the shop's number."""

    name = PROVIDER
    channel = Channel.SMS

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        api_base: str | None = None,
        timeout: float = 10.0,
        status_callback: str | None = None,
        connections: int = 10,
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("Twilio needs a from_number or a messaging_service_sid")
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.status_callback = status_callback
        self._http = _TwilioHttpClient(api_base, timeout, connections)
        self._client = Client(account_sid, auth_token, http_client=self._http)

    def send(self, message: OutgoingMessage) -> Receipt:
        if message.channel is not Channel.SMS:
            raise PermanentProviderError(PROVIDER, f"cannot send a {message.channel} message")
        options: dict[str, Any] = {"to": message.to, "body": message.body}
        own = message.sms_sender
        if own is not None and (own.messaging_service_sid or own.from_number):
            service, number = own.messaging_service_sid, own.from_number
        else:
            service, number = self.messaging_service_sid, self.from_number
        if service:
            options["messaging_service_sid"] = service
        if number:
            options["from_"] = number
        if self.status_callback:
            options["status_callback"] = self.status_callback
        try:
            sent = self._client.messages.create(**options)
        except urllib3.exceptions.HTTPError as err:
            raise network_error(PROVIDER, err) from None
        except (TwilioRestException, TwilioServiceException) as err:
            raise self._classify(err, message.to) from None
        except TwilioException as err:
            raise RetryableProviderError(
                PROVIDER, safe_text(f"client error: {err}", message.to)
            ) from None
        return Receipt(provider=PROVIDER, message_id=str(sent.sid), status=str(sent.status))

    def find_sent(self, message: OutgoingMessage, since: datetime) -> Receipt | None:
        """Twilio lists messages by recipient, newest first: one created since `since` with the
        same text (tracking-link tokens aside) is the one a dead attempt sent."""
        created_after = since - CLOCK_SKEW
        wanted = without_link_tokens(message.body)
        try:
            listed = self._client.messages.list(to=message.to, limit=LOOKUP_LIMIT)
        except urllib3.exceptions.HTTPError as err:
            raise network_error(PROVIDER, err) from None
        except (TwilioRestException, TwilioServiceException) as err:
            raise self._classify(err, message.to) from None
        for found in listed:
            created = found.date_created
            if created is not None and created < created_after:
                break  # newest first: everything further is older still
            if without_link_tokens(str(found.body or "")) == wanted:
                return Receipt(
                    provider=PROVIDER, message_id=str(found.sid), status=str(found.status)
                )
        return None

    def _classify(
        self, err: TwilioRestException | TwilioServiceException, to: str
    ) -> ProviderError:
        status = int(err.status)
        code = int(err.code) if err.code is not None else None
        if isinstance(err, TwilioServiceException):
            text = err.detail or err.title
        else:
            # The SDK prefixes "Unable to create record: "; keep Twilio's own words only.
            text = str(err.msg).split(": ", 1)[-1]
        text = safe_text(text or f"HTTP {status}", to)
        code_text = str(code) if code is not None else None
        if status == 429 or status >= 500:
            return RetryableProviderError(
                PROVIDER,
                text,
                code=code_text,
                http_status=status,
                retry_after=retry_after(self._http.last_headers()),
            )
        if code is not None and code in PERMANENT_CODES:
            text = f"{PERMANENT_CODES[code]}: {text}"
        return PermanentProviderError(PROVIDER, text, code=code_text, http_status=status)
