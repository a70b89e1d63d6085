"""Tracking links: signed, short enough for an SMS, expiring; and keyed recipient hashes."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from infra.links import (
    LinkExpired,
    LinkInvalid,
    TrackingLinks,
    load_secret,
    recipient_hash,
)
from infra.settings import Settings

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
REF = "shipment:shop-1:SHP-1001"


def links(secret: bytes = b"s3cret", days: int = 90) -> TrackingLinks:
    return TrackingLinks(secret, "https://track.example.com/", timedelta(days=days))


def test_a_link_reads_back_as_its_shipment() -> None:
    token = links().token(REF, NOW)

    assert links().read(token, NOW + timedelta(days=30)) == REF


def test_a_link_is_short_enough_for_an_sms() -> None:
    url = links().url(REF, NOW)

    assert url is not None and url.startswith("https://track.example.com/t/")
    assert len(url) <= 80


def test_a_link_expires_after_its_validity() -> None:
    token = links(days=10).token(REF, NOW)

    with pytest.raises(LinkExpired):
        links(days=10).read(token, NOW + timedelta(days=12))


def test_a_link_signed_with_another_secret_is_invalid() -> None:
    token = links(b"other").token(REF, NOW)

    with pytest.raises(LinkInvalid):
        links().read(token, NOW)


def test_a_tampered_payload_is_invalid() -> None:
    payload, signature = links().token(REF, NOW).split(".")
    forged = links().token("shipment:shop-2:SHP-1001", NOW).split(".")[0]

    with pytest.raises(LinkInvalid):
        links().read(f"{forged}.{signature}", NOW)
    assert payload != forged


@given(st.text(max_size=80))
def test_any_string_is_either_a_link_or_invalid_never_a_crash(token: str) -> None:
    with contextlib.suppress(LinkInvalid, LinkExpired):
        links().read(token, NOW)


def test_no_public_address_means_no_link() -> None:
    assert TrackingLinks(b"s", None, timedelta(days=1)).url(REF, NOW) is None


def test_the_secret_is_created_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)

    first, second = load_secret(settings), load_secret(settings)

    assert first == second and len(first) == 64
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_a_configured_secret_wins(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, secret_key=SecretStr("configured"))

    assert load_secret(settings) == b"configured"
    assert not (tmp_path / "secret.key").exists()


def test_recipient_hashes_match_the_same_number_and_reveal_nothing() -> None:
    hashed = recipient_hash(b"s", "+447700900123")

    assert hashed == recipient_hash(b"s", " +447700900123 ")
    assert hashed != recipient_hash(b"other", "+447700900123")
    assert "7700900123" not in hashed
