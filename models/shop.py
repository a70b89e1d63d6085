"""A shop as a tenant: who is writing to the customer, how to reach the shop, where it is told of
what happened. Values only; the ledger's shop registry stores them (`waypost shop ...`) and every
message, page and webhook reads them.

Issue 14 builds on this: the registry (ledger), branded messages (messages/), consent and
opt-out, webhooks to the shop.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from models.bounds import Email, Identifier, Text, Url
from models.locale import Locale
from models.policy import NotificationPolicy
from models.shipment import Phone

HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
MessagingServiceSid = Annotated[str, StringConstraints(pattern=r"^MG[0-9a-f]{32}$")]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Brand(_Value):
    logo_url: Url | None = None
    """An https image the email and the tracking page show (never fetched by Waypost)."""
    accent_colour: HexColour = "#1f6feb"


class SmsSender(_Value):
    """Twilio's sender for this shop: a number of its own or a Messaging Service; neither means
    the deployment's `WAYPOST_TWILIO_FROM_NUMBER`."""

    from_number: Phone | None = None
    messaging_service_sid: MessagingServiceSid | None = None


class EmailSender(_Value):
    """SendGrid's sender for this shop; none means the deployment's `WAYPOST_SENDGRID_FROM_*`."""

    from_email: Email | None = None
    from_name: Text | None = None
    reply_to: Email | None = None


class SupportContact(_Value):
    url: Url | None = None
    email: Email | None = None
    phone: Phone | None = None


class ShopProfile(_Value):
    """What a shop tells Waypost about itself (created and updated over the CLI and the API)."""

    display_name: Text
    """The name every message and page carries: "Acme Outdoor"."""
    brand: Brand = Field(default_factory=Brand)
    sms: SmsSender = Field(default_factory=SmsSender)
    email: EmailSender = Field(default_factory=EmailSender)
    support: SupportContact = Field(default_factory=SupportContact)
    postal_address: Text | None = None
    """For the email footer (marketing email must carry one)."""
    default_locale: Locale = "en"
    policy: NotificationPolicy | None = None
    """The shop's default policy; a shipment's own policy overrides it field by field."""
    webhook_url: Url | None = None
    """Where the shop is told what happened (Standard Webhooks, signed with the shop's secret)."""


class Shop(_Value):
    shop_id: Identifier
    profile: ShopProfile


def shipment_policy(
    default: NotificationPolicy | None, requested: NotificationPolicy, given: AbstractSet[str]
) -> NotificationPolicy:
    """A shipment's policy from its shop's default and what its request says: each top-level
    field of `NotificationPolicy` the request gave (`given`, its fields set) wins whole; every
    other field is the shop's default. Validated again, since two halves that each hold may
    contradict each other together."""
    if default is None or given >= set(NotificationPolicy.model_fields):
        return requested
    merged = default.model_dump() | requested.model_dump(include=set(given))
    return NotificationPolicy.model_validate(merged)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: objects merge key by key, `null` removes a key (back to its
    default), anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def patched_profile(profile: ShopProfile, patch: dict[str, Any]) -> ShopProfile:
    """The profile a `PATCH /v1/shop` leaves (validated: a bad field raises, naming it)."""
    current = profile.model_dump(mode="json", exclude_defaults=True)
    return ShopProfile.model_validate(merge_patch(current, patch))
