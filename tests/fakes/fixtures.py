"""Pytest fixtures for the fake provider servers (register as a plugin, or import them).

Function-scoped: each test gets a fresh server with no scripted failures or recorded requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from infra.settings import Settings
from testing.sendgrid_server import DEFAULT_API_KEY, FakeSendGrid
from testing.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilio

__all__ = ["fake_sendgrid", "fake_twilio", "provider_settings"]


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    """A running fake Twilio; its `url` is the `api_base` for TwilioSmsProvider."""
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def fake_sendgrid() -> Iterator[FakeSendGrid]:
    """A running fake SendGrid; its `url` is the `host` for SendGridEmailProvider."""
    with FakeSendGrid() as server:
        yield server


@pytest.fixture
def provider_settings(
    worker_settings: Settings, fake_twilio: FakeTwilio, fake_sendgrid: FakeSendGrid
) -> Settings:
    """The worker's settings with the real Twilio and SendGrid providers, pointed at the fakes."""
    return worker_settings.model_copy(
        update={
            "twilio_account_sid": DEFAULT_ACCOUNT_SID,
            "twilio_auth_token": SecretStr(DEFAULT_AUTH_TOKEN),
            "twilio_from_number": "+15005550006",
            "twilio_api_base": fake_twilio.url,
            "sendgrid_api_key": SecretStr(DEFAULT_API_KEY),
            "sendgrid_from_email": "shop@example.com",
            "sendgrid_host": fake_sendgrid.url,
        }
    )
