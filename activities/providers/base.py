"""What every message provider takes, returns and raises.

Providers are synchronous (they run in a thread-pool activity) and sort every failure into one of
two errors, because that is the only decision the caller makes: try again later, or record the
message as failed. Error texts never hold a recipient's phone number or email, so they can be
logged and stored as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from infra.masking import mask_address, mask_text
from models.notification import Channel
from models.shop import EmailSender, SmsSender

__all__ = [
    "NoLookup",
    "OutgoingMessage",
    "PermanentProviderError",
    "Provider",
    "ProviderError",
    "Receipt",
    "RetryableProviderError",
    "retry_after",
    "safe_text",
]


class OutgoingMessage(BaseModel):
    """One rendered message, ready for a provider."""

    model_config = ConfigDict(frozen=True)

    key: str
    """Idempotency key of the notification (ledger row)."""
    channel: Channel
    to: str
    """E.164 phone number for SMS, email address for email."""
    subject: str | None = None
    body: str
    """The text: an SMS, or an email's plain-text part."""
    html: str | None = None
    """An email's branded HTML part, sent beside the text (never printed: the text says it)."""
    custom_args: dict[str, str] = Field(default_factory=dict)
    """Sent along with an email (SendGrid `custom_args`) so its events can be matched to the
    ledger; SMS providers ignore it."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Email headers (a marketing email's RFC 8058 List-Unsubscribe); SMS providers ignore it."""
    personal: tuple[str, ...] = ()
    """Personal values the body quotes (the recipient's and courier's names and phone, the pickup
    code): real providers send them, anything that prints the message masks them."""
    sms_sender: SmsSender | None = None
    """The shop's own SMS sender (a number or a Messaging Service); unset: the deployment's."""
    email_sender: EmailSender | None = None
    """The shop's own email sender (address, name, reply-to, each when set); else the
    deployment's."""


class Receipt(BaseModel):
    """The provider accepted the message: its id, and its first status (`queued`, `accepted`...)."""

    model_config = ConfigDict(frozen=True)

    provider: str
    message_id: str
    status: str


class ProviderError(Exception):
    """A provider did not accept a message. `code` is the provider's own error code, if any."""

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.provider = provider
        self.code = code
        self.http_status = http_status
        self.message = message
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [self.provider]
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        if self.code is not None and self.code != self.message:
            parts.append(f"code {self.code}")
        return f"{' '.join(parts)}: {self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments do not survive the default pickling of exceptions.
        return (_rebuild_error, (type(self), self.__dict__))


def _rebuild_error(cls: type[ProviderError], state: dict[str, object]) -> ProviderError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, err._describe())
    return err


class RetryableProviderError(ProviderError):
    """A passing fault (rate limit, outage, timeout): the same message may succeed later.

    `retry_after` is the provider's own hint in seconds (a Retry-After header), when it gave one.
    `outcome_unknown` says the request may have reached the provider (a timeout or a connection
    lost after sending): the next attempt must ask the provider before sending again.
    `timed_out` says the provider did not answer in time (counted apart in the metrics).
    """

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
        outcome_unknown: bool = False,
        timed_out: bool = False,
    ) -> None:
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown
        self.timed_out = timed_out
        super().__init__(provider, message, code=code, http_status=http_status)


class PermanentProviderError(ProviderError):
    """The provider refused this message for good (bad number, unsubscribed, bad credentials)."""


class NoLookup(Exception):
    """The provider offers no way to ask whether it already has a message."""


class Provider(Protocol):
    """Sends one message on one channel; raises Retryable/PermanentProviderError on failure."""

    name: str
    channel: Channel

    def send(self, message: OutgoingMessage) -> Receipt: ...

    def find_sent(self, message: OutgoingMessage, since: datetime) -> Receipt | None:
        """The provider's record of `message` if an attempt since `since` already sent it (the
        process died before recording the answer), else None. Raises NoLookup when the provider
        cannot tell, RetryableProviderError when it cannot be asked now."""
        ...


def safe_text(text: str, *recipients: str) -> str:
    """`text` with the given recipients and any other phone number or email masked.

    Providers echo the recipient in their errors, sometimes in a non-E.164 spelling that
    `mask_text` alone would miss, so the exact recipient is replaced first.
    """
    for recipient in recipients:
        if recipient:
            text = text.replace(recipient, mask_address(recipient))
    return mask_text(text)


def retry_after(headers: Mapping[str, str] | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if absent/bad."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after" and v), None)
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
