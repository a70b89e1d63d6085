"""Message providers: Twilio (SMS), SendGrid (email) and the console fallback, behind one
synchronous `Provider` protocol whose only failure modes are "retry later" and "give up"."""

from activities.providers.base import (
    OutgoingMessage,
    PermanentProviderError,
    Provider,
    ProviderError,
    Receipt,
    RetryableProviderError,
)
from activities.providers.console import ConsoleProvider
from activities.providers.factory import email_provider, providers_for, sms_provider
from activities.providers.sendgrid_email import SendGridEmailProvider
from activities.providers.twilio_sms import TwilioSmsProvider

__all__ = [
    "ConsoleProvider",
    "OutgoingMessage",
    "PermanentProviderError",
    "Provider",
    "ProviderError",
    "Receipt",
    "RetryableProviderError",
    "SendGridEmailProvider",
    "TwilioSmsProvider",
    "email_provider",
    "providers_for",
    "sms_provider",
]
