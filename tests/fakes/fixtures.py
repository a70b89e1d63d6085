"""Pytest fixtures for the fake provider servers (register as a plugin, or import them).

Function-scoped: each test gets a fresh server with no scripted failures or recorded requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from functools import partial

import pytest
from pydantic import SecretStr

from activities.providers.base import Provider
from activities.providers.sendgrid_email import SendGridEmailProvider
from activities.providers.twilio_sms import TwilioSmsProvider
from activities.sending import Sender
from infra.links import recipient_hash
from infra.settings import Settings, get_settings
from ledger.claims import Ledger
from models.notification import Channel
from testing.sendgrid_server import DEFAULT_API_KEY, FakeSendGrid
from testing.tracker_servers import FakeEasyPost, FakeShippo
from testing.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilio

__all__ = [
    "DEPLOYMENT_EMAIL",
    "DEPLOYMENT_NUMBER",
    "easypost",
    "fake_providers",
    "fake_sendgrid",
    "fake_twilio",
    "provider_settings",
    "recipient_secret",
    "sender",
    "shippo",
]

DEPLOYMENT_NUMBER = "+15005550006"
"""The deployment's own Twilio number: every SMS goes from it unless its shop has its own."""
DEPLOYMENT_EMAIL = "shop@example.com"
"""The deployment's own sender address, likewise."""


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
            "twilio_from_number": DEPLOYMENT_NUMBER,
            "twilio_api_base": fake_twilio.url,
            "sendgrid_api_key": SecretStr(DEFAULT_API_KEY),
            "sendgrid_from_email": DEPLOYMENT_EMAIL,
            "sendgrid_host": fake_sendgrid.url,
        }
    )


def fake_providers(fake_twilio: FakeTwilio, fake_sendgrid: FakeSendGrid) -> dict[Channel, Provider]:
    """The real Twilio and SendGrid providers (their official SDKs) pointed at the fakes."""
    return {
        Channel.SMS: TwilioSmsProvider(
            DEFAULT_ACCOUNT_SID,
            DEFAULT_AUTH_TOKEN,
            from_number=DEPLOYMENT_NUMBER,
            api_base=fake_twilio.url,
            timeout=2,
        ),
        Channel.EMAIL: SendGridEmailProvider(
            DEFAULT_API_KEY, DEPLOYMENT_EMAIL, host=fake_sendgrid.url, timeout=2
        ),
    }


@pytest.fixture
def recipient_secret() -> bytes:
    """The key recipients are hashed with: this test's own, so the numbers it opts out in the
    session's shared PostgreSQL ledger are never another test's."""
    return uuid.uuid4().bytes


@pytest.fixture
def sender(
    ledger: Ledger, fake_twilio: FakeTwilio, fake_sendgrid: FakeSendGrid, recipient_secret: bytes
) -> Sender:
    """The sending activity's Sender over the test's ledger and the fake providers, hashing
    recipients as the worker does (so replies, opt-outs and 21610 find them)."""
    return Sender(
        ledger,
        fake_providers(fake_twilio, fake_sendgrid),
        hash_recipient=partial(recipient_hash, recipient_secret),
    )


@pytest.fixture
def easypost() -> Iterator[FakeEasyPost]:
    """EasyPost's Tracker API on 127.0.0.1 (testing/tracker_servers.py)."""
    with FakeEasyPost() as server:
        yield server


@pytest.fixture
def shippo() -> Iterator[FakeShippo]:
    """Shippo's Tracking API on 127.0.0.1 (testing/tracker_servers.py)."""
    with FakeShippo() as server:
        yield server


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """Commands run in-process (CliRunner) read the environment the test sets, not settings
    cached by an earlier test, and leave none cached for the next."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
