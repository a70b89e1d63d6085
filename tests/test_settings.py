"""Settings derived from others: the public address follows the HTTP service's port."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from activities.providers.factory import twilio
from activities.providers.twilio_sms import TwilioSmsProvider
from infra.links import TrackingLinks
from infra.settings import Settings


@pytest.fixture(autouse=True)
def _no_public_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WAYPOST_PUBLIC_URL", "WAYPOST_API_PORT", "WAYPOST_API_HOST"):
        monkeypatch.delenv(name, raising=False)


def test_an_unset_public_url_follows_the_api_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_API_PORT", "8123")

    assert Settings().public_base == "http://127.0.0.1:8123"


def test_an_all_interfaces_host_is_reached_on_loopback() -> None:
    assert Settings(api_host="0.0.0.0", api_port=9000).public_base == "http://127.0.0.1:9000"
    assert Settings(api_host="::", api_port=9000).public_base == "http://[::1]:9000"


def test_a_named_host_is_kept() -> None:
    assert Settings(api_host="waypost.local", api_port=80).public_base == "http://waypost.local:80"


def test_a_configured_public_url_wins_over_the_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_API_PORT", "8123")
    monkeypatch.setenv("WAYPOST_PUBLIC_URL", "https://track.example.com/")

    assert Settings().public_base == "https://track.example.com"


def test_an_empty_public_url_means_no_links_and_no_callbacks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WAYPOST_PUBLIC_URL", "")

    assert Settings().public_base is None


def test_a_port_changed_on_a_copy_is_followed() -> None:
    moved = Settings().model_copy(update={"api_port": 8765})

    assert moved.public_base == "http://127.0.0.1:8765"


def test_tracking_links_and_twilio_callbacks_use_the_derived_address(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path,
        api_port=8321,
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token=SecretStr("token"),
        twilio_from_number="+15005550006",
    )

    link = TrackingLinks.from_settings(settings).url(
        "shipment:shop-1:SHP-1", datetime(2026, 1, 1, tzinfo=UTC)
    )
    provider = twilio(settings)

    assert link is not None and link.startswith("http://127.0.0.1:8321/t/")
    assert isinstance(provider, TwilioSmsProvider)
    assert provider.status_callback == "http://127.0.0.1:8321/v1/twilio/status"
