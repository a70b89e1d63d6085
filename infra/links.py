"""Signed tracking links, and the keyed hashes that match a customer's SMS reply to a shipment.

The worker writes a link into each message; the HTTP service reads it back. A link is a
capability: whoever holds it may see the shipment and choose its slot, so it is signed (HMAC,
truncated to 96 bits: forging one means guessing that) and expires. It stays short because it
travels in SMS, where every character counts against two segments.

The ledger keeps no phone numbers, yet an inbound SMS must find its shipment: each notification
row carries a keyed hash of its recipient, which a reply's sender number is hashed to match.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from infra.files import create_private
from infra.masking import LINK_TOKEN
from infra.settings import Settings
from models.shipment import parse_shipment_ref, shipment_workflow_id

SIGNATURE_BYTES = 12
_TOKEN_IN_TEXT = LINK_TOKEN
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

TWILIO_STATUS_PATH = "/v1/twilio/status"
"""Where Twilio reports on every SMS sent: the sender asks for it, the HTTP service serves it."""


class LinkInvalid(ValueError):
    """Not a link we signed: malformed, tampered with or signed with another key."""


class LinkExpired(ValueError):
    """A link we signed, past its expiry date."""


def load_secret(settings: Settings) -> bytes:
    """The site secret: from settings, or a random key created once under `home` (so the
    worker and the HTTP service of one machine agree without configuration)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = settings.home / "secret.key"
    create_private(path, secrets.token_hex(32))  # another process's, if it came first
    return path.read_text().strip().encode()


@lru_cache(maxsize=16)
def _derive(secret: bytes, purpose: str) -> bytes:
    """One key per purpose, so a link signature can never double as a phone-number hash."""
    return hmac.new(secret, f"waypost:{purpose}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def without_link_tokens(text: str) -> str:
    """`text` with every tracking-link token blanked: a message rendered again on another day
    carries a link with a later expiry, and is still the same message."""
    return _TOKEN_IN_TEXT.sub("/t/-", text)


def recipient_hash(secret: bytes, address: str) -> str:
    """A keyed hash of a phone number or email (case-folded): matches, reveals nothing."""
    key = _derive(secret, "recipient")
    return hmac.digest(key, address.strip().lower().encode(), "sha256").hex()


class TrackingLinks:
    """Makes and reads the tracking page's signed links."""

    def __init__(self, secret: bytes, base_url: str | None, valid_for: timedelta) -> None:
        self._key = _derive(secret, "tracking-link")
        self.base_url = base_url.rstrip("/") if base_url else None
        self.valid_for = valid_for

    @classmethod
    def from_settings(cls, settings: Settings) -> TrackingLinks:
        return cls(
            load_secret(settings),
            settings.public_base,
            timedelta(days=settings.tracking_link_days),
        )

    def token(self, ref: str, now: datetime) -> str:
        """`<payload>.<signature>`; the payload names the shipment and the expiry day."""
        _, shop_id, shipment_id = parse_shipment_ref(ref).split(":")
        expires = (now + self.valid_for - _EPOCH).days + 1
        payload = _b64(f"{shop_id}:{shipment_id}:{expires:x}".encode())
        return f"{payload}.{self._sign(payload)}"

    def url(self, ref: str, now: datetime) -> str | None:
        """The link for a message, or None when no public address is configured."""
        return f"{self.base_url}/t/{self.token(ref, now)}" if self.base_url else None

    def read(self, token: str, now: datetime) -> str:
        """The workflow id a token was signed for; LinkInvalid or LinkExpired otherwise."""
        payload, _, signature = token.partition(".")
        expected = self._sign(payload).encode()
        if not payload or not hmac.compare_digest(signature.encode(errors="replace"), expected):
            raise LinkInvalid("this link was not signed by Waypost")
        try:
            shop_id, shipment_id, expires = _unb64(payload).decode().split(":")
            expiry_day = int(expires, 16)
        except (binascii.Error, UnicodeDecodeError, ValueError) as err:
            raise LinkInvalid("this link is malformed") from err
        if (now - _EPOCH).days >= expiry_day:
            raise LinkExpired("this link has expired")
        return shipment_workflow_id(shop_id, shipment_id)

    def _sign(self, payload: str) -> str:
        digest = hmac.digest(self._key, payload.encode(), "sha256")
        return _b64(digest[:SIGNATURE_BYTES])


UNSUBSCRIBE_PATH = "/u"
"""Where a marketing email's one-click unsubscribe link points (RFC 8058)."""


class Unsubscribe(NamedTuple):
    """What an unsubscribe link stops: a class of message on a channel to one recipient (keyed
    hash) at one shop."""

    shop_id: str
    channel: str
    recipient: str
    category: str


class UnsubscribeLinks:
    """Makes and reads the signed one-click unsubscribe links of marketing email.

    They never expire: an unsubscribe link in an old email must still work (RFC 8058 asks that it
    stay usable), and it can only ever stop messages, never read anything.
    """

    def __init__(self, secret: bytes, base_url: str | None) -> None:
        self._key = _derive(secret, "unsubscribe-link")
        self.base_url = base_url.rstrip("/") if base_url else None

    @classmethod
    def from_settings(cls, settings: Settings) -> UnsubscribeLinks:
        return cls(load_secret(settings), settings.public_base)

    def token(self, what: Unsubscribe) -> str:
        payload = _b64(":".join(what).encode())
        return f"{payload}.{self._sign(payload)}"

    def url(self, what: Unsubscribe) -> str | None:
        """The link, or None when no public address is configured."""
        if self.base_url is None:
            return None
        return f"{self.base_url}{UNSUBSCRIBE_PATH}/{self.token(what)}"

    def read(self, token: str) -> Unsubscribe:
        """What a token was signed for; LinkInvalid otherwise."""
        payload, _, signature = token.partition(".")
        expected = self._sign(payload).encode()
        if not payload or not hmac.compare_digest(signature.encode(errors="replace"), expected):
            raise LinkInvalid("this link was not signed by Waypost")
        try:
            shop_id, channel, recipient, category = _unb64(payload).decode().split(":")
        except (ValueError, binascii.Error, UnicodeDecodeError) as err:
            raise LinkInvalid("this link is malformed") from err
        return Unsubscribe(shop_id, channel, recipient, category)

    def _sign(self, payload: str) -> str:
        mac = hmac.digest(self._key, payload.encode(), "sha256")
        return _b64(mac[:SIGNATURE_BYTES])


def one_click_headers(url: str) -> dict[str, str]:
    """RFC 8058's headers: mail clients show an unsubscribe button that POSTs to `url`."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
