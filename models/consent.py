"""Consent and opt-out: who said stop, to what, and what it stops (pure decisions).

An opt-out is recorded per shop, channel and keyed hash of the address (never the address), for
one class of message (`Category`): a customer who unsubscribes from one shop's marketing still
hears from that shop about their parcel, and from every other shop as before.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from models.kinds import KINDS, Category
from models.notification import Channel, DeliveryReport, NotificationKind, NotificationStatus


class OptOutSource(StrEnum):
    """What recorded an opt-out."""

    SMS_KEYWORD = "sms_keyword"
    """The customer texted STOP (or its equivalent in their language)."""
    TWILIO_21610 = "twilio_21610"
    """Twilio refused a send: the number had replied STOP to the sender."""
    SENDGRID_UNSUBSCRIBE = "sendgrid_unsubscribe"
    SENDGRID_SPAMREPORT = "sendgrid_spamreport"
    SENDGRID_BOUNCE = "sendgrid_bounce"
    """A hard bounce: the address does not take mail at all."""
    UNSUBSCRIBE_LINK = "unsubscribe_link"
    """The one-click List-Unsubscribe link of a marketing email (RFC 8058)."""
    TRACKING_PAGE = "tracking_page"
    """The customer withdrew their marketing consent on the tracking page."""


class ConsentSource(StrEnum):
    """Where the recipient's marketing consent was given."""

    START = "start"
    """The shop said so when it started the shipment (`recipient.marketing_consent`)."""
    TRACKING_PAGE = "tracking_page"
    """The customer ticked the opt-in on the tracking page."""


class MarketingConsent(BaseModel):
    """Consent to the shop's marketing (the thank-you with its coupon or review link), given
    after the start: when, and where. Kept in the workflow's state and in the ledger."""

    model_config = ConfigDict(frozen=True)

    given_at: datetime
    source: ConsentSource


ALL_CATEGORIES = frozenset(Category)

SENDGRID_OPT_OUT_EVENTS = {
    "unsubscribe": OptOutSource.SENDGRID_UNSUBSCRIBE,
    "group_unsubscribe": OptOutSource.SENDGRID_UNSUBSCRIBE,
    "spamreport": OptOutSource.SENDGRID_SPAMREPORT,
    "bounce": OptOutSource.SENDGRID_BOUNCE,
}
"""SendGrid events that stop email to the address (a bounce only when hard: `bounce` events are
hard bounces; soft ones arrive as `blocked` or `deferred`)."""


def categories_stopped(source: OptOutSource, category: Category) -> frozenset[Category]:
    """The classes of message an opt-out stops, given the class of the message it came from.

    STOP stops every SMS from the sender (Twilio blocks them all), and a hard bounce every email
    (the address is gone); an unsubscribe or spam report stops that message's class only, so a
    marketing unsubscribe leaves the parcel's news flowing."""
    if source in (
        OptOutSource.SMS_KEYWORD,
        OptOutSource.TWILIO_21610,
        OptOutSource.SENDGRID_BOUNCE,
    ):
        return ALL_CATEGORIES
    return frozenset({category})


def needs_consent(category: Category, consent: bool) -> bool:
    """True when a message of `category` may not go without consent the recipient has not given."""
    return category is Category.MARKETING and not consent


def opted_out_error(channel: Channel, category: Category, source: str) -> str:
    """The message record's error for a suppressed message: why, never to whom."""
    return f"not sent: the recipient opted out of {category.value} {channel.value} ({source})"


NO_CONSENT_ERROR = "not sent: no marketing consent recorded for the recipient"


def falls_back(kind: NotificationKind, status: NotificationStatus, permanent: bool) -> bool:
    """Whether a settled message goes again by its channel's fallback: after a refusal for good,
    and after an opt-out of parcel news (the customer said stop to SMS, not to the news). A
    marketing message never chases a customer onto another channel."""
    if status is NotificationStatus.FAILED:
        return permanent
    if status is NotificationStatus.OPTED_OUT:
        return KINDS[kind].category is Category.TRANSACTIONAL
    return False


def opt_out_source(report: DeliveryReport) -> OptOutSource | None:
    """Whether a provider's callback says the recipient opted out: Twilio's 21610 on a status
    callback, SendGrid's unsubscribe, spam report or hard bounce."""
    if report.provider == "twilio":
        return OptOutSource.TWILIO_21610 if report.error_code == "21610" else None
    source = SENDGRID_OPT_OUT_EVENTS.get(report.event)
    if source is OptOutSource.SENDGRID_BOUNCE and not report.permanent:
        return None
    return source
