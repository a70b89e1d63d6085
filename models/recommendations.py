"""Product recommendations a shop may pass with a shipment: a few links its dispatch and
thank-you emails show as a block, under the marketing rules (only with the recipient's consent,
never after they unsubscribed from the shop's marketing, and with one-click unsubscribe)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from models.bounds import HttpsUrl, Text, single_line

PriceText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(single_line),
]
"""The price as the shop writes it ("€24.90", "from 99 zł"): shown, never computed with."""

ProductTitle = Annotated[Text, StringConstraints(max_length=200)]


class Recommendation(BaseModel):
    """One product link: its title, its https page, optionally an https image and a price."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: ProductTitle
    url: HttpsUrl
    image_url: HttpsUrl | None = None
    price: PriceText | None = None
