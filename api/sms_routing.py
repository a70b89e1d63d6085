"""Which shop an inbound STOP (or START) is addressed to.

A customer may hear from several shops, and an opt-out must stop only the one they answered.
Where shops text from numbers of their own (`ShopProfile.sms`), the number the customer wrote
to names the shop: Twilio's `To`, or the `MessagingServiceSid` it adds when that number belongs
to a shop's Messaging Service. Only a reply to the deployment's shared sender
(`WAYPOST_TWILIO_FROM_NUMBER` / `WAYPOST_TWILIO_MESSAGING_SERVICE_SID`, or a form without `To`)
falls back to the shop that texted the number last, among the shops that send from it (those
without a sender of their own). A reply to any other number changes nothing: no shop can be
meant.

Pure: the inbound webhook gathers the profiles (the registry, then `WAYPOST_SHOP_PROFILES`) and
the ledger's last SMS, and applies this.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from models.shop import ShopProfile


@dataclass(frozen=True, slots=True)
class Addressed:
    """The shops a reply may be meant for: `among` these, else every shop `besides` these."""

    among: frozenset[str] | None = None
    besides: frozenset[str] = frozenset()


NOBODY = Addressed(among=frozenset())


def has_own_sender(profile: ShopProfile) -> bool:
    return bool(profile.sms.from_number or profile.sms.messaging_service_sid)


def addressed(
    profiles: Mapping[str, ShopProfile],
    to: str,
    service: str | None,
    *,
    shared_number: str | None,
    shared_service: str | None,
) -> Addressed:
    """The shops a reply to `to` (through `service`, when Twilio names one) may be meant for.

    One shop's own number or service: that shop (several sharing it: the last of them to text).
    The shared sender: the last shop to text among those without a sender of their own.
    """
    to = to.strip()
    owners = frozenset(
        shop_id
        for shop_id, profile in profiles.items()
        if (service and profile.sms.messaging_service_sid == service)
        or (to and profile.sms.from_number == to)
    )
    if owners:
        return Addressed(among=owners)
    shared = not to or to == shared_number or bool(service and service == shared_service)
    if not shared:
        return NOBODY
    return Addressed(
        besides=frozenset(shop_id for shop_id, p in profiles.items() if has_own_sender(p))
    )
