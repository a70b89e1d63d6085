"""Pytest fixtures for the fake provider servers (register as a plugin, or import them).

Function-scoped: each test gets a fresh server with no scripted failures or recorded requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.sendgrid_server import FakeSendGrid
from tests.fakes.twilio_server import FakeTwilio

__all__ = ["fake_sendgrid", "fake_twilio"]


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
