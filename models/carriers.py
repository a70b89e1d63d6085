"""Known carriers by the ids shops and aggregators give them: the name a customer knows and the
carrier's own public tracking page, so the tracking page never shows a raw id ("dhl_express")
and sends the customer to the carrier's page when they want its details.

Pure data: an unknown id is shown as given, with no link (a guessed URL would be worse than none).
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote

from models.shipment import Frozen

__all__ = ["CARRIERS", "CarrierInfo", "KnownCarrier", "carrier_info"]


class KnownCarrier(Frozen):
    name: str
    """The display name."""
    tracking_url: str
    """The carrier's public tracking page, `{number}` standing for the URL-encoded number."""
    aliases: tuple[str, ...]
    """Ids it goes by (shops', EasyPost's and Shippo's), compared without case or punctuation."""


class CarrierInfo(Frozen):
    """What the page shows of a shipment's carrier."""

    name: str
    tracking_url: str | None = None


CARRIERS: Final[tuple[KnownCarrier, ...]] = (
    KnownCarrier(
        name="UPS", tracking_url="https://www.ups.com/track?tracknum={number}", aliases=("ups",)
    ),
    KnownCarrier(
        name="DHL",
        tracking_url="https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
        aliases=("dhl", "dhl_express", "dhl_ecommerce", "dhl_parcel"),
    ),
    KnownCarrier(
        name="FedEx",
        tracking_url="https://www.fedex.com/fedextrack/?trknbr={number}",
        aliases=("fedex",),
    ),
    KnownCarrier(
        name="USPS",
        tracking_url="https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
        aliases=("usps",),
    ),
    KnownCarrier(
        name="Royal Mail",
        tracking_url="https://www.royalmail.com/track-your-item#/tracking-results/{number}",
        aliases=("royal_mail",),
    ),
    KnownCarrier(
        name="InPost",
        tracking_url="https://inpost.pl/sledzenie-przesylek?number={number}",
        aliases=("inpost", "inpost_paczkomaty"),
    ),
    KnownCarrier(
        name="DPD",
        tracking_url="https://tracking.dpd.de/status/en_US/parcel/{number}",
        aliases=("dpd", "dpd_uk", "dpd_de", "dpd_pl"),
    ),
    KnownCarrier(
        name="GLS",
        tracking_url="https://gls-group.com/GROUP/en/parcel-tracking?match={number}",
        aliases=("gls",),
    ),
    KnownCarrier(
        name="Poczta Polska",
        tracking_url="https://emonitoring.poczta-polska.pl/?numer={number}",
        aliases=("poczta_polska",),
    ),
    KnownCarrier(
        name="FAN Courier",
        tracking_url="https://www.fancourier.ro/awb-tracking/?tracking={number}",
        aliases=("fan_courier", "fan"),
    ),
)


def _normal(carrier_id: str) -> str:
    return re.sub(r"[^a-z0-9]", "", carrier_id.casefold())


_BY_ID: Final[dict[str, KnownCarrier]] = {
    _normal(alias): known for known in CARRIERS for alias in known.aliases
}


def carrier_info(carrier_id: str, tracking_number: str) -> CarrierInfo:
    """The carrier's display name and its tracking page for this number (URL-encoded, so no
    character of the number can change where the link goes); an unknown id as given, unlinked."""
    known = _BY_ID.get(_normal(carrier_id))
    if known is None:
        return CarrierInfo(name=carrier_id)
    url = known.tracking_url.format(number=quote(tracking_number, safe=""))
    return CarrierInfo(name=known.name, tracking_url=url)
