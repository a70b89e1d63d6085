"""Each channel's provider, picked from settings: the real one when its credentials are set,
else the console standing in for it, so a fresh checkout runs with nothing configured.

`REAL_PROVIDERS` is the I/O half of the channel registry (models/channels.py holds the pure
half): a new channel adds its provider here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from activities.providers.base import Provider
from activities.providers.console import ConsoleProvider
from activities.providers.sendgrid_email import SendGridEmailProvider
from activities.providers.twilio_sms import TwilioSmsProvider
from infra.links import TWILIO_STATUS_PATH
from infra.settings import Settings
from models.channels import CHANNELS
from models.notification import Channel

__all__ = [
    "REAL_PROVIDERS",
    "email_provider",
    "provider_for",
    "providers_for",
    "sms_provider",
]


def twilio(settings: Settings) -> Provider | None:
    """Twilio when its account sid and auth token are set (None: not configured).

    Raises ValueError when Twilio is configured without a sender: failing at start-up beats
    failing every message.
    """
    if not settings.twilio_enabled:
        return None
    if not (settings.twilio_from_number or settings.twilio_messaging_service_sid):
        raise ValueError(
            "Twilio credentials are set but WAYPOST_TWILIO_FROM_NUMBER (or "
            "WAYPOST_TWILIO_MESSAGING_SERVICE_SID) is not: set the sender to send SMS"
        )
    assert settings.twilio_account_sid and settings.twilio_auth_token  # twilio_enabled
    return TwilioSmsProvider(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token.get_secret_value(),
        from_number=settings.twilio_from_number,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        api_base=settings.twilio_api_base,
        connections=settings.max_concurrent_activities,
        status_callback=f"{settings.public_base}{TWILIO_STATUS_PATH}"
        if settings.public_base
        else None,
    )


def sendgrid(settings: Settings) -> Provider | None:
    """SendGrid when its API key is set (None: not configured).

    Raises ValueError when SendGrid is configured without a sender address.
    """
    if not settings.sendgrid_enabled:
        return None
    if not settings.sendgrid_from_email:
        raise ValueError(
            "SENDGRID_API_KEY is set but WAYPOST_SENDGRID_FROM_EMAIL is not: "
            "set the sender address to send email"
        )
    assert settings.sendgrid_api_key is not None  # sendgrid_enabled
    return SendGridEmailProvider(
        api_key=settings.sendgrid_api_key.get_secret_value(),
        from_email=settings.sendgrid_from_email,
        from_name=settings.sendgrid_from_name,
        host=settings.sendgrid_host,
        connections=settings.max_concurrent_activities,
    )


REAL_PROVIDERS: Mapping[Channel, Callable[[Settings], Provider | None]] = MappingProxyType(
    {Channel.SMS: twilio, Channel.EMAIL: sendgrid}
)
"""Each channel's real provider, built from settings when they configure it."""


def provider_for(channel: Channel, settings: Settings) -> Provider:
    """The channel's real provider when configured, else the console standing in for it."""
    real = REAL_PROVIDERS[channel](settings)
    return ConsoleProvider(channel) if real is None else real


def sms_provider(settings: Settings) -> Provider:
    return provider_for(Channel.SMS, settings)


def email_provider(settings: Settings) -> Provider:
    return provider_for(Channel.EMAIL, settings)


def providers_for(settings: Settings) -> dict[Channel, Provider]:
    """One provider per channel, as the sending activity wants them."""
    return {channel: provider_for(channel, settings) for channel in CHANNELS}
