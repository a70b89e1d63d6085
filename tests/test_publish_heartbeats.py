"""When the ledger activity heartbeats: each heartbeat that reaches the server is a billable
action, so only where a send could outlast the heartbeat timeout."""

from __future__ import annotations

import inspect
from datetime import timedelta

from activities.providers.sendgrid_email import SendGridEmailProvider
from activities.providers.twilio_sms import TwilioSmsProvider
from activities.publish import heartbeat_due
from workflows.shipment import PUBLISH_HEARTBEAT


def test_a_send_early_in_the_activity_needs_no_heartbeat() -> None:
    assert not heartbeat_due(0.0, PUBLISH_HEARTBEAT)
    assert not heartbeat_due(9.9, PUBLISH_HEARTBEAT)


def test_a_send_after_half_the_heartbeat_timeout_heartbeats_first() -> None:
    assert heartbeat_due(10.0, PUBLISH_HEARTBEAT)
    assert heartbeat_due(30.0, PUBLISH_HEARTBEAT)


def test_half_the_heartbeat_timeout_leaves_room_for_a_whole_provider_call() -> None:
    for provider in (TwilioSmsProvider, SendGridEmailProvider):
        call_timeout = inspect.signature(provider).parameters["timeout"].default
        assert timedelta(seconds=call_timeout) <= PUBLISH_HEARTBEAT / 2


def test_without_a_heartbeat_timeout_it_never_heartbeats() -> None:
    assert not heartbeat_due(3600.0, None)
