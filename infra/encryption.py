"""The payload codec: AES-GCM over every payload, under a key id so keys can rotate.

A shipment's payloads hold the customer's name, phone, email and address; Temporal stores them
in its history for as long as the namespace retains it. Encrypted before they leave the process,
they are ciphertext in the server, readable only by processes (and the codec server) holding the
keys. Each payload names the key that sealed it, so payloads sealed by an old key still open
after the active key changed.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

from infra.converter import pydantic_converter
from infra.files import create_private
from infra.settings import LOCAL_PAYLOAD_KEY, PAYLOAD_KEY_BYTES, Settings, decode_payload_key

ENCODING = b"binary/encrypted"
"""The `encoding` of an encrypted payload (the original encoding travels inside)."""
KEY_ID = "encryption-key-id"
"""Metadata naming the key that sealed the payload."""
NONCE_BYTES = 12
TAG_BYTES = 16


class PayloadKeyError(ValueError):
    """An encrypted payload cannot be opened: its key is unknown here, or it was altered."""


@dataclass(frozen=True)
class Keyring:
    """Every key this process may open payloads with, and the one it seals new payloads with."""

    keys: Mapping[str, bytes]
    active: str

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ValueError(f"active key id {self.active!r} is not among the keys")
        for key_id, key in self.keys.items():
            if len(key) != PAYLOAD_KEY_BYTES:
                raise ValueError(f"key {key_id!r} is not {PAYLOAD_KEY_BYTES} bytes")

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring | None:
        """None when no keys are configured: encryption is off."""
        active = settings.active_payload_key_id
        if active is None:
            return None
        keys = {key_id: decode_payload_key(key) for key_id, key in settings.payload_keys.items()}
        return cls(keys=keys, active=active)


class EncryptionCodec(PayloadCodec):
    """Seals each payload whole (data and metadata) with AES-256-GCM.

    The key id is bound to the ciphertext as associated data, so a payload relabelled with
    another key id fails to open rather than opening under the wrong name. Payloads that are not
    encrypted pass through decoding unchanged: histories written before encryption was switched
    on still replay.
    """

    def __init__(self, keyring: Keyring) -> None:
        self._active = keyring.active
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keyring.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.seal(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.open(p) for p in payloads]

    def seal(self, payload: Payload) -> Payload:
        key_id = self._active.encode()
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self._active].encrypt(nonce, payload.SerializeToString(), key_id)
        return Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=nonce + sealed)

    def open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            known = ", ".join(sorted(self._ciphers))
            raise PayloadKeyError(
                f"payload was encrypted with key id {key_id!r}, which is not among this "
                f"process's keys ({known}): add that key to WAYPOST_PAYLOAD_KEYS"
            )
        if len(payload.data) < NONCE_BYTES + TAG_BYTES:
            raise PayloadKeyError(f"payload encrypted with key id {key_id!r} is truncated")
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, key_id.encode())
            return Payload.FromString(plain)
        except (InvalidTag, DecodeError) as err:
            raise PayloadKeyError(
                f"payload encrypted with key id {key_id!r} failed authentication: it was altered, "
                "or WAYPOST_PAYLOAD_KEYS holds a different key under that id"
            ) from err


def payload_codec(settings: Settings) -> EncryptionCodec | None:
    keyring = Keyring.from_settings(settings)
    return EncryptionCodec(keyring) if keyring is not None else None


def data_converter(settings: Settings) -> DataConverter:
    """The pydantic converter; with keys configured, payloads encrypted and failure messages
    and stack traces moved into an encrypted payload (an error may quote personal data)."""
    codec = payload_codec(settings)
    if codec is None:
        return pydantic_converter
    return dataclasses.replace(
        pydantic_converter,
        payload_codec=codec,
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def unencrypted_warning(settings: Settings) -> str | None:
    """What starting without payload keys means, naming the setting that fixes it; None with
    keys. Silence here once let a deployment keep customers' data in plain Temporal histories."""
    if settings.active_payload_key_id is not None:
        return None
    return (
        "payload encryption is off: personal data (names, phone numbers, emails, addresses) "
        f"reaches the Temporal server at {settings.temporal_address} unencrypted and stays in "
        "its workflow histories; set WAYPOST_PAYLOAD_KEYS on every process "
        "(`waypost codec keygen` makes a key)"
    )


def warn_if_unencrypted(settings: Settings, process: str) -> str | None:
    """Log the warning (level WARNING) when payloads go out in plain; returns its text."""
    warning = unencrypted_warning(settings)
    if warning is not None:
        structlog.get_logger("waypost.codec").warning(
            warning, process=process, setting="WAYPOST_PAYLOAD_KEYS"
        )
    return warning


@dataclass(frozen=True)
class NewKey:
    key_id: str
    key: str
    """Base64 of 32 random bytes."""


def new_key(key_id: str | None = None, *, now: datetime | None = None) -> NewKey:
    """A fresh random key; its id defaults to the date and a random suffix (ids never repeat)."""
    when = now or datetime.now(UTC)
    return NewKey(
        key_id=key_id or f"{when:%Y%m%d}-{secrets.token_hex(3)}",
        key=base64.b64encode(secrets.token_bytes(PAYLOAD_KEY_BYTES)).decode(),
    )


def ensure_local_key(home: Path) -> bool:
    """Create the local payload key under `home` (readable by its owner only) unless it exists;
    True when this call created it."""
    if (home / LOCAL_PAYLOAD_KEY).exists():
        return False
    key = new_key()
    return create_private(home / LOCAL_PAYLOAD_KEY, json.dumps({"id": key.key_id, "key": key.key}))


SEALED_FOR = "sealed-for"
"""Metadata (inside the seal) naming the record a value at rest belongs to."""


def seal_value(keyring: Keyring | None, data: bytes, *, sealed_for: str) -> bytes:
    """`data` to store at rest: a payload sealed as the codec seals one (AES-256-GCM under the
    active key, the key id bound to the ciphertext), naming inside the seal the record it belongs
    to, so a value copied onto another record does not open there. Without a keyring (encryption
    off, already warned about) the same payload, in clear."""
    payload = Payload(metadata={"encoding": b"binary/plain", SEALED_FOR: sealed_for.encode()})
    payload.data = data
    if keyring is not None:
        payload = EncryptionCodec(keyring).seal(payload)
    return payload.SerializeToString()


def open_value(keyring: Keyring | None, stored: bytes, *, sealed_for: str) -> bytes:
    """What `seal_value` sealed for `sealed_for`. A value stored in clear opens with or without
    a keyring (encryption switched on later). PayloadKeyError: it cannot be opened here (no
    keyring, an unknown key, altered, or another record's)."""
    try:
        payload = Payload.FromString(stored)
    except DecodeError as err:
        raise PayloadKeyError("the stored value is not a sealed payload") from err
    if payload.metadata.get("encoding") == ENCODING:
        if keyring is None:
            raise PayloadKeyError("the stored value is sealed and no payload keys are configured")
        payload = EncryptionCodec(keyring).open(payload)
    if payload.metadata.get(SEALED_FOR) != sealed_for.encode():
        raise PayloadKeyError("the stored value belongs to another record")
    return payload.data
