"""Payload encryption: what leaves a process is AES-GCM ciphertext naming its key, keys rotate
without losing old payloads, and a payload that cannot be opened says why."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError
from typer.testing import CliRunner

from infra.converter import pydantic_converter
from infra.encryption import (
    ENCODING,
    KEY_ID,
    EncryptionCodec,
    Keyring,
    PayloadKeyError,
    data_converter,
    ensure_local_key,
    new_key,
    open_value,
    seal_value,
)
from infra.settings import LOCAL_PAYLOAD_KEY, Settings, settings_error_message
from starters.cli import app

PHONE = "+447700900123"
EMAIL = "sam@example.com"


def key(seed: int) -> bytes:
    return bytes([seed]) * 32


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def codec(active: str, **keys: bytes) -> EncryptionCodec:
    return EncryptionCodec(Keyring(keys=keys, active=active))


def customer_payload() -> Payload:
    data = json.dumps({"phone": PHONE, "email": EMAIL}).encode()
    return Payload(metadata={"encoding": b"json/plain"}, data=data)


async def test_a_payload_round_trips_and_travels_as_ciphertext_naming_its_key() -> None:
    original = customer_payload()
    sealing = codec("k1", k1=key(1))

    [sealed] = await sealing.encode([original])
    [opened] = await sealing.decode([sealed])

    assert opened == original
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID] == b"k1"
    assert PHONE.encode() not in sealed.SerializeToString()
    assert b"json/plain" not in sealed.SerializeToString()


async def test_the_same_payload_never_encrypts_the_same_way_twice() -> None:
    sealing = codec("k1", k1=key(1))

    first, second = await sealing.encode([customer_payload(), customer_payload()])

    assert first.data != second.data


async def test_a_payload_whose_key_id_is_unknown_is_refused_naming_it() -> None:
    [sealed] = await codec("old", old=key(1)).encode([customer_payload()])

    with pytest.raises(
        PayloadKeyError, match=r"key id 'old'.*add that key to WAYPOST_PAYLOAD_KEYS"
    ):
        await codec("new", new=key(2)).decode([sealed])


async def test_after_rotation_payloads_made_with_the_old_key_still_open() -> None:
    [before] = await codec("k1", k1=key(1)).encode([customer_payload()])
    rotated = codec("k2", k1=key(1), k2=key(2))

    [after] = await rotated.encode([customer_payload()])
    opened = await rotated.decode([before, after])

    assert after.metadata[KEY_ID] == b"k2"
    assert opened == [customer_payload(), customer_payload()]


async def test_an_altered_payload_fails_authentication() -> None:
    sealing = codec("k1", k1=key(1))
    [sealed] = await sealing.encode([customer_payload()])
    tampered = Payload(metadata=sealed.metadata, data=sealed.data[:-1] + b"\x00")

    with pytest.raises(PayloadKeyError, match="key id 'k1' failed authentication"):
        await sealing.decode([tampered])


async def test_a_payload_relabelled_with_another_key_id_does_not_open() -> None:
    both = codec("k1", k1=key(1), k2=key(1))
    [sealed] = await both.encode([customer_payload()])
    relabelled = Payload(metadata={**sealed.metadata, KEY_ID: b"k2"}, data=sealed.data)

    with pytest.raises(PayloadKeyError, match="failed authentication"):
        await both.decode([relabelled])


async def test_payloads_written_before_encryption_pass_through_decoding() -> None:
    plain = customer_payload()

    assert await codec("k1", k1=key(1)).decode([plain]) == [plain]


def test_without_keys_the_plain_pydantic_converter_is_used() -> None:
    assert data_converter(Settings()) is pydantic_converter


async def test_with_keys_failure_messages_and_stack_traces_are_encrypted_too() -> None:
    converter = data_converter(Settings(payload_keys={"k1": b64(key(1))}))
    failure = Failure()

    try:
        raise ApplicationError(f"the provider refused {PHONE}")
    except ApplicationError as err:
        await converter.encode_failure(err, failure)

    assert failure.message == "Encoded failure"
    assert failure.stack_trace == ""
    assert PHONE.encode() not in failure.SerializeToString()
    decoded = await converter.decode_failure(failure)
    assert str(decoded) == f"the provider refused {PHONE}"


async def test_with_keys_values_are_encrypted_by_the_data_converter() -> None:
    converter = data_converter(Settings(payload_keys={"k1": b64(key(1))}))

    [payload] = await converter.encode([{"phone": PHONE}])

    assert payload.metadata[KEY_ID] == b"k1"
    assert await converter.decode([payload], [dict]) == [{"phone": PHONE}]


def settings_refusal(**fields: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        Settings(**fields)
    return settings_error_message(caught.value)


def test_an_active_key_id_missing_from_the_keys_is_refused() -> None:
    message = settings_refusal(payload_keys={"k1": b64(key(1))}, payload_key_id="k2")

    assert "WAYPOST_PAYLOAD_KEY_ID 'k2' is not among WAYPOST_PAYLOAD_KEYS (k1)" in message


def test_several_keys_without_an_active_id_are_refused() -> None:
    message = settings_refusal(payload_keys={"k1": b64(key(1)), "k2": b64(key(2))})

    assert "holds 2 keys (k1, k2): set WAYPOST_PAYLOAD_KEY_ID" in message


def test_a_key_id_without_keys_is_refused() -> None:
    message = settings_refusal(payload_key_id="k1")

    assert "WAYPOST_PAYLOAD_KEY_ID is set but WAYPOST_PAYLOAD_KEYS is empty" in message


def test_a_key_of_the_wrong_length_is_refused_without_showing_it() -> None:
    short = b64(b"sixteen bytes!!!")

    message = settings_refusal(payload_keys={"k1": short})

    assert "key 'k1' is not the base64 of 32 bytes" in message
    assert short not in message


def test_keygen_prints_a_key_the_settings_accept() -> None:
    result = CliRunner().invoke(app, ["codec", "keygen", "--id", "2026-11"])

    assert result.exit_code == 0, result.output
    lines = dict(line.split(":", 1) for line in result.output.splitlines()[:2])
    assert lines["key id"].strip() == "2026-11"
    settings = Settings(payload_keys={"2026-11": lines["key"].strip()})
    assert settings.active_payload_key_id == "2026-11"


def test_keygen_makes_a_different_key_and_id_each_time() -> None:
    first, second = new_key(), new_key()

    assert first.key != second.key
    assert first.key_id != second.key_id


def test_the_local_key_is_created_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    assert ensure_local_key(tmp_path / "home") is True
    first = (tmp_path / "home" / LOCAL_PAYLOAD_KEY).read_text()

    assert ensure_local_key(tmp_path / "home") is False
    assert (tmp_path / "home" / LOCAL_PAYLOAD_KEY).read_text() == first
    assert stat.S_IMODE((tmp_path / "home" / LOCAL_PAYLOAD_KEY).stat().st_mode) == 0o600


def test_settings_without_keys_use_the_local_key_under_home(tmp_path: Path) -> None:
    ensure_local_key(tmp_path)
    saved = json.loads((tmp_path / LOCAL_PAYLOAD_KEY).read_text())

    settings = Settings(home=tmp_path)

    assert settings.active_payload_key_id == saved["id"]
    assert settings.payload_keys[saved["id"]].get_secret_value() == saved["key"]


def test_configured_keys_win_over_the_local_key(tmp_path: Path) -> None:
    ensure_local_key(tmp_path)
    configured = base64.b64encode(b"\x07" * 32).decode()

    settings = Settings(home=tmp_path, payload_keys={"mine": configured})

    assert list(settings.payload_keys) == ["mine"]


def test_without_a_local_key_nothing_is_encrypted(tmp_path: Path) -> None:
    assert Settings(home=tmp_path).active_payload_key_id is None


def test_a_value_sealed_at_rest_opens_only_with_the_keys_and_for_its_own_record() -> None:
    keyring = Keyring(keys={"k1": key(1)}, active="k1")
    sealed = seal_value(keyring, PHONE.encode(), sealed_for="shipment:a/page_contact")

    assert PHONE.encode() not in sealed
    assert open_value(keyring, sealed, sealed_for="shipment:a/page_contact") == PHONE.encode()
    with pytest.raises(PayloadKeyError, match="another record"):
        open_value(keyring, sealed, sealed_for="shipment:b/page_contact")
    with pytest.raises(PayloadKeyError, match="no payload keys"):
        open_value(None, sealed, sealed_for="shipment:a/page_contact")
    with pytest.raises(PayloadKeyError):
        open_value(
            Keyring(keys={"k1": key(2)}, active="k1"), sealed, sealed_for="shipment:a/page_contact"
        )


def test_a_value_stored_while_encryption_was_off_still_opens_once_it_is_on() -> None:
    plain = seal_value(None, EMAIL.encode(), sealed_for="shipment:a/page_live")

    keyring = Keyring(keys={"k1": key(1)}, active="k1")
    assert open_value(keyring, plain, sealed_for="shipment:a/page_live") == EMAIL.encode()
